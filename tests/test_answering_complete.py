"""Whether words heard so far read as a whole request (listening then ends at a shorter
silence), on the shipped documents."""

from __future__ import annotations

import pytest

from assistant import PROJECT_DIR
from assistant.config import MatchingConfig
from assistant.content import load_library
from assistant.understanding.answering import QuestionAnswerer


@pytest.fixture(scope="module")
def brain() -> QuestionAnswerer:
    return QuestionAnswerer(load_library(PROJECT_DIR / "content"), MatchingConfig(), ("sv", "fr"))


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("vad orsakar kramp", "sv"),
        ("hur länge varar en kramp", "sv"),
        ("qu'est-ce qui provoque les crampes", "fr"),
    ],
)
def test_answered_questions_are_whole(brain: QuestionAnswerer, text: str, lang: str) -> None:
    assert brain.reads_complete(text, lang)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("vad", "sv"),
        ("hur kan jag", "sv"),
        ("kramp", "sv"),  # answerable, but one word: a question may go on
        ("och", "sv"),  # a command alone ("and?": more), the start of a question here
        ("mer", "sv"),
        ("qu'est-ce que", "fr"),
        ("comment", "fr"),
        ("est-ce que je", "fr"),
        ("hur mår katten idag", "sv"),  # whole, but nothing answers it
    ],
)
def test_beginnings_commands_and_unanswered_are_not(
    brain: QuestionAnswerer, text: str, lang: str
) -> None:
    assert not brain.reads_complete(text, lang)
