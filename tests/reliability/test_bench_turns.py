"""Smoke test of the end-to-end turn benchmark: it runs with ``--quick`` and prints every stage
(no timing is asserted; speed is measured by the script, not the tests)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from assistant import PROJECT_DIR

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.real_audio,
    pytest.mark.real_vosk,
    pytest.mark.real_tts,
    pytest.mark.slow,
]


def test_turn_benchmark_prints_startup_and_every_stage() -> None:
    done = subprocess.run(
        [sys.executable, "bench/bench_turns.py", "--quick"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.startswith("model: vosk-model-small-ko-test"), out
    assert re.search(r"^start-up to listening: median [\d.]+ s", out, re.M), out
    for stage in (
        "endpointing",
        "final transcript and language choice",
        "matching",
        "synthesis to first audio",
        "output buffers to the speaker",
        "total: end of voice to answer on the speaker",
    ):
        assert re.search(
            rf"^turn {re.escape(stage)}.*: p50 -?\d+ ms, p95 -?\d+ ms, max -?\d+ ms \(n=[1-5]\)$",
            out,
            re.M,
        ), (stage, out)
