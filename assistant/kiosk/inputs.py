"""What feeds the kiosk's loop: the keyboard (typed lines, the button), the microphone (through
the listener) and the speaker's playback starts, each turned into an item on the loop's queue.

Each source runs on a thread of its own and only ever calls ``post`` (a ``SimpleQueue.put``,
safe from any thread and from signal handlers); the loop thread owns the dialog. Recognition
happens here, off the loop: the listener decodes while the visitor speaks, so the transcript is
ready at the endpoint.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from assistant.config import KeyAction
from assistant.errors import AssistantError
from assistant.kiosk.events import ButtonPressed, InputBack, KeyPressed, TurnFailed, Typed

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
    """Lines of a text stream (a pipe, a file): a line is a typed question, an empty line is
    the button."""

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


#: The escape sequences terminals send for named keys (xterm, the Linux console, rxvt), and
#: for a numeric keypad in application mode (its digits and signs, as typed in numeric mode).
KEY_SEQUENCES: dict[str, str] = {
    **{
        f"\x1b{p}{c}": n
        for p in "[O"
        for c, n in zip("ABCD", ("up", "down", "right", "left"), strict=True)
    },
    **{
        f"\x1b{p}{c}": n
        for p in "[O"
        for c, n in zip("HFEG", ("home", "end", "begin", "begin"), strict=True)
    },
    **{f"\x1bO{c}": f"f{i}" for i, c in enumerate("PQRS", 1)},
    **{f"\x1b[[{c}": f"f{i}" for i, c in enumerate("ABCDE", 1)},  # the Linux console
    **{
        f"\x1b[{n}~": f"f{i}"
        for i, n in enumerate((11, 12, 13, 14, 15, 17, 18, 19, 20, 21, 23, 24), 1)
    },
    **{f"\x1b[{n}~": k for n, k in ((1, "home"), (2, "insert"), (3, "delete"), (4, "end"))},
    **{f"\x1b[{n}~": k for n, k in ((5, "pageup"), (6, "pagedown"), (7, "home"), (8, "end"))},
    **{f"\x1bO{chr(ord('p') + d)}": str(d) for d in range(10)},
    **{f"\x1bO{c}": k for c, k in zip("kmjnoM", ("+", "-", "*", ".", "/", "enter"), strict=True)},
}
#: Control characters that are keys.
_CONTROL_KEYS = {
    "\r": "enter",
    "\n": "enter",
    "\x7f": "backspace",
    "\x08": "backspace",
    "\t": "tab",
}
_END_OF_INPUT = "\x04"  # Ctrl-D


@dataclass(frozen=True)
class Key:
    """A named key (``up``, ``enter``, ``f1`` ...) or a typed character (``text``)."""

    name: str = ""
    text: str = ""


class KeyDecoder:
    """Bytes from a terminal in cbreak mode to keys and characters. An escape sequence split
    across two reads is kept until the rest arrives; an unknown one is dropped whole."""

    def __init__(self) -> None:
        import codecs

        self._utf8 = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._pending = ""

    def feed(self, data: bytes) -> list[Key]:
        text = self._pending + self._utf8.decode(data)
        self._pending = ""
        keys: list[Key] = []
        i = 0
        while i < len(text):
            ch = text[i]
            if ch == "\x1b":
                end = _sequence_end(text, i)
                if end is None:  # incomplete: wait for the rest
                    self._pending = text[i:]
                    break
                sequence = text[i:end]
                name = KEY_SEQUENCES.get(sequence, "escape" if sequence == "\x1b" else "")
                if len(name) == 1:  # a keypad digit or sign: typed as in numeric mode
                    keys.append(Key(text=name))
                elif name:
                    keys.append(Key(name))
                else:
                    logger.debug("unknown key sequence %r", sequence)
                i = end
                continue
            if ch in _CONTROL_KEYS:
                if not (ch == "\n" and i > 0 and text[i - 1] == "\r"):  # CR LF is one Enter
                    keys.append(Key(_CONTROL_KEYS[ch]))
            elif ch == _END_OF_INPUT:
                keys.append(Key("eof"))
            elif ch.isprintable():
                keys.append(Key(text=ch))
            i += 1
        return keys


def _sequence_end(text: str, i: int) -> int | None:
    """Where the escape sequence at ``text[i]`` ends; None when it is not complete yet."""
    if i + 1 >= len(text):
        return None
    kind = text[i + 1]
    if kind == "O":  # SS3: one more character
        return i + 3 if i + 2 < len(text) else None
    if kind != "[":
        return i + 1  # a lone Escape
    j = i + 2
    if j < len(text) and text[j] == "[":  # the Linux console's F1..F5: ESC [ [ A
        return j + 2 if j + 1 < len(text) else None
    while j < len(text) and (text[j].isdigit() or text[j] == ";"):
        j += 1
    return j + 1 if j < len(text) else None


class KeyLine:
    """What keys mean in keyboard mode on a terminal: typed characters make a line, and Enter
    sends it as a question; a key of the key map acts at once when no line is being typed
    (an arrow or a function key, Enter or Backspace on an empty line, a keypad digit or sign
    typed first). ``feed`` gives the items to post and the echo to show."""

    def __init__(self, keys: Mapping[str, KeyAction]) -> None:
        self._keys = keys
        self._line: list[str] = []

    def feed(self, key: Key) -> tuple[list[object], str]:
        items: list[object] = []
        echo = ""
        if key.text:
            if not self._line and key.text in self._keys:
                items.append(KeyPressed(self._keys[key.text]))
            elif len(self._line) < MAX_TYPED_CHARS:
                self._line.append(key.text)
                echo = key.text
        elif key.name == "enter" and self._line:
            line, self._line = "".join(self._line), []
            items.append(Typed(line) if line.strip() else ButtonPressed())
            echo = "\r\n"
        elif key.name == "backspace" and self._line:
            self._line.pop()
            echo = "\b \b"
        elif key.name == "eof" and not self._line:
            items.append(InputEnded())
        elif key.name in self._keys:
            items.append(KeyPressed(self._keys[key.name]))
        elif key.name == "enter":  # Enter not in the key map: the button, as on a pipe
            items.append(ButtonPressed())
        return items, echo


class TerminalInput:
    """The keyboard or keypad on a terminal (``--keyboard`` at a console, or ``StandardInput=
    tty`` under systemd): cbreak mode, so keys act at once; typed lines are questions. The
    terminal's modes are restored by :meth:`restore`, at the interpreter's exit, and by
    :func:`terminal_restored` around the whole kiosk, from before this input starts (a crash,
    SIGTERM, and the kiosk's own exit, which skips exit handlers)."""

    def __init__(self, fd: int, keys: Mapping[str, KeyAction], post: Post) -> None:
        self._fd = fd
        self._post = post
        self._decoder = KeyDecoder()
        self._line = KeyLine(keys)
        self._saved: list[Any] | None = None
        self._thread = threading.Thread(target=self._run, name="keyboard", daemon=True)

    def start(self) -> None:
        import atexit
        import termios
        import tty

        try:
            self._saved = termios.tcgetattr(self._fd)
            tty.setcbreak(self._fd, termios.TCSANOW)
            atexit.register(self.restore)
        except termios.error as exc:
            logger.warning("the terminal's keys work only line by line: %s", exc)
        self._thread.start()

    def restore(self) -> None:
        """Give the terminal back its modes (line editing and echo)."""
        import termios

        saved, self._saved = self._saved, None
        if saved is not None:
            try:
                termios.tcsetattr(self._fd, termios.TCSANOW, saved)
            except termios.error as exc:
                logger.warning("the terminal's modes were not restored: %s", exc)

    def _run(self) -> None:
        import os

        try:
            while True:
                data = os.read(self._fd, 1024)
                if not data:
                    break
                if self._take(data):
                    return
        except OSError as exc:  # the terminal went away
            logger.warning("keyboard input ended: %s", exc)
        self._post(InputEnded())

    def _take(self, data: bytes) -> bool:
        """Post what the bytes mean; True at the end of input (Ctrl-D)."""
        import os

        for key in self._decoder.feed(data):
            items, echo = self._line.feed(key)
            if echo:
                with contextlib.suppress(OSError):  # a terminal not to be written to: no echo
                    os.write(self._fd, echo.encode("utf-8"))
            for item in items:
                self._post(item)
                if isinstance(item, InputEnded):
                    return True
        return False


def keyboard_input(
    stream: TextIO, post: Post, keys: Mapping[str, KeyAction]
) -> KeyboardInput | TerminalInput:
    """The keyboard on ``stream``: keys at once on a terminal, else lines."""
    try:
        tty = stream.isatty()
        fd = stream.fileno() if tty else -1
    except (OSError, ValueError, AttributeError):
        tty, fd = False, -1
    return TerminalInput(fd, keys, post) if tty else KeyboardInput(stream, post)


@contextmanager
def terminal_restored(stream: TextIO | None) -> Iterator[None]:
    """Run a block and give the terminal on ``stream`` back the modes it had before, whatever
    happens in the block (a crash, SIGTERM); nothing when ``stream`` is not a terminal."""
    saved = None
    try:
        import termios

        if stream is not None and stream.isatty():
            saved = (stream.fileno(), termios.tcgetattr(stream.fileno()))
    except (OSError, ValueError, AttributeError, ImportError):
        saved = None
    try:
        yield
    finally:
        if saved is not None:
            import termios

            try:
                termios.tcsetattr(saved[0], termios.TCSANOW, saved[1])
            except (termios.error, OSError) as exc:
                logger.warning("the terminal's modes were not restored: %s", exc)


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
        """Both threads within ``timeout_s`` together (the listener closes the microphone under
        a decoder still busy then)."""
        deadline = time.monotonic() + timeout_s
        self._stop.set()
        self._listener.stop(timeout_s)
        if self._thread.is_alive():
            self._thread.join(max(0.0, deadline - time.monotonic()))

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
    """A player that reports when each chunk's audio reached the device (first-audio timings):
    the inner player calls back once its first block is written; a chunk that never reached
    the device (no speaker) reports nothing."""

    def __init__(self, inner: Any, on_start: Callable[[PlayStarted], None], clock: Clock) -> None:
        self._inner = inner
        self._on_start = on_start
        self._clock = clock

    def play(self, pcm: Pcm, stop: threading.Event) -> None:
        from assistant.speech_out.earcons import earcon_pcm

        # earcon_pcm is cached: an earcon is the very same Pcm object.
        tone = any(pcm is earcon_pcm(kind) for kind in ("listening", "stopped", "error"))

        def reached() -> None:
            self._on_start(PlayStarted(self._clock(), tone))

        self._inner.play(pcm, stop, on_audio=reached)

    def hold(self, stop: threading.Event) -> contextlib.AbstractContextManager[object]:
        """The inner player's ``hold`` (one stream for a whole answer), when it has one."""
        hold = getattr(self._inner, "hold", None)
        return hold(stop) if callable(hold) else contextlib.nullcontext()

    def check(self) -> None:
        check = getattr(self._inner, "check", None)
        if callable(check):
            check()

    def close(self) -> None:
        close = getattr(self._inner, "close", None)
        if callable(close):
            close()
