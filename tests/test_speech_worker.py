"""The Speaker's worker with fake engines: one loss of the output is reported as one new
failure, however many runs it fails; a stop does not wait for the synthesizer."""

from __future__ import annotations

import threading
import time

import numpy as np

from assistant.audio import Pcm
from assistant.errors import AudioError
from assistant.speech_out.earcons import earcon_pcm
from assistant.speech_out.speaker import Speaker, SpeechOutcome
from assistant.speech_out.voices import VoiceSettings


class ToneSynthesizer:
    """Each text becomes a short tone (the Speaker's logic, not the voice, is tested here)."""

    def synthesize(self, text: str, settings: VoiceSettings) -> Pcm:
        return Pcm(np.full(220, 1000, np.int16), 22050)


class UnpluggablePlayer:
    """Records what it plays; raises ``output-lost`` on every chunk while unplugged."""

    def __init__(self) -> None:
        self.present = True
        self.played: list[Pcm] = []
        self.failed = 0

    def play(self, pcm: Pcm, stop: threading.Event) -> None:
        if not self.present:
            self.failed += 1
            raise AudioError("output-lost", "the output device failed while playing")
        self.played.append(pcm)


def speaker_with(player: UnpluggablePlayer) -> tuple[Speaker, list[SpeechOutcome]]:
    speaker = Speaker(ToneSynthesizer(), player, {"sv": VoiceSettings("sv", 165, 1.0)})
    outcomes: list[SpeechOutcome] = []
    speaker.on_idle = outcomes.append
    return speaker, outcomes


def run(speaker: Speaker, *items: tuple[str, str]) -> None:
    for kind, text in items:
        if kind == "say":
            speaker.say(text, "sv")
        else:
            speaker.earcon(text)  # type: ignore[arg-type]
        assert speaker.wait(5)


def test_the_listening_tone_after_a_failed_answer_repeats_that_failure() -> None:
    player = UnpluggablePlayer()
    speaker, outcomes = speaker_with(player)
    try:
        player.present = False
        run(speaker, ("say", "Kramper är vanliga. De går över."), ("earcon", "listening"))
    finally:
        speaker.close()
    assert outcomes == [
        SpeechOutcome("failed", "output-lost"),
        SpeechOutcome("failed", "output-lost", repeated=True),
    ]
    assert player.failed >= 2  # each run really tried the device (and its error tone)


def test_every_answer_lost_is_new_and_a_success_ends_the_loss() -> None:
    player = UnpluggablePlayer()
    speaker, outcomes = speaker_with(player)
    try:
        player.present = False
        run(speaker, ("say", "Ett svar."), ("earcon", "listening"), ("say", "Ett till."))
        player.present = True
        run(speaker, ("earcon", "listening"))
        player.present = False
        run(speaker, ("earcon", "listening"), ("earcon", "listening"))
    finally:
        speaker.close()
    assert [(o.status, o.repeated) for o in outcomes] == [
        ("failed", False),  # the answer
        ("failed", True),  # the tone after it: the same loss
        ("failed", False),  # another answer: a visitor heard nothing again
        ("completed", False),  # the device is back
        ("failed", False),  # lost again: a new loss, even for a tone
        ("failed", True),
    ]
    assert player.played == [earcon_pcm("listening")]


class BlockedSynthesizer:
    """A synthesizer stuck on its sentence until released (a slow engine)."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.started = threading.Event()

    def synthesize(self, text: str, settings: VoiceSettings) -> Pcm:
        self.started.set()
        self.release.wait(10)
        return Pcm(np.full(220, 1000, np.int16), 22050)


def test_stop_while_the_sentence_is_synthesized_does_not_wait_for_it() -> None:
    synthesizer = BlockedSynthesizer()
    player = UnpluggablePlayer()
    speaker = Speaker(synthesizer, player, {"sv": VoiceSettings("sv", 165, 1.0)})
    outcomes: list[SpeechOutcome] = []
    speaker.on_idle = outcomes.append
    try:
        speaker.say("Ett långt svar. Med två meningar.", "sv")
        assert synthesizer.started.wait(5)
        stopped_at = time.monotonic()
        speaker.stop()
        assert speaker.wait(5)
        idle_after_s = time.monotonic() - stopped_at
        synthesizer.release.set()
        time.sleep(0.1)
    finally:
        synthesizer.release.set()
        speaker.close()
    assert idle_after_s < 1.0  # the synthesizer holds its sentence for 10 s
    assert outcomes == [SpeechOutcome("stopped")]
    assert player.played == []  # the sentence rendered after the stop is never played
