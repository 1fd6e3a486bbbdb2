"""Evaluation on the frozen corpora of ``tests/eval/corpora/``: real published texts, each with
questions written from the source text only, before any tuning (see each folder's SOURCE.md).

Scoring, per language: a section question is right when its section is answered (a question
back counts half when the right section is among the offered ones); an out-of-scope question
is right when it is declined or asked back; a command is right when its intent is recognized.
Usage: ``.venv/bin/python -m tests.eval.corpora [corpus ...] [--wer 0.15]``.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant import PROJECT_DIR
from assistant.config import Config, load_config
from assistant.understanding.reply import Answerer, Reply

CORPORA_DIR = Path(__file__).parent / "corpora"
#: Corpora used while building (the final one is measured once, at the end).
DEVELOPMENT = ("shipped", "health", "transport", "library")


@dataclass(frozen=True)
class Case:
    lang: str
    expected: str
    style: str
    text: str


@dataclass(frozen=True)
class Outcome:
    case: Case
    reply: Reply

    @property
    def credit(self) -> float:
        """1 right, 0.5 a question back that offers the right section, else 0."""
        expected, reply = self.case.expected, self.reply
        if self.case.style == "command":
            return float(reply.intent == expected)
        if expected == "none":
            return float(reply.intent == "question" and reply.section is None)
        if reply.intent != "question":
            return 0.0
        if reply.section is not None:
            return float(str(reply.section) == expected)
        offered = [str(c) for c in (reply.candidates or ())]
        return 0.5 if expected in offered else 0.0


def corpus_config(name: str) -> Config:
    """The configuration of a corpus: its kiosk.toml, or the project's content for shipped."""
    path = CORPORA_DIR / name / "kiosk.toml"
    return load_config(path) if path.is_file() else Config(base_dir=PROJECT_DIR)


def load_cases(name: str) -> list[Case]:
    cases = []
    text = (CORPORA_DIR / name / "questions.tsv").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            lang, expected, style, question = line.split("\t")
            cases.append(Case(lang, expected, style, question))
    return cases


def run_cases(
    answerer: Answerer,
    cases: Sequence[Case],
    transform: Callable[[Case], list[str]] | None = None,
    word_confidence: bool = True,
) -> list[Outcome]:
    """Each case answered; with ``transform``, as the recognizer's hypotheses it gives (best
    first), one of them chosen by ``answer_any`` when there are several, each word weighed by
    its posterior over the hypotheses (all equally likely) unless ``word_confidence`` is off."""
    from assistant.speech_in.recognition import word_posteriors

    out = []
    for case in cases:
        texts = transform(case) if transform else [case.text]
        choose = getattr(answerer, "answer_any", None)
        if len(texts) > 1 and callable(choose):
            sure = dict(word_posteriors(texts, [0.0] * len(texts))) if word_confidence else None
            reply: Reply = choose(texts, case.lang, sure)
        else:
            reply = answerer.answer(texts[0], case.lang)
        out.append(Outcome(case, reply))
    return out


def kind(case: Case) -> str:
    if case.style == "command":
        return "command"
    return "oos" if case.expected == "none" else "section"


def summary(outcomes: Sequence[Outcome]) -> dict[tuple[str, str], tuple[float, int]]:
    """(lang, kind or style) -> (share right, count)."""
    groups: dict[tuple[str, str], list[float]] = defaultdict(list)
    for o in outcomes:
        groups[(o.case.lang, kind(o.case))].append(o.credit)
        if kind(o.case) == "section":
            groups[(o.case.lang, o.case.style)].append(o.credit)
    return {k: (sum(v) / len(v), len(v)) for k, v in groups.items()}


def simulated(
    lang_vocabulary: dict[str, list[str]], wer: float, seed: int, hypotheses: int = 1
) -> Callable[[Case], list[str]]:
    """A transform through the simulated recognizer of ``bench/asr_sim.py``: ``hypotheses``
    independent noisy versions of each question (a stand-in for a recognizer's n-best list;
    the first is what a single-best recognizer would give)."""
    sys.path.insert(0, str(PROJECT_DIR / "bench"))
    import asr_sim  # type: ignore[import-not-found,unused-ignore]

    rngs = [random.Random(seed + 1000 * k) for k in range(hypotheses)]

    def transform(case: Case) -> list[str]:
        if case.style == "command":
            return [case.text]
        vocabulary = lang_vocabulary[case.lang]
        return [asr_sim.simulate(case.text, case.lang, wer, rng, vocabulary) for rng in rngs]

    return transform


def main(argv: Sequence[str] | None = None) -> None:
    from assistant.content import load_library
    from assistant.understanding.answering import answerer_for

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("corpora", nargs="*", default=list(DEVELOPMENT))
    parser.add_argument("--wer", type=float, default=0.0)
    parser.add_argument("--nbest", type=int, default=1, help="simulated hypotheses per question")
    parser.add_argument("--misses", action="store_true", help="print the wrong answers")
    parser.add_argument(
        "--no-word-confidence",
        action="store_true",
        help="with --nbest: do not weigh words by their posterior over the hypotheses",
    )
    args = parser.parse_args(argv)
    for name in args.corpora:
        config = corpus_config(name)
        library = load_library(config.path(config.content.folder), config.languages)
        answerer = answerer_for(library, config)
        cases = load_cases(name)
        transform = None
        if args.wer:
            sys.path.insert(0, str(PROJECT_DIR / "bench"))
            import asr_sim

            vocab = {
                lang: [*asr_sim.default_vocabulary(lang), *library.texts(lang)]
                for lang in config.languages
            }
            vocab = {
                k: sorted({w for t in v for w in asr_sim.normalize(t, k)}) for k, v in vocab.items()
            }
            transform = simulated(vocab, args.wer, seed=1, hypotheses=args.nbest)
        outcomes = run_cases(answerer, cases, transform, not args.no_word_confidence)
        table = summary(outcomes)
        for lang in config.languages:
            row = "  ".join(
                f"{k} {table[(lang, k)][0]:.0%} ({table[(lang, k)][1]})"
                for k in ("section", "oos", "command", "text", "paraphrase", "keywords", "asr")
                if (lang, k) in table
            )
            print(f"{name:9} {lang}  {row}")
        if args.misses:
            for o in outcomes:
                if o.credit < 1:
                    got = o.reply.intent if o.reply.intent != "question" else o.reply.section
                    print(f"   miss {o.case.lang} {o.case.expected:>8} got {got}: {o.case.text}")


if __name__ == "__main__":
    main()
