"""A whole conversation in each language, with follow-ups in natural phrasing recognized by the
real control-phrase module (``assistant.understanding.intents``); only the content lookup is a
table."""

from __future__ import annotations

import pytest

from assistant.config import Config
from assistant.kiosk.dialog import Dialog
from assistant.kiosk.events import AdjustVoice, Earcon, Heard, SpeechDone, Started, StartListening
from assistant.kiosk.texts import text
from assistant.understanding.intents import detect_intent
from assistant.understanding.reply import Reply
from tests.test_dialog import OTHER, QUESTION, FakeBrain, answer_of, says, without_logs


class IntentBrain(FakeBrain):
    """Control phrases by the real intent recognizer, questions by the table."""

    def answer(self, text: str, lang: str | None = None) -> Reply:
        match = detect_intent(text, lang)
        if match is None:
            return super().answer(text, lang)
        self.calls.append((text, lang))
        return self._reply(text, match.lang, match.intent, target_lang=match.target_lang)


PHRASES = {
    "sv": {
        "more": "mer tack",
        "repeat": "kan du upprepa det",
        "slower": "tala långsammare",
        "help": "hjälp",
        "switch": "på franska",
        "stop": "sluta",
    },
    "fr": {
        "more": "encore",
        "repeat": "répétez s'il vous plaît",
        "slower": "plus lentement",
        "help": "aide",
        "switch": "en suédois",
        "stop": "arrête",
    },
}


@pytest.mark.parametrize("lang", ["sv", "fr"])
def test_a_conversation_with_natural_follow_ups(lang: str) -> None:
    phrases, other = PHRASES[lang], OTHER[lang]
    brain = IntentBrain()
    dialog = Dialog(brain, Config())
    dialog.handle(Started())
    dialog.handle(SpeechDone())

    def turn(utterance: str, said_in: str) -> list[tuple[str, str]]:
        actions = dialog.handle(Heard(utterance, said_in, 0.9))
        spoken = says(actions)
        if any(isinstance(a, AdjustVoice) for a in actions):
            spoken.insert(0, ("<adjust>", said_in))
        assert without_logs(dialog.handle(SpeechDone()))[-1] == StartListening()
        return spoken

    _, answer, more = answer_of(lang)
    assert turn(QUESTION[lang], lang) == [(answer, lang), (text("offer_more", lang), lang)]
    assert turn(phrases["more"], lang) == [(more, lang)]
    assert turn(phrases["repeat"], lang) == [(more, lang)]
    assert turn(phrases["slower"], lang) == [("<adjust>", lang), (text("now_slower", lang), lang)]
    assert turn(phrases["help"], lang) == [(brain.help_text(lang), lang)]
    switched = turn(phrases["switch"], lang)
    assert switched[0] == (answer_of(other)[1], other)
    assert dialog.lang == other
    actions = dialog.handle(Heard(PHRASES[other]["stop"], other, 0.9))
    assert says(actions) == []
    assert Earcon("listening") in actions
