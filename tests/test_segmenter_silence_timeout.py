"""A word that begins as Vosk gives up on seconds of silence (its endpoint rule for silence
without words, 5 s after the recognizer started) is heard: the blocks held before that empty
cut are fed again to the new recognizer. Before, the word was cut in two and lost, which the
soak met as a turn never heard once answers (so the gaps between words) ran late."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.speech_in.listening import UtteranceEnded, VoskSegmenter
from assistant.speech_in.recognition import VoskRecognizer, load_model
from tests.speech_input_support import ko_config, ko_pcm, silence

pytestmark = pytest.mark.real_vosk


@pytest.fixture(scope="module")
def unrestricted(ko_model_dir: Path) -> VoskRecognizer:
    return VoskRecognizer(load_model(ko_config(ko_model_dir), "ko"))


def transcripts(segmenter: VoskSegmenter, samples: np.ndarray) -> list[str]:
    heard = []
    for i in range(0, len(samples), 1600):
        for event in segmenter.feed(samples[i : i + 1600]):
            if isinstance(event, UtteranceEnded):
                streamed = event.utterance.streamed.get("ko")
                heard.append(streamed.text if streamed is not None else "")
    return heard


@pytest.mark.parametrize("gap_s", [4.9, 5.0, 5.1, 5.2, 5.3, 5.4])
def test_a_word_starting_as_the_silence_timeout_fires_is_heard(
    unrestricted: VoskRecognizer, gap_s: float
) -> None:
    segmenter = VoskSegmenter([unrestricted], max_utterance_s=6.0, endpoint_silence_s=0.3)
    audio = np.concatenate([silence(gap_s).samples, ko_pcm("학교").samples, silence(1.0).samples])
    heard = transcripts(segmenter, audio)
    assert [text for text in heard if text], f"the word after {gap_s} s of silence was lost"


def test_word_times_stay_on_the_utterance_after_a_silence_timeout(
    unrestricted: VoskRecognizer,
) -> None:
    """The audio fed again keeps its place: word times count from the utterance's start."""
    segmenter = VoskSegmenter([unrestricted], max_utterance_s=6.0, endpoint_silence_s=0.3)
    word = ko_pcm("학교").samples
    audio = np.concatenate([silence(5.1).samples, word, silence(1.0).samples])
    for i in range(0, len(audio), 1600):
        for event in segmenter.feed(audio[i : i + 1600]):
            if isinstance(event, UtteranceEnded):
                utterance = event.utterance
    streamed = utterance.streamed["ko"]
    assert streamed.words, streamed
    assert 0.0 <= streamed.words[0].start_s < streamed.words[-1].end_s <= utterance.duration_s
