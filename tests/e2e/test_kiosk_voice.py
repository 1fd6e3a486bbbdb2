"""The real kiosk listening on the virtual ALSA microphone, with the real Korean Vosk model
standing in for recognition (``recognition.language = "ko"``): turns, barge-in, the microphone
vanishing and coming back, and a clean SIGTERM."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from assistant import PROJECT_DIR
from tests.e2e.kiosk_process import KioskProcess, voiced_s
from tests.speech_input_support import KO_MODEL_NAME, ko_config, ko_pcm
from tests.virtual_alsa import MIC_NAME, SPEAKER_NAME, VirtualAlsa

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.real_audio,
    pytest.mark.real_vosk,
    pytest.mark.real_tts,
    pytest.mark.slow,
]


def voice_toml(folder: Path, ko_model_dir: Path) -> tuple[Path, Path]:
    models = ko_config(ko_model_dir).models.folder
    event_log = folder / "events.jsonl"
    toml = folder / "kiosk.toml"
    toml.write_text(
        f'[content]\nfolder = "{PROJECT_DIR / "content"}"\n'
        f'[audio]\ninput_device = "{MIC_NAME}"\noutput_device = "{SPEAKER_NAME}"\n'
        "block_s = 0.02\n"
        '[recognition]\nlanguage = "ko"\nendpoint_silence_s = 0.5\nmax_utterance_s = 6.0\n'
        f'[models]\nfolder = "{models}"\n[models.languages]\nko = "{KO_MODEL_NAME}"\n'
        '[dialog]\nmode = "hands-free"\nvoice_barge_in = true\n'
        f'[logging]\nlevel = "INFO"\nevent_log = "{event_log}"\nstore_transcripts = true\n'
    )
    return toml, event_log


def say_into_mic(alsa: VirtualAlsa, text: str) -> None:
    alsa.play_into_mic(ko_pcm(text, rate_hz=alsa.mic_rate_hz).samples, silence_after_s=1.0)


def test_spoken_session_barge_in_and_microphone_recovery(
    virtual_alsa: VirtualAlsa, ko_model_dir: Path, tmp_path: Path
) -> None:
    toml, event_log = voice_toml(tmp_path, ko_model_dir)
    for text in ("안녕하세요", "감사합니다", "학교"):
        ko_pcm(text)  # rendered before the clock starts
    virtual_alsa.clear_speaker()
    kiosk = KioskProcess(toml, event_log, virtual_alsa)
    try:
        kiosk.event("state", to="listening", timeout_s=60)  # greeted, listening
        # A turn: an utterance, then a spoken response.
        played = len(virtual_alsa.speaker_samples())
        start = len(kiosk.records())
        say_into_mic(virtual_alsa, "안녕하세요")
        heard = kiosk.record("heard", after=start)
        assert heard["text"] and heard["lang"] == "sv"  # Korean: the dialog's language
        turn = kiosk.record("turn", after=start, input="voice")
        assert turn["lang"] == "sv" and turn["transcript_ms"] >= 0
        kiosk.event("first-audio", after=start, input="voice")
        time.sleep(0.5)
        new = virtual_alsa.speaker_samples()[played:]
        assert voiced_s(new, virtual_alsa.speaker_rate_hz) > 0.2
        # Barge-in: speaking while the kiosk talks stops it, and the kiosk listens.
        barge = len(kiosk.records())
        say_into_mic(virtual_alsa, "감사합니다")
        kiosk.event("barge-in", after=barge, by="voice", timeout_s=15)
        kiosk.event("heard", after=barge, timeout_s=15)
        virtual_alsa.wait_mic_idle(15)
        # The microphone vanishes: the kiosk says so and keeps going; it comes back.
        lost = len(kiosk.records())
        virtual_alsa.unplug_mic()
        kiosk.event("input-lost", after=lost, timeout_s=20)
        virtual_alsa.replug_mic()
        back = kiosk.event("input-back", after=lost, timeout_s=30)
        kiosk.event("state", after=back, to="listening", timeout_s=30)
        again = len(kiosk.records())
        say_into_mic(virtual_alsa, "학교")
        kiosk.event("heard", after=again, timeout_s=20)
        kiosk.event("first-audio", after=again, input="voice", timeout_s=20)
        code, took_s = kiosk.terminate()
    finally:
        virtual_alsa.replug_mic()
        virtual_alsa.wait_mic_idle(10)
        kiosk.kill()
    assert code == 0, kiosk.tail()
    assert took_s < 2.0, f"SIGTERM took {took_s:.1f} s"
    names = [r["event"] for r in kiosk.records()]
    assert names[-1] == "kiosk-stopped"
    assert kiosk.records()[-1]["reason"] == "SIGTERM"
    assert "Traceback" not in kiosk.tail()
