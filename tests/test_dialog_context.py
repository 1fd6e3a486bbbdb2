"""Answers to the kiosk's own questions, in context, in Swedish and French: "ja" after the offer
of more reads more; after a question back "ja" / "den andra" picks an offered section, "nej"
lets the visitor ask again; "tack" gets a short reply, never the list of topics."""

from __future__ import annotations

import pytest

from assistant.config import Config
from assistant.kiosk.dialog import Dialog
from assistant.kiosk.events import Heard, LogEvent, Say, SpeechDone, Started
from assistant.kiosk.texts import text
from assistant.understanding.reply import Intent, Reply, TopicsPage

LANGS = ("sv", "fr")
WORDS: dict[str, dict[str, Intent]] = {
    "sv": {"ja": "yes", "nej": "no", "tack": "thanks", "första": "first", "andra": "second"},
    "fr": {"oui": "yes", "non": "no", "merci": "thanks", "premier": "first", "deuxième": "second"},
}
WORD = {lang: {intent: word for word, intent in table.items()} for lang, table in WORDS.items()}


def _section(lang: str, n: int, question: str = "") -> Reply:
    more = "" if n == 2 else f"Mer om {n} / plus sur {n}."
    return Reply(question, lang, "question", "doc", n, f"Titel {n}", 0.9, f"Svar {n}.", more)


class Brain:
    """A fake core: "fråga" asks back between sections 1 and 2; "ett" answers section 1."""

    def answer(self, text: str, lang: str | None = None) -> Reply:
        lang = lang or "sv"
        word = text.strip().lower()
        if word in WORDS[lang]:
            return Reply(text, lang, WORDS[lang][word], None, None, None, 0.0, "", "")
        if word == "upprepa":
            return Reply(text, lang, "repeat", None, None, None, 0.0, "", "")
        if word == "stopp":
            return Reply(text, lang, "stop", None, None, None, 0.0, "", "")
        if word == "ett":
            return _section(lang, 1, text)
        offers = (_section(lang, 1, text), _section(lang, 2, text))
        return Reply(
            text,
            lang,
            "question",
            "doc",
            None,
            None,
            0.4,
            f"Titel 1 eller Titel 2? ({lang})",
            "",
            candidates=(1, 2),
            offers=offers,
        )

    def help_text(self, lang: str) -> str:
        return "hjälp"

    def topics_text(self, lang: str) -> str:
        return "ÄMNEN"

    def topics_page(self, lang: str, start: int) -> TopicsPage:
        return TopicsPage("ÄMNEN" if start == 0 else "", start, 1, 1)

    def in_language(self, reply: Reply, lang: str) -> Reply | None:
        return None


def _dialog() -> Dialog:
    dialog = Dialog(Brain(), Config())
    dialog.handle(Started())
    dialog.handle(SpeechDone())
    return dialog


def _say(dialog: Dialog, words: str, lang: str) -> list[tuple[str, str]]:
    actions = dialog.handle(Heard(words, lang, 0.9))
    dialog.handle(SpeechDone())
    return [(a.text, a.lang) for a in actions if isinstance(a, Say)]


@pytest.mark.parametrize("lang", LANGS)
def test_yes_after_the_offer_of_more_reads_more(lang: str) -> None:
    dialog = _dialog()
    assert _say(dialog, "ett", lang) == [("Svar 1.", lang), (text("offer_more", lang), lang)]
    assert _say(dialog, WORD[lang]["yes"], lang) == [("Mer om 1 / plus sur 1.", lang)]
    # nothing more now: "yes" again is an invitation to ask, not the topics
    assert _say(dialog, WORD[lang]["yes"], lang) == [(text("ask_question", lang), lang)]


@pytest.mark.parametrize("lang", LANGS)
def test_a_question_back_is_said_and_logged(lang: str) -> None:
    dialog = _dialog()
    actions = dialog.handle(Heard("fråga", lang, 0.9))
    assert [a.text for a in actions if isinstance(a, Say)] == [f"Titel 1 eller Titel 2? ({lang})"]
    assert [a.name for a in actions if isinstance(a, LogEvent) and a.name == "ask-back"]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("intent", "section"), [("yes", 1), ("first", 1), ("second", 2)])
def test_after_a_question_back_yes_first_and_second_pick_a_section(
    lang: str, intent: Intent, section: int
) -> None:
    dialog = _dialog()
    _say(dialog, "fråga", lang)
    said = _say(dialog, WORD[lang][intent], lang)
    assert said[0] == (f"Svar {section}.", lang)


@pytest.mark.parametrize("lang", LANGS)
def test_after_a_question_back_no_lets_the_visitor_ask_again(lang: str) -> None:
    dialog = _dialog()
    _say(dialog, "fråga", lang)
    assert _say(dialog, WORD[lang]["no"], lang) == [(text("ok_ask_again", lang), lang)]
    # the offer is gone: "the second" now means nothing to choose
    assert _say(dialog, WORD[lang]["second"], lang) == [(text("ask_question", lang), lang)]


@pytest.mark.parametrize("lang", LANGS)
def test_a_question_back_holds_for_one_turn_only(lang: str) -> None:
    dialog = _dialog()
    _say(dialog, "fråga", lang)
    _say(dialog, "ett", lang)  # another question instead of a choice
    assert _say(dialog, WORD[lang]["second"], lang) == [(text("ask_question", lang), lang)]


@pytest.mark.parametrize("lang", LANGS)
def test_thanks_gets_a_short_reply_not_the_topics(lang: str) -> None:
    dialog = _dialog()
    said = _say(dialog, WORD[lang]["thanks"], lang)
    assert said == [(text("welcome", lang), lang)]
    assert all("ÄMNEN" not in s for s, _ in said)


def test_the_real_phrasings_are_these_intents() -> None:
    from assistant.understanding.intents import detect_intent

    for lang, table in WORDS.items():
        for word, intent in table.items():
            if intent == "no":
                continue  # "nej" / "non" alone are also heard as "stop": both end the offer
            found = detect_intent(
                word if intent not in ("first", "second") else _ordinal(word), lang
            )
            assert found is not None and found.intent == intent, (lang, word, found)


def _ordinal(word: str) -> str:
    return {
        "första": "den första",
        "andra": "den andra",
        "premier": "le premier",
        "deuxième": "le deuxième",
    }[word]


@pytest.mark.parametrize("lang", LANGS)
def test_stop_after_a_question_back_ends_the_offer_with_words_not_a_tone(lang: str) -> None:
    dialog = _dialog()
    _say(dialog, "fråga", lang)
    assert _say(dialog, "stopp", lang) == [(text("ok_ask_again", lang), lang)]
    assert _say(dialog, "stopp", lang) == []  # without an offer, stop stays a stop


@pytest.mark.parametrize("lang", LANGS)
def test_a_repeated_question_back_still_waits_for_its_answer(lang: str) -> None:
    dialog = _dialog()
    first = _say(dialog, "fråga", lang)
    assert _say(dialog, "upprepa", lang) == first
    assert _say(dialog, WORD[lang]["second"], lang)[0] == ("Svar 2.", lang)
