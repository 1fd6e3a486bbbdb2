"""A kiosk whose loudspeaker is gone keeps serving (answers printed) and keeps looking for it.

The same pattern as the speech-input re-checks of :mod:`assistant.kiosk.recheck`: while the
speaker reports its output device lost, a timer thread posts :class:`OutputRecheck` to the
kiosk's loop every ``interval_s``; the loop starts one check at a time off the loop (a device
refresh and opening the device take a moment). The check is the speaker's own
(:meth:`assistant.speech_out.speaker.Speaker.check_output`, after ``audio.refresh_devices``):
when it finds the device, the speaker reports the output back through its ``on_output``, and
the timer stops until the next loss.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

logger = logging.getLogger(__name__)

#: While the loudspeaker is lost, look for it this often (seconds). A look lists the devices
#: and opens the one configured, which costs milliseconds.
OUTPUT_RECHECK_S = 5.0

Post = Callable[[object], None]
#: One look for the output device: True when it works again.
Attempt = Callable[[], bool]


@dataclass(frozen=True)
class OutputRecheck:
    """Time to look for the lost output device again (from the timer)."""


@dataclass(frozen=True)
class OutputChanged:
    """The speaker's output device was lost (with the error's code and line) or is back."""

    lost: bool
    code: str | None = None
    message: str = ""


class OutputWatch:
    """The re-checks for a lost output device: a timer while it is lost, one check at a time."""

    def __init__(self, attempt: Attempt, *, interval_s: float = OUTPUT_RECHECK_S) -> None:
        self.interval_s = interval_s
        self.checks = 0
        self._attempt = attempt
        self._checking = threading.Lock()
        self._stop: threading.Event | None = None  # set: no timer running
        self._closed = False

    @property
    def running(self) -> bool:
        return self._stop is not None and not self._stop.is_set()

    def start(self, post: Post) -> None:
        """Start the timer (no-op while it runs): :class:`OutputRecheck` every ``interval_s``."""
        if self._closed or self.running:
            return
        stop = self._stop = threading.Event()

        def tick() -> None:
            while not stop.wait(self.interval_s):
                post(OutputRecheck())

        threading.Thread(target=tick, name="speech-output-recheck", daemon=True).start()

    def check(self) -> bool:
        """Start one check off the loop (False: one is running, or no timer runs)."""
        if not self.running or not self._checking.acquire(blocking=False):
            return False
        threading.Thread(target=self._check, name="speech-output-check", daemon=True).start()
        return True

    def _check(self) -> None:
        try:
            self.checks += 1
            try:
                back = self._attempt()
            except Exception:  # a bug in one check must not end the checks
                logger.exception("looking for the speech output failed")
                return
            if back:
                self.pause()
        finally:
            self._checking.release()

    def pause(self) -> None:
        """The output works: no more checks until :meth:`start` (the next loss)."""
        if self._stop is not None:
            self._stop.set()

    def close(self) -> None:
        """No more checks at all (the kiosk stops)."""
        self._closed = True
        self.pause()
