"""What feeds the kiosk's loop: the keyboard (typed lines, the button), the microphone (through
the listener) and the speaker's playback starts, each turned into an item on the loop's queue.

Each source runs on a thread of its own and only ever calls ``post`` (a ``SimpleQueue.put``,
safe from any thread and from signal handlers); the loop thread owns the dialog. Recognition
happens here, off the loop: the listener decodes while the visitor speaks, so the transcript is
ready at the endpoint.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from assistant.errors import AssistantError
from assistant.kiosk.events import ButtonPressed, InputBack, TurnFailed, Typed

if TYPE_CHECKING:
    from assistant.audio import Pcm
    from assistant.speech_in.listening import Listener
    from assistant.speech_in.recognition import Recognizer, Transcript
    from assistant.speech_in.sources import AudioSource, Block

logger = logging.getLogger(__name__)

#: Longest typed line taken as a question; the rest is cut (a pasted book is not a question).
MAX_TYPED_CHARS = 1000

Post = Callable[[object], None]
Clock = Callable[[], float]


# --- items the inputs post besides dialog events ---------------------------------------------
@dataclass(frozen=True)
class VoiceOnset:
    """The visitor started speaking (the listener's ``SpeechStarted``)."""


@dataclass(frozen=True)
class VoiceHeard:
    """A recognized utterance; times on the kiosk's monotonic clock."""

    transcript: Transcript
    #: When the transcript was ready, and the estimated end of the last word.
    ready_at_s: float
    speech_end_at_s: float
    #: How long the recognizer's call on the cut utterance took (the transcript decoded while
    #: streaming picked, and with ``auto`` the language chosen).
    recognition_s: float = 0.0


@dataclass(frozen=True)
class MicLost:
    """The microphone failed (the dialog hears ``InputLost``); why, for the operator."""

    code: str
    message: str


@dataclass(frozen=True)
class InputEnded:
    """Standard input reached its end."""


@dataclass(frozen=True)
class PlayStarted:
    """The speaker started playing a chunk (``earcon``: a tone, not speech)."""

    at_s: float
    earcon: bool


# --- the keyboard ----------------------------------------------------------------------------
class KeyboardInput:
    """Lines of a text stream: a line is a typed question, an empty line is the button."""

    def __init__(self, stream: TextIO, post: Post) -> None:
        self._stream = stream
        self._post = post
        self._thread = threading.Thread(target=self._run, name="keyboard", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        try:
            for line in self._stream:
                text = line.rstrip("\r\n")[:MAX_TYPED_CHARS]
                self._post(Typed(text) if text.strip() else ButtonPressed())
        except (OSError, ValueError) as exc:  # a closed or undecodable stream
            logger.warning("keyboard input ended: %s", exc)
        self._post(InputEnded())


# --- the microphone --------------------------------------------------------------------------
class _ReportingSource:
    """An audio source that reports each successful open (the microphone is back)."""

    def __init__(self, inner: AudioSource, on_open: Callable[[], None]) -> None:
        self._inner = inner
        self._on_open = on_open
        self.name = inner.name

    def open(self) -> None:
        self._inner.open()
        self._on_open()

    def read(self, timeout_s: float) -> Block | None:
        return self._inner.read(timeout_s)

    def close(self) -> None:
        self._inner.close()


class VoiceInput:
    """Runs the listener and turns its events into loop items (onsets, transcripts, losses)."""

    def __init__(
        self,
        listener: Listener,
        recognizer: Recognizer,
        post: Post,
        *,
        clock: Clock = time.monotonic,
        audio_folder: Path | None = None,
    ) -> None:
        self._listener = listener
        self._recognizer = recognizer
        self._post = post
        self._clock = clock
        self._audio_folder = audio_folder
        self._lost = False
        self._opened = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="voice-input", daemon=True)
        listener.source = _ReportingSource(listener.source, self._opened_source)

    def start(self) -> None:
        self._listener.start()
        self._thread.start()

    def stop(self, timeout_s: float = 1.0) -> None:
        self._stop.set()
        self._listener.stop(timeout_s)
        self._thread.join(timeout_s)

    def _opened_source(self) -> None:
        self._opened = True
        if self._lost:
            self._lost = False
            logger.info("the microphone works again")
            self._post(InputBack())

    def _run(self) -> None:
        from assistant.speech_in.listening import (
            DeviceError,
            InputOverflow,
            SourceEnded,
            SpeechStarted,
        )
        from assistant.speech_in.listening import UtteranceEnded as Ended

        while not self._stop.is_set():
            event = self._listener.next_event(0.2)
            if event is None:
                continue
            if isinstance(event, SpeechStarted):
                self._post(VoiceOnset())
            elif isinstance(event, Ended):
                self._heard(event.utterance)
            elif isinstance(event, DeviceError):
                if not self._lost:
                    self._lost = True
                    self._post(MicLost(event.code, event.message))
            elif isinstance(event, InputOverflow):
                logger.debug("microphone overflow (%d so far)", event.total)
            elif isinstance(event, SourceEnded):
                return

    def _heard(self, utterance: Any) -> None:
        ready = self._clock()
        try:
            transcript = self._recognizer.recognize(utterance)
        except AssistantError as exc:
            logger.error("recognition failed: %s", exc.describe())
            self._post(TurnFailed(exc.stage, exc.code))
            return
        except Exception as exc:  # a bug in one turn must not end listening
            logger.exception("recognition failed unexpectedly")
            self._post(TurnFailed("recognition", type(exc).__name__))
            return
        recognition_s = self._clock() - ready
        trailing_s = utterance.duration_s
        if transcript.words:
            trailing_s = max(0.0, utterance.duration_s - transcript.words[-1].end_s)
        if self._audio_folder is not None:
            self._store(utterance.pcm)
        self._post(VoiceHeard(transcript, ready, ready - trailing_s, recognition_s))

    def _store(self, pcm: Pcm) -> None:
        from assistant.audio import write_wav

        assert self._audio_folder is not None
        path = self._audio_folder / f"utterance-{time.strftime('%Y%m%d-%H%M%S')}.wav"
        try:
            self._audio_folder.mkdir(parents=True, exist_ok=True)
            write_wav(path, pcm)
        except (OSError, AssistantError) as exc:
            logger.warning("utterance audio not stored: %s", exc)


# --- the speaker's playback ------------------------------------------------------------------
class TimedPlayer:
    """A player that reports when each chunk starts playing (for first-audio timings)."""

    def __init__(self, inner: Any, on_start: Callable[[PlayStarted], None], clock: Clock) -> None:
        self._inner = inner
        self._on_start = on_start
        self._clock = clock

    def play(self, pcm: Pcm, stop: threading.Event) -> None:
        from assistant.speech_out.earcons import earcon_pcm

        if not stop.is_set():
            # earcon_pcm is cached: an earcon is the very same Pcm object.
            tone = any(pcm is earcon_pcm(kind) for kind in ("listening", "stopped", "error"))
            self._on_start(PlayStarted(self._clock(), tone))
        self._inner.play(pcm, stop)

    def check(self) -> None:
        check = getattr(self._inner, "check", None)
        if callable(check):
            check()

    def close(self) -> None:
        close = getattr(self._inner, "close", None)
        if callable(close):
            close()
