"""A language the kiosk serves without documents: the visitor hears the other language's topics,
told in their own language that the documents are in that one, never an empty list."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import PROJECT_DIR
from assistant.config import Config
from assistant.content import load_library
from assistant.kiosk.dialog import Dialog
from assistant.kiosk.events import Heard, SpeechDone, Started, Typed
from assistant.understanding.answering import QuestionAnswerer
from tests.test_dialog import says

#: The language without documents -> (the other language's name in it, an out-of-scope question)
CASES = {
    "sv": ("franska", "var ligger stationen"),
    "fr": ("suédois", "où est la gare"),
}


def _only(tmp_path: Path, lang: str) -> QuestionAnswerer:
    """The real core over the shipped document in ``lang`` only, serving both languages."""
    (source,) = (PROJECT_DIR / "content").glob(f"muskelspasmer.{lang}.md")
    (tmp_path / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    config = Config()
    return QuestionAnswerer(load_library(tmp_path, ("sv", "fr")), config.matching, ("sv", "fr"))


@pytest.mark.parametrize("lang", ["sv", "fr"])
def test_a_language_without_documents_offers_the_other_languages_topics(
    tmp_path: Path, lang: str
) -> None:
    other = "fr" if lang == "sv" else "sv"
    core = _only(tmp_path, other)
    name, question = CASES[lang]
    titles = [s.title.rstrip("?") for _, s in core.library.sections(other)]
    dialog = Dialog(core, Config())
    dialog.handle(Started())
    dialog.handle(SpeechDone())

    more = "fler ämnen" if lang == "sv" else "plus de sujets"
    for event in (Heard(question, lang, 0.9), Typed("hjälp" if lang == "sv" else "aide")):
        said = " ".join(text for text, said_in in says(dialog.handle(event)) if said_in == lang)
        dialog.handle(SpeechDone())
        assert name in said, said
        assert " ." not in said and "om ." not in said and "de : ." not in said
        # the rest of the other language's topics, in this language's words
        rest = " ".join(text for text, _ in says(dialog.handle(Typed(more))))
        dialog.handle(SpeechDone())
        assert all(title in f"{said} {rest}" for title in titles), (said, rest)
        assert name not in rest and " ." not in rest


def test_a_language_with_documents_keeps_its_own_topics(tmp_path: Path) -> None:
    core = _only(tmp_path, "sv")
    assert core.topics_text("sv").startswith(
        "Jag kan berätta om de här ämnena. Första: Vad muskelspasmer är."
    )
