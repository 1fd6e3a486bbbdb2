"""`run.py ask --speak`: the answer is read aloud through the real engines, into the virtual
ALSA speaker, from the real program."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from assistant import PROJECT_DIR
from tests.virtual_alsa import SPEAKER_NAME, VirtualAlsa

pytestmark = [pytest.mark.real_tts, pytest.mark.real_audio, pytest.mark.e2e]


@pytest.mark.parametrize(
    ("lang", "question"),
    [
        ("sv", "Vad orsakar muskelspasmer?"),
        ("fr", "Quelles sont les causes courantes des spasmes musculaires involontaires ?"),
    ],
)
def test_answer_is_spoken_on_the_configured_speaker(
    virtual_alsa: VirtualAlsa, tmp_path: Path, lang: str, question: str
) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[content]\nfolder = "{PROJECT_DIR / "content"}"\n'
        f'[audio]\noutput_device = "{SPEAKER_NAME}"\n[logging]\nlevel = "WARNING"\n'
    )
    virtual_alsa.clear_speaker()
    done = subprocess.run(
        [
            sys.executable,
            "run.py",
            "--config",
            str(config),
            "ask",
            "--speak",
            "--json",
            "--lang",
            lang,
            question,
        ],
        check=False,
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **virtual_alsa.env()},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("\n") == 1  # the JSON line only: speech writes nothing to stdout
    reply = json.loads(done.stdout)
    assert reply["lang"] == lang
    assert reply["section"] is not None
    played = virtual_alsa.speaker_samples()
    rate = virtual_alsa.speaker_rate_hz
    voiced = np.count_nonzero(np.abs(played) > 500) / rate
    assert voiced > 1.0, f"only {voiced:.2f} s of audible audio reached the speaker"
