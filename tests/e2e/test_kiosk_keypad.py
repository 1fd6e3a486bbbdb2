"""The real kiosk (`run.py --keyboard`) with a terminal as standard input (a pseudo-terminal),
driven by keys as the terminal sends them: browse to a section, hear it, more, back, switch
language, help, volume, a typed question, the idle warning and the reset; checked in the event
log, the printed lines and the speech captured from the virtual speaker; the terminal's modes
are given back at the end."""

from __future__ import annotations

import os
import pty
import termios
import time
from pathlib import Path

import pytest

from assistant import PROJECT_DIR
from assistant.kiosk.texts import text
from tests.e2e.kiosk_process import KioskProcess, voiced_s
from tests.virtual_alsa import SPEAKER_NAME, VirtualAlsa

pytestmark = [pytest.mark.e2e, pytest.mark.real_tts, pytest.mark.real_audio, pytest.mark.slow]

DOWN, UP, RIGHT, LEFT = b"\x1b[B", b"\x1b[A", b"\x1b[C", b"\x1b[D"
ENTER, BACKSPACE, F1 = b"\r", b"\x7f", b"\x1bOP"


def keypad_toml(folder: Path) -> tuple[Path, Path]:
    event_log = folder / "logs" / "events.jsonl"
    toml = folder / "kiosk.toml"
    toml.write_text(
        f'[content]\nfolder = "{PROJECT_DIR / "content"}"\n'
        f'[audio]\noutput_device = "{SPEAKER_NAME}"\n'
        "[dialog]\nidle_reset_s = 8.0\nidle_warning_s = 4.0\n"
        '[models]\nfolder = "models"\n'
        "[speech.voices.sv]\nrate_wpm = 300\n[speech.voices.fr]\nrate_wpm = 300\n"
        f'[logging]\nlevel = "WARNING"\nevent_log = "{event_log}"\n'
    )
    return toml, event_log


def test_browse_the_documents_by_keys(virtual_alsa: VirtualAlsa, tmp_path: Path) -> None:
    toml, event_log = keypad_toml(tmp_path)
    master, slave = pty.openpty()
    before = termios.tcgetattr(slave)
    virtual_alsa.clear_speaker()
    kiosk = KioskProcess(toml, event_log, virtual_alsa, "--keyboard", stdin=slave)

    def press(keys: bytes) -> int:
        start = len(kiosk.records())
        os.write(master, keys)
        return start

    try:
        kiosk.event("started", timeout_s=60)
        # cbreak mode: no line editing, no echo (the kiosk echoes typed text itself)
        deadline = time.monotonic() + 10
        while termios.tcgetattr(slave)[3] & termios.ICANON and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not termios.tcgetattr(slave)[3] & (termios.ICANON | termios.ECHO)
        # Down, and the keypad's 2: the sections of the one Swedish document, with position.
        at = press(DOWN)
        first = kiosk.record("topic", after=at, lang="sv", section=1)
        assert first["position"] == 1 and first["count"] == 5
        at = press(b"2")
        assert kiosk.record("key", after=at)["action"] == "down"
        kiosk.record("topic", after=at, section=2)
        # Enter reads it, Enter again reads more.
        at = press(ENTER)
        answer = kiosk.record("answer", after=at, section=2)
        assert answer["lang"] == "sv" and answer["score"] == 1.0
        kiosk.event("state", after=at, to="listening", timeout_s=60)  # heard to the end
        at = press(ENTER)
        kiosk.record("key", after=at, action="select")
        kiosk.event("state", after=at, to="listening", timeout_s=60)
        # Backspace on an empty line: up to the top.
        at = press(BACKSPACE)
        kiosk.record("key", after=at, action="back")
        # Up from the top: the last section; Right: the same section in French.
        at = press(UP)
        kiosk.record("topic", after=at, section=5, lang="sv")
        at = press(RIGHT)
        kiosk.record("language", after=at, lang="fr")
        kiosk.record("topic", after=at, section=5, lang="fr")
        # F1: what the keys do; "-": quieter.
        at = press(F1)
        kiosk.record("key", after=at, action="help")
        at = press(b"-")
        assert kiosk.record("voice", after=at, change="quieter")["lang"] == "fr"
        # A typed line is still a question, answered in its language.
        at = press(b"Quelles sont les causes des spasmes musculaires ?" + ENTER)
        kiosk.record("answer", after=at, lang="fr", section=2)
        kiosk.event("state", after=at, to="listening", timeout_s=60)
        # Nothing more: the warning, then the reset and the greeting.
        warned = kiosk.event("idle-warning", after=at, timeout_s=30)
        kiosk.event("idle-reset", after=warned, timeout_s=30)
        code, _ = kiosk.terminate(20)
    finally:
        kiosk.kill()
    after = termios.tcgetattr(slave)
    os.close(master)
    os.close(slave)
    assert code == 0, kiosk.tail()
    assert after[3] == before[3], "the terminal's modes are given back"
    heard_s = voiced_s(virtual_alsa.speaker_samples(), virtual_alsa.speaker_rate_hz)
    assert heard_s > 5.0, f"what was printed was also heard: {heard_s:.1f} s of speech"
    lines = kiosk.stdout
    assert "[sv] Vad muskelspasmer är, 1 av 5." in lines
    assert "[sv] Orsaker, 2 av 5." in lines
    assert f"[sv] {text('key_offer_more', 'sv')}" in lines
    assert f"[sv] {text('nav_top', 'sv')}" in lines
    assert "[fr] Quand s'inquiéter, 5 sur 5." in lines or any(
        ln.startswith("[fr] ") and ln.endswith("5 sur 5.") for ln in lines
    )
    assert f"[fr] {text('key_help', 'fr')}" in lines
    assert f"[fr] {text('now_quieter', 'fr')}" in lines
    assert f"[fr] {text('idle_warning', 'fr')}" in lines
    greeting = f"[sv] {text('greeting', 'sv')}"
    assert lines.count(greeting) == 2, lines  # at the start and after the reset
    more = lines[lines.index(f"[sv] {text('key_offer_more', 'sv')}") + 1]
    assert more.startswith("[sv] ") and len(more) > 40  # the rest of the section
    assert "Traceback" not in kiosk.tail()
