from __future__ import annotations

from assistant import PROJECT_DIR
from assistant.config import MatchingConfig
from assistant.content import load_library
from assistant.understanding.answering import QuestionAnswerer

QUESTIONS = [("vad orsakar kramp", "sv"), ("où sont les toilettes", "fr"), ("hur mår katten", None)]


def test_warm_up_changes_no_answer() -> None:
    library = load_library(PROJECT_DIR / "content")
    cold = QuestionAnswerer(library, MatchingConfig(), ("sv", "fr"))
    before = [cold.answer(q, lang) for q, lang in QUESTIONS]
    warm = QuestionAnswerer(library, MatchingConfig(), ("sv", "fr"))
    warm.warm_up()
    assert [warm.answer(q, lang) for q, lang in QUESTIONS] == before
    assert before[0].section == 2 and before[1].section is None
