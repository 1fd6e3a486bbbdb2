"""Words weighed by how sure the recognizer is of them: the posteriors of an n-best list,
Vosk's own word confidences, and the core giving a word it may have misheard less weight."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import pytest

from assistant import PROJECT_DIR
from assistant.config import Config, MatchingConfig
from assistant.content import load_library
from assistant.kiosk.dialog import Dialog
from assistant.kiosk.events import Heard, Say, SpeechDone, Started
from assistant.speech_in.recognition import parse_result, word_posteriors
from assistant.understanding.answering import QuestionAnswerer, answerer_for
from assistant.understanding.reply import Reply
from tests.speech_input_support import n_best_json

# A question about the shipped article with one rare word the documents lack: as typed, that
# word is evidence that the question is about something else.
QUESTIONS = {
    "sv": ("vad orsakar kramp hos giraffer", "giraffer"),
    "fr": ("qu'est-ce qui cause les crampes des trompettistes", "trompettistes"),
}


def test_a_word_all_hypotheses_share_is_sure_and_one_only_some_have_is_not() -> None:
    found = dict(word_posteriors(["vad orsakar kramp", "vad orsakar kram"], [0.0, 0.0]))
    assert found == {"vad": 1.0, "orsakar": 1.0, "kramp": 0.5, "kram": 0.5}
    likelier = dict(word_posteriors(["Vad orsakar kramp", "vad orsakar kram"], [2.0, 0.0]))
    assert likelier["kramp"] > 0.85
    assert likelier["kram"] < 0.15
    assert word_posteriors([], []) == ()


def test_an_n_best_result_gives_each_word_its_posterior() -> None:
    raw = n_best_json((5.0, "vad orsakar kramp"), (5.0, "vad orsakar kram"))
    sure = dict(parse_result(raw, "sv", 2.0).word_confidence)
    assert sure == {"vad": 1.0, "orsakar": 1.0, "kramp": 0.5, "kram": 0.5}


def test_a_single_best_result_keeps_voskss_word_confidences() -> None:
    raw = json.dumps(
        {
            "result": [
                {"word": "mer", "start": 0, "end": 0.3, "conf": 0.8},
                {"word": "Mer", "start": 0.4, "end": 0.6, "conf": 0.9},
                {"word": "info", "start": 0.7, "end": 0.9, "conf": 0.4},
            ]
        }
    )
    assert dict(parse_result(raw, "sv", 1.0).word_confidence) == {"mer": 0.9, "info": 0.4}


@pytest.fixture(scope="module")
def lexical() -> QuestionAnswerer:
    return QuestionAnswerer(load_library(PROJECT_DIR / "content"), MatchingConfig(), ["sv", "fr"])


@pytest.mark.parametrize("lang", ["sv", "fr"])
def test_a_word_the_recognizer_is_unsure_of_weighs_less_against_the_question(
    lexical: QuestionAnswerer, lang: str
) -> None:
    question, rare = QUESTIONS[lang]
    assert lexical.answer(question, lang).section is None  # the rare word counts in full
    unsure = lexical.answer(question, lang, {rare: 0.1})
    assert unsure.section == 2  # causes
    # a sure word, a word not in the map and a malformed value change nothing
    for confidence in ({rare: 1.0}, {"annat": 0.1}, {rare: float("nan")}, {}):
        assert lexical.answer(question, lang, confidence).section is None


@pytest.mark.parametrize("lang", ["sv", "fr"])
def test_the_hybrid_decision_is_surer_when_the_odd_word_may_be_misheard(lang: str) -> None:
    answerer = answerer_for(load_library(PROJECT_DIR / "content"), Config())
    question, rare = QUESTIONS[lang]
    sure = answerer.answer(question, lang)
    unsure = answerer.answer_any([question], lang, {rare: 0.1})
    assert unsure.section == 2
    assert unsure.score > sure.score


class _Recording(QuestionAnswerer):
    """The real core, recording what the dialog hands it."""

    calls: list[tuple[tuple[str, ...], Mapping[str, float] | None]]

    def answer_any(
        self,
        hypotheses: Sequence[str],
        lang: str | None = None,
        word_confidence: Mapping[str, float] | None = None,
    ) -> Reply:
        self.calls.append((tuple(hypotheses), word_confidence))
        return super().answer_any(hypotheses, lang, word_confidence)


def test_the_dialog_hands_the_word_confidences_to_the_core() -> None:
    core = _Recording(load_library(PROJECT_DIR / "content"), MatchingConfig(), ["sv", "fr"])
    core.calls = []
    dialog = Dialog(core, Config())
    dialog.handle(Started())
    dialog.handle(SpeechDone())
    question, rare = QUESTIONS["sv"]
    heard = Heard(
        question, "sv", 0.9, (), tuple((w, 0.1 if w == rare else 0.9) for w in question.split())
    )
    actions = dialog.handle(heard)
    assert core.calls and core.calls[0][0] == (question,)
    assert core.calls[0][1] == dict(heard.word_confidence)
    said = " ".join(a.text for a in actions if isinstance(a, Say)).lower()
    assert "orsak" in said or "kramp" in said
