"""Text cut into sentence-sized chunks for streaming synthesis."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

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
