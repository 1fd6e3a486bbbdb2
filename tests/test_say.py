"""`run.py say`: write a WAV, keep stdout clean, clear errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from assistant import PROJECT_DIR
from assistant.audio import read_wav

pytestmark = [pytest.mark.e2e, pytest.mark.real_tts]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(PROJECT_DIR / "run.py"), "say", *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=PROJECT_DIR,
    )


@pytest.mark.parametrize("lang", ["sv", "fr"])
def test_say_writes_a_wav_and_keeps_stdout_clean(tmp_path: Path, lang: str) -> None:
    out = tmp_path / "answer.wav"
    result = _run("--lang", lang, "--out", str(out), "Första meningen. Andra meningen.")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    pcm = read_wav(out)
    assert pcm.rate_hz == 22050 and 1.0 < pcm.duration_s < 8.0


def test_say_errors_are_one_clear_line(tmp_path: Path) -> None:
    result = _run("--lang", "sv", "--out", str(tmp_path / "x.wav"), " ")
    assert result.returncode == 1
    assert "speech error [empty-text]" in result.stderr
    result = _run("--lang", "de", "Hallo")
    assert result.returncode == 1 and "unknown-language" in result.stderr


def test_list_voices() -> None:
    result = _run("--list-voices")
    assert result.returncode == 0
    assert "gmq/sv" in result.stdout and "roa/fr" in result.stdout
