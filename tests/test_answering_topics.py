"""The spoken list of topics by ear: a few topics per breath, one short sentence each with its
ordinal word, then how to hear the rest; whatever the library's size."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from assistant import PROJECT_DIR
from assistant.config import MatchingConfig
from assistant.content import Document, Library, Section, load_library
from assistant.language_data import language
from assistant.understanding.answering import MAX_TOPICS, TOPICS_PER_PAGE, QuestionAnswerer
from assistant.understanding.reply import TopicsPage
from assistant.understanding.sentences import split_sentences

#: Words a sentence of the topic list may have at most.
MAX_WORDS = 14


def document(n: int, sections: int, title: str = "") -> Document:
    return Document(
        f"doc{n}",
        "sv",
        title or f"Dokument {n}",
        tuple(
            Section(i, f"s{i}", f"Rubrik {n}-{i}", f"Text om ämne {n} {i}.", (), (), i)
            for i in range(1, sections + 1)
        ),
        None,
        Path(f"doc{n}.md"),
    )


def pages(brain: QuestionAnswerer, lang: str) -> list[TopicsPage]:
    """Every page of the list, from the first on."""
    found = [brain.topics_page(lang, 0)]
    while not found[-1].last:
        found.append(brain.topics_page(lang, found[-1].next))
    return found


def shipped() -> QuestionAnswerer:
    return QuestionAnswerer(load_library(PROJECT_DIR / "content"), MatchingConfig(), ("sv", "fr"))


@pytest.mark.parametrize("lang", ["sv", "fr"])
def test_the_shipped_topics_come_a_few_at_a_time_one_sentence_each(lang: str) -> None:
    brain = shipped()
    data = language(lang)
    titles = [s.title.rstrip("?") for _, s in brain.library.sections(lang)]
    assert len(titles) > TOPICS_PER_PAGE  # the shipped documents need two pages
    heard: list[str] = []
    listed = pages(brain, lang)
    for number, page in enumerate(listed):
        sentences = split_sentences(page.text)
        assert all(len(re.findall(r"\w+", s)) <= MAX_WORDS for s in sentences), sentences
        items = sentences[1:-1] if number == 0 else sentences[:-1]
        assert 0 < len(items) <= TOPICS_PER_PAGE, sentences
        for item in items:  # "Första: Orsaker." -- the ordinal word, then one title
            position = len(heard) + 1
            ordinal, title = item.split(":", 1)
            assert ordinal.strip() == data.ordinal(position)
            heard.append(title.strip().rstrip("."))
        closing = data.text("topics_end" if page.last else "topics_more")
        assert sentences[-1] == closing
    assert split_sentences(listed[0].text)[0] == data.text("topics_intro")
    assert heard == titles
    assert brain.topics_page(lang, listed[-1].next).text == ""  # past the end


def test_a_title_with_commas_and_och_is_one_sentence_of_its_own() -> None:
    sections = (
        Section(1, "a", "Kost, vätska och sömn", "Ät och drick.", (), (), 1),
        Section(2, "b", "Stress och oro", "Vila.", (), (), 2),
    )
    library = Library((Document("d", "sv", "D", sections, None, Path("d.md")),))
    text = QuestionAnswerer(library, MatchingConfig(), ("sv",)).topics_text("sv")
    assert split_sentences(text)[1:3] == [
        "Första: Kost, vätska och sömn.",
        "Andra: Stress och oro.",
    ]


def test_a_large_library_lists_document_titles_page_by_page() -> None:
    library = Library(tuple(document(n, 5) for n in range(1, 41)))
    brain = QuestionAnswerer(library, MatchingConfig(), ("sv",))
    listed = pages(brain, "sv")
    spoken = " ".join(page.text for page in listed)
    assert "Rubrik" not in spoken  # 200 sections (more than MAX_TOPICS): documents are named
    assert len(listed) == -(-40 // TOPICS_PER_PAGE)
    assert all(f": Dokument {n}." in spoken for n in range(1, 41))
    first = brain.topics_text("sv")
    assert f"Dokument {TOPICS_PER_PAGE + 1}" not in first and "fler ämnen" in first
    assert brain.answer("hur mår katten idag", "sv").answer.endswith(first)
    assert MAX_TOPICS < 200


@pytest.mark.parametrize("lang", ["sv", "fr"])
def test_the_core_answers_more_topics_with_the_first_page(lang: str) -> None:
    brain = shipped()
    said = {"sv": "fler ämnen", "fr": "plus de sujets"}[lang]
    reply = brain.answer(said, lang)
    assert reply.intent == "more_topics" and reply.answer == brain.topics_text(lang)


@pytest.mark.e2e
def test_ask_json_lists_the_topics_in_short_sentences() -> None:
    """`run.py ask --json`: an out-of-scope question's answer lists the first topics in short
    sentences, one title each, and says how to hear the rest."""
    out = subprocess.run(
        [sys.executable, str(PROJECT_DIR / "run.py"), "ask", "--json", "-"],
        input="var är toaletten\noù sont les toilettes\n",
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    replies = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["lang"] for r in replies] == ["sv", "fr"]
    for reply, rest in zip(replies, ("fler ämnen", "plus de sujets"), strict=True):
        sentences = split_sentences(reply["answer"])
        assert all(len(re.findall(r"\w+", s)) <= MAX_WORDS for s in sentences), sentences
        assert rest in sentences[-1]
        items = [s for s in sentences if re.match(r"^\w+ ?:", s)]
        assert len(items) == TOPICS_PER_PAGE, sentences
