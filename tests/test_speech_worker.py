"""The Speaker's worker with fake engines: a lost output device is one outage (reported once,
nothing tried until a check finds the device again), other failures are reported per answer;
a stop does not wait for the synthesizer."""

from __future__ import annotations

import threading
import time

import numpy as np

from assistant.audio import Pcm
from assistant.errors import AudioError
from assistant.speech_out.earcons import earcon_pcm
from assistant.speech_out.speaker import OutputChange, Speaker, SpeechOutcome
from assistant.speech_out.voices import VoiceSettings


class ToneSynthesizer:
    """Each text becomes a short tone (the Speaker's logic, not the voice, is tested here)."""

    def synthesize(self, text: str, settings: VoiceSettings) -> Pcm:
        return Pcm(np.full(220, 1000, np.int16), 22050)


class UnpluggablePlayer:
    """Records what it plays; raises ``code`` on every chunk while unplugged (and from its
    ``check``, as the real player's device check does)."""

    def __init__(self, code: str = "output-lost") -> None:
        self.present = True
        self.code = code
        self.played: list[Pcm] = []
        self.failed = 0
        self.checks = 0

    def play(self, pcm: Pcm, stop: threading.Event) -> None:
        if not self.present:
            self.failed += 1
            raise AudioError(self.code, "the output device failed while playing")
        self.played.append(pcm)

    def check(self) -> None:
        self.checks += 1
        if not self.present:
            raise AudioError("device-missing", "no output device named 'fakespk'")


def speaker_with(
    player: UnpluggablePlayer,
) -> tuple[Speaker, list[SpeechOutcome], list[OutputChange]]:
    speaker = Speaker(ToneSynthesizer(), player, {"sv": VoiceSettings("sv", 165, 1.0)})
    outcomes: list[SpeechOutcome] = []
    changes: list[OutputChange] = []
    speaker.on_idle = outcomes.append
    speaker.on_output = changes.append
    return speaker, outcomes, changes


def run(speaker: Speaker, *items: tuple[str, str]) -> None:
    for kind, text in items:
        if kind == "say":
            speaker.say(text, "sv")
        else:
            speaker.earcon(text)  # type: ignore[arg-type]
        assert speaker.wait(5)


def test_a_lost_output_is_one_outage_not_a_failure_per_sentence() -> None:
    player = UnpluggablePlayer()
    speaker, outcomes, changes = speaker_with(player)
    try:
        player.present = False
        run(speaker, ("say", "Kramper är vanliga. De går över."), ("earcon", "listening"))
        run(speaker, ("say", "Ett till svar."), ("earcon", "listening"))
    finally:
        speaker.close()
    line = "audio error [output-lost]: the output device failed while playing"
    assert changes == [OutputChange(lost=True, code="output-lost", message=line)]
    assert player.failed == 1  # tried once; no error tone, nothing more tried while lost
    assert all(o.status == "failed" and o.output_lost for o in outcomes)
    assert [o.error_code for o in outcomes] == ["output-lost"] * 4
    assert outcomes[0].message == line


def test_check_output_ends_the_outage_once_the_device_is_back() -> None:
    player = UnpluggablePlayer("device-missing")
    speaker, outcomes, changes = speaker_with(player)
    try:
        player.present = False
        run(speaker, ("say", "Ett svar."))
        assert speaker.outage is not None
        assert speaker.check_output() is False  # still unplugged
        player.present = True
        run(speaker, ("earcon", "listening"))  # not tried: the outage lasts until a check
        assert player.played == []
        assert speaker.check_output() is True
        assert speaker.check_output() is True  # no outage: nothing to report
        run(speaker, ("earcon", "listening"))
    finally:
        speaker.close()
    assert [c.lost for c in changes] == [True, False]
    assert speaker.outage is None
    assert player.played == [earcon_pcm("listening")]
    assert outcomes[-1] == SpeechOutcome("completed")


def test_an_outage_known_at_start_up_plays_nothing() -> None:
    player = UnpluggablePlayer()
    speaker, outcomes, changes = speaker_with(player)
    try:
        speaker.output_lost(AudioError("device-missing", "no output device named 'x'"))
        run(speaker, ("say", "Hej."))
    finally:
        speaker.close()
    assert player.played == [] and player.failed == 0
    assert [c.code for c in changes] == ["device-missing"]
    assert outcomes == [
        SpeechOutcome(
            "failed",
            "device-missing",
            output_lost=True,
            message="audio error [device-missing]: no output device named 'x'",
        )
    ]


def test_other_failures_are_each_reported_and_a_tone_after_one_repeats_it() -> None:
    player = UnpluggablePlayer("synthesis-broken")  # not a loss of the device
    speaker, outcomes, changes = speaker_with(player)
    try:
        player.present = False
        run(speaker, ("say", "Ett svar."), ("earcon", "listening"), ("say", "Ett till."))
        player.present = True
        run(speaker, ("earcon", "listening"))
    finally:
        speaker.close()
    assert changes == []
    assert [(o.status, o.repeated, o.output_lost) for o in outcomes] == [
        ("failed", False, False),  # the answer
        ("failed", True, False),  # the tone after it: the same failure
        ("failed", False, False),  # another answer: a visitor heard nothing again
        ("completed", False, False),
    ]


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
