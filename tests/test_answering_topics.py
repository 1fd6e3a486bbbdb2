"""The spoken list of topics stays short enough to listen to, whatever the library's size."""

from __future__ import annotations

from pathlib import Path

from assistant import PROJECT_DIR
from assistant.config import MatchingConfig
from assistant.content import Document, Library, Section, load_library
from assistant.understanding.answering import MAX_TOPICS, QuestionAnswerer


def document(n: int, sections: int) -> Document:
    return Document(
        f"doc{n}",
        "sv",
        f"Dokument {n}",
        tuple(
            Section(i, f"s{i}", f"Rubrik {n}-{i}", f"Text om ämne {n} {i}.", (), (), i)
            for i in range(1, sections + 1)
        ),
        None,
        Path(f"doc{n}.md"),
    )


def test_the_shipped_documents_list_their_section_titles() -> None:
    brain = QuestionAnswerer(load_library(PROJECT_DIR / "content"), MatchingConfig(), ("sv",))
    titles = [s.title.rstrip("?") for _, s in brain.library.sections("sv")]
    assert len(titles) <= MAX_TOPICS
    assert all(title in brain.topics_text("sv") for title in titles)
    assert all(title in brain.help_text("sv") for title in titles)


def test_a_large_library_lists_at_most_max_topics_document_titles() -> None:
    library = Library(tuple(document(n, 5) for n in range(1, 41)))
    brain = QuestionAnswerer(library, MatchingConfig(), ("sv",))
    topics = brain.topics_text("sv")
    assert "Rubrik" not in topics  # 200 sections: documents are named instead
    assert all(f"Dokument {n}" in topics for n in range(1, MAX_TOPICS + 1))
    assert f"Dokument {MAX_TOPICS + 1}" not in topics
    assert brain.answer("hur mår katten idag", "sv").answer.endswith(topics)
