"""The kiosk's event log: one JSON object per line (state changes, language, section, scores,
timings), for operators.

Writing never takes the kiosk down: when the disk is full or the file cannot be written, the
event is dropped, counted, and a warning is logged once until writing works again. Privacy is
decided by the caller (the dialog leaves transcripts out unless the operator turned them on).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

logger = logging.getLogger(__name__)


class EventSink(Protocol):
    def write(self, name: str, fields: Mapping[str, Any]) -> None: ...


class NullEventLog:
    """No event log (``logging.event_log`` empty)."""

    def write(self, name: str, fields: Mapping[str, Any]) -> None:
        return None


class EventLog:
    """Appends events to a JSON-lines file; thread-safe; never raises on write."""

    def __init__(self, path: Path, *, clock: Any = time.time) -> None:
        self.path = path
        self._clock = clock
        self._lock = threading.Lock()
        self._failing = False
        self.dropped = 0
        self.written = 0

    def write(self, name: str, fields: Mapping[str, Any]) -> None:
        record = {"t": round(self._clock(), 3), "event": name, **fields}
        line = json.dumps(record, ensure_ascii=False, default=str) + "\n"
        with self._lock:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with self.path.open("a", encoding="utf-8") as f:
                    f.write(line)
            except OSError as exc:
                self.dropped += 1
                if not self._failing:
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


def open_event_log(path: Path | None) -> EventSink:
    return EventLog(path) if path is not None else NullEventLog()
