"""Ours against the obvious alternatives, in the same run, on the evaluation set (tests/eval).

* ``bm25-plain``: rank_bm25's BM25Okapi over sections, lower-cased whitespace tokens, no
  language processing (no stems, stopwords, compounds or misheard-word mapping);
* ``rapidfuzz``: the section whose title or text has the best ``token_set_ratio`` with the
  question;
* ``ours``: ``QuestionAnswerer`` (its ``matching.min_confidence`` was calibrated on dev).

Every method sees the same text per section: title, text, and the author's keywords and
example questions. The baselines' no-answer thresholds are calibrated on dev with the same
rule as ours (``tests/eval/calibrate.py``: the middle of the widest run of thresholds handling
the most questions right) and reported on the held-out splits. Commands are left out (neither
baseline has them). Columns: top-1 (best section right, no threshold) and answered right
(right section above the threshold) on section questions; out-of-scope questions rejected;
per-question latency.

    .venv/bin/python bench/bench_compare.py [--quick]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant import PROJECT_DIR
from assistant.config import MatchingConfig
from assistant.content import Library, Section, load_library
from assistant.understanding.answering import QuestionAnswerer
from tests.eval.evaluate import Case, load_cases

#: (section index, score) of the best section for a question in a language; None: no section.
Ranker = Callable[[str, str], tuple[int, float] | None]


@dataclass(frozen=True)
class Scored:
    case: Case
    section: int | None
    score: float
    latency_ms: float


def section_text(section: Section) -> str:
    return " ".join([section.title, section.text, *section.keywords, *section.questions])


def bm25_plain(library: Library) -> Ranker:
    from rank_bm25 import BM25Okapi

    indexes = {}
    for lang in library.languages():
        sections = [s for _, s in library.sections(lang)]
        tokens = [section_text(s).lower().split() for s in sections]
        indexes[lang] = (BM25Okapi(tokens), sections)

    def rank(text: str, lang: str) -> tuple[int, float] | None:
        bm25, sections = indexes[lang]
        scores = bm25.get_scores(text.lower().split())
        best = int(scores.argmax())
        return sections[best].index, float(scores[best])

    return rank


def rapidfuzz_only(library: Library) -> Ranker:
    from rapidfuzz import fuzz

    def rank(text: str, lang: str) -> tuple[int, float] | None:
        best: tuple[int, float] | None = None
        for _, section in library.sections(lang):
            score = max(
                fuzz.token_set_ratio(text, section.title),
                fuzz.token_set_ratio(text, section_text(section)),
            )
            if best is None or score > best[1]:
                best = (section.index, score)
        return best

    return rank


def ours(library: Library) -> tuple[Ranker, float]:
    config = MatchingConfig()
    answerer = QuestionAnswerer(library, config, ["sv", "fr"])

    def rank(text: str, lang: str) -> tuple[int, float] | None:
        found = answerer.matcher.best(text, lang)
        return (found.section.index, found.confidence) if found else None

    return rank, config.min_confidence


def run(rank: Ranker, cases: Sequence[Case]) -> list[Scored]:
    out = []
    for case in cases:
        t0 = time.perf_counter()
        found = rank(case.text, case.lang)
        ms = (time.perf_counter() - t0) * 1000
        out.append(Scored(case, found[0] if found else None, found[1] if found else 0.0, ms))
    return out


def handled(scored: Sequence[Scored], threshold: float) -> int:
    """Questions handled right: a right section at or above the threshold, or none below it."""
    count = 0
    for s in scored:
        accepted = s.score >= threshold
        if s.case.expected == "none":
            count += not accepted
        else:
            count += accepted and str(s.section) == s.case.expected
    return count


def calibrate(scored: Sequence[Scored]) -> float:
    """The middle of the widest run of candidate thresholds handling the most questions."""
    candidates = sorted({s.score for s in scored} | {0.0})
    candidates.append(candidates[-1] + 1.0)
    counts = [handled(scored, t) for t in candidates]
    best = max(counts)
    runs: list[list[int]] = []
    for i, n in enumerate(counts):
        if n == best and runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        elif n == best:
            runs.append([i])
    widest = max(runs, key=len)
    return (candidates[widest[0]] + candidates[widest[-1]]) / 2


def report(name: str, split: str, scored: Sequence[Scored], threshold: float) -> None:
    sections = [s for s in scored if s.case.expected != "none"]
    outside = [s for s in scored if s.case.expected == "none"]
    top1 = sum(str(s.section) == s.case.expected for s in sections)
    right = sum(s.score >= threshold and str(s.section) == s.case.expected for s in sections)
    rejected = sum(s.score < threshold for s in outside)
    times = sorted(s.latency_ms for s in scored)
    p95 = times[int(0.95 * (len(times) - 1))]
    print(
        f"{name:10s} {split:9s}: top-1 {top1}/{len(sections)} ({top1 / len(sections):.0%}), "
        f"answered right {right / len(sections):.0%}, out-of-scope rejected "
        f"{rejected}/{len(outside)} ({rejected / max(1, len(outside)):.0%}), "
        f"threshold {threshold:.3g}, p50 {statistics.median(times):.2f} ms, p95 {p95:.2f} ms"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a few questions (smoke test)")
    args = parser.parse_args()
    library = load_library(PROJECT_DIR / "content")
    splits = {s: [c for c in load_cases(s) if c.style != "command"] for s in ("dev", "heldout")}
    splits["heldout"] += [c for c in load_cases("heldout2") if c.style != "command"]
    if args.quick:
        splits = {s: cases[:8] + cases[-4:] for s, cases in splits.items()}
    our_rank, our_threshold = ours(library)
    methods: list[tuple[str, Ranker, float | None]] = [
        ("bm25-plain", bm25_plain(library), None),
        ("rapidfuzz", rapidfuzz_only(library), None),
        ("ours", our_rank, our_threshold),
    ]
    for name, rank, fixed in methods:
        run(rank, splits["dev"][:3])  # warm caches
        dev = run(rank, splits["dev"])
        threshold = fixed if fixed is not None else calibrate(dev)
        report(name, "dev", dev, threshold)
        report(name, "held-out", run(rank, splits["heldout"]), threshold)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
