"""The real kiosk program without its loudspeaker (the virtual speaker absent from the ALSA
configuration, as a device that is not plugged in): doctor and the kiosk say the same thing,
the kiosk answers typed questions in print, logs the outage once, logs no first-audio for audio
that never played, and speaks again once the speaker is plugged in, without a restart."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant import PROJECT_DIR
from tests.e2e.kiosk_process import KioskProcess, voiced_s
from tests.e2e.test_kiosk_keyboard import keyboard_toml
from tests.virtual_alsa import VirtualAlsa

pytestmark = [pytest.mark.e2e, pytest.mark.real_tts, pytest.mark.real_audio, pytest.mark.slow]

QUESTIONS = ["Vad orsakar muskelspasmer?", "mer", "Quand faut-il s'inquiéter ?", "hjälp"]


def test_without_a_speaker_doctor_and_kiosk_agree_and_the_kiosk_serves_in_print(
    virtual_alsa: VirtualAlsa, tmp_path: Path
) -> None:
    toml, event_log = keyboard_toml(tmp_path)
    with toml.open("a") as f:  # the project's vectors of the documents: no encoding at start
        f.write(f'[matching]\ncache_folder = "{PROJECT_DIR / "cache"}"\n')
    virtual_alsa.set_present(mic=True, speaker=False)
    kiosk: KioskProcess | None = None
    try:
        doctor = subprocess.run(
            [sys.executable, "run.py", "--config", str(toml), "doctor", "--keyboard"],
            check=False,
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, **virtual_alsa.env()},
        )
        assert doctor.returncode == 1
        verdict = doctor.stdout.splitlines()[-1]
        assert verdict.startswith("NOT READY: no loudspeaker")

        kiosk = KioskProcess(toml, event_log, virtual_alsa, "--keyboard")
        kiosk.event("speech-output-lost", timeout_s=180, at_start=True)
        for question in QUESTIONS:
            start = kiosk.type_line(question)
            kiosk.event("turn", after=start)
            kiosk.event("state", after=start, to="listening", timeout_s=20)
        answered = len(kiosk.stdout)
        assert any(line.startswith("[fr] ") for line in kiosk.stdout[2:]), kiosk.stdout
        names = [r["event"] for r in kiosk.records()]
        assert "first-audio" not in names and "speech-failed" not in names
        assert names.count("speech-output-lost") == 1
        # The kiosk said what doctor says, once, and nothing per sentence.
        assert f"readiness: {verdict}" in kiosk.stderr
        assert sum("nosuch" in ln or "device-missing" in ln for ln in kiosk.stderr) <= 1
        assert len(kiosk.stderr) <= 8, kiosk.tail()

        # Plugged in: the re-check finds it, and the next answer is heard.
        virtual_alsa.set_present(mic=True, speaker=True)
        virtual_alsa.clear_speaker()
        kiosk.event("speech-output-back", timeout_s=30)
        start = kiosk.type_line("Vad orsakar muskelspasmer?")
        kiosk.event("first-audio", after=start, input="typed", timeout_s=30)
        time.sleep(0.6)
        assert voiced_s(virtual_alsa.speaker_samples(), virtual_alsa.speaker_rate_hz) > 0.2
        assert len(kiosk.stdout) > answered
        assert [r["event"] for r in kiosk.records()].count("speech-output-back") == 1
        kiosk.close_input()
        assert kiosk.child.wait(60) == 0, kiosk.tail()
    finally:
        virtual_alsa.set_present(mic=True, speaker=True)
        if kiosk is not None:
            kiosk.kill()
