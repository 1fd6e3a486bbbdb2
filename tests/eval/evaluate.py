"""Evaluation of the text path on the question sets in this folder (used by the tests)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from assistant.understanding.reply import Answerer

EVAL_DIR = Path(__file__).parent


@dataclass(frozen=True)
class Case:
    lang: str
    expected: str
    style: str
    text: str


@dataclass(frozen=True)
class Result:
    case: Case
    got: str

    @property
    def ok(self) -> bool:
        return self.got == self.case.expected


def load_cases(split: str) -> list[Case]:
    cases = []
    for line in (EVAL_DIR / f"{split}.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            lang, expected, style, text = line.split("\t")
            cases.append(Case(lang, expected, style, text))
    return cases


def evaluate(answerer: Answerer, cases: list[Case]) -> list[Result]:
    results = []
    for case in cases:
        reply = answerer.answer(case.text, case.lang)
        got: str
        if reply.intent != "question":
            got = reply.intent
        else:
            got = str(reply.section) if reply.section is not None else "none"
        results.append(Result(case, got))
    return results


def accuracy(results: list[Result], lang: str, kind: str) -> tuple[float, int]:
    """(share right, count) for kind 'section', 'none' or 'command' in one language."""

    def of_kind(r: Result) -> bool:
        if kind == "section":
            return r.case.expected.isdigit()
        if kind == "none":
            return r.case.expected == "none"
        return r.case.style == "command"

    chosen = [r for r in results if r.case.lang == lang and of_kind(r)]
    return (sum(r.ok for r in chosen) / len(chosen) if chosen else 1.0), len(chosen)
