"""The echo path of the virtual devices with the real kiosk program: its own voice in its mic.

The kiosk (``run.py``, hands-free, Korean test model) answers typed questions aloud on the
virtual ALSA speaker; with ``echo_gain`` the harness feeds that sound back into the virtual
microphone (bench/bench_echo.py measures the barge-ins it causes). What the program captured is
in the ``file`` plugin's copy of the capture stream (``mic-echo.raw``): with the echo on it
holds the kiosk's voice though nobody spoke; without it (the default) it stays silent.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from assistant import PROJECT_DIR

sys.path.append(str(PROJECT_DIR / "bench"))
import bench_echo

pytestmark = [pytest.mark.e2e, pytest.mark.real_audio, pytest.mark.real_vosk, pytest.mark.slow]


def captured_voiced_s(folder: Path) -> float:
    raw = (folder / "alsa" / "mic-echo.raw").read_bytes()
    samples = np.frombuffer(raw[: len(raw) // 2 * 2], "<i2").astype(np.int32)
    return float(np.count_nonzero(np.abs(samples) > 500)) / 16000


@pytest.mark.parametrize("gain", [0.3, 0.0])
def test_the_kiosks_voice_reaches_its_microphone_only_with_the_echo_path(
    tmp_path: Path, gain: float
) -> None:
    session = bench_echo.EchoSession(tmp_path, gain=gain)
    try:
        answers = [session.answer(delay, visitor=False) for delay in (10, 60)]
    finally:
        session.close()
    assert len(answers) == 2
    heard = captured_voiced_s(tmp_path)
    if gain > 0:
        assert heard > 1.0, f"only {heard:.2f} s of the answers came back into the microphone"
    else:
        assert heard == 0.0 and all(a.false_barge_ins == 0 for a in answers)


def test_a_visitor_over_the_echo_is_heard(tmp_path: Path) -> None:
    session = bench_echo.EchoSession(tmp_path, gain=0.3)
    try:
        answer = session.answer(30, visitor=True)
    finally:
        session.close()
    # The kiosk stopped for someone during that answer: its echo or the visitor.
    assert answer.detected or answer.false_barge_ins > 0
