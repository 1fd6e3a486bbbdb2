"""The Speaker on real engines: pyttsx3 + espeak-ng, played through sounddevice into the paced
virtual speaker ``fakespk``."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from assistant.audio import Pcm, refresh_devices
from assistant.config import AudioConfig, Config
from assistant.errors import AudioError
from assistant.kiosk.inputs import PlayStarted, TimedPlayer
from assistant.speech_out.earcons import earcon_pcm
from assistant.speech_out.playback import SoundDevicePlayer
from assistant.speech_out.speaker import OutputChange, SpeechOutcome, build_speaker

pytestmark = [pytest.mark.real_audio, pytest.mark.real_tts]

SV = "Kramper är vanliga. De går oftast över av sig själva."
LONG_FR = " ".join(
    f"Ceci est la phrase numéro {i} d'une longue réponse sur les crampes." for i in range(30)
)


@pytest.fixture
def config(virtual_alsa) -> Config:
    virtual_alsa.clear_speaker()
    return Config(audio=AudioConfig(output_device="fakespk"))


def test_earcon_plays_on_the_virtual_speaker(virtual_alsa, config) -> None:
    SoundDevicePlayer("fakespk").play(earcon_pcm("listening"), threading.Event())
    time.sleep(0.3)
    captured = virtual_alsa.speaker_samples()
    assert np.abs(captured).max() > 5000
    assert len(captured) >= len(earcon_pcm("listening").samples)


def test_speaker_speaks_swedish_to_the_speaker(virtual_alsa, config) -> None:
    speaker = build_speaker(config)
    outcomes: list[SpeechOutcome] = []
    speaker.on_idle = outcomes.append
    try:
        speaker.say(SV, "sv")
        assert speaker.is_speaking
        assert speaker.wait(30)
    finally:
        speaker.close()
    time.sleep(0.3)
    captured = virtual_alsa.speaker_samples()
    voiced = np.count_nonzero(np.abs(captured) > 1000) / 22050
    assert outcomes == [SpeechOutcome("completed")]
    assert voiced > 1.0  # two sentences of audible speech reached the speaker


def test_stop_cuts_a_long_answer_short(virtual_alsa, config) -> None:
    speaker = build_speaker(config)
    outcomes: list[SpeechOutcome] = []
    speaker.on_idle = outcomes.append
    try:
        speaker.say(LONG_FR, "fr")
        time.sleep(1.5)
        at_stop = len(virtual_alsa.speaker_samples())
        stopped_at = time.monotonic()
        speaker.stop()
        assert speaker.wait(2.0)
        idle_after_s = time.monotonic() - stopped_at
        time.sleep(0.5)  # the device's buffers drain (the virtual speaker's pipe: 0.1 s)
        settled = len(virtual_alsa.speaker_samples())
        time.sleep(1.0)
        later = len(virtual_alsa.speaker_samples())
    finally:
        speaker.close()
    assert outcomes == [SpeechOutcome("stopped")]
    assert idle_after_s < 0.5  # loose: the bench measures it (bench/bench_speech.py)
    assert at_stop > 0.5 * 22050  # it was speaking
    assert (settled - at_stop) / 22050 < 0.4  # what was in the buffers, no more
    assert later == settled  # nothing of the answer after the stop


def test_a_missing_device_is_one_outage_and_the_speaker_keeps_running(config) -> None:
    speaker = build_speaker(Config(audio=AudioConfig(output_device="no-such-speaker")))
    outcomes: list[SpeechOutcome] = []
    changes: list[OutputChange] = []
    speaker.on_idle = outcomes.append
    speaker.on_output = changes.append
    try:
        speaker.say(SV, "sv")
        assert speaker.wait(10)
        speaker.say("Ett svar till.", "sv")
        assert speaker.wait(10)
        assert speaker.check_output() is False
    finally:
        speaker.close()
    assert [(o.status, o.error_code, o.output_lost) for o in outcomes] == [
        ("failed", "device-missing", True),
        ("failed", "device-missing", True),
    ]
    assert "audio.output_device" in outcomes[0].message  # the fix, for `say` to print
    assert [(c.lost, c.code) for c in changes] == [(True, "device-missing")]


def test_device_vanishing_mid_answer_is_an_outage_until_it_is_back(virtual_alsa, config) -> None:
    """The virtual speaker vanishes from the ALSA configuration while an answer plays. The
    answer plays on one held stream, which the configuration no longer touches (a real unplug
    fails its next write); it is stopped, and the next answer finds the device gone."""
    speaker = build_speaker(config)
    outcomes: list[SpeechOutcome] = []
    changes: list[OutputChange] = []
    speaker.on_idle = outcomes.append
    speaker.on_output = changes.append
    try:
        speaker.say(LONG_FR, "fr")
        time.sleep(1.0)
        virtual_alsa.set_present(speaker=False)
        speaker.stop()
        assert speaker.wait(20)
        assert outcomes.pop(0) == SpeechOutcome("stopped")
        speaker.say(SV, "sv")
        assert speaker.wait(20)
        refresh_devices()
        assert speaker.check_output() is False
        virtual_alsa.set_present(mic=True, speaker=True)
        refresh_devices()
        assert speaker.check_output() is True
        virtual_alsa.clear_speaker()
        speaker.say(SV, "sv")
        assert speaker.wait(30)
    finally:
        virtual_alsa.set_present(mic=True, speaker=True)
        speaker.close()
    assert (outcomes[0].status, outcomes[0].error_code) == ("failed", "output-unavailable")
    assert [(c.lost, c.code) for c in changes] == [(True, "output-unavailable"), (False, None)]
    assert outcomes[-1] == SpeechOutcome("completed")
    time.sleep(0.3)
    assert np.count_nonzero(np.abs(virtual_alsa.speaker_samples()) > 1000) > 22050 // 2


def test_first_audio_is_reported_only_for_audio_that_reached_the_device(
    virtual_alsa, config
) -> None:
    started: list[PlayStarted] = []
    clock = iter(range(100)).__next__
    present = TimedPlayer(SoundDevicePlayer("fakespk"), started.append, lambda: float(clock()))
    present.play(earcon_pcm("listening"), threading.Event())
    present.play(Pcm(np.full(2205, 3000, np.int16), 22050), threading.Event())
    assert [s.earcon for s in started] == [True, False]
    missing = TimedPlayer(SoundDevicePlayer("no-such-speaker"), started.append, time.monotonic)
    with pytest.raises(AudioError):
        missing.play(Pcm(np.full(2205, 3000, np.int16), 22050), threading.Event())
    assert len(started) == 2  # nothing reached a device: no start reported


def test_player_rejects_nothing_and_stops_at_once() -> None:
    stop = threading.Event()
    stop.set()
    started = time.monotonic()
    SoundDevicePlayer("fakespk").play(Pcm(np.zeros(22050 * 5, np.int16), 22050), stop)
    assert time.monotonic() - started < 0.5
    with pytest.raises(AudioError):
        SoundDevicePlayer("no-such-speaker").play(earcon_pcm("error"), threading.Event())


def test_an_answers_sentences_play_on_one_stream(virtual_alsa, config, monkeypatch) -> None:
    """The three sentences of one answer on one output stream (the echo canceller keeps the
    same echo from the first to the last), and every one of them reaches the speaker and the
    echo reference; an earcon after it gets a stream of its own."""
    import sounddevice

    from assistant.audio import PlaybackReference

    opened: list[object] = []
    real = sounddevice.OutputStream

    def counting(*args: object, **kwargs: object) -> object:
        opened.append(kwargs.get("samplerate"))
        return real(*args, **kwargs)

    monkeypatch.setattr(sounddevice, "OutputStream", counting)
    reference = PlaybackReference()
    player = SoundDevicePlayer("fakespk", reference=reference)
    speaker = build_speaker(config, player=TimedPlayer(player, lambda _: None, time.monotonic))
    outcomes: list[SpeechOutcome] = []
    speaker.on_idle = outcomes.append
    try:
        speaker.say("Kramper är vanliga. De går över. Drick vatten.", "sv")
        assert speaker.wait(30)
        assert len(opened) == 1, opened
        speaker.earcon("listening")
        assert speaker.wait(10)
    finally:
        speaker.close()
    assert len(opened) == 2, opened
    assert outcomes == [SpeechOutcome("completed"), SpeechOutcome("completed")]
    played_s = sum(len(data) for _, data in reference._parts) / PlaybackReference.RATE_HZ
    assert played_s > 2.0, played_s  # three sentences' worth in the reference
    time.sleep(0.3)
    assert np.count_nonzero(np.abs(virtual_alsa.speaker_samples()) > 1000) > 22050
