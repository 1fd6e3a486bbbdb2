"""Listening: audio blocks in, events out (speech started, utterance ended, overflow, device error).

A :class:`Listener` reads an :class:`~assistant.listening_sources.AudioSource` on its own thread
and feeds a :class:`Segmenter`, which finds where utterances start and end. Segmenters never
look at a clock: time is the duration of the samples fed, so tests replay audio faster than
real time and get the same cuts. The consumer takes events from :meth:`Listener.next_event`
without touching a device. When the device fails or vanishes, the listener reports it, waits
(growing back-off), refreshes PortAudio's device list and opens the device again by name.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from .audio import Int16Array, Pcm
from .config import Config
from .errors import AssistantError, RecognitionError
from .listening_sources import RATE_HZ, AudioSource, MicrophoneSource
from .recognition import Utterance, VoskModel, load_model, recognition_languages

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SpeechStarted:
    """Speech began (for barge-in); ``at_s``: seconds of audio fed before it."""

    at_s: float


@dataclass(frozen=True)
class UtteranceEnded:
    utterance: Utterance


@dataclass(frozen=True)
class InputOverflow:
    """Input was lost (the reader fell behind); ``total``: overflows so far."""

    total: int


@dataclass(frozen=True)
class DeviceError:
    code: str
    message: str
    retry_in_s: float


@dataclass(frozen=True)
class SourceEnded:
    """The source has no more audio (end of a WAV file)."""


SegmentEvent = SpeechStarted | UtteranceEnded
ListenerEvent = SpeechStarted | UtteranceEnded | InputOverflow | DeviceError | SourceEnded


class Segmenter(Protocol):
    """Cuts a stream of 16 kHz blocks into utterances."""

    def feed(self, samples: Int16Array) -> list[SegmentEvent]: ...

    def flush(self) -> list[SegmentEvent]: ...


class VoskSegmenter:
    """Utterance ends by Vosk's endpointing (the rules of the model's managed ``model.conf``).

    Speech starts when the recognizer's partial result has words; the utterance ends at
    Vosk's endpoint, or at ``max_utterance_s``. The utterance audio includes up to
    ``pre_roll_s`` before the start.
    """

    def __init__(
        self, new_kaldi: Callable[[], Any], *, max_utterance_s: float, pre_roll_s: float = 1.0
    ) -> None:
        self.new_kaldi = new_kaldi
        self.max_utterance_s = max_utterance_s
        self.pre_roll = int(pre_roll_s * RATE_HZ)
        self._rec = new_kaldi()
        self._fed = 0
        self._buffer: list[Int16Array] = []
        self._buffered = 0
        self._speech_at: int | None = None

    def feed(self, samples: Int16Array) -> list[SegmentEvent]:
        if not len(samples):
            return []
        self._fed += len(samples)
        self._buffer.append(samples)
        self._buffered += len(samples)
        endpoint = bool(self._rec.AcceptWaveform(np.asarray(samples, dtype="<i2").tobytes()))
        events: list[SegmentEvent] = []
        if self._speech_at is None and (endpoint or self._partial()):
            text = json.loads(self._rec.Result())["text"] if endpoint else "?"
            if text:
                self._speech_at = max(0, self._fed - len(samples))
                events.append(SpeechStarted(self._speech_at / RATE_HZ))
        elif endpoint:
            self._rec.Result()
        if self._speech_at is None:
            self._trim()
            return events
        too_long = (self._fed - self._speech_at) / RATE_HZ >= self.max_utterance_s
        if endpoint or too_long:
            if too_long and not endpoint:
                self._rec.Result()  # finalizes; the recognizer then starts a new utterance
            events.append(self._cut(truncated=too_long and not endpoint))
        return events

    def flush(self) -> list[SegmentEvent]:
        text = json.loads(self._rec.FinalResult()).get("text", "")
        events: list[SegmentEvent] = []
        if self._speech_at is None and text:
            self._speech_at = max(0, self._fed - self._buffered)
            events.append(SpeechStarted(self._speech_at / RATE_HZ))
        if self._speech_at is not None:
            events.append(self._cut(truncated=False))
        self.reset()
        return events

    def reset(self) -> None:
        self._rec = self.new_kaldi()
        self._buffer, self._buffered, self._speech_at = [], 0, None

    def _partial(self) -> bool:
        return bool(json.loads(self._rec.PartialResult()).get("partial"))

    def _trim(self) -> None:
        while self._buffer and self._buffered - len(self._buffer[0]) >= self.pre_roll:
            self._buffered -= len(self._buffer.pop(0))

    def _cut(self, *, truncated: bool) -> UtteranceEnded:
        samples = np.concatenate(self._buffer) if self._buffer else np.zeros(0, np.int16)
        self._buffer, self._buffered, self._speech_at = [], 0, None
        return UtteranceEnded(Utterance.of(Pcm(samples, RATE_HZ), truncated=truncated))


class Listener:
    """Reads a source on a worker thread and queues events for one consumer."""

    def __init__(
        self,
        source: AudioSource,
        segmenter: Segmenter,
        *,
        refresh: Callable[[], None] | None = None,
        backoff_s: Sequence[float] = (0.5, 1.0, 2.0, 5.0),
        read_timeout_s: float = 0.25,
    ) -> None:
        self.source = source
        self.segmenter = segmenter
        self.refresh = refresh
        self.backoff_s = tuple(backoff_s)
        self.read_timeout_s = read_timeout_s
        self.overflows = 0
        self._events: queue.Queue[ListenerEvent] = queue.Queue()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="listener", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None

    def next_event(self, timeout_s: float) -> ListenerEvent | None:
        try:
            return self._events.get(timeout=timeout_s)
        except queue.Empty:
            return None

    def events(self, timeout_s: float) -> Iterator[ListenerEvent]:
        """Events until the source ends, the listener stops or ``timeout_s`` passes idle."""
        while (event := self.next_event(timeout_s)) is not None:
            yield event
            if isinstance(event, SourceEnded):
                return

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                self.source.open()
            except AssistantError as exc:
                failures = self._failed(exc, failures)
                continue
            failures = 0
            try:
                if self._pump():
                    return
            except AssistantError as exc:
                failures = self._failed(exc, failures)
            except Exception as exc:  # a bug: report it, never die silently
                logger.exception("listener failed")
                self._events.put(DeviceError("listener-failed", str(exc), 0.0))
                return
            finally:
                self.source.close()

    def _pump(self) -> bool:
        """Feed blocks until stopped (False) or the source ends (True)."""
        while not self._stop.is_set():
            block = self.source.read(self.read_timeout_s)
            if block is None:
                for event in self.segmenter.flush():
                    self._events.put(event)
                self._events.put(SourceEnded())
                return True
            if block.overflows:
                self.overflows += block.overflows
                self._events.put(InputOverflow(self.overflows))
            for event in self.segmenter.feed(block.samples):
                self._events.put(event)
        return False

    def _failed(self, exc: AssistantError, failures: int) -> int:
        wait = self.backoff_s[min(failures, len(self.backoff_s) - 1)]
        logger.warning("%s; retrying in %.1f s", exc.describe(), wait)
        self._events.put(DeviceError(exc.code, exc.message, wait))
        reset = getattr(self.segmenter, "reset", None)
        if callable(reset):
            reset()
        if not self._stop.wait(wait) and self.refresh is not None:
            try:
                self.refresh()
            except AssistantError as refresh_exc:
                logger.warning("%s", refresh_exc.describe())
        return failures + 1


def segmenter_model(config: Config) -> VoskModel:
    """The model whose endpointing cuts utterances: the default language's when installed."""
    langs = recognition_languages(config)
    lang = config.dialog.default_language if config.dialog.default_language in langs else langs[0]
    return load_model(config, lang)


def microphone_listener(config: Config) -> Listener:
    """A listener on the configured microphone, cut by Vosk's endpointing."""
    from .audio import refresh_devices
    from .recognition import VoskRecognizer

    model = VoskRecognizer(segmenter_model(config))
    source = MicrophoneSource(
        config.audio.input_device, rate_hz=config.audio.input_rate_hz, block_s=config.audio.block_s
    )
    segmenter = VoskSegmenter(model.new_kaldi, max_utterance_s=config.recognition.max_utterance_s)
    return Listener(source, segmenter, refresh=refresh_devices)


def prepare_recognition(config: Config) -> None:
    """Fail fast: every recognition language has a valid model that loads, and the mic opens."""
    langs = recognition_languages(config)
    for lang in langs:
        load_model(config, lang)
    if not langs:
        raise RecognitionError("no-language", "no recognition language is configured")
    mic = MicrophoneSource(
        config.audio.input_device, rate_hz=config.audio.input_rate_hz, block_s=config.audio.block_s
    )
    mic.open()
    mic.close()
