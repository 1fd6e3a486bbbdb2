"""Smoke tests of the benchmark scripts: each runs with its small-size flag and prints its
measurements (no timing is asserted; speed is measured by the scripts, not the tests)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from assistant import PROJECT_DIR

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def run_script(*args: str, timeout_s: float = 300) -> str:
    done = subprocess.run(
        [sys.executable, *args],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_compare_prints_every_method_on_both_splits() -> None:
    out = run_script("bench/bench_compare.py", "--quick")
    for method in ("bm25-plain", "rapidfuzz", "ours"):
        for split in ("dev", "held-out"):
            assert re.search(rf"^{method}\s+{split}\s*: top-1 \d+/\d+", out, re.M), out
    assert out.count("p95") == 6


@pytest.mark.real_vosk
@pytest.mark.real_tts
def test_scaling_prints_matching_startup_and_recognition() -> None:
    out = run_script("bench/bench_scaling.py", "--quick")
    assert re.search(r"^matching 10 sections: build [\d.]+ s, index \+-?\d+ MB RSS", out, re.M)
    assert "matching 200 sections" in out
    assert "start-up text path" in out and "start-up speech output" in out
    for models in (1, 2):
        for kind in ("unrestricted", "restricted"):
            assert re.search(rf"recognition {models} model\(s\) {kind}: RTF [\d.]+", out), out


def test_run_all_prints_one_table() -> None:
    out = run_script("bench/run_all.py", "--quick", "--only", "bench_compare,bench_scaling_missing")
    lines = out.splitlines()
    assert lines[:2] == ["| benchmark | measurement |", "| --- | --- |"]
    assert all(line.startswith("| bench_compare | ") for line in lines[2:]), out
    assert lines[-1].startswith("| bench_compare | (exit 0, ")
    assert len(lines) == 2 + 6 + 1


def test_endpointing_prints_early_cuts_and_latency_per_silence(speech_samples_dir: object) -> None:
    out = run_script("bench/bench_endpointing.py", "--silences", "0.3,0.8")
    rows = re.findall(
        r"^endpoint silence ([\d.]+) s: cut too early (\d+) of (\d+) .* p50 (\d+) ms", out, re.M
    )
    assert [r[0] for r in rows] == ["0.30", "0.80"], out
    (_, early_short, total, p50_short), (_, early_long, _, p50_long) = rows
    assert int(total) >= 20
    # A longer silence never cuts more sentences short, and always waits longer.
    assert int(early_long) <= int(early_short) and int(p50_long) > int(p50_short)


def test_barge_in_grid_hears_visitors_and_never_the_echo_alone(speech_samples_dir: object) -> None:
    out = run_script("bench/bench_barge_in.py", "--quick", timeout_s=900)
    false = re.search(
        r"^false barge-ins: (\d+) \(in 6 echo-only runs and 48 with a visitor\)", out, re.M
    )
    heard = re.search(r"^visitors heard: (\d+) of 48$", out, re.M)
    assert false and heard, out
    assert re.search(r"^first sound to barge-in p50 / p95: \d+ / \d+ ms$", out, re.M), out
    # The grid is computed, not played: the same rule gives the same figures on any machine.
    assert int(false[1]) == 0 and int(heard[1]) >= 45, out
