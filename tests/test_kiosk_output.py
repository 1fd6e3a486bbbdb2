"""The kiosk without its loudspeaker: the real loop, dialog and Speaker over a fake device that
can be unplugged. An outage is logged once and its end once, the kiosk keeps answering (in
print), first-audio is logged only for audio that reached the device, and the re-checks find
the speaker again without a restart."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

from assistant.audio import Pcm
from assistant.config import Config
from assistant.errors import AudioError
from assistant.kiosk.dialog import Dialog
from assistant.kiosk.events import Typed
from assistant.kiosk.inputs import PlayStarted, TimedPlayer
from assistant.kiosk.loop import Kiosk, Shutdown
from assistant.kiosk.output_watch import OutputWatch
from assistant.speech_out.speaker import Speaker
from assistant.speech_out.voices import VoiceSettings
from tests.test_dialog import QUESTION, FakeBrain
from tests.test_kiosk import FakeLog, wait_until


class ToneSynthesizer:
    def synthesize(self, text: str, settings: VoiceSettings) -> Pcm:
        return Pcm(np.full(220, 1000, np.int16), 22050)


class Device:
    """An output device that can be unplugged: playing or checking it then fails."""

    def __init__(self, present: bool = True) -> None:
        self.present = present
        self.played = 0
        self.tried = 0

    def play(
        self, pcm: Pcm, stop: threading.Event, on_audio: Callable[[], None] | None = None
    ) -> None:
        self.tried += 1
        if not self.present:
            raise AudioError("device-missing", "no output device named 'fakespk'")
        if on_audio is not None:
            on_audio()
        self.played += 1

    def check(self) -> None:
        if not self.present:
            raise AudioError("device-missing", "no output device named 'fakespk'")


class Rig:
    def __init__(self, device: Device) -> None:
        config = Config()
        self.device = device
        self.log = FakeLog()
        self.printed: list[str] = []
        self.notices: list[str] = []
        self.kiosk: Kiosk
        player = TimedPlayer(device, self._started, time.monotonic)
        self.speaker = Speaker(
            ToneSynthesizer(),
            player,
            {lang: VoiceSettings(lang, 165, 1.0) for lang in config.languages},
            config.speech,
        )
        if not device.present:  # what start-up does when the doctor finds no speaker
            self.speaker.output_lost(AudioError("device-missing", "no output device"))
        self.watch = OutputWatch(self.speaker.check_output, interval_s=0.05)
        self.kiosk = Kiosk(
            Dialog(FakeBrain(), config),
            self.speaker,
            self.log,
            config,
            keyboard_only=True,
            on_say=lambda say: self.printed.append(f"[{say.lang}] {say.text}"),
            on_notice=self.notices.append,
            output_watch=self.watch,
        )
        self.speaker.on_idle = self.kiosk.speech_ended
        self.speaker.on_output = self.kiosk.output_changed

    def _started(self, started: PlayStarted) -> None:
        self.kiosk.play_started(started)

    def turn(self, text: str) -> list[str]:
        """Type ``text``; the names of the events of its turn once it is over."""
        start = len(self.log.lines)
        self.kiosk.post(Typed(text))
        wait_until(lambda: "turn" in self.log.names()[start:])
        wait_until(
            lambda: ("state", {"from": "speaking", "to": "listening"}) in self.log.lines[start:]
        )
        wait_until(lambda: not self.speaker.is_speaking)
        return self.log.names()[start:]


@pytest.fixture
def make() -> Iterator[Callable[[Device], Rig]]:
    rigs: list[tuple[Rig, threading.Thread]] = []

    def build(device: Device) -> Rig:
        r = Rig(device)
        thread = threading.Thread(target=r.kiosk.run, daemon=True)
        thread.start()
        rigs.append((r, thread))
        wait_until(lambda: "state" in r.log.names() and not r.speaker.is_speaking)
        return r

    yield build
    for r, thread in rigs:
        r.kiosk.post(Shutdown("test"))
        thread.join(5)
        assert not thread.is_alive()


def events(r: Rig, name: str) -> list[dict[str, Any]]:
    return r.log.of(name)


def test_no_speaker_at_start_up_is_logged_once_and_typed_questions_are_answered_in_print(
    make: Callable[[Device], Rig],
) -> None:
    r = make(Device(present=False))
    names = r.turn(QUESTION["sv"]) + r.turn(QUESTION["fr"]) + r.turn("hjälp")
    assert events(r, "speech-output-lost") == [{"code": "device-missing", "at_start": True}]
    assert r.notices == []  # the readiness report said it at start-up
    assert "first-audio" not in r.log.names()  # nothing was heard
    assert "speech-failed" not in names and "turn-failed" not in names
    assert r.device.tried == 0  # nothing is tried while the outage lasts
    assert sum(line.startswith("[sv] ") for line in r.printed) >= 2  # answered, in print


def test_an_outage_while_serving_is_logged_once_and_its_end_once(
    make: Callable[[Device], Rig],
) -> None:
    r = make(Device(present=True))
    assert "first-audio" in r.turn(QUESTION["sv"])  # it reached the device
    r.device.present = False
    lost = r.turn(QUESTION["sv"]) + r.turn(QUESTION["fr"]) + r.turn(QUESTION["sv"])
    assert "first-audio" not in lost and "speech-failed" not in lost
    assert events(r, "speech-output-lost") == [{"code": "device-missing", "at_start": False}]
    assert len(r.notices) == 1 and r.notices[0].startswith("speech output lost (device-missing)")
    assert r.watch.running
    r.device.present = True  # plugged in again: a re-check finds it
    wait_until(lambda: "speech-output-back" in r.log.names())
    assert "first-audio" in r.turn(QUESTION["fr"])
    assert r.log.names().count("speech-output-back") == 1
    assert r.log.names().count("speech-output-lost") == 1
    assert len(r.notices) == 2 and "works again" in r.notices[1]
    wait_until(lambda: not r.watch.running)
