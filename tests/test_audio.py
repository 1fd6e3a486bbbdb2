"""Audio basics: WAV reading and resampling, device lookup by name, and the real sounddevice
path on the virtual ALSA devices."""

from __future__ import annotations

import time
import wave
from pathlib import Path

import numpy as np
import pytest

from assistant.audio import Pcm, find_device, read_wav, resample, to_mono_int16, write_wav
from assistant.errors import AudioError
from tests.virtual_alsa import MIC_NAME, SPEAKER_NAME, VirtualAlsa


def _tone(freq_hz: float, seconds: float, rate_hz: int) -> np.ndarray:
    t = np.arange(int(seconds * rate_hz)) / rate_hz
    return (0.5 * 32767 * np.sin(2 * np.pi * freq_hz * t)).astype(np.int16)


def test_wav_round_trip_and_resample(tmp_path: Path) -> None:
    tone = _tone(440, 1.0, 48000)
    write_wav(tmp_path / "a.wav", Pcm(tone, 48000))
    pcm = read_wav(tmp_path / "a.wav", rate_hz=16000)
    assert pcm.rate_hz == 16000
    assert abs(len(pcm.samples) - 16000) <= 2
    # The tone survives the band-limited resampler at the same frequency.
    spectrum = np.abs(np.fft.rfft(pcm.samples.astype(float)))
    assert abs(np.argmax(spectrum) * 16000 / len(pcm.samples) - 440) < 3


def test_stereo_is_mixed_to_mono(tmp_path: Path) -> None:
    left = _tone(300, 0.5, 16000)
    stereo = np.stack([left, left], axis=1)
    with wave.open(str(tmp_path / "s.wav"), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(stereo.astype("<i2").tobytes())
    pcm = read_wav(tmp_path / "s.wav")
    assert pcm.samples.shape == (8000,)
    assert np.array_equal(pcm.samples, left)


@pytest.mark.parametrize("content", [b"", b"RIFF\x00\x00", b"not a wav at all" * 10])
def test_bad_wav_is_a_clear_error(tmp_path: Path, content: bytes) -> None:
    f = tmp_path / "bad.wav"
    f.write_bytes(content)
    with pytest.raises(AudioError) as err:
        read_wav(f)
    assert err.value.code == "wav-invalid"
    with pytest.raises(AudioError) as err:
        read_wav(tmp_path / "missing.wav")
    assert err.value.code == "wav-missing"


def test_too_long_wav_is_refused_before_reading(tmp_path: Path) -> None:
    f = tmp_path / "long.wav"
    write_wav(f, Pcm(np.zeros(16000 * 3, dtype=np.int16), 16000))
    with pytest.raises(AudioError) as err:
        read_wav(f, max_duration_s=2)
    assert err.value.code == "wav-too-long"


def test_float_conversion_clips() -> None:
    out = to_mono_int16(np.array([0.0, 1.5, -2.0, 0.5]))
    assert out.tolist() == [0, 32767, -32767, 16384]
    assert resample(np.zeros(0, dtype=np.int16), 48000, 16000).size == 0


@pytest.mark.real_audio
def test_devices_are_found_by_name(virtual_alsa: VirtualAlsa) -> None:
    assert find_device("", "input") is None
    assert find_device(MIC_NAME, "input") is not None
    assert find_device("fakespk", "output") == find_device("spk", "output")
    with pytest.raises(AudioError) as err:
        find_device("no such device", "output")
    assert err.value.code == "device-missing"
    assert SPEAKER_NAME in str(err.value)
    with pytest.raises(AudioError) as err:
        find_device("fake", "output")
    assert err.value.code == "device-ambiguous"


@pytest.mark.real_audio
def test_virtual_devices_carry_audio_in_real_time(virtual_alsa: VirtualAlsa) -> None:
    import sounddevice as sd

    rate = virtual_alsa.mic_rate_hz
    tone = _tone(500, 0.6, rate)
    virtual_alsa.play_into_mic(tone, silence_after_s=0.2)
    started = time.monotonic()
    got = sd.rec(int(1.2 * rate), samplerate=rate, channels=1, dtype="int16", device=MIC_NAME)
    sd.wait()
    elapsed = time.monotonic() - started
    got = got[:, 0]
    assert elapsed > 0.8  # paced, not a file read at disk speed
    loud = np.nonzero(np.abs(got) > 1000)[0]
    assert len(loud) > 0.5 * len(tone)

    virtual_alsa.clear_speaker()
    spk_rate = virtual_alsa.speaker_rate_hz
    sd.play(_tone(700, 0.5, spk_rate), spk_rate, device=SPEAKER_NAME)
    sd.wait()
    played = virtual_alsa.speaker_samples()
    assert np.count_nonzero(np.abs(played) > 1000) > 0.4 * spk_rate
