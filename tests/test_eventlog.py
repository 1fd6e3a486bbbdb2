from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from assistant.eventlog import EventLog, NullEventLog, open_event_log


def test_events_are_json_lines(tmp_path: Path) -> None:
    log = EventLog(tmp_path / "logs" / "events.jsonl", clock=lambda: 12.5)
    log.write("state", {"from": "listening", "to": "speaking"})
    log.write("answer", {"lang": "fr", "section": 2, "score": 0.81, "title": "Causes fréquentes"})
    lines = (tmp_path / "logs" / "events.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [
        {"t": 12.5, "event": "state", "from": "listening", "to": "speaking"},
        {
            "t": 12.5,
            "event": "answer",
            "lang": "fr",
            "section": 2,
            "score": 0.81,
            "title": "Causes fréquentes",
        },
    ]
    assert "Causes fréquentes" in lines[1]  # not escaped
    assert log.written == 2


def test_disk_full_drops_events_and_keeps_going(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # /dev/full is the kernel's always-full device: every write fails with ENOSPC.
    full = Path("/dev/full")
    if not full.exists():
        pytest.skip("/dev/full is not available on this system")
    log = EventLog(full)
    with caplog.at_level(logging.WARNING):
        for i in range(5):
            log.write("turn", {"i": i})
    assert log.dropped == 5
    assert log.written == 0
    assert sum("cannot be written" in r.message for r in caplog.records) == 1


def test_unwritable_path_recovers(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    log = EventLog(blocker / "events.jsonl")  # a file stands where the folder should be
    log.write("a", {})
    assert log.dropped == 1
    blocker.unlink()
    log.write("b", {})
    assert log.written == 1


def test_null_log() -> None:
    assert isinstance(open_event_log(None), NullEventLog)
    open_event_log(None).write("x", {"y": 1})
