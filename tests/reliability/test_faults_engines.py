"""Faults met by the real kiosk objects in this process: a speech engine that raises, half an
hour of continuous noise and an hour of silence.

The noise and the silence go through the real segmenter with the real Korean Vosk model
(restricted vocabulary, as the kiosk restricts it to the content's words), fed faster than
real time; the hour of silence also goes to the real dialog as elapsed time. Only the engine
that raises is a recording fake: a synthesizer cannot be made to fail for real on demand.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import psutil
import pytest

from assistant import PROJECT_DIR
from assistant.audio import Pcm
from assistant.config import Config, config_from_dict
from assistant.errors import SpeechError
from assistant.kiosk.dialog import Dialog, DialogState
from assistant.kiosk.events import Elapsed, SpeechDone, Started, Typed
from assistant.kiosk.inputs import InputEnded
from assistant.kiosk.loop import Kiosk
from assistant.kiosk.setup import load_brain
from assistant.speech_in.listening import SpeechStarted, UtteranceEnded, VoskSegmenter
from assistant.speech_in.recognition import VoskRecognizer, load_model
from assistant.speech_in.sources import RATE_HZ
from assistant.speech_out.earcons import earcon_pcm
from assistant.speech_out.speaker import Speaker
from assistant.speech_out.voices import VoiceSettings
from tests.speech_input_support import KO_WORDS, ko_config, ko_pcm

MAX_UTTERANCE_S = 6.0
#: The default silence that ends an utterance, as the kiosk cuts by it.
ENDPOINT_SILENCE_S = Config().recognition.endpoint_silence_s
BLOCK = int(0.1 * RATE_HZ)


def kiosk_config() -> Config:
    return config_from_dict({"content": {"folder": str(PROJECT_DIR / "content")}})


# --- a speech engine that raises ---------------------------------------------------------------
class FlakySynthesizer:
    """Raises on the texts it is told to; otherwise renders a short tone-like sound."""

    def __init__(self) -> None:
        self.failing = True
        self.calls: list[str] = []

    def synthesize(self, text: str, settings: VoiceSettings) -> Pcm:
        self.calls.append(text)
        if self.failing:
            raise SpeechError("synthesis-failed", "the speech engine failed (test)")
        t = np.arange(2205) / 22050
        return Pcm((np.sin(2 * np.pi * 440 * t) * 8000).astype(np.int16), 22050)


class RecordingPlayer:
    def __init__(self) -> None:
        self.played: list[Pcm] = []

    def play(self, pcm: Pcm, stop: threading.Event) -> None:
        self.played.append(pcm)


class RecordingEvents:
    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []

    def write(self, name: str, fields: Mapping[str, Any]) -> None:
        self.events.append((name, dict(fields)))

    def names(self) -> list[str]:
        return [name for name, _ in self.events]


def test_speech_engine_raising_is_an_error_tone_and_the_next_turn_is_answered() -> None:
    config = kiosk_config()
    synthesizer, player, events = FlakySynthesizer(), RecordingPlayer(), RecordingEvents()
    settings = {lang: VoiceSettings("v", 175, 1.0) for lang in config.languages}
    speaker = Speaker(synthesizer, player, settings, config.speech)
    kiosk = Kiosk(Dialog(load_brain(config), config), speaker, events, config, keyboard_only=True)
    speaker.on_idle = kiosk.speech_ended
    done = threading.Event()
    kiosk.post(Typed("Vad är kramp?"))

    def serve() -> None:
        kiosk.run()
        done.set()

    runner = threading.Thread(target=serve, daemon=True)
    runner.start()
    try:
        deadline = 60
        while "speech-failed" not in events.names() and deadline:
            done.wait(0.1)
            deadline -= 1
        assert "speech-failed" in events.names(), events.events
        failed = dict(events.events)["speech-failed"]
        assert failed["code"] == "synthesis-failed"
        assert any(p is earcon_pcm("error") for p in player.played), "the error tone played"
        # The engine works again: the next question is answered aloud.
        synthesizer.failing = False
        before = len(player.played)
        kiosk.post(Typed("Vad är kramp?"))
        kiosk.post(InputEnded())
        assert done.wait(60), "the kiosk finished the typed input"
    finally:
        kiosk.post(InputEnded())
        runner.join(10)
    spoken = [p for p in player.played[before:] if p.rate_hz == 22050 and len(p.samples) == 2205]
    assert spoken, "the answer after the failure was spoken"
    assert kiosk.turns == 2
    assert events.names()[-1] == "kiosk-stopped"


# --- noise and silence through the real segmenter ----------------------------------------------
@pytest.fixture(scope="module")
def restricted(ko_model_dir: Path) -> VoskRecognizer:
    return VoskRecognizer(load_model(ko_config(ko_model_dir), "ko"), list(KO_WORDS))


def babble(duration_s: float, seed: int = 7) -> np.ndarray:
    """Continuous noise: overlapping speech of several voices (the Korean test words at random
    offsets) over white noise, never silent."""
    rng = np.random.default_rng(seed)
    voices = [ko_pcm(word).samples.astype(np.float32) for word in KO_WORDS]
    period = int(20 * RATE_HZ)  # a 20 s loop of babble, repeated
    loop = rng.normal(0, 1500, period).astype(np.float32)
    for _ in range(60):
        voice = voices[int(rng.integers(len(voices)))]
        at = int(rng.integers(0, period - len(voice)))
        loop[at : at + len(voice)] += voice * float(rng.uniform(0.3, 1.0))
    repeats = int(np.ceil(duration_s * RATE_HZ / period))
    return np.clip(np.tile(loop, repeats), -32768, 32767).astype(np.int16)


def rss_mb() -> float:
    return float(psutil.Process().memory_info().rss) / 1e6


@pytest.mark.real_vosk
@pytest.mark.slow
def test_thirty_minutes_of_noise_give_bounded_utterances_and_bounded_memory(
    restricted: VoskRecognizer,
) -> None:
    duration_s = 30 * 60
    audio = babble(duration_s)
    segmenter = VoskSegmenter(
        [restricted], max_utterance_s=MAX_UTTERANCE_S, endpoint_silence_s=ENDPOINT_SILENCE_S
    )
    utterances: list[float] = []
    rss: list[float] = []
    for i, start in enumerate(range(0, duration_s * RATE_HZ, BLOCK)):
        for event in segmenter.feed(audio[start : start + BLOCK]):
            if isinstance(event, UtteranceEnded):
                utterances.append(event.utterance.duration_s)
        if i % 3000 == 0:  # every 5 minutes of audio
            rss.append(rss_mb())
    bound_s = MAX_UTTERANCE_S + 1.0 + 0.1  # the longest utterance, pre-roll, one block
    assert utterances, "noise with voices in it gets cut into utterances"
    assert max(utterances) <= bound_s, max(utterances)
    # Every utterance is cut: the audio held never exceeds one utterance.
    assert sum(utterances) <= duration_s + bound_s
    assert segmenter._buffered <= bound_s * RATE_HZ
    # Memory after the first five minutes stays flat (10 %).
    assert max(rss[1:]) <= rss[1] * 1.10, rss


@pytest.mark.real_vosk
@pytest.mark.slow
def test_an_hour_of_silence_is_no_utterance_and_holds_no_audio(
    restricted: VoskRecognizer,
) -> None:
    segmenter = VoskSegmenter(
        [restricted], max_utterance_s=MAX_UTTERANCE_S, endpoint_silence_s=ENDPOINT_SILENCE_S
    )
    quiet = np.random.default_rng(3).normal(0, 30, BLOCK * 100).astype(np.int16)  # 10 s
    step = 5 * BLOCK  # half-second blocks: the cost is the audio, not the calls
    events = []
    rss = []
    for minute in range(60):
        for _ in range(6):
            for start in range(0, len(quiet), step):
                events += segmenter.feed(quiet[start : start + step])
        if minute % 10 == 0:
            rss.append(rss_mb())
        assert segmenter._buffered <= 1.1 * RATE_HZ  # only the pre-roll is kept
    assert not [e for e in events if isinstance(e, SpeechStarted)]
    assert not [e for e in events if isinstance(e, UtteranceEnded) and e.utterance.streamed]
    assert max(rss[1:]) <= rss[1] * 1.10, rss


def test_an_hour_without_visitors_resets_once_and_never_hangs() -> None:
    """Simulated time: an engaged dialog, then an hour of ``Elapsed`` ticks with the speaker
    finishing whatever it is told to say."""
    config = kiosk_config()
    dialog = Dialog(load_brain(config), config)

    def feed(event: Any) -> list[Any]:
        actions = list(dialog.handle(event))
        if dialog.state is DialogState.SPEAKING:  # the speaker finishes at once
            actions += dialog.handle(SpeechDone(interrupted=False))
        return actions

    feed(Started())
    feed(Typed("Vad är kramp?"))
    assert dialog.state is not DialogState.SPEAKING
    actions: list[Any] = []
    for _ in range(36_000):  # an hour in 0.1 s ticks
        actions += feed(Elapsed(0.1))
    resets = [a for a in actions if getattr(a, "name", None) == "idle-reset"]
    assert len(resets) == 1, "one reset after the visitor left, none while nobody came"
    assert len(actions) < 50, "an idle hour is quiet"
    assert dialog.state in (DialogState.LISTENING, DialogState.WAITING)
    # Still serving afterwards.
    assert any(type(a).__name__ == "Say" for a in feed(Typed("Vad är kramp?")))
