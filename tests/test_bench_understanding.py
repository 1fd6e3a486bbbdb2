"""Smoke test of bench/bench_understanding.py: a small run in-process on the shipped corpus
prints a row for each of the four methods and their latency (nothing is asserted about the
figures: the benchmark measures them, the test only checks it runs)."""

from __future__ import annotations

import re
import sys

import pytest

from assistant import PROJECT_DIR

sys.path.append(str(PROJECT_DIR / "bench"))
import bench_understanding

pytestmark = pytest.mark.slow


def test_prints_every_method_and_its_latency(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--quick", "--corpora", "shipped", "--sample", "40", "--wer", "--sections", "60"]
    assert bench_understanding.main(argv) == 0
    out = capsys.readouterr().out
    assert re.search(r"^bench_understanding at commit \S+", out, re.M), out
    assert bench_understanding.NOTE in out
    for method in bench_understanding.METHODS:
        assert re.search(rf"^  {method}\s+\d+%\s+\d+%", out, re.M), out
        assert re.search(rf"^latency {method}: p50 [\d.]+ ms, p95 [\d.]+ ms", out, re.M), out
    assert "final" not in out
    assert re.search(r"^scale \(hybrid\): synthetic library of 60 sections", out, re.M), out
    assert re.search(r"^  index build [\d.]+ s, \+-?\d+ MB RSS", out, re.M), out
