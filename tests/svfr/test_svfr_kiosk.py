"""Opt-in tier: the real kiosk answering spoken Swedish and French questions on the virtual
microphone, with the installed sv and fr models and automatic language choice.

Skipped with the reason when the models are not installed in ``models/``."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from assistant import PROJECT_DIR
from assistant.audio import read_wav
from assistant.config import Config
from assistant.content import load_library
from tests.e2e.kiosk_process import KioskProcess
from tests.virtual_alsa import MIC_NAME, SPEAKER_NAME, VirtualAlsa

pytestmark = [
    pytest.mark.svfr_models,
    pytest.mark.e2e,
    pytest.mark.real_vosk,
    pytest.mark.real_audio,
    pytest.mark.real_tts,
    pytest.mark.slow,
]


def test_spoken_swedish_and_french_questions(
    virtual_alsa: VirtualAlsa, tmp_path: Path, config: Config
) -> None:
    models = config.path(config.models.folder)
    event_log = tmp_path / "events.jsonl"
    toml = tmp_path / "kiosk.toml"
    toml.write_text(
        f'[content]\nfolder = "{PROJECT_DIR / "content"}"\n'
        f'[audio]\ninput_device = "{MIC_NAME}"\noutput_device = "{SPEAKER_NAME}"\n'
        f'[recognition]\nlanguage = "auto"\n[models]\nfolder = "{models}"\n'
        f'[dialog]\nmode = "hands-free"\n[logging]\nevent_log = "{event_log}"\n'
    )
    library = load_library(PROJECT_DIR / "content")
    asked = [
        (lang, section.index, section.questions[0])
        for lang in ("sv", "fr")
        for _, section in library.sections(lang)[:2]
        if section.questions
    ]
    kiosk = KioskProcess(toml, event_log, virtual_alsa)
    answered = 0
    try:
        kiosk.event("state", to="listening", timeout_s=120)
        for lang, index, question in asked:
            raw = tmp_path / "q.wav"
            subprocess.run(["espeak-ng", "-v", lang, "-w", str(raw), question], check=True)
            start = len(kiosk.records())
            virtual_alsa.play_into_mic(
                read_wav(raw, rate_hz=virtual_alsa.mic_rate_hz).samples, silence_after_s=1.5
            )
            at = kiosk.event("answer", after=start, timeout_s=60)
            answer = kiosk.last
            answered += answer["lang"] == lang and answer["section"] == index
            kiosk.event("state", after=at, to="listening", timeout_s=90)
        code, _ = kiosk.terminate()
    finally:
        kiosk.kill()
    assert code == 0, kiosk.tail()
    assert answered >= len(asked) - 1, f"{answered}/{len(asked)} spoken questions answered"
