"""The dialog with the real question-answering core over the shipped documents."""

from __future__ import annotations

import pytest

from assistant.config import Config
from assistant.content import load_library
from assistant.kiosk.dialog import Dialog, DialogState
from assistant.kiosk.events import Heard, SpeechDone, Started, Typed
from assistant.kiosk.texts import text
from assistant.understanding.answering import QuestionAnswerer
from tests.test_dialog import OTHER, says, state

QUESTIONS = {
    "sv": ("vad är muskelspasmer", "mer", "var ligger stationen", "på franska"),
    "fr": ("qu'est-ce qu'un spasme musculaire", "plus", "où est la gare", "en suédois"),
}


@pytest.fixture(scope="module")
def core() -> QuestionAnswerer:
    config = Config()
    library = load_library(config.path(config.content.folder), config.languages)
    return QuestionAnswerer(library, config.matching, config.languages)


@pytest.mark.parametrize("lang", ["sv", "fr"])
def test_a_conversation_with_the_real_core(core: QuestionAnswerer, lang: str) -> None:
    question, more, unknown, switch = QUESTIONS[lang]
    dialog = Dialog(core, Config())
    dialog.handle(Started())
    dialog.handle(SpeechDone())

    reply = core.answer(question, lang)
    assert reply.document is not None and reply.more
    assert says(dialog.handle(Heard(question, lang, 0.9))) == [
        (reply.answer, lang),
        (text("offer_more", lang), lang),
    ]
    dialog.handle(SpeechDone())
    assert says(dialog.handle(Typed(more))) == [(reply.more, lang)]
    dialog.handle(SpeechDone())

    other = OTHER[lang]
    switched = says(dialog.handle(Heard(switch, lang, 0.9)))
    assert dialog.lang == other
    assert switched[0][1] == other and switched[0][0] != reply.answer
    dialog.handle(SpeechDone())

    fallback = core.answer(unknown, lang)  # whatever the core decides, the dialog says it
    assert says(dialog.handle(Heard(unknown, lang, 0.9)))[0] == (fallback.answer, lang)
    dialog.handle(SpeechDone())
    assert state(dialog) is DialogState.LISTENING
