"""The dense index: what it encodes, its on-disk cache, and the scores it gives.

A small recording encoder (a hashed bag of words, normalized) stands in for the real one: its
vectors are deterministic and its calls can be counted, so the cache's effect is visible.
"""

from __future__ import annotations

import logging
import re
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.content import Document, Section
from assistant.understanding.dense import DenseIndex, build_dense_index, passages

WIDTH = 64


class BagOfWords:
    """An :class:`~assistant.understanding.encoder.Encoder`: each word adds one to a hashed
    dimension, rows are normalized; every call is recorded as (number of texts, query)."""

    def __init__(self, name: str = "bag-of-words-1") -> None:
        self.name = name
        self.calls: list[tuple[int, bool]] = []

    def vector(self, text: str) -> np.ndarray:
        row = np.zeros(WIDTH, dtype=np.float32)
        for word in re.findall(r"\w+", text.lower()):
            row[zlib.crc32(word.encode()) % WIDTH] += 1.0
        norm = float(np.linalg.norm(row))
        if norm == 0:
            row[0], norm = 1.0, 1.0
        out: np.ndarray = row / norm
        return out

    def encode(self, texts: Sequence[str], *, query: bool) -> np.ndarray:
        self.calls.append((len(texts), query))
        return np.array([self.vector(t) for t in texts], dtype=np.float32).reshape(-1, WIDTH)


def section(index: int, title: str, text: str, questions: tuple[str, ...] = ()) -> Section:
    return Section(index, f"s{index}", title, text, (), questions, index)


def entries(*sections: Section) -> list[tuple[Document, Section]]:
    document = Document("kafe-sv", "sv", "Kaféet", tuple(sections), None, Path("kafe.sv.md"))
    return [(document, s) for s in sections]


OPENING = section(
    1,
    "Öppettider",
    "Kaféet öppnar klockan åtta. Det stänger klockan sjutton. På söndagar är det stängt.",
    ("När kan jag fika?",),
)
MENU = section(
    2,
    "Meny",
    "Vi serverar kaffe och te. Kanelbullar bakas varje morgon.",
    ("Finns det glutenfritt?", "Har ni vegansk mat?"),
)
PAYING = section(3, "Betalning", "Kort och Swish går bra. Kontanter tas inte emot.")
CAFE = entries(OPENING, MENU, PAYING)
#: Text sentences and example questions of CAFE.
TEXT_SENTENCES = (3, 2, 2)
QUESTIONS = (1, 2, 0)


def cached_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("dense-*.npz"))


def assert_same(a: DenseIndex, b: DenseIndex) -> None:
    for field in ("sections", "sentences", "owner", "position"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))


# --- what is encoded -------------------------------------------------------------------------


def test_passages_are_whole_sections_then_sentences_and_example_questions() -> None:
    whole, sentences, owner, position = passages(CAFE)
    assert whole[0] == f"Kaféet. Öppettider. {OPENING.text}"
    assert len(whole) == 3
    assert len(sentences) == sum(TEXT_SENTENCES) + sum(QUESTIONS)
    assert sentences[0] == "Öppettider: Kaféet öppnar klockan åtta."
    assert sentences[3] == "När kan jag fika?"  # an example question as it is, no title
    assert owner == [0, 0, 0, 0, 1, 1, 1, 1, 2, 2]
    assert position == [0, 1, 2, -1, 0, 1, -1, -1, 0, 1]


def test_the_index_has_a_row_per_section_and_per_sentence() -> None:
    encoder = BagOfWords()
    index = build_dense_index(CAFE, encoder, None)
    assert index.sections.shape == (3, WIDTH)
    assert index.sentences.shape == (sum(TEXT_SENTENCES) + sum(QUESTIONS), WIDTH)
    assert index.owner.shape == index.position.shape == (len(index.sentences),)
    # passages, never questions: the whole sections once, the sentences once
    assert encoder.calls == [(3, False), (len(index.sentences), False)]


# --- the cache -------------------------------------------------------------------------------


def test_a_second_build_of_the_same_content_reads_the_cache(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first_encoder = BagOfWords()
    first = build_dense_index(CAFE, first_encoder, cache)
    assert len(first_encoder.calls) == 2
    assert len(cached_files(cache)) == 1

    second_encoder = BagOfWords()
    second = build_dense_index(CAFE, second_encoder, cache)
    assert second_encoder.calls == []
    assert_same(first, second)
    assert len(cached_files(cache)) == 1
    assert not list(cache.glob(".*partial*"))  # the file was written whole, then renamed


def test_one_changed_word_encodes_again(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    build_dense_index(CAFE, BagOfWords(), cache)
    menu = "Vi serverar kaffe och choklad. Kanelbullar bakas varje morgon."  # "te" changed
    changed = entries(OPENING, section(2, "Meny", menu, MENU.questions), PAYING)
    encoder = BagOfWords()
    index = build_dense_index(changed, encoder, cache)
    assert len(encoder.calls) == 2
    assert len(cached_files(cache)) == 2
    np.testing.assert_array_equal(
        index.sentences[4], encoder.vector("Meny: Vi serverar kaffe och choklad.")
    )


def test_a_changed_example_question_encodes_again(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    build_dense_index(CAFE, BagOfWords(), cache)
    changed = entries(OPENING, MENU, section(3, "Betalning", PAYING.text, ("Tar ni kort?",)))
    encoder = BagOfWords()
    build_dense_index(changed, encoder, cache)
    assert len(encoder.calls) == 2


def test_another_encoder_does_not_read_the_first_ones_vectors(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    build_dense_index(CAFE, BagOfWords("bag-of-words-1"), cache)
    other = BagOfWords("bag-of-words-2")
    build_dense_index(CAFE, other, cache)
    assert len(other.calls) == 2
    assert len(cached_files(cache)) == 2


def test_without_a_cache_folder_every_build_encodes(tmp_path: Path) -> None:
    encoder = BagOfWords()
    build_dense_index(CAFE, encoder, None)
    build_dense_index(CAFE, encoder, None)
    assert len(encoder.calls) == 4


def _corrupt_garbage(path: Path) -> None:
    path.write_bytes(b"these are not the vectors you are looking for\n" * 20)


def _corrupt_empty(path: Path) -> None:
    # what a file renamed into place without fsync can be after a power cut
    path.write_bytes(b"")


def _corrupt_truncated(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _corrupt_wrong_keys(path: Path) -> None:
    with path.open("wb") as f:
        np.savez(f, vectors=np.zeros((3, WIDTH)))


@pytest.mark.parametrize(
    "corrupt",
    [_corrupt_garbage, _corrupt_empty, _corrupt_truncated, _corrupt_wrong_keys],
    ids=["garbage", "empty", "truncated", "wrong-keys"],
)
def test_a_corrupt_cache_file_is_ignored_with_a_warning_and_rebuilt(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, corrupt: Callable[[Path], None]
) -> None:
    cache = tmp_path / "cache"
    expected = build_dense_index(CAFE, BagOfWords(), cache)
    (path,) = cached_files(cache)
    corrupt(path)

    encoder = BagOfWords()
    with caplog.at_level(logging.WARNING, logger="assistant.understanding.dense"):
        rebuilt = build_dense_index(CAFE, encoder, cache)
    assert len(encoder.calls) == 2
    assert_same(rebuilt, expected)
    assert any(str(path) in r.getMessage() for r in caplog.records), caplog.records
    # the file is whole again: the next build reads it
    again = BagOfWords()
    build_dense_index(CAFE, again, cache)
    assert again.calls == []


def test_a_cache_file_with_other_row_counts_is_not_used(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    build_dense_index(CAFE, BagOfWords(), cache)
    (path,) = cached_files(cache)
    with path.open("wb") as f:
        np.savez(f, sections=np.zeros((1, WIDTH)), sentences=np.zeros((1, WIDTH)))
    encoder = BagOfWords()
    index = build_dense_index(CAFE, encoder, cache)
    assert len(encoder.calls) == 2
    assert index.sections.shape == (3, WIDTH)


def test_an_unwritable_cache_folder_only_costs_time(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n")
    cache = blocker / "cache"  # a folder under a regular file cannot be made
    encoder = BagOfWords()
    with caplog.at_level(logging.WARNING, logger="assistant.understanding.dense"):
        first = build_dense_index(CAFE, encoder, cache)
        second = build_dense_index(CAFE, encoder, cache)
    assert_same(first, second)
    assert len(encoder.calls) == 4  # nothing kept: encoded each time
    assert any("cannot be cached" in r.getMessage() for r in caplog.records)
    assert blocker.read_text() == "not a folder\n"


# --- the scores ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cafe() -> tuple[DenseIndex, BagOfWords]:
    encoder = BagOfWords()
    return build_dense_index(CAFE, encoder, None), encoder


@pytest.mark.parametrize(
    "question", ["När öppnar kaféet?", "Tar ni kontanter?", "kanelbullar", "zzz"]
)
def test_section_scores_are_closeness_to_the_section_plus_its_closest_sentence(
    cafe: tuple[DenseIndex, BagOfWords], question: str
) -> None:
    index, encoder = cafe
    q = encoder.vector(question)
    scores = index.section_scores(q)
    assert scores.shape == (3,)
    whole, sentences, owner, _ = passages(CAFE)
    for i in range(3):
        closest = max(
            float(encoder.vector(s) @ q) for s, o in zip(sentences, owner, strict=True) if o == i
        )
        assert scores[i] == pytest.approx(float(encoder.vector(whole[i]) @ q) + closest, abs=1e-5)


def test_the_section_a_question_is_about_scores_highest(
    cafe: tuple[DenseIndex, BagOfWords],
) -> None:
    index, encoder = cafe
    assert int(np.argmax(index.section_scores(encoder.vector("Kontanter tas inte emot?")))) == 2
    assert int(np.argmax(index.section_scores(encoder.vector("kaffe och te")))) == 1


def test_sentence_scores_are_one_per_text_sentence_in_text_order(
    cafe: tuple[DenseIndex, BagOfWords],
) -> None:
    index, encoder = cafe
    q = encoder.vector("Det stänger klockan sjutton")
    for i in range(len(CAFE)):
        scores = index.sentence_scores(q, i)
        assert scores.shape == (TEXT_SENTENCES[i],)
    expected = [
        float(encoder.vector(f"Öppettider: {s}") @ q)
        for s in (
            "Kaféet öppnar klockan åtta.",
            "Det stänger klockan sjutton.",
            "På söndagar är det stängt.",
        )
    ]
    np.testing.assert_allclose(index.sentence_scores(q, 0), expected, atol=1e-5)
    assert int(np.argmax(index.sentence_scores(q, 0))) == 1


def test_example_questions_count_for_the_section_but_are_not_answer_sentences(
    cafe: tuple[DenseIndex, BagOfWords],
) -> None:
    index, encoder = cafe
    asked = MENU.questions[1]  # "Har ni vegansk mat?": none of its words are in the text
    q = encoder.vector(asked)
    scores = index.section_scores(q)
    # the example question itself is the section's closest "sentence": closeness 1
    assert scores[1] == pytest.approx(float(index.sections[1] @ q) + 1.0, abs=1e-5)
    assert int(np.argmax(scores)) == 1
    # ... but the answer is chosen among the text's sentences only
    sentences = index.sentence_scores(q, 1)
    assert sentences.shape == (TEXT_SENTENCES[1],)
    assert float(sentences.max()) < 0.99


def test_a_section_without_sentences_scores_its_whole_closeness() -> None:
    bare = entries(OPENING, section(2, "Tomt", ""))
    encoder = BagOfWords()
    index = build_dense_index(bare, encoder, None)
    q = encoder.vector("Öppettider")
    assert index.section_scores(q)[1] == pytest.approx(float(index.sections[1] @ q), abs=1e-6)
    assert index.sentence_scores(q, 1).shape == (0,)


@settings(max_examples=50, deadline=None)
@given(question=st.text(max_size=80))
def test_scores_have_their_shapes_for_any_question(question: str) -> None:
    encoder = BagOfWords()
    index = build_dense_index(CAFE, encoder, None)
    q = encoder.vector(question)
    scores = index.section_scores(q)
    assert scores.shape == (3,) and np.all(np.isfinite(scores))
    assert np.all(scores <= 2.0 + 1e-5)  # two closenesses of unit vectors
    for i in range(3):
        assert index.sentence_scores(q, i).shape == (TEXT_SENTENCES[i],)
