"""Bad WAV input, fuzzed: random bytes, truncated and header-damaged real recordings.

``read_wav`` and ``WavSource`` either deliver valid 16-bit audio of bounded length or raise an
:class:`AudioError` with one of a few stable codes; ``run.py listen --wav`` on such files exits
with one clear line (no traceback). Property-based with hypothesis, bounded to stay fast.
"""

from __future__ import annotations

import functools
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from assistant import PROJECT_DIR
from assistant.audio import Pcm, read_wav, write_wav
from assistant.errors import AudioError
from assistant.speech_in.sources import RATE_HZ, WavSource

from .conftest import SPEECH_SAMPLES_DIR

#: Codes read_wav may give bad input; anything else (or another exception) is a bug.
WAV_CODES = {"wav-invalid", "wav-too-long", "wav-unsupported", "wav-unreadable"}
#: Shorter than the default so a header declaring a long file is refused quickly.
MAX_S = 60.0
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_DIR = Path(tempfile.mkdtemp(prefix="fuzz-wav-"))


@functools.cache
def real_wav_bytes() -> bytes:
    """A real recording from the shared speech samples, else a tone written by write_wav."""
    wavs = sorted(SPEECH_SAMPLES_DIR.glob("*/*.wav")) if SPEECH_SAMPLES_DIR.is_dir() else []
    if wavs:
        return wavs[0].read_bytes()
    path = _DIR / "tone.wav"
    t = np.arange(16000) / 16000
    write_wav(path, Pcm((np.sin(2 * np.pi * 440 * t) * 8000).astype(np.int16), 16000))
    return path.read_bytes()


def _write(data: bytes) -> Path:
    path = _DIR / "case.wav"
    path.write_bytes(data)
    return path


def check_read(data: bytes, rate_hz: int | None = None) -> str:
    """Read ``data`` as a WAV; returns "ok" or the error code, failing on anything unclear."""
    path = _write(data)
    try:
        pcm = read_wav(path, rate_hz=rate_hz, max_duration_s=MAX_S)
    except AudioError as exc:
        assert exc.code in WAV_CODES, exc.describe()
        assert str(path) in exc.message
        return exc.code
    assert pcm.samples.dtype == np.int16 and pcm.samples.ndim == 1
    assert pcm.rate_hz > 0 and pcm.duration_s <= MAX_S * 1.01
    if rate_hz is not None:
        assert pcm.rate_hz == rate_hz
    return "ok"


def _header(channels: int, rate: int, width: int, data_len: int) -> bytes:
    fmt = struct.pack(
        "<HHIIHH", 1, channels, rate, rate * channels * width, channels * width, 8 * width
    )
    return (
        b"RIFF"
        + struct.pack("<I", 36 + data_len)
        + b"WAVEfmt "
        + struct.pack("<I", 16)
        + fmt
        + b"data"
        + struct.pack("<I", data_len)
    )


@FUZZ
@given(st.binary(max_size=2048))
def test_random_bytes(data: bytes) -> None:
    check_read(data)


@FUZZ
@given(st.binary(max_size=512))
@example(bytes(7) + b"\x01")  # a chunk running past the end: wave raised a bare RuntimeError
def test_random_bytes_after_a_riff_header(data: bytes) -> None:
    check_read(b"RIFF" + struct.pack("<I", len(data) + 4) + b"WAVE" + data)


@FUZZ
@given(
    channels=st.integers(0, 65535),
    rate=st.integers(0, 2**32 - 1),
    width=st.integers(0, 8),
    data_len=st.integers(0, 2**32 - 1),
    body=st.binary(max_size=256),
)
def test_lying_headers(channels: int, rate: int, width: int, data_len: int, body: bytes) -> None:
    """Headers whose channels, rate, sample width or data length are wrong or absurd."""
    try:
        header = _header(channels, rate, width, data_len)
    except struct.error:  # byte rate beyond 32 bits cannot even be written
        return
    check_read(header + body, rate_hz=16000 if rate < 200_000 else None)


@FUZZ
@given(st.data())
def test_truncated_real_recording(data: st.DataObject) -> None:
    raw = real_wav_bytes()
    cut = data.draw(st.integers(0, len(raw)))
    check_read(raw[:cut], rate_hz=data.draw(st.sampled_from([None, 8000, 16000, 44100])))


@FUZZ
@given(st.data())
def test_damaged_header_of_a_real_recording(data: st.DataObject) -> None:
    raw = bytearray(real_wav_bytes())
    for _ in range(data.draw(st.integers(1, 4))):
        raw[data.draw(st.integers(0, 63))] = data.draw(st.integers(0, 255))
    check_read(bytes(raw), rate_hz=16000)


@FUZZ
@given(st.binary(max_size=4096), st.sampled_from([0.01, 0.1, 1.0]))
def test_wav_source_on_random_and_truncated_files(data: bytes, block_s: float) -> None:
    raw = real_wav_bytes()
    for payload in (data, raw[: len(data) * 8]):
        source = WavSource(_write(payload), block_s=block_s, max_duration_s=MAX_S)
        try:
            source.open()
        except AudioError as exc:
            assert exc.code in WAV_CODES, exc.describe()
            continue
        total = 0
        for _ in range(int(MAX_S / block_s) + 2):  # bounded: the source must end
            block = source.read(0.1)
            if block is None:
                break
            assert block.samples.dtype == np.int16
            total += len(block.samples)
        else:
            pytest.fail("WavSource did not reach the end")
        source.close()
        assert total <= MAX_S * RATE_HZ * 1.01


@pytest.mark.e2e
@pytest.mark.real_vosk
@pytest.mark.slow
def test_listen_command_on_bad_wavs(ko_model_dir: Path, tmp_path: Path) -> None:
    """The program, given bad WAV files, prints one clear line and exits 1 (no traceback)."""
    from .speech_input_support import ko_toml

    toml = ko_toml(ko_model_dir, tmp_path)
    rng = np.random.default_rng(6)
    raw = real_wav_bytes()
    cases = {
        "random.wav": rng.integers(0, 256, 3000, dtype=np.uint8).tobytes(),
        "truncated-header.wav": raw[:30],
        "bad-width.wav": _header(1, 16000, 7, 100) + bytes(100),
    }
    for name, payload in cases.items():
        wav = tmp_path / name
        wav.write_bytes(payload)
        cmd = [sys.executable, "run.py", "--config", str(toml), "listen", "--wav", str(wav)]
        out = subprocess.run(
            [*cmd, "--no-answer"],
            cwd=PROJECT_DIR,
            check=False,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert out.returncode == 1, (name, out.stdout, out.stderr)
        assert "Traceback" not in out.stderr, out.stderr
        assert "audio error [wav-" in out.stderr and name in out.stderr, out.stderr
