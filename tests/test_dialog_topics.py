"""The list of topics in the dialog: a few at a time, "fler ämnen" / "plus de sujets" goes on
from where the list was left, after the last page it says there are no more and the next one
starts again; and "upprepa numret" / "répétez le numéro" says the last answer's numbers again,
slowly, or that there was none. The real core over real documents; the dialog is pure."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import PROJECT_DIR
from assistant.config import Config
from assistant.content import load_library
from assistant.kiosk.dialog import Dialog
from assistant.kiosk.events import Elapsed, SpeechDone, Started, Typed
from assistant.kiosk.texts import text
from assistant.language_data import language
from assistant.understanding.answering import QuestionAnswerer
from tests.test_dialog import logs, says

MORE = {"sv": "fler ämnen", "fr": "plus de sujets"}
HELP = {"sv": "hjälp", "fr": "aide"}
OUT_OF_SCOPE = {"sv": "var ligger stationen", "fr": "où est la gare"}
REPEAT = {"sv": "upprepa", "fr": "répète"}
REPEAT_NUMBER = {"sv": "upprepa numret", "fr": "répétez le numéro"}


def core(folder: Path = PROJECT_DIR / "content") -> QuestionAnswerer:
    config = Config()
    return QuestionAnswerer(load_library(folder, ("sv", "fr")), config.matching, ("sv", "fr"))


def started(brain: QuestionAnswerer) -> Dialog:
    dialog = Dialog(brain, Config())
    dialog.handle(Started())
    dialog.handle(SpeechDone())
    return dialog


def turn(dialog: Dialog, line: str) -> str:
    """What the dialog says to a typed line (then it has finished speaking)."""
    said = " ".join(t for t, _ in says(dialog.handle(Typed(line))))
    dialog.handle(SpeechDone())
    return said


def titles(brain: QuestionAnswerer, lang: str) -> list[str]:
    return [s.title.rstrip("?") for _, s in brain.library.sections(lang)]


@pytest.mark.parametrize("lang", ["sv", "fr"])
@pytest.mark.parametrize("opening", ["help", "out_of_scope"])
def test_more_topics_goes_on_after_the_first_page_then_starts_again(
    lang: str, opening: str
) -> None:
    brain = core()
    dialog = started(brain)
    first = turn(dialog, (HELP if opening == "help" else OUT_OF_SCOPE)[lang])
    names = titles(brain, lang)
    page_one, page_two = brain.topics_page(lang, 0), brain.topics_page(lang, 3)
    assert page_one.text in first and page_two.text not in first
    assert names[0] in first and names[-1] not in first

    rest = turn(dialog, MORE[lang])  # the next page: the fourth topic on, then the closing
    assert rest == page_two.text and page_two.last
    assert names[-1] in rest and names[0] not in rest
    assert rest.endswith(language(lang).text("topics_end"))

    assert turn(dialog, REPEAT[lang]) == rest  # "upprepa" says the page again
    none_left = turn(dialog, MORE[lang])  # after the last page: no more, the first is offered
    assert none_left == text("no_more_topics", lang)
    assert turn(dialog, MORE[lang]) == page_one.text  # ... and the next one starts again
    assert turn(dialog, MORE[lang]) == page_two.text


@pytest.mark.parametrize("lang", ["sv", "fr"])
def test_more_topics_before_any_list_reads_the_first_page(lang: str) -> None:
    brain = core()
    dialog = started(brain)
    actions = dialog.handle(Typed(MORE[lang]))
    assert says(actions) == [(brain.topics_page(lang, 0).text, lang)]
    assert logs(actions, "topics")[0].fields == {"lang": lang, "start": 0, "total": 5}


def test_the_position_belongs_to_the_language_of_the_list() -> None:
    brain = core()
    dialog = started(brain)
    turn(dialog, OUT_OF_SCOPE["sv"])
    turn(dialog, "på franska")
    assert turn(dialog, MORE["fr"]) == brain.topics_page("fr", 0).text  # the French list anew
    assert turn(dialog, MORE["fr"]) == brain.topics_page("fr", 3).text


def test_a_question_in_between_keeps_the_place_and_an_idle_reset_forgets_it() -> None:
    brain = core()
    dialog = started(brain)
    turn(dialog, HELP["sv"])
    assert turn(dialog, "Vad orsakar muskelspasmer?")  # answered from the documents
    assert turn(dialog, MORE["sv"]) == brain.topics_page("sv", 3).text
    for _ in range(2):  # the idle warning, then the reset and the greeting
        dialog.handle(Elapsed(Config().dialog.idle_reset_s + 1))
        dialog.handle(SpeechDone())
    assert turn(dialog, MORE["sv"]) == brain.topics_page("sv", 0).text


# --- "upprepa numret" ------------------------------------------------------------------------

CONTACT = {
    "sv": """---
lang: sv
title: Mottagningen
---

## Kontakt

Ring mottagningen på 08-123 45 67 om du har frågor. Telefonen är öppen kl. 9–17 på vardagar.

## Parkering

Det finns parkering för cyklar vid entrén. Bilar parkerar på gatan.
""",
    "fr": """---
lang: fr
title: Le cabinet
---

## Contact

Appelez le cabinet au 01 23 45 67 89 si vous avez des questions.
Le standard est ouvert de 9h à 17h30.

## Stationnement

Il y a un parking pour les vélos devant l'entrée. Les voitures se garent dans la rue.
""",
}
CONTACT_QUESTION = {"sv": "hur ringer jag mottagningen", "fr": "comment appeler le cabinet"}
PARKING_QUESTION = {"sv": "var kan jag parkera cykeln", "fr": "où garer mon vélo"}
PHONE_SAID = {
    "sv": "Noll åtta. Ett två tre. Fyra fem. Sex sju.",
    "fr": "Zéro un. Deux trois. Quatre cinq. Six sept. Huit neuf.",
}
HOURS_SAID = {"sv": "Klockan 9 till 17.", "fr": "9 heures. 17 heures 30."}
MORE_SAID = {"sv": "mer", "fr": "encore"}


@pytest.mark.parametrize("lang", ["sv", "fr"])
def test_repeat_the_number_says_the_last_answers_numbers_slowly(tmp_path: Path, lang: str) -> None:
    (tmp_path / f"contact.{lang}.md").write_text(CONTACT[lang], encoding="utf-8")
    brain = core(tmp_path)
    dialog = started(brain)
    assert turn(dialog, REPEAT_NUMBER[lang]) == text("no_number", lang)  # nothing said yet

    answer = turn(dialog, CONTACT_QUESTION[lang])
    assert "08-123 45 67" in answer or "01 23 45 67 89" in answer, answer
    actions = dialog.handle(Typed(REPEAT_NUMBER[lang]))
    dialog.handle(SpeechDone())
    # the numbers, each group of digits a sentence of its own (a pause after each)
    assert says(actions) == [(PHONE_SAID[lang], lang)]
    assert logs(actions, "repeat-number")
    assert turn(dialog, REPEAT_NUMBER[lang]) == PHONE_SAID[lang]  # as often as asked
    assert turn(dialog, REPEAT[lang]) == answer  # "upprepa" still repeats the answer

    more = turn(dialog, MORE_SAID[lang])  # the rest: the opening hours
    assert "9" in more
    assert turn(dialog, REPEAT_NUMBER[lang]) == HOURS_SAID[lang]

    assert turn(dialog, PARKING_QUESTION[lang])  # an answer without a number
    assert turn(dialog, REPEAT_NUMBER[lang]) == text("no_number", lang)
