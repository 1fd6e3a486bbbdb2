"""Trailing silence by level: the pure endpointer on made-up signals, then the segmenter on the
real Korean model, where Vosk's own rules sometimes never fire."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.audio import Int16Array, Pcm
from assistant.speech_in.endpointing import LevelEndpointer, LevelSettings, frame_levels_dbfs
from assistant.speech_in.listening import UtteranceEnded, VoskSegmenter
from assistant.speech_in.recognition import VoskModel, VoskRecognizer, load_model
from tests.speech_input_support import KO_WORDS, join, ko_config, ko_pcm, silence

RATE_HZ = 16000
RNG = np.random.default_rng(7)


def tone(duration_s: float, dbfs: float) -> Int16Array:
    t = np.arange(int(duration_s * RATE_HZ)) / RATE_HZ
    amplitude = 32767 * 10 ** (dbfs / 20) * np.sqrt(2)
    return np.asarray(amplitude * np.sin(2 * np.pi * 300 * t), dtype=np.int16)


def noise(duration_s: float, dbfs: float) -> Int16Array:
    values = RNG.normal(0.0, 32767 * 10 ** (dbfs / 20), int(duration_s * RATE_HZ))
    return np.asarray(np.clip(values, -32768, 32767), dtype=np.int16)


def feed(endpointer: LevelEndpointer, samples: Int16Array, block: int) -> None:
    for i in range(0, len(samples), block):
        endpointer.feed(samples[i : i + block])


def test_levels_of_known_signals() -> None:
    levels = frame_levels_dbfs(tone(0.1, -20.0), 160)
    assert len(levels) == 10 and np.allclose(levels, -20.0, atol=0.2)
    assert frame_levels_dbfs(np.zeros(100, np.int16), 160).size == 0  # no whole frame yet
    assert frame_levels_dbfs(np.zeros(320, np.int16), 160).max() < -100


@pytest.mark.parametrize("block", [1, 160, 333, 1600])
def test_silence_after_voice_is_counted_the_same_whatever_the_block_size(block: int) -> None:
    endpointer = LevelEndpointer()
    feed(
        endpointer,
        np.concatenate([tone(0.5, -20.0), np.zeros(int(0.3 * RATE_HZ), np.int16)]),
        block,
    )
    assert endpointer.voiced_s == pytest.approx(0.5, abs=0.011)
    assert endpointer.trailing_silence_s == pytest.approx(0.3, abs=0.011)
    assert endpointer.ended(0.3) and not endpointer.ended(0.35)


def test_voice_over_steady_noise_and_the_noise_alone() -> None:
    endpointer = LevelEndpointer()
    feed(endpointer, noise(2.0, -45.0), 1600)
    assert endpointer.voiced_s == 0.0 and not endpointer.ended(0.5)  # noise is not voice
    feed(endpointer, tone(0.4, -20.0) + noise(0.4, -45.0), 1600)
    feed(endpointer, noise(0.6, -45.0), 1600)
    assert endpointer.voiced_s == pytest.approx(0.4, abs=0.02)
    assert endpointer.ended(0.5) and endpointer.floor_dbfs < -40


def test_a_click_or_quiet_hum_is_not_an_utterance() -> None:
    endpointer = LevelEndpointer()
    click = np.concatenate([np.zeros(1600, np.int16), tone(0.03, -10.0), np.zeros(16000, np.int16)])
    feed(endpointer, click, 1600)
    assert not endpointer.ended(0.5)  # 30 ms of sound is below the voice needed
    hum = LevelEndpointer()
    feed(hum, tone(3.0, -60.0), 1600)  # steady, and below the absolute voice level
    assert hum.voiced_s == 0.0


def test_reset_starts_a_new_utterance_and_keeps_the_floor() -> None:
    endpointer = LevelEndpointer(LevelSettings(min_voiced_s=0.05))
    feed(endpointer, np.concatenate([noise(1.0, -50.0), tone(0.2, -15.0)]), 800)
    floor = endpointer.floor_dbfs
    endpointer.reset()
    assert endpointer.voiced_s == 0.0 and endpointer.trailing_silence_s == 0.0
    assert endpointer.floor_dbfs == floor and not endpointer.ended(0.0)


# -- the segmenter on the real model ----------------------------------------------------------
@pytest.fixture(scope="module")
def ko_model(ko_model_dir: Path) -> VoskModel:
    return load_model(ko_config(ko_model_dir), "ko")


@pytest.fixture(scope="module")
def unrestricted(ko_model: VoskModel) -> VoskRecognizer:
    return VoskRecognizer(ko_model)


@pytest.fixture(scope="module")
def restricted(ko_model: VoskModel) -> VoskRecognizer:
    """Restricted to the test words, as the kiosk restricts to its documents' words."""
    return VoskRecognizer(ko_model, list(KO_WORDS))


def voice_end_s(pcm: Pcm) -> float:
    levels = frame_levels_dbfs(pcm.samples, 160)
    return float((np.nonzero(levels > -50.0)[0].max() + 1) * 0.01)


def cut_times_s(segmenter: VoskSegmenter, pcm: Pcm) -> list[float]:
    """Where each utterance was cut: the audio fed when its event came out."""
    cuts, step = [], 1600
    for i in range(0, len(pcm.samples), step):
        events = segmenter.feed(pcm.samples[i : i + step])
        fed_s = min(i + step, len(pcm.samples)) / RATE_HZ
        cuts += [fed_s for e in events if isinstance(e, UtteranceEnded)]
    return cuts


@pytest.mark.real_vosk
@pytest.mark.parametrize("word", KO_WORDS)
def test_level_endpoint_cuts_soon_after_the_voice(unrestricted: VoskRecognizer, word: str) -> None:
    spoken = ko_pcm(word)
    lead = 0.5
    audio = join(silence(lead), spoken, silence(6.0))
    end_s = lead + voice_end_s(spoken)
    segmenter = VoskSegmenter([unrestricted], max_utterance_s=5.0, endpoint_silence_s=0.4)
    cuts = cut_times_s(segmenter, audio)
    assert len(cuts) == 1
    # Cut once 0.4 s of silence followed the voice, at the end of the block where that happened.
    assert end_s + 0.4 <= cuts[0] + 0.011 and cuts[0] <= end_s + 0.4 + 0.1 + 0.011
    without = cut_times_s(VoskSegmenter([unrestricted], max_utterance_s=5.0), audio)
    assert len(without) == 1 and without[0] >= cuts[0]  # Vosk's rules alone are never sooner


@pytest.mark.real_vosk
def test_a_whole_request_ends_at_the_quick_silence(restricted: VoskRecognizer) -> None:
    """Words the judge calls a whole request end after the short silence; others wait."""
    judged: list[tuple[str, str]] = []

    def complete(text: str, lang: str) -> bool:
        judged.append((text, lang))
        return text == "안녕하세요"

    def segmenter() -> VoskSegmenter:
        return VoskSegmenter(
            [restricted],
            max_utterance_s=5.0,
            endpoint_silence_s=0.8,
            quick_silence_s=0.3,
            complete=complete,
        )

    whole, other = ko_pcm("안녕하세요"), ko_pcm("감사합니다")
    lead = 0.5
    (quick,) = cut_times_s(segmenter(), join(silence(lead), whole, silence(3.0)))
    assert quick <= lead + voice_end_s(whole) + 0.3 + 0.1 + 0.011
    assert judged and all(lang == "ko" for _, lang in judged)
    assert len(judged) == len(set(judged))  # each partial judged once
    judged.clear()
    (slow,) = cut_times_s(segmenter(), join(silence(lead), other, silence(3.0)))
    assert slow >= lead + voice_end_s(other) + 0.8 - 0.011  # not a whole request: it waits
    assert judged, "the partial transcript was judged"


@pytest.mark.real_vosk
def test_a_failing_judge_never_stops_the_segmenter(unrestricted: VoskRecognizer) -> None:
    def broken(text: str, lang: str) -> bool:
        raise RuntimeError("judge failed")

    segmenter = VoskSegmenter(
        [unrestricted],
        max_utterance_s=5.0,
        endpoint_silence_s=0.6,
        quick_silence_s=0.3,
        complete=broken,
    )
    spoken = ko_pcm("학교")
    (cut,) = cut_times_s(segmenter, join(silence(0.5), spoken, silence(3.0)))
    assert cut >= 0.5 + voice_end_s(spoken) + 0.6 - 0.011  # the full silence, as without one
