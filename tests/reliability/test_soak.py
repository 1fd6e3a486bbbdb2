"""Soak: many voice turns through the real program on the virtual devices (real Vosk, real
espeak-ng), with the program's resident memory, threads and open file descriptors sampled;
growth beyond 10 % after the warm-up fails, and so does any turn lost.

In CI: ``CI_SOAK_TURNS`` turns; ``--long`` or ``ROSTGUIDEN_SOAK_TURNS=50000`` for the long run.
Each next utterance interrupts the answer once its first audio has played (barge-in), and the
devices run faster than real time (``ROSTGUIDEN_SOAK_SPEED``), so turns stay short.
"""

from __future__ import annotations

import logging
import os
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest

from tests.reliability.voice_session import VoiceSession, voice_toml
from tests.virtual_alsa import VirtualAlsa

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.real_audio,
    pytest.mark.real_vosk,
    pytest.mark.real_tts,
    pytest.mark.slow,
]

logger = logging.getLogger(__name__)

WARMUP_TURNS = 20
#: Samples averaged at each end of the run (medians: a stream being opened is not a leak).
EDGE_SAMPLES = 5
MAX_GROWTH = 0.10


@dataclass(frozen=True)
class Sample:
    turn: int
    rss_mb: float
    threads: int
    fds: int


def sample(process: psutil.Process, turn: int) -> Sample:
    return Sample(turn, process.memory_info().rss / 1e6, process.num_threads(), process.num_fds())


def growth(samples: list[Sample], what: str) -> tuple[float, float]:
    """Median of the first and the last :data:`EDGE_SAMPLES` values of ``what``."""
    values = [float(getattr(s, what)) for s in samples]
    return statistics.median(values[:EDGE_SAMPLES]), statistics.median(values[-EDGE_SAMPLES:])


def test_soak_voice_turns_keep_memory_threads_and_fds_flat(
    ko_model_dir: Path, tmp_path: Path, soak_turns: int
) -> None:
    speed = float(os.environ.get("ROSTGUIDEN_SOAK_SPEED", "1.5"))
    alsa = VirtualAlsa(tmp_path / "alsa", speed=speed)
    toml, event_log = voice_toml(tmp_path, ko_model_dir, endpoint_silence_s=0.3)
    session = VoiceSession(toml, event_log, alsa, utterances=("학교",))
    try:
        session.wait_listening()
        child = psutil.Process(session.process.child.pid)
        for _ in range(WARMUP_TURNS):
            session.turn(wait_answer=False, silence_after_s=0.3)
        every = max(1, soak_turns // 60)
        samples = [sample(child, 0)]
        started = time.monotonic()
        for turn in range(1, soak_turns + 1):
            try:
                session.turn(wait_answer=False, silence_after_s=0.3)
            except AssertionError as exc:
                raise AssertionError(f"turn {turn}: {exc}\n{session.process.tail()}") from None
            if turn % every == 0 or turn == soak_turns:
                samples.append(sample(child, turn))
                logger.info("soak: %s", samples[-1])
        took_s = time.monotonic() - started
        code, exit_s = session.close()
    finally:
        session.process.kill()
        alsa.close()
    records = session.process.records()
    names = [r["event"] for r in records]
    total = WARMUP_TURNS + soak_turns
    print(
        f"soak: {soak_turns} turns after {WARMUP_TURNS} warm-up in {took_s:.0f} s "
        f"(speed {speed}); first/last samples {samples[0]} {samples[-1]}"
    )
    assert code == 0 and exit_s < 2.0, session.process.tail()
    assert names.count("turn") == total, "every utterance is a turn: none lost"
    assert names.count("first-audio") == total, "every turn was answered aloud"
    assert "turn-failed" not in names and "speech-failed" not in names
    assert "mic-lost" not in names and "Traceback" not in session.process.tail()
    assert records[-1]["event"] == "kiosk-stopped" and records[-1]["turns"] == total
    for what in ("rss_mb", "threads", "fds"):
        first, last = growth(samples, what)
        assert last <= first * (1 + MAX_GROWTH), f"{what} grew from {first} to {last}: {samples}"
