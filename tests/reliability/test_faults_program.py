"""Faults met by the real program (``run.py``) on virtual ALSA devices, each with the expected
behaviour: the speaker vanishing in the middle of an answer, a full disk under the event log,
SIGTERM while answering, and the content turning malformed before a reload."""

from __future__ import annotations

import shutil
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant import PROJECT_DIR
from tests.e2e.kiosk_process import KioskProcess, voiced_s
from tests.virtual_alsa import SPEAKER_NAME, VirtualAlsa

pytestmark = [pytest.mark.e2e, pytest.mark.real_audio, pytest.mark.real_tts, pytest.mark.slow]

QUESTION = "Vad är kramp?"


def keyboard_toml(folder: Path, *, event_log: str, content: Path | None = None) -> Path:
    toml = folder / "kiosk.toml"
    toml.write_text(
        f'[content]\nfolder = "{content or PROJECT_DIR / "content"}"\n'
        f'[audio]\noutput_device = "{SPEAKER_NAME}"\n'
        f'[logging]\nlevel = "INFO"\nevent_log = "{event_log}"\n',
        encoding="utf-8",
    )
    return toml


@pytest.fixture
def alsa(tmp_path: Path) -> Iterator[VirtualAlsa]:
    """Devices of this test alone (their speaker is unplugged here)."""
    devices = VirtualAlsa(tmp_path / "alsa")
    yield devices
    devices.close()


def clean_exit(kiosk: KioskProcess, timeout_s: float = 60.0) -> int:
    kiosk.close_input()
    try:
        return kiosk.child.wait(timeout_s)
    finally:
        kiosk.kill()


def test_speaker_vanishing_mid_answer_is_one_outage_and_serves_on_once_back(
    alsa: VirtualAlsa, tmp_path: Path
) -> None:
    """The loudspeaker unplugged mid-answer: one outage record (not one failure per sentence),
    answers printed while it lasts, no first-audio for audio that never played; plugged back,
    the kiosk finds it by itself and speaks again."""
    log = tmp_path / "events.jsonl"
    kiosk = KioskProcess(keyboard_toml(tmp_path, event_log=str(log)), log, alsa, "--keyboard")
    try:
        kiosk.event("state", to="listening", timeout_s=60)
        asked = kiosk.type_line(QUESTION)
        kiosk.event("first-audio", after=asked)
        time.sleep(0.3)  # the answer is playing
        alsa.unplug_speaker()
        lost = kiosk.record("speech-output-lost", after=asked, timeout_s=10)
        assert lost["at_start"] is False
        kiosk.event("state", after=asked, to="listening", timeout_s=10)  # not stuck speaking
        time.sleep(0.5)  # the listening tone is not tried while the outage lasts
        # Asked while the speaker is gone: the turn is answered (printed), nothing is played.
        gone = kiosk.type_line(QUESTION)
        kiosk.event("turn", after=gone)
        kiosk.event("state", after=gone, to="listening", timeout_s=10)
        time.sleep(0.5)
        replugged = len(kiosk.records())
        alsa.replug_speaker()
        alsa.clear_speaker()
        kiosk.event("speech-output-back", after=replugged, timeout_s=30)
        back = kiosk.type_line(QUESTION)
        kiosk.event("first-audio", after=back, timeout_s=20)
        time.sleep(1.0)
        assert voiced_s(alsa.speaker_samples(), alsa.speaker_rate_hz) > 0.3, "heard again"
        code = clean_exit(kiosk)
    finally:
        alsa.replug_speaker()
        kiosk.kill()
    assert code == 0, kiosk.tail()
    assert "Traceback" not in kiosk.tail()
    records = kiosk.records()
    names = [r["event"] for r in records]
    assert names[-1] == "kiosk-stopped" and records[-1]["turns"] == 3
    assert names.count("speech-output-lost") == 1 and names.count("speech-output-back") == 1
    assert "speech-failed" not in names[gone:replugged], "no failure per sentence while it lasts"
    assert "first-audio" not in names[gone:replugged], "nothing reached the device"
    assert sum(line.startswith("[sv] ") for line in kiosk.stdout) >= 3, "every answer printed"


def test_full_disk_under_the_event_log_loses_no_answer(alsa: VirtualAlsa, tmp_path: Path) -> None:
    toml = keyboard_toml(tmp_path, event_log="/dev/full")
    kiosk = KioskProcess(toml, tmp_path / "unused.jsonl", alsa, "--keyboard")
    try:
        for _ in range(3):
            kiosk.type_line(QUESTION)
        code = clean_exit(kiosk, 120)
    finally:
        kiosk.kill()
    assert code == 0, kiosk.tail()
    answers = [line for line in kiosk.stdout if line.startswith("[sv] ")]
    assert len(answers) >= 3, kiosk.stdout  # each question answered (and a greeting)
    warnings = [line for line in kiosk.stderr if "event log /dev/full cannot be written" in line]
    assert len(warnings) == 1, "said once, not once per event"
    assert "Traceback" not in kiosk.tail()


def test_sigterm_while_answering_exits_within_two_seconds(
    alsa: VirtualAlsa, tmp_path: Path
) -> None:
    log = tmp_path / "events.jsonl"
    kiosk = KioskProcess(keyboard_toml(tmp_path, event_log=str(log)), log, alsa, "--keyboard")
    try:
        kiosk.event("state", to="listening", timeout_s=60)
        asked = kiosk.type_line(QUESTION)
        kiosk.event("first-audio", after=asked)
        time.sleep(0.5)
        assert kiosk.records()[-1]["event"] != "state", "still answering"
        code, took_s = kiosk.terminate()
    finally:
        kiosk.kill()
    assert code == 0 and took_s < 2.0, (code, took_s, kiosk.tail())
    last = kiosk.records()[-1]
    assert last["event"] == "kiosk-stopped" and last["reason"] == "SIGTERM"
    assert "Traceback" not in kiosk.tail()


def malform(content: Path) -> None:
    """Damage every document of a content folder (invalid YAML front matter, broken UTF-8)."""
    for doc in content.glob("*.*.md"):
        doc.write_bytes(b"---\ntitle: [unclosed\n---\n\xff\xfe# \n")


def test_malformed_content_on_reload_keeps_the_last_good_content(
    alsa: VirtualAlsa, tmp_path: Path
) -> None:
    content = tmp_path / "content"
    shutil.copytree(PROJECT_DIR / "content", content)
    log = tmp_path / "events.jsonl"
    toml = keyboard_toml(tmp_path, event_log=str(log), content=content)
    kiosk = KioskProcess(toml, log, alsa, "--keyboard")
    try:
        kiosk.event("state", to="listening", timeout_s=60)
        asked = kiosk.type_line(QUESTION)
        good = kiosk.record("answer", after=asked)
        assert good["section"] is not None
        malform(content)
        start = len(kiosk.records())
        kiosk.child.send_signal(signal.SIGHUP)
        failed = kiosk.record("content-reload-failed", after=start, timeout_s=20)
        assert failed["code"]
        again = kiosk.type_line(QUESTION)
        kept = kiosk.record("answer", after=again)
        assert (kept["document"], kept["section"]) == (good["document"], good["section"])
        # Repaired: the next reload takes it.
        shutil.rmtree(content)
        shutil.copytree(PROJECT_DIR / "content", content)
        start = len(kiosk.records())
        kiosk.child.send_signal(signal.SIGHUP)
        kiosk.event("content-reloaded", after=start, timeout_s=20)
        code = clean_exit(kiosk)
    finally:
        kiosk.kill()
    assert code == 0, kiosk.tail()
    assert "Traceback" not in kiosk.tail()
