"""The real kiosk in keyboard mode (`run.py --keyboard`), on the virtual ALSA speaker: a scripted
session in each language, checked in the event log, on stdout and in the audio played."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from assistant import PROJECT_DIR
from tests.e2e.kiosk_process import KioskProcess, voiced_s
from tests.virtual_alsa import SPEAKER_NAME, VirtualAlsa

pytestmark = [pytest.mark.e2e, pytest.mark.real_tts, pytest.mark.real_audio, pytest.mark.slow]

IDLE_RESET_S = 3.0

SESSIONS = {
    "sv": {
        "question": "Vad orsakar muskelspasmer?",
        "more": "mer",
        "repeat": "upprepa",
        "slower": "långsammare",
        "out_of_scope": "Var ligger närmaste bensinstation?",
        "switch": "på franska",
        "other": "fr",
        "greeting": "[sv] Hej! Ställ din fråga på svenska.",
        "offer_more": "[sv] Vill du höra mer? Säg ja.",
        "slower_said": "[sv] Nu talar jag långsammare.",
    },
    "fr": {
        "question": "Quelles sont les causes des spasmes musculaires ?",
        "more": "plus",
        "repeat": "répète",
        "slower": "moins vite",
        "out_of_scope": "Où est la gare la plus proche ?",
        "switch": "en suédois",
        "other": "sv",
        "greeting": "[fr] Bonjour ! Posez votre question en français.",
        "offer_more": "[fr] Voulez-vous en savoir plus ? Dites oui.",
        "slower_said": "[fr] Je parle maintenant plus lentement.",
    },
}


def keyboard_toml(folder: Path) -> tuple[Path, Path]:
    event_log = folder / "logs" / "events.jsonl"
    toml = folder / "kiosk.toml"
    toml.write_text(
        f'[content]\nfolder = "{PROJECT_DIR / "content"}"\n'
        f'[audio]\noutput_device = "{SPEAKER_NAME}"\n'
        f"[dialog]\nidle_reset_s = {IDLE_RESET_S}\n"
        '[models]\nfolder = "models"\n'  # empty: no speech models on this machine
        "[speech.voices.sv]\nrate_wpm = 250\n[speech.voices.fr]\nrate_wpm = 250\n"
        f'[logging]\nlevel = "WARNING"\nevent_log = "{event_log}"\n'
    )
    return toml, event_log


def spoken_turn(kiosk: KioskProcess, line: str, *, listen_after: bool = False) -> int:
    """Type ``line``, wait until its answer is audible on the speaker; the turn's first event."""
    played_before = len(kiosk.alsa.speaker_samples())
    start = kiosk.type_line(line)
    kiosk.event("turn", after=start)
    kiosk.event("first-audio", after=start, input="typed")
    time.sleep(0.6)
    new = kiosk.alsa.speaker_samples()[played_before:]
    assert voiced_s(new, kiosk.alsa.speaker_rate_hz) > 0.2, f"no speech for {line!r}"
    if listen_after:
        kiosk.event("state", after=start, to="listening", timeout_s=40)
    return start


@pytest.mark.parametrize("lang", ["sv", "fr"])
def test_keyboard_session(virtual_alsa: VirtualAlsa, tmp_path: Path, lang: str) -> None:
    script = SESSIONS[lang]
    toml, event_log = keyboard_toml(tmp_path)
    virtual_alsa.clear_speaker()
    kiosk = KioskProcess(toml, event_log, virtual_alsa, "--keyboard")
    try:
        kiosk.event("started", timeout_s=30)
        # A question: answered from the documents in the language it was asked in.
        turn = spoken_turn(kiosk, script["question"])
        answer = kiosk.record("answer", after=turn)
        assert answer["lang"] == lang and answer["section"] is not None
        assert 0 < answer["score"] <= 1
        # More, repeat, slower: each spoken.
        more_turn = spoken_turn(kiosk, script["more"])
        spoken_turn(kiosk, script["repeat"])
        slower = spoken_turn(kiosk, script["slower"])
        voice = kiosk.record("voice", after=slower, change="slower")
        assert voice["lang"] == lang and voice["rate_wpm"] == 225
        # Out of scope: no section, the topics instead.
        out = spoken_turn(kiosk, script["out_of_scope"])
        assert kiosk.record("answer", after=out)["section"] is None
        # Switch language, then wait for the idle reset and the greeting.
        switch = spoken_turn(kiosk, script["switch"], listen_after=True)
        kiosk.event("language", after=switch, lang=script["other"])
        kiosk.event("idle-reset", after=switch, timeout_s=IDLE_RESET_S + 10)
        kiosk.close_input()
        code = kiosk.child.wait(60)
    finally:
        kiosk.kill()
    assert code == 0, kiosk.tail()
    out_lines = kiosk.stdout
    assert out_lines.count(script["greeting"]) == 2, out_lines  # at start and after the reset
    assert script["offer_more"] in out_lines and script["slower_said"] in out_lines
    assert all(line.startswith(("[sv] ", "[fr] ")) for line in out_lines), out_lines
    # "more" was read, then repeated: the same (long) line twice.
    greetings = {SESSIONS["sv"]["greeting"], SESSIONS["fr"]["greeting"]}
    repeated = {ln for ln in out_lines if out_lines.count(ln) == 2} - greetings
    assert repeated and all(len(ln) > 60 for ln in repeated), out_lines
    records = kiosk.records()
    names = [r["event"] for r in records]
    assert names[0] == "kiosk-started" and names[-1] == "kiosk-stopped"
    turns = [r for r in records if r["event"] == "turn"]
    assert len(turns) == 6 and all(t["input"] == "typed" for t in turns)
    assert all(isinstance(t["matching_ms"], int) for t in turns)
    firsts = [r for r in records[more_turn:] if r["event"] == "first-audio"]
    assert all(r["latency_ms"] >= 0 for r in firsts)
    # Privacy by default: nothing typed is in the event log.
    assert script["question"] not in event_log.read_text(encoding="utf-8")
    assert "speech input is off (--keyboard)" in kiosk.tail()


def test_without_models_it_says_why(virtual_alsa: VirtualAlsa, tmp_path: Path) -> None:
    """`run.py` without --keyboard on a machine without models (and offline): it says why,
    printed and spoken, and serves typed questions."""
    toml, event_log = keyboard_toml(tmp_path)
    text = toml.read_text().replace(
        '[models]\nfolder = "models"\n',
        '[models]\nfolder = "models"\ndownload_url = "http://127.0.0.1:9/vosk"\n',
    )
    toml.write_text(text)
    virtual_alsa.clear_speaker()
    kiosk = KioskProcess(toml, event_log, virtual_alsa)
    try:
        kiosk.event("input-lost", timeout_s=60)
        spoken_turn(kiosk, "Vad orsakar muskelspasmer?")
        kiosk.close_input()
        code = kiosk.child.wait(60)
    finally:
        kiosk.kill()
    # Not asked for keyboard mode: at the end of its input it exits 1 (a service restarts it).
    assert code == 1, kiosk.tail()
    err = kiosk.tail()
    assert "nothing left to listen to" in err
    assert "installing the speech model" in err and "model-missing" in err, err
    assert "serving typed questions" in err
    # Told why it does not listen: the model is being installed (first), or, once that round
    # has failed, that the microphone does not work.
    told = ("Taligenkänningen installeras", "Mikrofonen fungerar inte")
    assert any(t in line for line in kiosk.stdout for t in told), kiosk.stdout
    assert "Traceback" not in err
