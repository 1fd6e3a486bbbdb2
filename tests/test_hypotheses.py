"""Several recognizer hypotheses: Vosk's n-best list parsed (real Korean model), and the core
choosing the hypothesis and the section together."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from assistant import PROJECT_DIR
from assistant.config import MatchingConfig
from assistant.content import load_library
from assistant.speech_in.recognition import Utterance, VoskModel, VoskRecognizer, parse_result
from assistant.understanding.answering import QuestionAnswerer
from tests.speech_input_support import ko_config, ko_pcm, n_best_json


def test_an_n_best_result_gives_the_best_text_its_share_and_the_others() -> None:
    raw = n_best_json(
        (10.0, "vad orsakar kramp"),
        (9.0, "vad orsakar kram"),
        (9.0, "vad orsakar kramp"),
        (2.0, ""),
    )
    t = parse_result(raw, "sv", 2.0)
    assert t.text == "vad orsakar kramp"
    assert t.alternatives == ("vad orsakar kram",)  # duplicates and empty ones dropped
    share = 1 / (1 + 2 * math.exp(-1) + math.exp(-8))
    assert t.confidence == pytest.approx(share)
    assert all(w.confidence == t.confidence for w in t.words)
    assert json.loads(json.dumps(t.to_json()))["alternatives"] == ["vad orsakar kram"]


def test_a_single_best_result_has_no_alternatives() -> None:
    raw = json.dumps({"result": [{"word": "mer", "start": 0, "end": 0.3, "conf": 0.8}]})
    t = parse_result(raw, "sv", 1.0)
    assert (t.text, t.confidence, t.alternatives) == ("mer", 0.8, ())


@pytest.mark.real_vosk
def test_the_real_recognizer_gives_alternatives_when_asked(ko_model_dir: Path) -> None:
    from assistant.speech_in.recognition import load_model

    model: VoskModel = load_model(ko_config(ko_model_dir), "ko")
    pcm = ko_pcm("안녕하세요 감사합니다 학교")
    single = VoskRecognizer(model).recognize(Utterance.of(pcm))
    several = VoskRecognizer(model, max_alternatives=5).recognize(Utterance.of(pcm))
    assert single.text and single.alternatives == ()
    assert several.text and several.alternatives
    assert several.text not in several.alternatives
    assert 0 < several.confidence <= 1
    # every word heard has how sure the recognizer is of it: Vosk's own for one hypothesis,
    # the posterior over the hypotheses for several
    assert set(dict(single.word_confidence)) == {w.text.lower() for w in single.words}
    heard = {w for t in (several.text, *several.alternatives) for w in t.lower().split()}
    assert set(dict(several.word_confidence)) == heard
    assert all(0 <= c <= 1 for _, c in (*single.word_confidence, *several.word_confidence))


@pytest.fixture(scope="module")
def lexical() -> QuestionAnswerer:
    return QuestionAnswerer(load_library(PROJECT_DIR / "content"), MatchingConfig(), ["sv", "fr"])


def test_a_later_hypothesis_the_documents_answer_wins(lexical: QuestionAnswerer) -> None:
    reply = lexical.answer_any(["vad år saker muskel spasmer", "vad orsakar muskelspasmer"], "sv")
    assert reply.section == 2 and reply.question == "vad orsakar muskelspasmer"


def test_a_command_in_the_best_hypothesis_is_taken(lexical: QuestionAnswerer) -> None:
    assert lexical.answer_any(["upprepa", "vad orsakar muskelspasmer"], "sv").intent == "repeat"


def test_nothing_answered_keeps_the_best_hypothesis(lexical: QuestionAnswerer) -> None:
    reply = lexical.answer_any(["blå bilar", "gröna hus", ""], "sv")
    assert reply.question == "blå bilar" and reply.section is None
    assert lexical.answer_any([], "sv").section is None


def test_the_dialog_hands_the_hypotheses_to_the_core() -> None:
    from assistant.config import Config
    from assistant.kiosk.dialog import Dialog
    from assistant.kiosk.events import Heard, Say, SpeechDone, Started

    dialog = Dialog(
        QuestionAnswerer(load_library(PROJECT_DIR / "content"), MatchingConfig(), ["sv", "fr"]),
        Config(),
    )
    dialog.handle(Started())
    dialog.handle(SpeechDone())
    actions = dialog.handle(
        Heard("vad år saker muskel spasmer", "sv", 0.9, ("vad orsakar muskelspasmer",))
    )
    said = " ".join(a.text for a in actions if isinstance(a, Say))
    assert "orsak" in said.lower()
