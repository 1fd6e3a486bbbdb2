"""Accuracy on the evaluation set (tests/eval/): dev split must reach 90 % top-1 per language."""

from __future__ import annotations

import pytest

from assistant import PROJECT_DIR
from assistant.answering import QuestionAnswerer
from assistant.config import MatchingConfig
from assistant.content import load_library
from tests.eval.evaluate import accuracy, evaluate, load_cases


@pytest.fixture(scope="module")
def answerer() -> QuestionAnswerer:
    return QuestionAnswerer(load_library(PROJECT_DIR / "content"), MatchingConfig(), ["sv", "fr"])


def _report(answerer: QuestionAnswerer, split: str) -> dict[tuple[str, str], float]:
    results = evaluate(answerer, load_cases(split))
    out = {}
    for lang in ("sv", "fr"):
        for kind in ("section", "none", "command"):
            share, n = accuracy(results, lang, kind)
            print(f"{split} {lang} {kind}: {share:.0%} of {n}")
            out[(lang, kind)] = share
    for r in results:
        if not r.ok:
            print(f"  miss [{r.case.lang} {r.case.style}] {r.case.text!r}: {r.got}")
    return out


def test_dev_split_accuracy(answerer: QuestionAnswerer) -> None:
    scores = _report(answerer, "dev")
    for lang in ("sv", "fr"):
        assert scores[(lang, "section")] >= 0.9
        assert scores[(lang, "none")] >= 0.8
        assert scores[(lang, "command")] == 1.0


def test_heldout_split_is_reported(answerer: QuestionAnswerer) -> None:
    scores = _report(answerer, "heldout")
    assert all(0.0 <= v <= 1.0 for v in scores.values())
    assert scores[("sv", "section")] >= 0.7 and scores[("fr", "section")] >= 0.7


def test_answer_is_the_best_sentences_and_more_is_the_rest(answerer: QuestionAnswerer) -> None:
    reply = answerer.answer("Kan uttorkning orsaka muskelspasmer?", "sv")
    assert reply.section == 2 and "uttorkning" in reply.answer
    assert reply.more and reply.more not in reply.answer
    fr = answerer.in_language(reply, "fr")
    assert fr is not None and fr.section == 2 and "déshydratation" in fr.answer


@pytest.mark.parametrize("text", ["", "?!.", "x" * 10_000, "vad orsakar les crampes"])
def test_bad_input_is_bounded(answerer: QuestionAnswerer, text: str) -> None:
    reply = answerer.answer(text)
    assert reply.lang in ("sv", "fr") and reply.answer


def test_out_of_scope_lists_the_topics(answerer: QuestionAnswerer) -> None:
    reply = answerer.answer("Où sont les toilettes ?")
    assert reply.section is None and "Causes" in reply.answer
    assert "Orsaker" in answerer.help_text("sv")
    assert 0.0 <= answerer.fit("vad orsakar kramp", "fr") < answerer.fit("vad orsakar kramp", "sv")
