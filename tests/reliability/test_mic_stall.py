"""A microphone that stops delivering while its stream stays open (a hung device or driver),
met by the real program on the virtual devices: the kiosk notices the starved stream, says so
(closing the hung stream cannot wait for it: PortAudio's capture thread waits in the driver),
reopens the microphone and answers again once audio flows."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from assistant.speech_in.sources import STARVED_S
from tests.reliability.voice_session import VoiceSession, voice_toml
from tests.virtual_alsa import VirtualAlsa

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.real_audio,
    pytest.mark.real_vosk,
    pytest.mark.real_tts,
    pytest.mark.slow,
]


def test_a_stalled_microphone_is_noticed_reopened_and_heard_again(
    ko_model_dir: Path, tmp_path: Path
) -> None:
    alsa = VirtualAlsa(tmp_path / "alsa", speed=1.5)  # faster than real time: no echo guard
    toml, event_log = voice_toml(tmp_path, ko_model_dir, endpoint_silence_s=0.3, echo_guard=False)
    session = VoiceSession(toml, event_log, alsa, utterances=("학교",))
    kiosk = session.process
    try:
        session.wait_listening()
        session.turn(wait_answer=False, silence_after_s=0.3)
        start = len(kiosk.records())
        alsa.stall_mic()
        lost = kiosk.record("mic-lost", after=start, timeout_s=STARVED_S + 15)
        alsa.unstall_mic()
        kiosk.event("input-back", after=start, timeout_s=30)
        # The stream is reopened and heard: the next utterance is answered.
        session.turn(wait_answer=False, silence_after_s=0.3)
        code, _ = session.close()
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n{kiosk.tail()}\n{session.diagnose()}") from None
    finally:
        kiosk.kill()
        alsa.close()
    assert lost["code"] == "mic-lost"
    # The hung stream's close was given up on (it finished once audio flowed again).
    assert any("did not close within" in line for line in kiosk.stderr), kiosk.tail()
    assert code == 0, kiosk.tail()
    assert "Traceback" not in "\n".join(kiosk.stderr)


def test_the_kiosk_stops_while_its_microphone_hangs(ko_model_dir: Path, tmp_path: Path) -> None:
    """SIGTERM with the hung stream still closing: the program exits 0 (PortAudio is not shut
    down at exit: that would wait on the stream forever)."""
    alsa = VirtualAlsa(tmp_path / "alsa", speed=1.5)  # faster than real time: no echo guard
    toml, event_log = voice_toml(tmp_path, ko_model_dir, endpoint_silence_s=0.3, echo_guard=False)
    session = VoiceSession(toml, event_log, alsa, utterances=("학교",))
    kiosk = session.process
    try:
        session.wait_listening()
        start = len(kiosk.records())
        alsa.stall_mic()
        kiosk.event("mic-lost", after=start, timeout_s=STARVED_S + 15)
        code, _ = kiosk.terminate(timeout_s=10.0)
    except (AssertionError, subprocess.TimeoutExpired) as exc:
        raise AssertionError(f"{exc}\n{kiosk.tail()}\n{session.diagnose()}") from None
    finally:
        kiosk.kill()
        alsa.unstall_mic()
        alsa.close()
    assert code == 0, kiosk.tail()
    assert kiosk.records()[-1]["event"] == "kiosk-stopped"
