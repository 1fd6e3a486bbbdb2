"""Per-question latency (p50/p95) of the text path and index build time.

Runs on the shipped content, then on a generated corpus of 10,000 sections (sentences
recombined from the shipped documents with varied words), in both languages.
Usage: ``.venv/bin/python bench/bench_matching.py``
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant import PROJECT_DIR
from assistant.config import MatchingConfig
from assistant.content import Document, Library, Section, load_library
from assistant.understanding.answering import QuestionAnswerer
from assistant.understanding.sentences import split_sentences
from tests.eval.evaluate import load_cases


def generated(library: Library, sections_per_lang: int, seed: int = 7) -> Library:
    rng = random.Random(seed)
    docs = []
    for lang in library.languages():
        pool = [s for _, sec in library.sections(lang) for s in split_sentences(sec.text)]
        words = sorted({w for s in pool for w in s.split()})
        sections = []
        for i in range(sections_per_lang):
            sentences = rng.sample(pool, 4)
            extra = " ".join(rng.choice(words) + f"{rng.randrange(500)}" for _ in range(6))
            text = " ".join(sentences) + f" {extra}."
            sections.append(Section(i + 1, f"s{i}", f"Avsnitt {i}", text, (), (), i + 1))
        docs.append(Document(f"gen-{lang}", lang, "gen", tuple(sections), None, Path("gen")))
    return Library(tuple(docs))


def measure(name: str, library: Library, questions: list[tuple[str, str]]) -> None:
    start = time.perf_counter()
    answerer = QuestionAnswerer(library, MatchingConfig(), ["sv", "fr"])
    build_s = time.perf_counter() - start
    for text, lang in questions[:5]:
        answerer.answer(text, lang)  # warm caches
    times = []
    for text, lang in questions:
        t0 = time.perf_counter()
        answerer.answer(text, lang)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    p95 = times[int(0.95 * (len(times) - 1))]
    sections = sum(len(d.sections) for d in library.documents)
    print(
        f"{name}: {sections} sections, build {build_s:.2f} s, {len(times)} questions, "
        f"p50 {statistics.median(times):.2f} ms, p95 {p95:.2f} ms"
    )


def main() -> None:
    library = load_library(PROJECT_DIR / "content")
    questions = [(c.text, c.lang) for s in ("dev", "heldout") for c in load_cases(s)]
    measure("seed content", library, questions)
    big = generated(library, 5000)
    measure("generated", replace(big), questions)


if __name__ == "__main__":
    main()
