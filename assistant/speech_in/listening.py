"""Listening: audio blocks in, events out (speech started, utterance ended, overflow, device error).

A :class:`Listener` reads an :class:`~assistant.speech_in.sources.AudioSource` on its own thread
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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

import numpy as np

from assistant.audio import Int16Array, Pcm, PlaybackReference
from assistant.config import Config
from assistant.errors import AssistantError, RecognitionError
from assistant.speech_in.echo import EchoGuard, build_guard
from assistant.speech_in.endpointing import Endpointer, LevelEndpointer
from assistant.speech_in.recognition import (
    Recognizer,
    Utterance,
    VoskRecognizer,
    load_model,
    parse_result,
    recognition_languages,
    vosk_recognizers,
)
from assistant.speech_in.sources import RATE_HZ, AudioSource, MicrophoneSource
from assistant.speech_in.vad import endpointer_factory

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
    """Cuts a stream of 16 kHz blocks into utterances. A segmenter may also offer ``reset()``
    (forget the utterance being cut) and ``restart(at_s)`` (hear the audio from ``at_s`` on
    afresh, as :meth:`VoskSegmenter.restart`); the listener uses them when they exist."""

    def feed(self, samples: Int16Array) -> list[SegmentEvent]: ...

    def flush(self) -> list[SegmentEvent]: ...


class VoskSegmenter:
    """Utterances cut by Vosk's endpointing and by the level of the audio.

    Every block goes to one fresh Kaldi recognizer per language; the first one's endpointing
    (the rules of the model's managed ``model.conf``) decides. Speech starts when its partial
    result has words; the utterance ends at its endpoint, or once the audio's level has shown
    ``endpoint_silence_s`` of silence after voice (:mod:`.endpointing`: Vosk's rules can fail
    to fire when its decoder is unsure), or at ``max_utterance_s``. Words that already read as a
    whole question (``complete(text, lang)`` on a language's partial transcript) end sooner, at
    ``quick_silence_s``. ``endpointer`` makes the level endpoint's stand-in (``vad.py``: a
    voice-activity detector, ``recognition.endpointer``). The utterance carries the
    audio (with up to ``pre_roll_s`` before the start) and each language's transcript, decoded
    while the audio streamed in, so recognition needs no second pass. Recognizers are replaced
    after every utterance (a new visitor may be next).
    """

    def __init__(
        self,
        recognizers: Sequence[VoskRecognizer],
        *,
        max_utterance_s: float,
        endpoint_silence_s: float | None = None,
        quick_silence_s: float = 0.0,
        complete: Callable[[str, str], bool] | None = None,
        pre_roll_s: float = 1.0,
        endpointer: Callable[[], Endpointer] = LevelEndpointer,
    ) -> None:
        if not recognizers:
            raise RecognitionError("no-language", "no recognizer to segment with")
        self.recognizers = list(recognizers)
        self.max_utterance_s = max_utterance_s
        self.endpoint_silence_s = endpoint_silence_s
        self._level = endpointer() if endpoint_silence_s is not None else None
        self.quick_silence_s = quick_silence_s
        self.complete = complete
        self._judged: dict[tuple[str, str], bool] = {}
        self.pre_roll = int(pre_roll_s * RATE_HZ)
        self._pool = (
            ThreadPoolExecutor(len(recognizers) - 1, thread_name_prefix="segment")
            if len(recognizers) > 1
            else None
        )
        self._fed = 0
        self.reset()

    def reset(self) -> None:
        self._recs = [r.new_kaldi() for r in self.recognizers]
        self._rec_start = self._fed
        self._buffer: list[Int16Array] = []
        self._buffered = 0
        self._speech_at: int | None = None
        if self._level is not None:
            self._level.reset()
        self._judged = {}

    def feed(self, samples: Int16Array) -> list[SegmentEvent]:
        if not len(samples):
            return []
        self._fed += len(samples)
        self._buffer.append(samples)
        self._buffered += len(samples)
        data = np.asarray(samples, dtype="<i2").tobytes()
        pool = self._pool
        others = [pool.submit(r.AcceptWaveform, data) for r in self._recs[1:]] if pool else []
        endpoint = bool(self._recs[0].AcceptWaveform(data))
        for future in others:
            future.result()
        if self._level is not None:
            self._level.feed(samples)
        events: list[SegmentEvent] = []
        if self._speech_at is None:
            if endpoint:  # an endpoint before any partial words: a short word, or nothing
                start_s = (self._fed - self._buffered) / RATE_HZ
                held = list(self._buffer)
                heard = self._cut(truncated=False, final=False)
                if heard.utterance.streamed:
                    return [SpeechStarted(start_s), heard]
                return self._hear_again(held)
            if not self._partial():
                self._trim()
                return events
            self._speech_at = self._fed - len(samples)
            events.append(SpeechStarted(self._speech_at / RATE_HZ))
        too_long = (self._fed - self._speech_at) / RATE_HZ >= self.max_utterance_s
        if endpoint or too_long or self._quiet_after_voice() or self._whole_request():
            events.append(self._cut(truncated=too_long and not endpoint, final=False))
        return events

    def flush(self) -> list[SegmentEvent]:
        if self._speech_at is None and not self._buffered:
            return []
        announced = self._speech_at is not None
        start_s = (self._fed - self._buffered) / RATE_HZ
        heard = self._cut(truncated=False, final=True)
        if announced:
            return [heard]
        return [SpeechStarted(start_s), heard] if heard.utterance.streamed else []

    def restart(self, at_s: float) -> list[SegmentEvent]:
        """Drop the utterance being cut and hear the audio from ``at_s`` (seconds fed) on
        afresh, as the start of a new one: the echo guard found the visitor's voice in an
        utterance that began on the kiosk's own echo, and the visitor's words would otherwise
        be cut with the echo's (one question heard as two, or lost in the echo's words)."""
        held = np.concatenate(self._buffer) if self._buffer else np.zeros(0, np.int16)
        first = self._fed - self._buffered
        keep = held[max(0, round(at_s * RATE_HZ) - first) :]
        self._fed -= len(keep)
        self.reset()
        return self.feed(keep)

    def _hear_again(self, held: list[Int16Array]) -> list[SegmentEvent]:
        """Feed the audio held before an empty cut (Vosk's timeout after seconds of silence)
        to the new recognizers: speech starting in its last blocks was cut off with it, and
        the word was lost when it began about 5 s after the last utterance."""
        self._fed -= sum(len(block) for block in held)
        self._rec_start = self._fed
        events: list[SegmentEvent] = []
        for block in held:
            events += self.feed(block)
        return events

    def _quiet_after_voice(self) -> bool:
        level, silence_s = self._level, self.endpoint_silence_s
        return level is not None and silence_s is not None and level.ended(silence_s)

    def _whole_request(self) -> bool:
        """A short pause after words that already read as a whole question, in any language."""
        level, complete = self._level, self.complete
        if level is None or complete is None or self.quick_silence_s <= 0:
            return False
        if not level.ended(self.quick_silence_s):
            return False
        for recognizer, rec in zip(self.recognizers, self._recs, strict=True):
            text = str(json.loads(rec.PartialResult()).get("partial", "")).strip()
            key = (text, recognizer.lang)
            if text and key not in self._judged:
                try:
                    self._judged[key] = bool(complete(text, recognizer.lang))
                except Exception:  # the judge must never stop the listener
                    logger.exception("judging a partial transcript failed")
                    self._judged[key] = False
            if text and self._judged[key]:
                logger.debug("a whole question after a short pause (%s)", recognizer.lang)
                return True
        return False

    def _partial(self) -> bool:
        return bool(json.loads(self._recs[0].PartialResult()).get("partial"))

    def _trim(self) -> None:
        while self._buffer and self._buffered - len(self._buffer[0]) >= self.pre_roll:
            self._buffered -= len(self._buffer.pop(0))

    def _cut(self, *, truncated: bool, final: bool) -> UtteranceEnded:
        samples = np.concatenate(self._buffer) if self._buffer else np.zeros(0, np.int16)
        pcm = Pcm(samples, RATE_HZ)
        offset_s = (self._fed - self._buffered - self._rec_start) / RATE_HZ
        streamed = {}
        for recognizer, rec in zip(self.recognizers, self._recs, strict=True):
            raw = rec.FinalResult() if final else rec.Result()
            transcript = parse_result(raw, recognizer.lang, pcm.duration_s, offset_s)
            streamed[recognizer.lang] = transcript
        heard = UtteranceEnded(Utterance.of(pcm, truncated=truncated, streamed=streamed))
        if not streamed[self.recognizers[0].lang].text and self._speech_at is None:
            heard = UtteranceEnded(Utterance.of(pcm))  # nothing was said: no transcripts
        self.reset()
        return heard


class Whose(Enum):
    """Whose the utterance being cut is, as far as the echo guard can tell."""

    NONE = "none"  # no utterance is being cut
    VISITOR = "visitor"  # begun in quiet, or the guard heard the visitor over the echo
    ECHO = "echo"  # begun while the kiosk played, with no barge-in: dropped at its end


#: An utterance that began up to this long before the guard's barge-in is the barge-in's own
#: (the recognizer's partial words can come before the guard has heard enough voice); one that
#: began earlier was the echo with the visitor's first words at its end, and the visitor's
#: next utterance is still the barge-in's.
BARGE_LEAD_S = 0.5


@dataclass
class _Cut:
    """The listener's one piece of barge-in state: whose the utterance being cut is, where it
    started, and the guard's barge-in whose utterance has not ended (samples fed)."""

    whose: Whose = Whose.NONE
    start: int = 0
    barge_at: int | None = None

    def barged(self, at: int) -> bool:
        """The guard's barge-in at ``at``. True when the utterance being cut began on the echo
        more than :data:`BARGE_LEAD_S` before it: that one is dropped, and the caller hears the
        audio from the lead before the barge-in on afresh (the visitor's utterance)."""
        self.barge_at = at
        if self.whose is not Whose.ECHO:
            return False
        if self.start < at - BARGE_LEAD_S * RATE_HZ:
            self.whose = Whose.NONE
            return True
        self.whose = Whose.VISITOR  # the visitor speaks in it: keep it
        return False

    def started(self, at: int, *, echo: bool) -> None:
        self.whose, self.start = (Whose.ECHO if echo else Whose.VISITOR), at

    def ended(self) -> Whose:
        """Whose the utterance that ended was; the end of the barge-in's own utterance ends
        the barge-in too."""
        whose, barge_at = self.whose, self.barge_at
        if barge_at is not None and self.start >= barge_at - BARGE_LEAD_S * RATE_HZ:
            self.barge_at = None
        self.whose = Whose.NONE
        return whose


class Listener:
    """Reads a source on a worker thread and queues events for one consumer.

    With an ``echo`` guard (:mod:`.echo`) every block passes through it first: the segmenter
    gets the echo-cancelled audio, a start of speech the segmenter finds while the kiosk plays
    is dropped (its own echo has words too), and the guard's barge-in (the visitor's voice
    above the echo) is the start of speech instead.
    """

    def __init__(
        self,
        source: AudioSource,
        segmenter: Segmenter,
        *,
        refresh: Callable[[], object] | None = None,
        backoff_s: Sequence[float] = (0.5, 1.0, 2.0, 5.0),
        read_timeout_s: float = 0.25,
        echo: EchoGuard | None = None,
    ) -> None:
        self.source = source
        self.segmenter = segmenter
        self.echo = echo
        self._fed = 0
        #: Whose the utterance being cut is (with the echo guard), where it started and the
        #: guard's barge-in whose utterance has not ended yet (samples fed).
        self._cut = _Cut()
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

    def stop(self, timeout_s: float = 5.0) -> bool:
        """Stop listening; True when the listener's thread ended within ``timeout_s``. A thread
        still decoding then (a backlog, a long final result on a loaded machine) is left to
        finish on its own, and the microphone is closed under it here: no stream stays open
        for the audio library's exit to wait on."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is None:
            return True
        thread.join(timeout_s)
        if not thread.is_alive():
            return True
        logger.info("the listener still decodes after %.1f s: the microphone closes now", timeout_s)
        self.source.close()
        return False

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
            if self.echo is not None:
                self.echo.reset()
            error: AssistantError | None = None
            try:
                if self._pump():
                    return
            except AssistantError as exc:
                error = exc
            except Exception as exc:  # a bug: report it, never die silently
                logger.exception("listener failed")
                self._events.put(DeviceError("listener-failed", str(exc), 0.0))
                return
            finally:
                self.source.close()  # before any refresh: PortAudio must have no open stream
            if error is not None:
                failures = self._failed(error, failures)

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
            samples, playing = block.samples, False
            if self.echo is not None and len(samples):
                guarded = self.echo.process(samples)
                samples, playing = guarded.samples, guarded.playing
                if guarded.barge_in:
                    self._events.put(SpeechStarted(self._fed / RATE_HZ))
                    if self._cut.barged(self._fed):
                        self._restart(self._fed - round(BARGE_LEAD_S * RATE_HZ), playing)
                elif not playing:
                    self._cut.barge_at = None  # the kiosk is silent: nothing to barge in on
            self._fed += len(samples)
            for event in self.segmenter.feed(samples):
                self._segmented(event, playing)
        return False

    def _restart(self, at: int, playing: bool) -> None:
        """Hear the audio from sample ``at`` on afresh (a segmenter that cannot: the utterance
        begun on the echo is kept whole, as the visitor's)."""
        restart = getattr(self.segmenter, "restart", None)
        if not callable(restart):
            self._cut.whose = Whose.VISITOR
            return
        logger.debug("the visitor spoke in an utterance of the echo: heard again from the lead")
        for event in restart(at / RATE_HZ):
            self._segmented(event, playing)

    def _segmented(self, event: SegmentEvent, playing: bool) -> None:
        """Queue a segmenter's event. With the echo guard, a start of speech while the kiosk
        plays is not the visitor's by itself (the echo has words too; the guard's barge-in is
        the start of speech): the utterance is the visitor's when a barge-in of the guard is
        pending (it starts at or after one, or one came while it was being cut), else the
        kiosk's own echo, dropped at its end. Once an utterance has ended the guard can barge
        in again (the visitor may speak over the next answer too)."""
        cut = self._cut
        if isinstance(event, SpeechStarted):
            cut.started(round(event.at_s * RATE_HZ), echo=playing and cut.barge_at is None)
            if playing:
                logger.debug("start of speech during playback: not a barge-in by itself")
                return
        elif isinstance(event, UtteranceEnded):
            whose = cut.ended()
            if self.echo is not None:
                self.echo.rearm()
            if whose is Whose.ECHO:
                logger.debug("an utterance of the kiosk's own echo was dropped")
                return
        self._events.put(event)

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


def microphone_listener(
    config: Config,
    recognizer: Recognizer,
    complete: Callable[[str, str], bool] | None = None,
    reference: PlaybackReference | None = None,
) -> Listener:
    """A listener on the configured microphone, decoding with ``recognizer``'s languages.

    The default language's model (else the first) does the endpointing. ``complete(text,
    lang)`` tells whether words heard so far read as a whole question; those end at
    ``recognition.quick_endpoint_silence_s`` of silence. With the ``reference`` of what the
    kiosk plays, the echo guard (``audio.echo_cancel`` and the barge-in rule) is on.
    """
    from assistant.audio import refresh_devices

    inner = vosk_recognizers(recognizer)
    if not inner:
        raise RecognitionError("no-language", "the recognizer has no Vosk model to listen with")
    default = config.dialog.default_language
    inner.sort(key=lambda r: r.lang != default)
    source = MicrophoneSource(
        config.audio.input_device, rate_hz=config.audio.input_rate_hz, block_s=config.audio.block_s
    )
    rec = config.recognition
    segmenter = VoskSegmenter(
        inner,
        max_utterance_s=rec.max_utterance_s,
        endpoint_silence_s=rec.endpoint_silence_s,
        quick_silence_s=min(rec.quick_endpoint_silence_s, rec.endpoint_silence_s),
        complete=complete,
        endpointer=endpointer_factory(rec.endpointer),
    )
    echo = None
    if reference is not None:
        audio = config.audio
        echo = build_guard(
            reference,
            echo_cancel=audio.echo_cancel,
            margin_db=audio.echo_margin_db,
            voice_s=audio.barge_in_voice_s,
        )
    return Listener(source, segmenter, refresh=refresh_devices, echo=echo)


def prepare_recognition(config: Config) -> None:
    """Fail fast: every recognition language has a valid model that loads, the endpointer
    loads, and the mic opens."""
    endpointer_factory(config.recognition.endpointer)
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
