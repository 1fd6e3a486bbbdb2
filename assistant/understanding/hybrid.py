"""Hybrid retrieval and the one decision: answer, ask back, or decline.

Per question, two rankings of the sections: lexical (:class:`~.matching.LanguageIndex`: BM25
over the analysed words, with how much of the question the documents cover) and dense
(:class:`~.dense.DenseIndex`: closeness in the sentence encoder's space). Each is put on a
common scale (standard scores across the sections) and the two are added. Five features of
the best section then give the probability that it answers the question, by a logistic model
whose coefficients are calibrated on the project's evaluation data
(``calibration.toml``, made by ``tests/eval/calibrate.py``; the rule is stated there):

- ``dense_top``: its dense closeness (0..1);
- ``dense_lead``: that closeness above the median section's (a question about the documents
  stands out; one about something else is about as close to every section);
- ``margin``: its fused score above the second best (one clear answer, or two alike);
- ``coverage``: the share of the question's word weight the documents contain (lexical);
- ``lexical_top``: its lexical score relative to the best lexical score.

The decision: answer when the probability is at least ``matching.answer_probability``; ask
back between the two best sections when it is at least ``matching.ask_probability``; else
decline (the visitor hears the topics).
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import numpy as np

from assistant.errors import ConfigError

FEATURES = ("dense_top", "dense_lead", "margin", "coverage", "lexical_top")
CALIBRATION_FILE = Path(__file__).resolve().parent / "calibration.toml"

Outcome = Literal["answer", "ask", "decline"]


@dataclass(frozen=True)
class Assessment:
    """What the ranking makes of one question in one language."""

    #: Section positions (in the language index), best first.
    order: tuple[int, ...]
    #: The features of the best section (see :data:`FEATURES`).
    features: Mapping[str, float]
    #: Probability that the best section answers the question.
    probability: float


@dataclass(frozen=True)
class Calibration:
    """A logistic model over :data:`FEATURES`: standardized by ``mean``/``scale``."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float

    def probability(self, features: Mapping[str, float]) -> float:
        z = self.bias
        for name, mu, sd, w in zip(FEATURES, self.mean, self.scale, self.weights, strict=True):
            z += w * (features[name] - mu) / sd
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))


@lru_cache(maxsize=4)
def load_calibration(path: Path = CALIBRATION_FILE) -> Calibration:
    """The calibrated model (ConfigError naming the file when it is broken)."""
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
        values = [
            tuple(float(data[key][name]) for name in FEATURES)
            for key in ("mean", "scale", "weights")
        ]
        bias = float(data["bias"])
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        raise ConfigError(
            "calibration-invalid",
            f"{path}: {exc}",
            fix="restore the file, or make it again with tests/eval/calibrate.py",
        ) from None
    if any(s <= 0 for s in values[1]):
        raise ConfigError("calibration-invalid", f"{path}: every scale must be positive")
    return Calibration(values[0], values[1], values[2], bias)


def standard(scores: np.ndarray) -> np.ndarray:
    """Scores as standard scores across the sections (zeros when they do not differ)."""
    spread = float(scores.std())
    if spread < 1e-9:
        return np.zeros_like(scores, dtype=float)
    out: np.ndarray = (scores - scores.mean()) / spread
    return out


def assess(
    lexical: np.ndarray, coverage: float, dense: np.ndarray, calibration: Calibration
) -> Assessment:
    """Fuse the two rankings of the sections and assess the best one.

    ``lexical``: lexical scores (0 where nothing matched); ``dense``: dense scores, each the
    sum of two closenesses (section and sentence, so 0..2)."""
    top_lexical = float(lexical.max()) if len(lexical) else 0.0
    relative = lexical / top_lexical if top_lexical > 0 else np.zeros_like(lexical)
    fused = standard(dense) + standard(relative)
    order = tuple(int(i) for i in np.argsort(-fused, kind="stable"))
    best = order[0]
    margin = float(fused[best] - fused[order[1]]) if len(order) > 1 else 3.0
    features = {
        "dense_top": float(dense[best]) / 2,
        "dense_lead": float(dense[best] - np.median(dense)) / 2,
        "margin": margin,
        "coverage": coverage,
        "lexical_top": float(relative[best]),
    }
    return Assessment(order, features, calibration.probability(features))


def decide(assessment: Assessment, answer_at: float, ask_at: float) -> Outcome:
    """Answer, ask back (two sections to choose from) or decline, by the probability."""
    if assessment.probability >= answer_at:
        return "answer"
    if assessment.probability >= ask_at and len(assessment.order) > 1:
        return "ask"
    return "decline"


def fit_calibration(
    rows: Sequence[Mapping[str, float]], right: Sequence[bool], l2: float = 0.01
) -> Calibration:
    """The logistic model of ``right`` on the features: standardized features, gradient
    descent with a small L2 penalty (deterministic: the same data give the same model)."""
    x = np.array([[row[name] for name in FEATURES] for row in rows], dtype=float)
    y = np.array(right, dtype=float)
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    xs = (x - mean) / scale
    w, b = np.zeros(len(FEATURES)), 0.0
    for _ in range(5000):
        p = 1.0 / (1.0 + np.exp(-(xs @ w + b)))
        w -= 0.5 * (xs.T @ (p - y) / len(y) + l2 * w)
        b -= 0.5 * float((p - y).mean())
    return Calibration(
        tuple(float(v) for v in mean),
        tuple(float(v) for v in scale),
        tuple(float(v) for v in w),
        b,
    )
