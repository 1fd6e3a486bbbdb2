"""Soak: many voice turns through the real program on the virtual devices (real Vosk, real
espeak-ng), with the program's resident memory, threads and open file descriptors sampled;
growth beyond 10 % after the warm-up fails, and so does any turn lost.

In CI: ``CI_SOAK_TURNS`` turns; ``--long`` or ``ROSTGUIDEN_SOAK_TURNS=50000`` for the long run.
Each next utterance interrupts the answer once its first audio has played (barge-in), and the
devices run faster than real time (``ROSTGUIDEN_SOAK_SPEED``), so turns stay short; there the
echo guard is off, because it dates the microphone's samples by when they arrive, which holds
only for a microphone delivering at its nominal rate (``ROSTGUIDEN_SOAK_ECHO_GUARD=1`` with
``ROSTGUIDEN_SOAK_SPEED=1`` runs it with the guard). A second soak runs the default
configuration, echo guard on, on devices in real time (:data:`GUARD_SOAK_TURNS` turns).
"""

from __future__ import annotations

import os
import re
import signal
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest

from assistant.kiosk.eventlog import rotated_path
from tests.reliability.voice_session import VoiceSession, process_threads, voice_toml
from tests.virtual_alsa import VirtualAlsa

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.real_audio,
    pytest.mark.real_vosk,
    pytest.mark.real_tts,
    pytest.mark.slow,
]

WARMUP_TURNS = 20
#: Samples averaged at each end of the run (medians: a stream being opened is not a leak).
EDGE_SAMPLES = 5
MAX_GROWTH = 0.10
#: The event log rotates every 80 turns or so: the soak counts every turn across rotations.
EVENT_LOG_MAX_MB = 0.05
#: Turns of the real-time soak with the default echo guard (about 1.4 s each).
GUARD_SOAK_TURNS = 120


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


def progress(now: Sample, total: int, elapsed_s: float) -> None:
    """One line per sample on standard output (shown with ``-s``: a long run can be followed
    and, if it is stopped, still tells how far it got and how the program grew)."""
    print(
        f"soak: turn {now.turn}/{total} after {elapsed_s:.0f} s: rss {now.rss_mb:.0f} MB, "
        f"{now.threads} threads, {now.fds} fds",
        flush=True,
    )


def turn_or_diagnose(session: VoiceSession, turn: int) -> None:
    """One turn (numbered from 1 after the warm-up); a stalled or failed one fails with what
    both sides were doing (the program's thread stacks and states, the devices' feeders)."""
    try:
        session.turn(wait_answer=False, silence_after_s=0.3)
    except AssertionError as exc:
        raise AssertionError(
            f"turn {turn}: {exc}\n{session.process.tail()}\n{session.diagnose()}"
        ) from None


def test_soak_voice_turns_keep_memory_threads_and_fds_flat(
    ko_model_dir: Path, tmp_path: Path, soak_turns: int
) -> None:
    speed = float(os.environ.get("ROSTGUIDEN_SOAK_SPEED", "1.5"))
    guard = os.environ.get("ROSTGUIDEN_SOAK_ECHO_GUARD", "") == "1"
    soak(ko_model_dir, tmp_path, soak_turns, speed, echo_guard=guard)


def test_soak_in_real_time_with_the_default_echo_guard(ko_model_dir: Path, tmp_path: Path) -> None:
    """The default configuration (the echo guard on, every voice barge-in through its rule):
    no utterance lost, none split, nothing grows."""
    soak(ko_model_dir, tmp_path, GUARD_SOAK_TURNS, 1.0, echo_guard=None)


def soak(
    ko_model_dir: Path, tmp_path: Path, soak_turns: int, speed: float, echo_guard: bool | None
) -> None:
    """``soak_turns`` voice turns after :data:`WARMUP_TURNS` on devices running ``speed``
    times real time; ``echo_guard`` as for :func:`voice_toml`."""
    alsa = VirtualAlsa(tmp_path / "alsa", speed=speed)
    toml, event_log = voice_toml(
        tmp_path,
        ko_model_dir,
        endpoint_silence_s=0.3,
        event_log_max_mb=EVENT_LOG_MAX_MB,
        echo_guard=echo_guard,
    )
    session = VoiceSession(toml, event_log, alsa, utterances=("학교",))
    try:
        session.wait_listening()
        child = psutil.Process(session.process.child.pid)
        for turn in range(1 - WARMUP_TURNS, 1):
            turn_or_diagnose(session, turn)
        every = max(1, soak_turns // 60)
        samples = [sample(child, 0)]
        started = time.monotonic()
        for turn in range(1, soak_turns + 1):
            turn_or_diagnose(session, turn)
            if turn % every == 0 or turn == soak_turns:
                samples.append(sample(child, turn))
                progress(samples[-1], soak_turns, time.monotonic() - started)
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
    rotated = rotated_path(event_log)
    assert rotated.exists(), "the event log was rotated"
    on_disk = event_log.stat().st_size + rotated.stat().st_size
    assert on_disk <= 2 * EVENT_LOG_MAX_MB * 1e6, f"{on_disk} bytes of event log"
    for what in ("rss_mb", "threads", "fds"):
        first, last = growth(samples, what)
        assert last <= first * (1 + MAX_GROWTH), f"{what} grew from {first} to {last}: {samples}"


def test_a_stall_report_shows_the_program_stacks_and_both_ends_of_the_devices(
    ko_model_dir: Path, tmp_path: Path
) -> None:
    """The program frozen (SIGSTOP): the devices show the microphone pipe full and unread, its
    threads stopped; resumed, SIGUSR1 dumps every thread's stack and the program goes on."""
    alsa = VirtualAlsa(tmp_path / "alsa", speed=1.5)  # faster than real time: no echo guard
    toml, event_log = voice_toml(tmp_path, ko_model_dir, endpoint_silence_s=0.3, echo_guard=False)
    session = VoiceSession(toml, event_log, alsa, utterances=("학교",))
    pid = session.process.child.pid
    try:
        session.wait_listening()
        os.kill(pid, signal.SIGSTOP)
        try:
            time.sleep(1.0)
            frozen, threads = alsa.state(), process_threads(pid)
        finally:
            os.kill(pid, signal.SIGCONT)
        report = session.diagnose()
        session.turn(wait_answer=False, silence_after_s=0.3)  # the dump did not stop it
        code, _ = session.close()
    finally:
        session.process.kill()
        alsa.close()
    assert "pipe full (the program is not reading)" in frozen, frozen
    assert "thread virtual-mic (alive: True)" in frozen and "_feed_mic" in frozen, frozen
    assert all(": state T," in line for line in threads.splitlines()), threads
    assert len(threads.splitlines()) >= 3, threads  # main, listener, PortAudio at least
    assert re.search(r"^(Current thread|Thread) 0x", report, re.MULTILINE), report
    assert 'run.py", line' in report and " in <module>" in report, report  # the main thread
    assert "in _pump" in report and "kiosk.py" in report, report  # the listener, the loop
    assert "not blocked" in report.split("--- the harness's devices:")[1], report
    assert code == 0, session.process.tail()
