"""The kiosk's event log: one JSON object per line (state changes, language, section, scores,
timings), for operators.

Writing never takes the kiosk down: when the disk is full or the file cannot be written, the
event is dropped, counted, and a warning is logged once until writing works again. A kiosk runs
for months: before a write would take the file past ``max_bytes`` it is renamed to
``<name>.1`` (replacing the one before) and a new file begins, so the log never holds more
than twice that on disk; a device or pipe given as the log (``/dev/full``, a FIFO) is never
rotated. Privacy is decided by the caller (the dialog leaves transcripts out unless the
operator turned them on).

The file is created readable by its owner and group only (``0o640``, less with a stricter
umask), and opened without following a symbolic link (``O_NOFOLLOW``): a link put where the log
goes is refused, with a warning saying so, and nothing is written through it.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import stat
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

logger = logging.getLogger(__name__)

#: The event log is created readable by its owner and group only.
FILE_MODE = 0o640
_OPEN_FLAGS = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
_OPEN_FLAGS |= getattr(os, "O_CLOEXEC", 0)


def is_symlink(path: Path) -> bool:
    try:
        return path.is_symlink()
    except OSError:
        return False


def _symlink_warning(path: Path) -> str:
    return (
        f"event log {path} is a symbolic link: refused, nothing is written through it "
        "(replace the link with a regular file, or set logging.event_log to the real path)"
    )


def rotated_path(path: Path) -> Path:
    """Where a rotated event log goes: ``events.jsonl`` -> ``events.jsonl.1``."""
    return path.with_name(path.name + ".1")


class EventSink(Protocol):
    def write(self, name: str, fields: Mapping[str, Any]) -> None: ...


class NullEventLog:
    """No event log (``logging.event_log`` empty)."""

    def write(self, name: str, fields: Mapping[str, Any]) -> None:
        return None


class EventLog:
    """Appends events to a JSON-lines file; thread-safe; never raises on write."""

    def __init__(self, path: Path, *, clock: Any = time.time, max_bytes: int = 0) -> None:
        self.path = path
        #: The file is rotated before a write would take it past this size (0: never).
        self.max_bytes = max_bytes
        self.rotated_path = rotated_path(path)
        self._clock = clock
        self._lock = threading.Lock()
        self._failing = False
        self._rotation_failing = False
        self.dropped = 0
        self.written = 0
        self.rotations = 0

    def write(self, name: str, fields: Mapping[str, Any]) -> None:
        record = {"t": round(self._clock(), 3), "event": name, **fields}
        data = (json.dumps(record, ensure_ascii=False, default=str) + "\n").encode("utf-8")
        with self._lock:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                if self.max_bytes > 0:
                    self._make_room(len(data))
                fd = os.open(self.path, _OPEN_FLAGS, FILE_MODE)
                with os.fdopen(fd, "ab") as f:
                    f.write(data)
            except OSError as exc:
                self.dropped += 1
                if not self._failing:
                    if exc.errno == errno.ELOOP or is_symlink(self.path):
                        logger.warning("%s; events dropped", _symlink_warning(self.path))
                    else:
                        logger.warning(
                            "event log %s cannot be written (%s); events dropped", self.path, exc
                        )
                    self._failing = True
                return
            self.written += 1
            if self._failing:
                logger.warning(
                    "event log %s writable again (%d events dropped)", self.path, self.dropped
                )
                self._failing = False

    def _make_room(self, adding: int) -> None:
        """Rotate when ``adding`` bytes would take the file past :attr:`max_bytes`. The size is
        read from the file each time, so a log moved away by an operator's tool is simply
        begun again. A rotation that fails is warned about once and the file grows on: an
        event is never dropped for it."""
        try:
            info = self.path.lstat()  # a link is not rotated: the write refuses it
        except FileNotFoundError:
            return
        if not stat.S_ISREG(info.st_mode) or info.st_size == 0:
            return
        if info.st_size + adding <= self.max_bytes:
            return
        try:
            os.replace(self.path, self.rotated_path)
        except OSError as exc:
            if not self._rotation_failing:
                logger.warning("event log %s cannot be rotated (%s); it grows on", self.path, exc)
                self._rotation_failing = True
            return
        self._rotation_failing = False
        self.rotations += 1
        logger.info("event log rotated: the previous events are in %s", self.rotated_path)


def open_event_log(path: Path | None, *, max_bytes: int = 0) -> EventSink:
    """The event log at ``path`` (None: none). A symbolic link there is said at once; the
    kiosk runs on, its events dropped, until the link is replaced by a regular file."""
    if path is None:
        return NullEventLog()
    if is_symlink(path):
        logger.warning("%s; events will be dropped", _symlink_warning(path))
    return EventLog(path, max_bytes=max_bytes)
