"""The dialog state machine: every transition, in Swedish and in French, with a small fake core."""

from __future__ import annotations

import dataclasses

import pytest

from assistant.config import Config, DialogConfig, SpeechConfig, VoiceConfig
from assistant.kiosk.dialog import Dialog, DialogState
from assistant.kiosk.events import (
    Action,
    AdjustVoice,
    ButtonPressed,
    Earcon,
    Heard,
    LogEvent,
    Say,
    SpeechDone,
    Started,
    StartListening,
    StopListening,
    Typed,
    VoiceStarted,
)
from assistant.kiosk.texts import text
from assistant.understanding.reply import Intent, Reply, TopicsPage

LANGS = ("sv", "fr")
OTHER = {"sv": "fr", "fr": "sv"}

#: (document, section) -> language -> (title, answer, more)
SECTIONS = {
    ("kramp", 1): {
        "sv": ("Vad är kramp", "Kramp är en plötslig muskelsammandragning.", "Den går över."),
        "fr": (
            "Qu'est-ce qu'une crampe",
            "Une crampe est une contraction soudaine.",
            "Elle passe.",
        ),
    },
    ("kramp", 2): {
        "sv": ("Vatten", "Drick vatten.", ""),
        "fr": ("Eau", "Buvez de l'eau.", ""),
    },
    ("kramp", 3): {"sv": ("Stretcha", "Stretcha vaden.", "")},  # only in Swedish
}
#: A word of the question -> (section, language)
KEYWORDS = {
    "kramp": (("kramp", 1), "sv"),
    "crampe": (("kramp", 1), "fr"),
    "vatten": (("kramp", 2), "sv"),
    "eau": (("kramp", 2), "fr"),
    "stretcha": (("kramp", 3), "sv"),
}
COMMANDS: dict[str, tuple[Intent, str, str | None]] = {
    "upprepa": ("repeat", "sv", None),
    "répète": ("repeat", "fr", None),
    "mer": ("more", "sv", None),
    "plus": ("more", "fr", None),
    "sluta": ("stop", "sv", None),
    "arrête": ("stop", "fr", None),
    "hjälp": ("help", "sv", None),
    "aide": ("help", "fr", None),
    "långsammare": ("slower", "sv", None),
    "lentement": ("slower", "fr", None),
    "snabbare": ("faster", "sv", None),
    "vite": ("faster", "fr", None),
    "högre": ("louder", "sv", None),
    "fort": ("louder", "fr", None),
    "tystare": ("quieter", "sv", None),
    "doucement": ("quieter", "fr", None),
    "franska": ("language", "sv", "fr"),
    "suédois": ("language", "fr", "sv"),
    "byt": ("language", "sv", None),
}
CONTROL_WORD = {
    (intent, lang): word for word, (intent, lang, target) in COMMANDS.items() if target is None
}
QUESTION = {"sv": "vad är kramp", "fr": "c'est quoi une crampe"}
SHORT_QUESTION = {"sv": "vatten", "fr": "eau"}
UNKNOWN_QUESTION = {"sv": "var ligger stationen", "fr": "où est la gare"}
TO_LANGUAGE = {"fr": "franska", "sv": "suédois"}


class FakeBrain:
    """A table-driven core that records what it was asked."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str | None]] = []
        self.fail_with: Exception | None = None
        self.fallback_answer = True

    def answer(self, text: str, lang: str | None = None) -> Reply:
        self.calls.append((text, lang))
        if self.fail_with is not None:
            raise self.fail_with
        words = text.lower().split()
        for word in words:
            if word in COMMANDS:
                intent, said_in, target = COMMANDS[word]
                return self._reply(text, lang or said_in, intent, target_lang=target)
        for word in words:
            if word in KEYWORDS:
                (document, section), written_in = KEYWORDS[word]
                reply = self._section(text, lang or written_in, document, section)
                if reply is not None:
                    return reply
        detected = lang or ("fr" if any(w in ("où", "est", "la", "c'est") for w in words) else "sv")
        topics = f"Ämnen: {self.topics_text(detected)}" if self.fallback_answer else ""
        return self._reply(text, detected, "question", answer=topics)

    def help_text(self, lang: str) -> str:
        return {"sv": "Du kan fråga om kramp.", "fr": "Vous pouvez demander sur les crampes."}[lang]

    def topics_text(self, lang: str) -> str:
        return ", ".join(s[lang][0] for s in SECTIONS.values() if lang in s)

    def topics_page(self, lang: str, start: int) -> TopicsPage:
        """The topics one per page (the real core's pages are tested in test_topic_pages)."""
        titles = [s[lang][0] for s in SECTIONS.values() if lang in s]
        if start >= len(titles):
            return TopicsPage("", start, start, len(titles))
        return TopicsPage(f"Ämne {start + 1}: {titles[start]}.", start, start + 1, len(titles))

    def in_language(self, reply: Reply, lang: str) -> Reply | None:
        if reply.document is None or reply.section is None:
            return None
        return self._section(reply.question, lang, reply.document, reply.section)

    def _section(self, question: str, lang: str, document: str, section: int) -> Reply | None:
        texts = SECTIONS[(document, section)].get(lang)
        if texts is None:
            return None
        title, answer, more = texts
        return Reply(question, lang, "question", document, section, title, 0.8, answer, more)

    @staticmethod
    def _reply(
        text: str,
        lang: str,
        intent: Intent,
        *,
        answer: str = "",
        target_lang: str | None = None,
    ) -> Reply:
        return Reply(text, lang, intent, None, None, None, 0.0, answer, "", target_lang)


def make(mode: str = "hands-free", **dialog: object) -> tuple[Dialog, FakeBrain]:
    brain = FakeBrain()
    config = Config(dialog=dataclasses.replace(DialogConfig(mode=mode), **dialog))  # type: ignore[arg-type]
    return Dialog(brain, config), brain


def started(mode: str = "hands-free") -> tuple[Dialog, FakeBrain]:
    """A dialog that has greeted and is listening (hands-free) or waiting (push-to-talk)."""
    dialog, brain = make(mode)
    dialog.handle(Started())
    dialog.handle(SpeechDone())
    return dialog, brain


def heard(text: str, lang: str | None, confidence: float = 0.9) -> Heard:
    return Heard(text, lang, confidence)


def says(actions: list[Action]) -> list[tuple[str, str]]:
    return [(a.text, a.lang) for a in actions if isinstance(a, Say)]


def without_logs(actions: list[Action]) -> list[Action]:
    return [a for a in actions if not isinstance(a, LogEvent)]


def logs(actions: list[Action], name: str) -> list[LogEvent]:
    return [a for a in actions if isinstance(a, LogEvent) and a.name == name]


def asked(lang: str) -> tuple[Dialog, FakeBrain]:
    """A dialog that has answered the long question in ``lang`` and finished saying it."""
    dialog, brain = started()
    dialog.handle(heard(QUESTION[lang], lang))
    dialog.handle(SpeechDone())
    return dialog, brain


def answer_of(lang: str, section: int = 1) -> tuple[str, str, str]:
    return SECTIONS[("kramp", section)][lang]


# --- start and greeting ----------------------------------------------------------------------


def test_start_greets_in_both_languages_then_listens_hands_free() -> None:
    dialog, _ = make()
    assert state(dialog) is DialogState.STARTING
    actions = dialog.handle(Started())
    assert says(actions) == [
        ("Hej! Ställ din fråga på svenska.", "sv"),
        ("Bonjour ! Posez votre question en français.", "fr"),
    ]
    assert state(dialog) is DialogState.SPEAKING
    assert without_logs(dialog.handle(SpeechDone())) == [Earcon("listening"), StartListening()]
    assert state(dialog) is DialogState.LISTENING


def test_push_to_talk_waits_for_the_button_and_the_button_opens_listening() -> None:
    dialog, _ = make("push-to-talk")
    dialog.handle(Started())
    assert without_logs(dialog.handle(SpeechDone())) == []
    assert state(dialog) is DialogState.WAITING
    assert without_logs(dialog.handle(ButtonPressed())) == [Earcon("listening"), StartListening()]
    assert state(dialog) is DialogState.LISTENING


@pytest.mark.parametrize("lang", LANGS)
def test_push_to_talk_answers_then_waits_for_the_button_again(lang: str) -> None:
    dialog, _ = started("push-to-talk")
    dialog.handle(ButtonPressed())
    actions = dialog.handle(heard(SHORT_QUESTION[lang], lang))
    assert actions[0] == StopListening() and not any(isinstance(a, Earcon) for a in actions)
    assert says(actions) == [(answer_of(lang, 2)[1], lang)]
    assert without_logs(dialog.handle(SpeechDone())) == []
    assert state(dialog) is DialogState.WAITING


def test_greeting_follows_the_configured_languages() -> None:
    dialog = Dialog(FakeBrain(), Config(languages=("fr", "sv")))
    assert [lang for _, lang in says(dialog.handle(Started()))] == ["fr", "sv"]


# --- answers and follow-ups ------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_question_is_answered_in_the_language_spoken_and_offers_more(lang: str) -> None:
    dialog, brain = started()
    actions = dialog.handle(heard(QUESTION[lang], lang))
    assert brain.calls == [(QUESTION[lang], lang)]
    assert actions[0] == StopListening()
    assert not any(isinstance(a, Earcon) for a in actions)  # the answer comes without delay
    assert says(actions) == [(answer_of(lang)[1], lang), (text("offer_more", lang), lang)]
    assert state(dialog) is DialogState.SPEAKING
    assert dialog.lang == lang
    (answer,) = logs(actions, "answer")
    assert answer.fields == {
        "lang": lang,
        "document": "kramp",
        "section": 1,
        "title": answer_of(lang)[0],
        "score": 0.8,
    }
    assert without_logs(dialog.handle(SpeechDone())) == [Earcon("listening"), StartListening()]


@pytest.mark.parametrize("lang", LANGS)
def test_no_offer_of_more_when_the_section_has_nothing_more(lang: str) -> None:
    dialog, _ = started()
    assert says(dialog.handle(heard(SHORT_QUESTION[lang], lang))) == [(answer_of(lang, 2)[1], lang)]


@pytest.mark.parametrize("lang", LANGS)
def test_typed_question_is_answered_in_its_detected_language(lang: str) -> None:
    dialog, brain = started()
    actions = dialog.handle(Typed(f"  {QUESTION[lang]} "))
    assert brain.calls == [(QUESTION[lang], None)]
    assert says(actions)[0] == (answer_of(lang)[1], lang)
    assert dialog.lang == lang


def test_the_recognized_language_wins_over_the_detected_one() -> None:
    dialog, _ = started()
    dialog.handle(heard("crampe", "sv"))  # the fake core answers in the language it is given
    assert dialog.lang == "sv"


@pytest.mark.parametrize("lang", LANGS)
def test_more_reads_the_rest_once_then_says_there_is_no_more(lang: str) -> None:
    dialog, _ = asked(lang)
    assert says(dialog.handle(heard(CONTROL_WORD["more", lang], lang))) == [
        (answer_of(lang)[2], lang)
    ]
    dialog.handle(SpeechDone())
    assert says(dialog.handle(heard(CONTROL_WORD["more", lang], lang))) == [
        (text("no_more", lang), lang)
    ]


@pytest.mark.parametrize("lang", LANGS)
def test_more_before_any_answer_says_there_is_no_more(lang: str) -> None:
    dialog, _ = started()
    assert says(dialog.handle(heard(CONTROL_WORD["more", lang], lang))) == [
        (text("no_more", lang), lang)
    ]


@pytest.mark.parametrize("lang", LANGS)
def test_repeat_says_the_last_answer_again(lang: str) -> None:
    dialog, _ = asked(lang)
    dialog.handle(heard(CONTROL_WORD["slower", lang], lang))  # a confirmation is not repeated
    dialog.handle(SpeechDone())
    actions = dialog.handle(heard(CONTROL_WORD["repeat", lang], lang))
    assert says(actions) == [(answer_of(lang)[1], lang), (text("offer_more", lang), lang)]


def test_repeat_before_any_answer_repeats_the_greeting() -> None:
    dialog, _ = started()
    assert says(dialog.handle(Typed("upprepa"))) == [
        (text("greeting", "sv"), "sv"),
        (text("greeting", "fr"), "fr"),
    ]


@pytest.mark.parametrize("lang", LANGS)
def test_stop_is_silent_and_listens_again(lang: str) -> None:
    dialog, _ = asked(lang)
    dialog.handle(heard(QUESTION[lang], lang))  # speaking again
    dialog.handle(VoiceStarted())
    actions = dialog.handle(heard(CONTROL_WORD["stop", lang], lang))
    assert says(actions) == []
    assert without_logs(actions) == [
        StopListening(),
        Earcon("stopped"),
        Earcon("listening"),
        StartListening(),
    ]
    assert state(dialog) is DialogState.LISTENING


def test_typed_stop_is_acknowledged_by_a_tone() -> None:
    dialog, _ = started("push-to-talk")
    assert without_logs(dialog.handle(Typed("sluta"))) == [Earcon("stopped")]
    assert state(dialog) is DialogState.WAITING


@pytest.mark.parametrize("lang", LANGS)
def test_help_reads_the_help_text(lang: str) -> None:
    dialog, brain = started()
    assert says(dialog.handle(heard(CONTROL_WORD["help", lang], lang))) == [
        (brain.help_text(lang), lang)
    ]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("change", ["slower", "faster", "louder", "quieter"])
def test_voice_changes_are_applied_then_confirmed_at_the_new_setting(
    lang: str, change: str
) -> None:
    dialog, _ = asked(lang)
    if change == "louder":  # the default volume is the loudest: make room first
        dialog.handle(heard(CONTROL_WORD["quieter", lang], lang))
        dialog.handle(SpeechDone())
    actions = without_logs(dialog.handle(heard(CONTROL_WORD[change, lang], lang)))  # type: ignore[index]
    adjust = actions.index(AdjustVoice(lang, change))  # type: ignore[arg-type]
    assert actions[adjust + 1] == Say(text(f"now_{change}", lang), lang)  # type: ignore[arg-type]


@pytest.mark.parametrize("lang", LANGS)
def test_voice_changes_stop_at_the_configured_bounds(lang: str) -> None:
    voices = {"sv": VoiceConfig(rate_wpm=100, volume=1.0), "fr": VoiceConfig(rate_wpm=100)}
    speech = SpeechConfig(voices=voices, min_rate_wpm=90, rate_step_wpm=25)
    dialog = Dialog(FakeBrain(), Config(speech=speech))
    dialog.handle(Started())
    first = dialog.handle(heard(CONTROL_WORD["slower", lang], lang))
    assert AdjustVoice(lang, "slower") in first  # 100 -> 90
    dialog.handle(SpeechDone())
    second = dialog.handle(heard(CONTROL_WORD["slower", lang], lang))
    assert not any(isinstance(a, AdjustVoice) for a in second)
    assert says(second) == [(text("limit_slower", lang), lang)]
    louder = dialog.handle(heard(CONTROL_WORD["louder", lang], lang))
    assert says(louder) == [(text("limit_louder", lang), lang)]


@pytest.mark.parametrize("lang", LANGS)
def test_switching_language_reads_the_same_section_in_the_other_language(lang: str) -> None:
    other = OTHER[lang]
    dialog, _ = asked(lang)
    actions = dialog.handle(heard(TO_LANGUAGE[other], lang))
    assert dialog.lang == other
    assert logs(actions, "language")[-1].fields == {"lang": other}
    assert says(actions) == [(answer_of(other)[1], other), (text("offer_more", other), other)]
    dialog.handle(SpeechDone())
    more = dialog.handle(heard(CONTROL_WORD["more", other], other))
    assert says(more) == [(answer_of(other)[2], other)]


@pytest.mark.parametrize("lang", LANGS)
def test_switching_language_before_any_answer_greets_in_that_language(lang: str) -> None:
    other = OTHER[lang]
    dialog, _ = started()
    assert says(dialog.handle(heard(TO_LANGUAGE[other], lang))) == [
        (text("greeting", other), other)
    ]


def test_switching_language_without_naming_one_goes_to_the_other() -> None:
    dialog, _ = asked("sv")
    assert says(dialog.handle(heard("byt", "sv")))[0] == (answer_of("fr")[1], "fr")


def test_switching_to_a_language_the_section_lacks_says_so_and_invites_a_question() -> None:
    dialog, _ = started()
    dialog.handle(heard("stretcha", "sv"))
    assert says(dialog.handle(heard("franska", "sv"))) == [
        (f"{text('no_translation', 'fr')} {text('greeting', 'fr')}", "fr")
    ]


# --- not understood, no answer -------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("utterance", [heard("", None), heard("   ", None), heard("x", None, 0.1)])
def test_not_understood_asks_again_in_the_current_language(lang: str, utterance: Heard) -> None:
    dialog, brain = asked(lang)
    calls = len(brain.calls)
    actions = dialog.handle(utterance)
    assert len(brain.calls) == calls  # nothing is matched
    assert says(actions) == [(text("not_understood", lang), lang)]
    assert without_logs(dialog.handle(SpeechDone())) == [Earcon("listening"), StartListening()]


def test_not_understood_before_any_language_is_known_asks_in_every_language() -> None:
    dialog, _ = started()
    assert says(dialog.handle(heard("", None))) == [
        (text("not_understood", "sv"), "sv"),
        (text("not_understood", "fr"), "fr"),
    ]


@pytest.mark.parametrize("lang", LANGS)
def test_the_third_miss_in_a_row_offers_help_instead(lang: str) -> None:
    dialog, _ = asked(lang)
    sentences = []
    for _ in range(4):
        sentences.append(says(dialog.handle(heard("", lang)))[0][0])
        dialog.handle(SpeechDone())
    assert sentences == [
        text("not_understood", lang),
        text("not_understood", lang),
        text("offer_help", lang),
        text("not_understood", lang),
    ]


def test_an_understood_turn_resets_the_count_of_misses() -> None:
    dialog, _ = asked("sv")
    for utterance in [heard("", "sv"), heard("", "sv"), heard("mer", "sv"), heard("", "sv")]:
        last = says(dialog.handle(utterance))
        dialog.handle(SpeechDone())
    assert last == [(text("not_understood", "sv"), "sv")]


@pytest.mark.parametrize("lang", LANGS)
def test_an_empty_typed_line_asks_for_a_question(lang: str) -> None:
    dialog, _ = asked(lang)
    assert says(dialog.handle(Typed(" "))) == [(text("typed_empty", lang), lang)]


@pytest.mark.parametrize("lang", LANGS)
def test_no_match_says_the_cores_fallback_with_the_topics(lang: str) -> None:
    dialog, brain = started()
    actions = dialog.handle(heard(UNKNOWN_QUESTION[lang], lang))
    assert says(actions) == [(f"Ämnen: {brain.topics_text(lang)}", lang)]
    assert logs(actions, "answer")[0].fields["section"] is None


@pytest.mark.parametrize("lang", LANGS)
def test_no_match_without_a_fallback_says_so_and_lists_the_topics(lang: str) -> None:
    dialog, brain = started()
    brain.fallback_answer = False
    actions = dialog.handle(heard(UNKNOWN_QUESTION[lang], lang))
    assert says(actions) == [(f"{text('no_match', lang)} {brain.topics_text(lang)}", lang)]


def state(dialog: Dialog) -> DialogState:
    """The dialog's state, read afresh (a plain read would stay narrowed for the type checker)."""
    return dialog.state
