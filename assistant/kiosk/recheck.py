"""A kiosk without speech input keeps checking whether it has become possible.

When speech input is impossible at start-up (no usable speech model), the kiosk serves typed
questions. Under a service manager there is often nothing to type on either: standard input is
``/dev/null`` (it ends at once) or there is none. Exiting then would only make the service
manager restart the kiosk until its start limit stops it for good. Instead the kiosk stays up,
says once what is missing and how to fix it, and checks again every
``recognition.recheck_interval_s``: a timer thread posts :class:`Recheck` to the kiosk's loop,
the loop starts one check off the loop (loading a model takes seconds), and a successful check
posts :class:`SpeechInputReady` with the speech input already listening.

"No usable standard input" is decided by :func:`unattended`: none at all, or input that ended
before a single line on something that is not a terminal. A pipe that brought questions and
then ended is the scripted case: the kiosk finishes as before.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, Protocol, TextIO

from assistant.language_data import is_supported, language

logger = logging.getLogger(__name__)

#: What standard input is: none at all, a terminal, or another stream (a pipe, a file).
StdinKind = Literal["none", "terminal", "stream"]

Post = Callable[[object], None]


class SpeechInput(Protocol):
    """Running speech input, as the kiosk stops it."""

    def stop(self, timeout_s: float = ...) -> None: ...


@dataclass(frozen=True)
class Recheck:
    """Time to check again whether speech input has become possible (from the timer)."""


@dataclass(frozen=True)
class SpeechInputReady:
    """A check succeeded: ``speech`` is listening already; the kiosk owns it from now on."""

    speech: Any
    languages: tuple[str, ...]


@dataclass(frozen=True)
class CheckResult:
    """One check: the started speech input, or why there is none (one line per problem, and
    the error codes)."""

    speech: Any = None
    languages: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()


Attempt = Callable[[], CheckResult]


def stdin_kind(stream: TextIO | None) -> StdinKind:
    """``none`` for no standard input (``None``, closed, no file behind it)."""
    if stream is None:
        return "none"
    try:
        fd = stream.fileno()
        return "terminal" if os.isatty(fd) else "stream"
    except (OSError, ValueError):  # closed, or not backed by a file (io.StringIO): a stream
        return "none" if getattr(stream, "closed", False) else "stream"


def unattended(kind: StdinKind, *, ended: bool, lines_typed: int) -> bool:
    """Nobody can type: no standard input, or one that ended before its first line and is not
    a terminal (``/dev/null`` under systemd). A terminal's end (Ctrl-D) and a pipe that ended
    after questions are someone's choice: those still end the kiosk."""
    if kind == "none":
        return True
    return kind == "stream" and ended and lines_typed == 0


def spoken_notice(
    codes: tuple[str, ...], languages: tuple[str, ...], *, coming: bool = False
) -> list[tuple[str, str]]:
    """What to say aloud (text, language) about the missing speech input, in each language;
    ``coming``: a model is being downloaded (speech input comes shortly)."""
    missing = codes and all(c == "model-missing" for c in codes)
    key = "speech_input_model_missing" if missing else "speech_input_other"
    if coming:
        key = "speech_input_coming_wait"
    return [(language(lang).text(key), lang) for lang in languages if is_supported(lang)]


class SpeechInputWatch:
    """The re-checks: a timer thread posting :class:`Recheck`, one check at a time off the loop.

    ``attempt`` builds and starts speech input (or says why it cannot); ``problems`` and
    ``codes`` are those found at start-up."""

    def __init__(
        self,
        attempt: Attempt,
        *,
        interval_s: float,
        stdin: StdinKind,
        problems: tuple[str, ...],
        codes: tuple[str, ...],
    ) -> None:
        self.interval_s = interval_s
        self.stdin = stdin
        self.problems = problems
        self.codes = codes
        self.checks = 0
        self._attempt = attempt
        self._stop = threading.Event()
        self._checking = threading.Lock()
        self._timer: threading.Thread | None = None

    def start(self, post: Post) -> None:
        """Start the timer: :class:`Recheck` on ``post`` every ``interval_s``."""

        def tick() -> None:
            while not self._stop.wait(self.interval_s):
                post(Recheck())

        self._timer = threading.Thread(target=tick, name="speech-input-recheck", daemon=True)
        self._timer.start()

    def check(self, post: Post) -> bool:
        """Start one check off the loop (False: one is still running, or the watch stopped).

        It posts :class:`SpeechInputReady` when speech input works; the timer stops then."""
        if self._stop.is_set() or not self._checking.acquire(blocking=False):
            return False
        worker = threading.Thread(
            target=self._check, args=(post,), name="speech-input-check", daemon=True
        )
        worker.start()
        return True

    def _check(self, post: Post) -> None:
        try:
            self.checks += 1
            try:
                result = self._attempt()
            except Exception:  # a bug in one check must not end the checks
                logger.exception("checking for speech input failed")
                return
            if result.speech is None:
                logger.debug(
                    "speech input still impossible (check %d): %s",
                    self.checks,
                    "; ".join(result.problems),
                )
                return
            if self._stop.is_set():  # the kiosk stopped meanwhile: nobody owns it
                result.speech.stop(1.0)
                return
            self._stop.set()
            post(SpeechInputReady(result.speech, result.languages))
        finally:
            self._checking.release()

    def stop(self) -> None:
        """No more checks (the kiosk stops, or listens); returns at once."""
        self._stop.set()
