"""Text cut into sentence-sized chunks for streaming synthesis."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.language_data import language
from assistant.speech_out.speech_text import (
    MAX_CHUNK_CHARS,
    MAX_TEXT_CHARS,
    clean_text,
    speech_chunks,
)


def test_sentences_become_chunks() -> None:
    text = "Kramper är vanliga. De går oftast över av sig själva! Vad gör man? Stretcha."
    assert speech_chunks(text) == [
        "Kramper är vanliga.",
        "De går oftast över av sig själva!",
        "Vad gör man?",
        "Stretcha.",
    ]


def test_abbreviations_followed_by_lowercase_stay_whole() -> None:
    assert speech_chunks("Ta t.ex. en promenad. Il faut p. ex. boire.") == [
        "Ta t.ex. en promenad.",
        "Il faut p. ex. boire.",
    ]


def test_empty_and_unspeakable_texts_give_no_chunks() -> None:
    assert speech_chunks("") == []
    assert speech_chunks(" \x00\x01\u200b\n\t ") == []


def test_twenty_thousand_characters_are_cut_into_bounded_chunks() -> None:
    text = ("Un long texte sans fin, avec des virgules, " * 500)[:20_000]
    chunks = speech_chunks(text)
    assert all(0 < len(c) <= MAX_CHUNK_CHARS for c in chunks)
    assert sum(len(c) for c in chunks) >= 19_000


def test_a_huge_text_is_bounded() -> None:
    assert len(clean_text("mot " * 100_000)) <= MAX_TEXT_CHARS


@given(st.text(max_size=3000))
def test_any_text_gives_bounded_non_empty_chunks(text: str) -> None:
    chunks = speech_chunks(text)
    assert all(0 < len(c) <= MAX_CHUNK_CHARS and c.strip() == c for c in chunks)


@pytest.mark.parametrize(
    ("lang", "text", "spoken"),
    [
        ("sv", "Läs mer på www.exempel.se.", "Läs mer på www punkt exempel punkt se."),
        (
            "sv",
            "Se https://www.1177.se/sjukdomar_och_besvar/ eller skriv till info@exempel.se!",
            "Se www punkt 1177 punkt se snedstreck sjukdomar understreck och understreck "
            "besvar eller skriv till info snabel-a exempel punkt se!",
        ),
        (
            "sv",
            "Ring 1177 eller gå in på 1177.se, t.ex. i dag.",
            "Ring 1177 eller gå in på 1177 punkt se, t.ex. i dag.",
        ),
        (
            "fr",
            "Écrivez à contact@mairie-aulnay.fr ou voyez http://www.aulnay-sous-bois.fr/bib.",
            "Écrivez à contact arobase mairie tiret aulnay point fr ou voyez www point "
            "aulnay tiret sous tiret bois point fr barre oblique bib.",
        ),
    ],
)
def test_addresses_are_read_so_a_listener_can_write_them_down(
    lang: str, text: str, spoken: str
) -> None:
    assert " ".join(speech_chunks(text, lang=lang)) == spoken


def test_the_words_for_symbols_are_the_language_data() -> None:
    for lang in ("sv", "fr"):
        words = language(lang).symbols
        dot, slash, at = words["dot"], words["slash"], words["at"]
        said = " ".join(speech_chunks("www.exempel.se/sida och info@exempel.se", lang=lang))
        assert said == (f"www {dot} exempel {dot} se {slash} sida och info {at} exempel {dot} se")


def test_markdown_is_not_spoken_as_written() -> None:
    text = (
        "Det är **viktigt** och _bra_. Läs [vår sida](http://exempel.se/a) eller "
        "![bild](x.png) `kod` <b>fet</b>."
    )
    assert speech_chunks(text, lang="sv") == [
        "Det är viktigt och bra.",
        "Läs vår sida eller bild kod fet.",
    ]


def test_terminal_escapes_are_not_spoken() -> None:
    assert speech_chunks("\x1b[31mRöd\x1b[0m text \x1b]0;titel\x07klar.", lang="sv") == [
        "Röd text klar."
    ]


_MARKUP = st.lists(
    st.sampled_from(
        [
            "**",
            "*",
            "_",
            "__",
            "`",
            "[",
            "]",
            "(",
            ")",
            "](",
            "://",
            ":",
            "/",
            "http://",
            "https://x.se/a_b",
            "www.",
            "![",
            "<",
            ">",
            "\\",
            "~~",
            "@",
            ".",
            " ",
            "\n",
            "ord",
            "Ord",
            "a_b",
            "exempel.se",
            "info@exempel.se",
            "mailto:",
            "[länk](",
        ]
    ),
    max_size=40,
).map("".join)


@given(_MARKUP, st.sampled_from(["sv", "fr", None]))
def test_markup_never_reaches_the_speech_text(text: str, lang: str | None) -> None:
    spoken = " ".join(speech_chunks(text, lang=lang))
    for mark in ("*", "_", "[", "](", "://"):
        assert mark not in spoken, (mark, spoken)
