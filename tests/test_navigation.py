"""Browsing the documents by keys: the navigation model, and every transition of the dialog's
keys in Swedish and French (Down, Up, Enter, Enter again, Back, Help, Left/Right, volume and
rate, repeat the last sentence, pause and resume by key and by voice, the idle warning), with
the real question-answering core (lexical) on a small library."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from assistant.config import Config, DialogConfig, MatchingConfig
from assistant.content import Document, Library, Section
from assistant.kiosk.dialog import Dialog
from assistant.kiosk.events import (
    Action,
    AdjustVoice,
    Earcon,
    Elapsed,
    Heard,
    KeyPressed,
    LogEvent,
    ResetVoices,
    Say,
    SentenceStarted,
    SpeechDone,
    Started,
    StopSpeech,
    VoiceStarted,
)
from assistant.kiosk.navigation import Navigator, Read, Topic, announcement
from assistant.kiosk.texts import text
from assistant.understanding.answering import QuestionAnswerer

LANGS = ("sv", "fr")
OTHER = {"sv": "fr", "fr": "sv"}

TEXTS = {
    "sv": [
        ("Orsaker", "Trötthet ger kramp. Stress ger kramp. Uttorkning ger också kramp."),
        ("Behandling", "Stretcha muskeln. Drick vatten."),
        ("Läkare", "Sök vård om krampen gör ont länge."),
    ],
    "fr": [
        ("Causes", "La fatigue donne des crampes. Le stress aussi. La déshydratation aussi."),
        ("Traitement", "Étirez le muscle. Buvez de l'eau."),
        ("Médecin", "Consultez si la crampe dure longtemps."),
    ],
}


def _document(doc_id: str, lang: str, title: str, sections: list[tuple[str, str]]) -> Document:
    return Document(
        id=doc_id,
        lang=lang,
        title=title,
        sections=tuple(
            Section(i, f"s{i}", t, body, (), (), i) for i, (t, body) in enumerate(sections, 1)
        ),
        parallel_id="kramp" if doc_id.startswith("kramp") else None,
        path=Path(f"{doc_id}.md"),
    )


def library(*, extra_sv: bool = False) -> Library:
    """Kramp in both languages (parallel); with ``extra_sv`` a second Swedish document."""
    docs = [
        _document("kramp-sv", "sv", "Om kramp", TEXTS["sv"]),
        _document("kramp-fr", "fr", "Les crampes", TEXTS["fr"]),
    ]
    if extra_sv:
        docs.append(_document("sommar-sv", "sv", "Sommar", [("Sol", "Använd solkräm.")]))
    return Library(tuple(docs))


def make(*, extra_sv: bool = False, **dialog: object) -> Dialog:
    lib = library(extra_sv=extra_sv)
    brain = QuestionAnswerer(lib, MatchingConfig(encoder=""), LANGS)
    config = Config(dialog=dataclasses.replace(DialogConfig(), **dialog))  # type: ignore[arg-type]
    d = Dialog(brain, config)
    d.handle(Started())
    d.handle(SpeechDone())
    return d


def says(actions: list[Action]) -> list[tuple[str, str]]:
    return [(a.text, a.lang) for a in actions if isinstance(a, Say)]


def logs(actions: list[Action], name: str) -> list[LogEvent]:
    return [a for a in actions if isinstance(a, LogEvent) and a.name == name]


def key(d: Dialog, action: str, *, done: bool = True) -> list[Action]:
    """Press a key; with ``done`` the speaker then finishes what it was told."""
    actions = d.handle(KeyPressed(action))  # type: ignore[arg-type]
    if done and any(isinstance(a, Say) for a in actions):
        d.handle(SpeechDone())
    return actions


def position(lang: str, title: str, n: int, count: int) -> tuple[str, str]:
    word = {"sv": "av", "fr": "sur"}[lang]
    return (f"{title}, {n} {word} {count}.", lang)


def in_lang(d: Dialog, lang: str) -> None:
    """Make ``lang`` the dialog's language, known as the visitor's (Right from the greeting,
    and back when it was the language already)."""
    if lang == d.lang:
        key(d, "language_next")
    key(d, "language_next")
    assert d.lang == lang


# --- the model -----------------------------------------------------------------------------


def test_a_single_document_is_its_sections_and_down_goes_round() -> None:
    nav = Navigator(library())
    assert nav.place is None
    titles = [nav.down("fr") for _ in range(4)]
    assert [(t.title, t.position, t.count) for t in titles if t] == [
        ("Causes", 1, 3),
        ("Traitement", 2, 3),
        ("Médecin", 3, 3),
        ("Causes", 1, 3),
    ]
    up = nav.up("fr")
    assert up is not None and (up.title, up.position) == ("Médecin", 3)


def test_several_documents_are_a_level_above_their_sections() -> None:
    nav = Navigator(library(extra_sv=True))
    first = nav.down("sv")
    assert first == Topic("kramp-sv", None, "Om kramp", "sv", 1, 2)
    second = nav.down("sv")
    assert second is not None and second.title == "Sommar"
    entered = nav.select("sv")
    assert entered == Topic("sommar-sv", 1, "Sol", "sv", 1, 1)
    assert nav.select("sv") == Read("sommar-sv", 1)
    assert nav.back() == Topic("sommar-sv", None, "Sommar", "sv", 2, 2)
    assert nav.back() is None and nav.place is None


def test_back_from_the_sections_of_a_single_document_is_the_top() -> None:
    nav = Navigator(library())
    nav.down("sv")
    assert nav.back() is None and nav.place is None


def test_an_answer_puts_the_visitor_at_its_section() -> None:
    nav = Navigator(library())
    nav.at("kramp-sv", 2)
    down = nav.down("sv")
    assert down is not None and (down.title, down.position) == ("Läkare", 3)
    nav.at("nothing", 1)  # unknown: stays
    assert nav.place == ("kramp-sv", 3)


def test_the_same_place_in_the_other_language_follows_the_parallel_document() -> None:
    nav = Navigator(library(extra_sv=True))
    nav.at("kramp-sv", 2)
    moved = nav.in_language("fr")
    assert moved == Topic("kramp-fr", 2, "Traitement", "fr", 2, 3)
    nav.at("sommar-sv", 1)
    assert nav.in_language("fr") is None and nav.place == ("sommar-sv", 1)


def test_a_section_read_by_keys_is_its_short_answer_and_the_rest() -> None:
    reply = Navigator(library()).reply("kramp-sv", 1, answer_sentences=2)
    assert reply is not None
    assert reply.answer == "Trötthet ger kramp. Stress ger kramp."
    assert reply.more == "Uttorkning ger också kramp."
    assert (reply.document, reply.section, reply.title) == ("kramp-sv", 1, "Orsaker")


def test_no_documents_no_topics() -> None:
    nav = Navigator(None)
    assert nav.down("sv") is None and nav.select("sv") is None


@pytest.mark.parametrize("lang", LANGS)
def test_the_announcement_says_title_and_position(lang: str) -> None:
    topic = Topic("d", 2, "Orsaker?", lang, 2, 5)
    assert announcement(topic, lang) == position(lang, "Orsaker", 2, 5)[0]


# --- the dialog: browsing ------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_down_and_up_announce_title_and_position(lang: str) -> None:
    d = make()
    in_lang(d, lang)
    actions = key(d, "down")
    assert says(actions) == [position(lang, TEXTS[lang][0][0], 1, 3)]
    assert logs(actions, "key")[0].fields == {"action": "down"}
    assert logs(actions, "topic")[0].fields["section"] == 1
    assert says(key(d, "down")) == [position(lang, TEXTS[lang][1][0], 2, 3)]
    assert says(key(d, "up")) == [position(lang, TEXTS[lang][0][0], 1, 3)]
    assert says(key(d, "up")) == [position(lang, TEXTS[lang][2][0], 3, 3)]


@pytest.mark.parametrize("lang", LANGS)
def test_enter_reads_the_short_answer_then_more_then_no_more(lang: str) -> None:
    d = make()
    in_lang(d, lang)
    key(d, "down")
    first = says(key(d, "select"))
    body = TEXTS[lang][0][1].split(". ")
    assert first == [(f"{body[0]}. {body[1]}.", lang), (text("key_offer_more", lang), lang)]
    assert says(key(d, "select")) == [(body[2], lang)]
    assert says(key(d, "select")) == [(text("no_more", lang), lang)]


@pytest.mark.parametrize("lang", LANGS)
def test_enter_from_the_greeting_is_the_first_topic(lang: str) -> None:
    d = make()
    in_lang(d, lang)
    assert says(key(d, "select")) == [position(lang, TEXTS[lang][0][0], 1, 3)]


@pytest.mark.parametrize("lang", LANGS)
def test_back_goes_up_to_the_top(lang: str) -> None:
    d = make()
    in_lang(d, lang)
    key(d, "down")
    assert says(key(d, "back")) == [(text("nav_top", lang), lang)]
    assert says(key(d, "down")) == [position(lang, TEXTS[lang][0][0], 1, 3)]


def test_back_from_a_section_is_its_document_when_there_are_several() -> None:
    d = make(extra_sv=True)
    assert says(key(d, "down")) == [position("sv", "Om kramp", 1, 2)]
    assert says(key(d, "select")) == [position("sv", "Orsaker", 1, 3)]
    assert says(key(d, "back")) == [position("sv", "Om kramp", 1, 2)]


@pytest.mark.parametrize("lang", LANGS)
def test_a_question_puts_the_visitor_at_its_section(lang: str) -> None:
    d = make()
    question = {"sv": "Vad hjälper, stretcha muskeln?", "fr": "Faut-il étirer le muscle ?"}
    answer = d.handle(Heard(question[lang], lang, 0.9))
    assert logs(answer, "answer")[0].fields["section"] == 2
    d.handle(SpeechDone())
    assert says(key(d, "down")) == [position(lang, TEXTS[lang][2][0], 3, 3)]


@pytest.mark.parametrize("lang", LANGS)
def test_help_says_what_the_keys_do(lang: str) -> None:
    d = make()
    assert says(key(d, "help")) == [(text("key_help", x), x) for x in LANGS]  # no language yet
    in_lang(d, lang)
    key(d, "down")  # a topic heard in a language: that is the visitor's
    assert says(key(d, "help")) == [(text("key_help", lang), lang)]


# --- the dialog: language ------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_left_and_right_announce_the_same_topic_in_the_other_language(lang: str) -> None:
    d = make()
    in_lang(d, lang)
    key(d, "down")
    key(d, "down")
    other = OTHER[lang]
    actions = key(d, "language_next")
    assert says(actions) == [position(other, TEXTS[other][1][0], 2, 3)]
    assert d.lang == other and logs(actions, "language")
    assert says(key(d, "language_previous")) == [position(lang, TEXTS[lang][1][0], 2, 3)]


@pytest.mark.parametrize("lang", LANGS)
def test_switching_language_while_reading_reads_the_section_in_it(lang: str) -> None:
    d = make()
    in_lang(d, lang)
    key(d, "down")
    key(d, "select")
    other = OTHER[lang]
    spoken = says(key(d, "language_next"))
    assert spoken[0][1] == other and spoken[0][0].startswith(TEXTS[other][0][1][:12])


def test_no_parallel_document_says_so_and_stays() -> None:
    d = make(extra_sv=True)
    key(d, "down")
    key(d, "down")  # Sommar: only in Swedish
    assert says(key(d, "language_next")) == [(text("no_translation", "fr"), "fr")]
    assert d.lang == "sv"


@pytest.mark.parametrize("lang", LANGS)
def test_a_language_key_at_the_greeting_greets_in_that_language(lang: str) -> None:
    d = make()
    in_lang(d, lang)
    other = OTHER[lang]
    assert says(key(d, "language_previous")) == [(text("greeting", other), other)]


# --- the dialog: voice, stop, repeat, pause ------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(
    ("action", "said"),
    [("louder", "now_louder"), ("quieter", "now_quieter"), ("faster", "now_faster")],
)
def test_volume_and_rate_keys(lang: str, action: str, said: str) -> None:
    d = make()
    in_lang(d, lang)
    if action == "louder":
        key(d, "quieter")  # it starts at the loudest
    actions = key(d, action)
    assert AdjustVoice(lang, action) in actions  # type: ignore[arg-type]
    assert says(actions) == [(text(said, lang), lang)]  # type: ignore[arg-type]


def test_the_rate_reaches_screen_reader_speeds() -> None:
    d = make()
    in_lang(d, "sv")
    steps = 0
    while not says(key(d, "faster"))[-1][0].startswith(text("limit_faster", "sv")[:10]):
        steps += 1
        assert steps < 50
    rate, _ = d._levels["sv"]
    assert rate == 450


@pytest.mark.parametrize("lang", LANGS)
def test_volume_and_rate_are_reset_for_the_next_visitor(lang: str) -> None:
    d = make(idle_reset_s=30.0, idle_warning_s=0.0)
    in_lang(d, lang)
    key(d, "louder")
    key(d, "slower")
    actions = d.handle(Elapsed(30.0))
    assert ResetVoices() in actions and logs(actions, "idle-reset")
    d.handle(SpeechDone())
    assert d._levels[lang] == (165, 1.0)


@pytest.mark.parametrize("lang", LANGS)
def test_any_key_stops_speech(lang: str) -> None:
    d = make()
    in_lang(d, lang)
    key(d, "down")
    d.handle(KeyPressed("select"))  # reading ...
    actions = key(d, "down")
    assert actions.index(StopSpeech()) < actions.index(
        next(a for a in actions if isinstance(a, Say))
    )
    stop = key(d, "stop")
    assert Earcon("stopped") in stop and not says(stop)


@pytest.mark.parametrize("lang", LANGS)
def test_repeat_says_the_sentence_playing_only(lang: str) -> None:
    d = make()
    in_lang(d, lang)
    key(d, "down")
    key(d, "select", done=False)
    d.handle(SentenceStarted())
    d.handle(SentenceStarted())  # the second sentence plays
    second = TEXTS[lang][0][1].split(". ")[1] + "."
    assert says(key(d, "repeat", done=False)) == [(second, lang)]
    d.handle(SentenceStarted())
    d.handle(SpeechDone())
    assert says(key(d, "repeat")) == [(second, lang)]  # the last sentence said, again


@pytest.mark.parametrize("lang", LANGS)
def test_repeat_after_the_speech_ended_is_its_last_sentence(lang: str) -> None:
    d = make()
    in_lang(d, lang)
    key(d, "down")
    key(d, "select")
    assert says(key(d, "repeat")) == [(text("key_offer_more", lang), lang)]


@pytest.mark.parametrize("lang", LANGS)
def test_the_pause_key_pauses_and_goes_on_from_the_sentence_it_paused_in(lang: str) -> None:
    d = make()
    in_lang(d, lang)
    key(d, "down")
    key(d, "select", done=False)
    d.handle(SentenceStarted())
    d.handle(SentenceStarted())
    paused = key(d, "pause", done=False)
    assert StopSpeech() in paused and Earcon("stopped") in paused and not says(paused)
    assert logs(paused, "pause")[0].fields == {"sentences": 2}
    d.handle(SpeechDone(interrupted=True))
    key(d, "louder")  # a confirmation in between does not lose what was paused
    second = TEXTS[lang][0][1].split(". ")[1] + "."
    resumed = key(d, "pause")
    assert says(resumed) == [(second, lang), (text("key_offer_more", lang), lang)]


@pytest.mark.parametrize("lang", LANGS)
def test_pause_and_go_on_by_voice(lang: str) -> None:
    d = make()
    in_lang(d, lang)
    key(d, "down")
    key(d, "select", done=False)
    d.handle(SentenceStarted())
    d.handle(VoiceStarted())  # barge-in: the visitor says "paus"
    d.handle(SpeechDone(interrupted=True))
    words = {"sv": ("paus", "fortsätt"), "fr": ("pause", "reprends")}[lang]
    paused = d.handle(Heard(words[0], lang, 0.9))
    assert Earcon("stopped") in paused and not says(paused)
    resumed = says(d.handle(Heard(words[1], lang, 0.9)))
    assert resumed[0] == (TEXTS[lang][0][1].split(". ")[0] + ".", lang)


@pytest.mark.parametrize("lang", LANGS)
def test_go_on_without_a_pause_is_more(lang: str) -> None:
    d = make()
    in_lang(d, lang)
    key(d, "down")
    key(d, "select")
    word = {"sv": "fortsätt", "fr": "reprends"}[lang]
    assert says(d.handle(Heard(word, lang, 0.9))) == [(TEXTS[lang][0][1].split(". ")[2], lang)]


# --- the dialog: the idle warning ----------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_a_warning_comes_before_the_idle_reset_with_time_to_answer(lang: str) -> None:
    d = make(idle_reset_s=45.0, idle_warning_s=20.0)
    in_lang(d, lang)
    key(d, "down")
    assert d.handle(Elapsed(24.0)) == []
    warning = d.handle(Elapsed(1.0))
    assert says(warning) == [(text("idle_warning", lang), lang)] and logs(warning, "idle-warning")
    d.handle(SpeechDone())
    assert not logs(d.handle(Elapsed(19.0)), "idle-reset")
    assert logs(d.handle(Elapsed(1.0)), "idle-reset")


def test_the_warning_text_is_the_one_asked_for() -> None:
    assert text("idle_warning", "sv") == "Är du kvar? Tryck på en knapp eller säg något."
    assert text("idle_warning", "fr") == "Êtes-vous toujours là ? Appuyez sur une touche ou parlez."


@pytest.mark.parametrize("lang", LANGS)
def test_one_long_pause_still_warns_first_and_leaves_the_whole_time(lang: str) -> None:
    d = make(idle_reset_s=45.0, idle_warning_s=20.0)
    in_lang(d, lang)
    key(d, "down")
    actions = d.handle(Elapsed(100.0))
    assert logs(actions, "idle-warning") and not logs(actions, "idle-reset")
    d.handle(SpeechDone())
    assert not logs(d.handle(Elapsed(19.0)), "idle-reset")


@pytest.mark.parametrize("lang", LANGS)
def test_a_key_after_the_warning_keeps_the_visit(lang: str) -> None:
    d = make(idle_reset_s=45.0, idle_warning_s=20.0)
    in_lang(d, lang)
    key(d, "down")
    d.handle(Elapsed(25.0))
    d.handle(SpeechDone())
    key(d, "down")
    assert d.handle(Elapsed(24.0)) == []
    assert d.lang == lang


def test_nobody_there_no_warning() -> None:
    d = make(idle_reset_s=45.0, idle_warning_s=20.0)
    assert d.handle(Elapsed(1000.0)) == []
