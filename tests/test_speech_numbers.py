"""Numbers a listener writes down: phone numbers, codes and postal codes read digit by digit in
their groups with pauses, clock times with the language's formats; quantities stay numbers."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.language_data import language
from assistant.speech_out.speech_text import clean_text, number_readings, speech_chunks


@pytest.mark.parametrize(
    ("lang", "text", "spoken"),
    [
        (
            "sv",
            "Ring 08-123 45 67 om du vill.",
            "Ring noll åtta, ett två tre, fyra fem, sex sju om du vill.",
        ),
        (
            "sv",
            "Från utlandet: +46 8 123 45 67.",
            "Från utlandet: plus fyra sex, åtta, ett två tre, fyra fem, sex sju.",
        ),
        ("sv", "Mobil 070-123 45 67.", "Mobil noll sju noll, ett två tre, fyra fem, sex sju."),
        (
            "fr",
            "Appelez le 01 23 45 67 89.",
            "Appelez le zéro un, deux trois, quatre cinq, six sept, huit neuf.",
        ),
        (
            "fr",
            "Le cabinet : 0612345678.",
            "Le cabinet : zéro six un, deux trois quatre, cinq six, sept huit.",
        ),
        ("sv", "Öppet kl. 9–17 varje dag.", "Öppet klockan 9 till 17 varje dag."),
        ("sv", "Kl. 8.00-16.30 på vardagar.", "Klockan 8 till 16 och 30 på vardagar."),
        ("sv", "Mottagningen öppnar 14.30.", "Mottagningen öppnar 14 och 30."),
        ("fr", "Ouvert à 14h30.", "Ouvert à 14 heures 30."),
        ("fr", "De 9h à 17 h 15.", "De 9 heures à 17 heures 15."),
        ("fr", "Horaires : 9h-17h.", "Horaires : 9 heures à 17 heures."),
        ("sv", "Besök oss på 114 55 Stockholm.", "Besök oss på ett ett fyra, fem fem Stockholm."),
        ("fr", "Écrivez au 75001 Paris.", "Écrivez au sept cinq zéro, zéro un Paris."),
        ("sv", "Ange kod 47110 i kassan.", "Ange kod fyra sju ett, ett noll i kassan."),
        ("fr", "Numéro de dossier 123456.", "Numéro de dossier un deux trois, quatre cinq six."),
    ],
)
def test_numbers_to_write_down_are_read_in_groups(lang: str, text: str, spoken: str) -> None:
    assert " ".join(speech_chunks(text, lang=lang)) == spoken


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("sv", "Vila i 3 veckor."),
        ("fr", "Cela coûte 1200 euros."),
        ("sv", "Det kostar 10 000 kronor, eller 1 000 000 för alla."),
        ("fr", "Il pèse 2,5 kg, soit 2.5 kg."),
        ("sv", "Studien pågick 2019-2020 med 250 personer."),
        ("fr", "Le 3 mai 2024, 12 000 personnes."),
        ("sv", "Ring 1177 eller 112."),
        ("sv", "Mellan 20 och 30 procent."),
    ],
)
def test_quantities_stay_numbers(lang: str, text: str) -> None:
    assert clean_text(text, lang) == text


def test_without_a_language_numbers_are_left_as_written() -> None:
    assert clean_text("Ring 08-123 45 67 kl. 9–17.") == "Ring 08-123 45 67 kl. 9–17."


_GROUP = st.text(alphabet="0123456789", min_size=1, max_size=4)


@st.composite
def phone_numbers(draw: st.DrawFn) -> str:
    """A phone-like digit string: a leading 0 or an international +code, then groups of one to
    four digits separated by spaces or hyphens, six digits or more in all."""
    head = draw(st.sampled_from(["0", "+46 ", "+33 ", "+1 "]))
    groups = draw(st.lists(_GROUP, min_size=1, max_size=5))
    seps = draw(st.lists(st.sampled_from([" ", "-"]), min_size=len(groups), max_size=len(groups)))
    number = head + "".join(g + s for g, s in zip(groups, seps, strict=True)).rstrip(" -")
    digits = re.sub(r"\D", "", number)
    if len(digits) < 6:
        number += "0" * (6 - len(digits))
    return number


@pytest.mark.parametrize("lang", ["sv", "fr"])
@given(number=phone_numbers())
def test_any_phone_number_is_read_digit_by_digit(lang: str, number: str) -> None:
    """Never as "one hundred twenty-three million": no digit is left, and the words are the
    digits' words, one per digit, in order."""
    spoken = clean_text(f"Ring {number} i dag.", lang)
    middle = spoken.removeprefix("Ring ").removesuffix(" i dag.")
    assert not any(ch.isdigit() for ch in spoken), spoken
    data = language(lang).numbers
    words = [w for w in re.split(r"[ ,]+", middle) if w and w != data.plus]
    assert words == [data.digits[int(d)] for d in re.sub(r"\D", "", number)], spoken
    assert middle.count("plus") == number.count("+")


@given(hours=st.integers(0, 23), minutes=st.integers(0, 59))
def test_any_clock_time_is_read_as_hours_and_minutes(hours: int, minutes: int) -> None:
    spoken = clean_text(f"Vi öppnar {hours}.{minutes:02d} i dag.", "sv")
    expected = f"{hours} och {minutes}" if minutes else f"{hours}"
    assert spoken == f"Vi öppnar {expected} i dag."
    said_fr = clean_text(f"Ouvert à {hours}h{minutes:02d}.", "fr")
    assert said_fr == f"Ouvert à {hours} heures{f' {minutes}' if minutes else ''}."


def test_the_numbers_to_repeat_are_those_of_the_last_sentence_with_any() -> None:
    text = "Ring 08-123 45 67. Öppet kl. 9–17. Välkommen! Ta med 2 saker."
    assert number_readings(text, "sv") == [["klockan 9 till 17"]]
    assert number_readings("Ring 08-123 45 67. Välkommen!", "sv") == [
        ["noll åtta", "ett två tre", "fyra fem", "sex sju"]
    ]
    assert number_readings("Vila i 3 veckor.", "sv") == []
    assert number_readings("Appelez le 01 23 45 67 89 de 9h à 17h.", "fr") == [
        ["zéro un", "deux trois", "quatre cinq", "six sept", "huit neuf"],
        ["9 heures"],
        ["17 heures"],
    ]
