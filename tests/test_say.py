"""`run.py say`: write a WAV, keep stdout clean, clear errors."""

from __future__ import annotations

import os
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


def _config_without_speaker(tmp_path: Path) -> Path:
    toml = tmp_path / "kiosk.toml"
    toml.write_text('[audio]\noutput_device = "no-such-speaker"\n[logging]\nlevel = "WARNING"\n')
    return toml


@pytest.mark.parametrize("what", [["--earcon", "listening"], ["--lang", "sv", "Hej."]])
def test_without_a_speaker_say_fails_with_the_reason_and_its_fix(
    tmp_path: Path, what: list[str]
) -> None:
    toml = _config_without_speaker(tmp_path)
    result = subprocess.run(
        [sys.executable, "run.py", "--config", str(toml), "say", *what],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=PROJECT_DIR,
    )
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr  # one clear line, not one per attempt
    assert "[device-missing]" in lines[0] and "audio.output_device" in lines[0]


@pytest.mark.parametrize(
    "command", [["say", "--list-voices"], ["devices"], ["models", "list"], ["--help"]]
)
def test_a_reader_that_stops_early_gets_no_traceback(command: list[str]) -> None:
    """`run.py say --list-voices | head -1`: the pipe closes before the list is written."""
    reader = subprocess.Popen(["head", "-c", "1"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    assert reader.stdin is not None
    writer = subprocess.run(
        [sys.executable, "run.py", *command],
        check=False,
        stdout=reader.stdin,
        stderr=subprocess.PIPE,
        text=True,
        timeout=60,
        cwd=PROJECT_DIR,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},  # each line written at once: EPIPE early
    )
    reader.stdin.close()
    reader.wait(10)
    assert "Traceback" not in writer.stderr and "BrokenPipe" not in writer.stderr, writer.stderr
    assert writer.returncode in (0, 1)
