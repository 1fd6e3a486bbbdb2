"""Calibrate the hybrid decision (``assistant/understanding/calibration.toml``).

The rule, stated once: on the calibration corpora, every section and out-of-scope question
is one example; its label is whether the best section of the fused ranking is the right one
(an out-of-scope question is never right); the model is a logistic regression on the five
features of :mod:`assistant.understanding.hybrid` (standardized, L2 penalty 0.01). The
thresholds are not fitted: answer when the model says the best section is more likely right
than not (0.5), ask back from 0.25. Nothing is fitted to a single question.

Calibration corpora: ``shipped`` and ``health`` (frozen at dd5141e and 7339bb6); the others are
measured, not fitted on. Usage: ``.venv/bin/python -m tests.eval.calibrate [--write]``.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence

from assistant.content import load_library
from assistant.understanding.answering import QuestionAnswerer
from assistant.understanding.encoder import build_encoder
from assistant.understanding.hybrid import CALIBRATION_FILE, FEATURES, Calibration, fit_calibration
from tests.eval.corpora import corpus_config, kind, load_cases
from tests.eval.evaluate import Case

CALIBRATION_CORPORA = ("shipped", "health")


def calibrate(answerer: QuestionAnswerer, cases: list[Case]) -> tuple[float, int, int]:
    """Lexical matching only: the ``matching.min_confidence`` threshold on a question split of
    the shipped article, the middle of the widest run of thresholds handling most questions
    right. Returns (threshold, questions handled right at it, questions counted)."""
    scored: list[tuple[float, bool]] = []  # (confidence, whether answering would be right)
    for case in cases:
        if case.style == "command":
            continue
        found = answerer.matcher.best(case.text, case.lang)
        confidence = found.confidence if found else 0.0
        right = found is not None and str(found.section.index) == case.expected
        scored.append((confidence, right if case.expected != "none" else False))
    steps = [i / 100 for i in range(1, 100)]

    def handled(threshold: float) -> int:
        return sum(
            (conf >= threshold and right) or (conf < threshold and not right)
            for conf, right in scored
        )

    counts = [handled(t) for t in steps]
    best = max(counts)
    runs: list[list[float]] = []
    for t, n in zip(steps, counts, strict=True):
        if n == best and runs and runs[-1][-1] == round(t - 0.01, 2):
            runs[-1].append(t)
        elif n == best:
            runs.append([t])
    widest = max(runs, key=len)
    return round((widest[0] + widest[-1]) / 2, 2), best, len(scored)


def examples(corpora: Sequence[str]) -> tuple[list[Mapping[str, float]], list[bool]]:
    rows: list[Mapping[str, float]] = []
    right: list[bool] = []
    for name in corpora:
        config = corpus_config(name)
        library = load_library(config.path(config.content.folder), config.languages)
        encoder = build_encoder(config.matching)
        assert encoder is not None, "calibration needs the sentence encoder"
        answerer = QuestionAnswerer(library, config.matching, config.languages, encoder)
        for case in load_cases(name):
            if kind(case) == "command":
                continue
            found = answerer.matcher.assess(case.text, case.lang)
            if found is None:
                continue
            index = answerer.matcher.indexes[case.lang]
            best = index.entries[found.order[0]][1].index
            rows.append(found.features)
            right.append(case.expected != "none" and str(best) == case.expected)
    return rows, right


def render(model: Calibration, corpora: Sequence[str], count: int) -> str:
    def table(name: str, values: Sequence[float]) -> str:
        return f"[{name}]\n" + "".join(
            f"{f} = {v:.6f}\n" for f, v in zip(FEATURES, values, strict=True)
        )

    return (
        "# The hybrid decision's logistic model, made by tests/eval/calibrate.py (see its rule)\n"
        f"# from {count} questions of the corpora {', '.join(corpora)}. Do not edit by hand.\n"
        f"bias = {model.bias:.6f}\n\n"
        + "\n".join(
            table(n, v)
            for n, v in (("mean", model.mean), ("scale", model.scale), ("weights", model.weights))
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help=f"write {CALIBRATION_FILE.name}")
    args = parser.parse_args()
    rows, right = examples(CALIBRATION_CORPORA)
    model = fit_calibration(rows, right)
    text = render(model, CALIBRATION_CORPORA, len(rows))
    print(text)
    if args.write:
        CALIBRATION_FILE.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
