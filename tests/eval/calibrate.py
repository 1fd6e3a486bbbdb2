"""The no-answer threshold, calibrated on an evaluation split by a simple rule.

For every candidate threshold, count the questions handled right: a section question whose
best section is right and confident enough, an out-of-scope question whose best match is
below it. The threshold is the middle of the widest run of thresholds with the best count.
Usage: ``.venv/bin/python -m tests.eval.calibrate [split]`` (default ``dev``).
"""

from __future__ import annotations

import sys

from assistant.understanding.answering import QuestionAnswerer
from tests.eval.evaluate import Case, load_cases


def calibrate(answerer: QuestionAnswerer, cases: list[Case]) -> tuple[float, int, int]:
    """(threshold, questions handled right at it, questions counted)."""
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


def main() -> None:
    from assistant import PROJECT_DIR
    from assistant.config import MatchingConfig
    from assistant.content import load_library

    split = sys.argv[1] if len(sys.argv) > 1 else "dev"
    answerer = QuestionAnswerer(
        load_library(PROJECT_DIR / "content"), MatchingConfig(), ["sv", "fr"]
    )
    threshold, right, total = calibrate(answerer, load_cases(split))
    print(f"{split}: min_confidence {threshold} handles {right} of {total} questions right")


if __name__ == "__main__":
    main()
