"""Listening: Vosk endpointing on the real Korean model, the listener's events and recovery,
WAV sources, and the real sounddevice microphone path on the virtual ALSA microphone."""

from __future__ import annotations

import argparse
import copy
import dataclasses
import json
import subprocess
import sys
import threading
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant import PROJECT_DIR
from assistant.audio import Int16Array, Pcm, refresh_devices, write_wav
from assistant.config import Config
from assistant.errors import AudioError, ModelError
from assistant.speech_in.listening import (
    DeviceError,
    InputOverflow,
    Listener,
    ListenerEvent,
    SegmentEvent,
    SourceEnded,
    SpeechStarted,
    UtteranceEnded,
    VoskSegmenter,
    prepare_recognition,
)
from assistant.speech_in.recognition import Utterance, VoskModel, VoskRecognizer, load_model
from assistant.speech_in.sources import Block, MicrophoneSource, WavSource
from tests.speech_input_support import (
    KO_WORDS,
    config_for,
    join,
    ko_config,
    ko_pcm,
    ko_toml,
    silence,
)
from tests.virtual_alsa import MIC_NAME, VirtualAlsa

MIC_BLOCK_S = 0.02


@pytest.fixture(scope="module")
def ko_model(ko_model_dir: Path) -> VoskModel:
    return load_model(ko_config(ko_model_dir), "ko")


@pytest.fixture(scope="module")
def restricted(ko_model: VoskModel) -> VoskRecognizer:
    return VoskRecognizer(ko_model, list(KO_WORDS))


def segment(segmenter: VoskSegmenter, pcm: Pcm, block_s: float = 0.1) -> list[SegmentEvent]:
    step = int(pcm.rate_hz * block_s)
    events: list[SegmentEvent] = []
    for i in range(0, len(pcm.samples), step):
        events += segmenter.feed(pcm.samples[i : i + step])
    return events + segmenter.flush()


def utterances(events: list[SegmentEvent] | list[ListenerEvent]) -> list[Utterance]:
    return [e.utterance for e in events if isinstance(e, UtteranceEnded)]


# -- endpointing with the real model ---------------------------------------------------------
@pytest.mark.real_vosk
def test_endpointing_splits_two_utterances(ko_model: VoskModel, restricted: VoskRecognizer) -> None:
    hello = ko_pcm("안녕하세요")
    audio = join(silence(0.5), hello, silence(1.5), hello, silence(1.5))
    segmenter = VoskSegmenter([restricted], max_utterance_s=6.0)
    events = segment(segmenter, audio)
    kinds = [type(e).__name__ for e in events]
    assert kinds == ["SpeechStarted", "UtteranceEnded", "SpeechStarted", "UtteranceEnded"]
    first, second = utterances(events)
    started = [e.at_s for e in events if isinstance(e, SpeechStarted)]
    assert 0.0 <= started[0] < 1.5 and 2.0 < started[1] < 4.5
    for utt in (first, second):
        assert not utt.truncated and utt.duration_s < hello.duration_s + 2.5
        # Decoded while streaming (no second pass), with word times inside the utterance ...
        streamed = utt.streamed["ko"]
        assert restricted.recognize(utt) is streamed and streamed.text == "안녕하세요"
        assert all(0 <= w.start_s < w.end_s <= utt.duration_s for w in streamed.words)
        # ... and the same words as decoding the cut audio afresh.
        assert restricted.recognize(Utterance.of(utt.pcm)).text == "안녕하세요"


@pytest.mark.real_vosk
def test_a_restart_hears_only_the_words_after_it(restricted: VoskRecognizer) -> None:
    """The utterance being cut (here "안녕하세요", standing for the kiosk's own echo) is dropped and
    the audio from the restart on is heard afresh: one utterance, the later word's."""
    hello, thanks = ko_pcm("안녕하세요"), ko_pcm("감사합니다")
    head = join(silence(0.3), hello, silence(0.2))
    audio = join(head, thanks, silence(1.5))
    segmenter = VoskSegmenter([restricted], max_utterance_s=6.0)
    step = 1600
    restart_at = len(head.samples) - 800  # 50 ms before the second word
    events: list[SegmentEvent] = []
    for i in range(0, restart_at, step):
        events += segmenter.feed(audio.samples[i : min(i + step, restart_at)])
    rest = audio.samples[restart_at:]
    # the restart comes once some of the second word has been fed, as the guard's barge-in does
    for i in range(0, 4000, step):
        events += segmenter.feed(rest[i : i + step])
    assert [type(e).__name__ for e in events] == ["SpeechStarted"], "the first word is still open"
    events = segmenter.restart(restart_at / 16000)
    for i in range(4000, len(rest), step):
        events += segmenter.feed(rest[i : i + step])
    events += segmenter.flush()
    heard = utterances(events)
    assert len(heard) == 1 and heard[0].streamed["ko"].text == "감사합니다", heard
    starts = [e.at_s for e in events if isinstance(e, SpeechStarted)]
    assert starts and starts[0] >= restart_at / 16000 - 1e-6


@pytest.mark.real_vosk
def test_segmenter_streams_every_language(ko_model: VoskModel) -> None:
    """Two recognizers (labelled as two languages) decode the same stream concurrently."""
    greet = VoskRecognizer(ko_model, ["안녕하세요", "학교"])
    relabelled = copy.copy(ko_model)  # a second language, served by the same loaded model
    relabelled.lang = "xx"
    other = VoskRecognizer(relabelled, ["감사합니다"])
    segmenter = VoskSegmenter([greet, other], max_utterance_s=6.0)
    found = utterances(segment(segmenter, join(silence(0.3), ko_pcm("안녕하세요"), silence(1.5))))
    assert len(found) == 1 and set(found[0].streamed) == {"ko", "xx"}
    assert found[0].streamed["ko"].text == "안녕하세요"
    assert {w.text for w in found[0].streamed["xx"].words} <= {"감사합니다"}


@pytest.mark.real_vosk
def test_silence_gives_no_utterance(restricted: VoskRecognizer) -> None:
    segmenter = VoskSegmenter([restricted], max_utterance_s=6.0)
    assert segment(segmenter, silence(3.0)) == []


@pytest.mark.real_vosk
def test_maximum_length_cuts_the_utterance(restricted: VoskRecognizer) -> None:
    speech = join(*[ko_pcm("안녕하세요 감사합니다 학교")] * 3)
    segmenter = VoskSegmenter([restricted], max_utterance_s=1.5)
    found = utterances(segment(segmenter, speech))
    assert len(found) >= 2 and found[0].truncated
    assert all(u.duration_s <= 1.5 + 1.0 + 0.1 for u in found)  # max length + pre-roll + block


# -- the listener with recording fakes --------------------------------------------------------
class RecordingSegmenter:
    """Cuts an utterance at every block louder than zero (a fake standing in for Vosk)."""

    def __init__(self) -> None:
        self.fed: list[int] = []
        self.resets = 0

    def feed(self, samples: Int16Array) -> list[SegmentEvent]:
        self.fed.append(len(samples))
        if len(samples) and np.abs(samples).max() > 0:
            return [SpeechStarted(0.0), UtteranceEnded(Utterance.of(Pcm(samples, 16000)))]
        return []

    def flush(self) -> list[SegmentEvent]:
        return []

    def reset(self) -> None:
        self.resets += 1


class ScriptedSource:
    """Fails to open ``open_failures`` times, then yields blocks, failing once mid-stream."""

    name = "scripted"

    def __init__(self, blocks: list[Block], *, open_failures: int, fail_after: int | None) -> None:
        self.blocks = blocks
        self.open_failures = open_failures
        self.fail_after = fail_after
        self.opens = self.closes = self.read_count = 0

    def open(self) -> None:
        self.opens += 1
        if self.opens <= self.open_failures:
            raise AudioError("device-missing", "no input device named 'scripted'")

    def read(self, timeout_s: float) -> Block | None:
        self.read_count += 1
        if self.fail_after is not None and self.read_count == self.fail_after:
            self.fail_after = None
            raise AudioError("mic-lost", "scripted stopped delivering audio")
        return self.blocks.pop(0) if self.blocks else None

    def close(self) -> None:
        self.closes += 1


def collect(listener: Listener, timeout_s: float = 10.0) -> list[ListenerEvent]:
    listener.start()
    try:
        return list(listener.events(timeout_s))
    finally:
        listener.stop()


def test_listener_reports_errors_reopens_and_forwards_events() -> None:
    loud = np.full(1600, 1000, dtype=np.int16)
    quiet = np.zeros(1600, dtype=np.int16)
    blocks = [Block(quiet), Block(loud, overflows=2), Block(quiet), Block(loud)]
    source = ScriptedSource(blocks, open_failures=2, fail_after=3)
    refreshes: list[int] = []
    segmenter = RecordingSegmenter()
    listener = Listener(
        source, segmenter, refresh=lambda: refreshes.append(1), backoff_s=(0.01, 0.02)
    )
    events = collect(listener)
    errors = [e for e in events if isinstance(e, DeviceError)]
    assert [e.code for e in errors] == ["device-missing", "device-missing", "mic-lost"]
    assert [e.retry_in_s for e in errors] == [0.01, 0.02, 0.01]  # back-off grows, then resets
    assert len(refreshes) == 3 and source.opens == 4 and source.closes == 2
    assert InputOverflow(2) in events and listener.overflows == 2
    assert len(utterances(events)) == 2 and isinstance(events[-1], SourceEnded)
    assert segmenter.resets == 3


def test_listener_stops_while_the_device_is_missing() -> None:
    source = ScriptedSource([], open_failures=10**6, fail_after=None)
    listener = Listener(source, RecordingSegmenter(), backoff_s=(30.0,))
    listener.start()
    first = listener.next_event(5.0)
    assert isinstance(first, DeviceError)
    listener.stop(timeout_s=5.0)  # wakes from the back-off wait at once
    assert listener._thread is None


class BusySegmenter(RecordingSegmenter):
    """A decoder busy on one block until released (a long final result on a loaded machine)."""

    def __init__(self) -> None:
        super().__init__()
        self.busy = threading.Event()
        self.release = threading.Event()

    def feed(self, samples: Int16Array) -> list[SegmentEvent]:
        self.busy.set()
        self.release.wait(30)
        return super().feed(samples)


def test_a_listener_stopped_while_decoding_closes_the_microphone_under_it() -> None:
    quiet = np.zeros(1600, dtype=np.int16)
    source = ScriptedSource([Block(quiet)] * 50, open_failures=0, fail_after=None)
    segmenter = BusySegmenter()
    listener = Listener(source, segmenter)
    listener.start()
    try:
        assert segmenter.busy.wait(5)
        assert listener.stop(timeout_s=0.2) is False, "the decoder is still busy"
        assert source.closes == 1, "the microphone was closed by the stop, not left open"
    finally:
        segmenter.release.set()


@pytest.mark.real_audio
def test_no_stream_stays_open_after_stopping_a_busy_listener(mic: VirtualAlsa) -> None:
    """The real stream is closed: PortAudio can shut down at once (the exit of the kiosk)."""
    segmenter = BusySegmenter()
    listener = Listener(MicrophoneSource(MIC_NAME, block_s=MIC_BLOCK_S), segmenter)
    listener.start()
    try:
        assert segmenter.busy.wait(10), "the microphone delivered no block"
        assert listener.stop(timeout_s=0.2) is False
        assert refresh_devices(timeout_s=0.0), "an audio stream is still open"
    finally:
        segmenter.release.set()
        mic.wait_mic_idle(5.0)


# -- WAV sources ------------------------------------------------------------------------------
def test_wav_source_blocks_at_16k(tmp_path: Path) -> None:
    path = tmp_path / "a.wav"
    write_wav(path, Pcm(np.arange(44100, dtype=np.int16) % 100, 44100))
    source = WavSource(path, block_s=0.25)
    source.open()
    sizes = []
    while (block := source.read(0.1)) is not None:
        sizes.append(len(block.samples))
    assert sum(sizes) == 16000 and max(sizes) == 4000


def test_empty_and_broken_wavs(tmp_path: Path) -> None:
    empty = tmp_path / "empty.wav"
    write_wav(empty, Pcm(np.zeros(0, np.int16), 16000))
    events = collect(Listener(WavSource(empty), RecordingSegmenter()))
    assert events == [SourceEnded()]
    truncated = tmp_path / "truncated.wav"
    truncated.write_bytes(empty.read_bytes()[:20])
    with pytest.raises(AudioError) as err:
        WavSource(truncated).open()
    assert err.value.code == "wav-invalid"


@pytest.mark.slow
def test_a_30_minute_wav_is_bounded(tmp_path: Path, ko_model_dir: Path) -> None:
    from assistant.cli import listen

    path = tmp_path / "long.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        second = np.zeros(16000, dtype=np.int16).tobytes()
        for _ in range(30 * 60):
            w.writeframes(second)
    config = ko_config(ko_model_dir)
    args = listen_args(path)
    utterance = listen._utterance(args, config)
    assert utterance.truncated and utterance.duration_s == config.recognition.max_utterance_s


def listen_args(path: Path) -> argparse.Namespace:
    return argparse.Namespace(wav=path, timeout=5.0)


# -- the real sounddevice microphone on the virtual ALSA device -------------------------------
@pytest.fixture
def mic(virtual_alsa: VirtualAlsa) -> Iterator[VirtualAlsa]:
    virtual_alsa.set_present(mic=True, speaker=True)
    refresh_devices()
    yield virtual_alsa
    virtual_alsa.set_present(mic=True, speaker=True)
    refresh_devices()


@pytest.mark.real_audio
@pytest.mark.real_vosk
def test_microphone_transcript_equals_the_file_transcript(
    mic: VirtualAlsa, restricted: VoskRecognizer, tmp_path: Path
) -> None:
    speech = ko_pcm("안녕하세요", rate_hz=mic.mic_rate_hz)
    path = tmp_path / "q.wav"
    write_wav(path, speech)
    from assistant.audio import read_wav

    from_file = restricted.recognize(Utterance.of(read_wav(path, rate_hz=16000)))
    # 20 ms blocks: the virtual microphone is paced in 20 ms steps (longer periods read ahead).
    source = MicrophoneSource(MIC_NAME, block_s=MIC_BLOCK_S)
    listener = Listener(source, VoskSegmenter([restricted], max_utterance_s=6.0))
    listener.start()
    try:
        mic.play_into_mic(speech.samples, silence_after_s=2.0)
        found = None
        for event in listener.events(8.0):
            if isinstance(event, UtteranceEnded):
                found = event.utterance
                break
    finally:
        mic.wait_mic_idle(5.0)  # leave nothing queued for the next test
        listener.stop()
    assert found is not None, "no utterance from the virtual microphone"
    assert restricted.recognize(found).text == from_file.text == "안녕하세요"


@pytest.mark.real_audio
def test_missing_microphone_is_reported_and_reopened(mic: VirtualAlsa) -> None:
    mic.set_present(mic=False, speaker=True)
    refresh_devices()
    with pytest.raises(AudioError) as err:
        MicrophoneSource(MIC_NAME).open()
    assert err.value.code == "device-missing"
    segmenter = RecordingSegmenter()
    listener = Listener(
        MicrophoneSource(MIC_NAME, block_s=MIC_BLOCK_S),
        segmenter,
        refresh=refresh_devices,
        backoff_s=(0.2,),
    )
    listener.start()
    try:
        first = listener.next_event(5.0)
        assert isinstance(first, DeviceError) and first.code == "device-missing"
        mic.set_present(mic=True, speaker=True)
        mic.play_into_mic(np.full(3200, 2000, dtype=np.int16), silence_after_s=0.5)
        got = None
        for event in listener.events(8.0):
            if isinstance(event, UtteranceEnded):
                got = event
                break
        assert got is not None, "the microphone was not reopened"
    finally:
        mic.wait_mic_idle(5.0)
        listener.stop()


# -- fail-fast preparation and the listen command on the microphone ----------------------------
def _with(config: Config, **audio: Any) -> Config:
    return dataclasses.replace(config, audio=dataclasses.replace(config.audio, **audio))


@pytest.mark.real_audio
@pytest.mark.real_vosk
def test_prepare_recognition(mic: VirtualAlsa, ko_model_dir: Path, tmp_path: Path) -> None:
    config = ko_config(ko_model_dir)
    prepare_recognition(_with(config, input_device=MIC_NAME))
    with pytest.raises(AudioError) as err:
        prepare_recognition(_with(config, input_device="no-such-microphone"))
    assert err.value.code == "device-missing"
    empty = config_for(tmp_path / "models", {"ko": "vosk-model-small-ko-test"})
    with pytest.raises(ModelError) as model_err:
        prepare_recognition(empty)
    assert model_err.value.code == "model-missing"


@pytest.mark.real_audio
@pytest.mark.real_vosk
@pytest.mark.e2e
def test_listen_command_on_the_microphone(
    mic: VirtualAlsa, ko_model_dir: Path, tmp_path: Path
) -> None:
    toml = ko_toml(
        ko_model_dir, tmp_path, f'[audio]\ninput_device = "{MIC_NAME}"\nblock_s = {MIC_BLOCK_S}\n'
    )
    cmd = [sys.executable, "run.py", "--config", str(toml), "listen", "--no-answer", "--json"]
    child = subprocess.Popen(
        [*cmd, "--timeout", "20"],
        cwd=PROJECT_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # Held by the virtual microphone until the program captures.
        mic.play_into_mic(ko_pcm("안녕하세요").samples, silence_after_s=2.0)
        out, err = child.communicate(timeout=90)
    finally:
        child.kill()
    assert child.returncode == 0, err
    transcript = json.loads(out)["transcript"]
    assert transcript["lang"] == "ko" and transcript["text"]


@pytest.mark.real_audio
@pytest.mark.real_vosk
@pytest.mark.e2e
def test_listen_command_without_a_microphone(ko_model_dir: Path, tmp_path: Path) -> None:
    toml = ko_toml(ko_model_dir, tmp_path, '[audio]\ninput_device = "no-such-microphone"\n')
    cmd = [sys.executable, "run.py", "--config", str(toml), "listen", "--no-answer"]
    out = subprocess.run(
        [*cmd, "--timeout", "20"],
        cwd=PROJECT_DIR,
        check=False,
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert out.returncode == 1 and "audio error [device-missing]" in out.stderr
    assert "Traceback" not in out.stderr
