from __future__ import annotations

import json
import logging
import os
import stat
from pathlib import Path

import pytest

from assistant.kiosk.eventlog import EventLog, NullEventLog, open_event_log, rotated_path


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


def test_rotation_keeps_the_log_under_twice_its_limit_and_loses_nothing_recent(
    tmp_path: Path,
) -> None:
    path = tmp_path / "events.jsonl"
    log = EventLog(path, clock=lambda: 1.0, max_bytes=2_000)
    for i in range(500):
        log.write("turn", {"i": i, "lang": "sv"})
    rotated = path.with_name("events.jsonl.1")
    assert log.written == 500 and log.dropped == 0
    assert log.rotations >= 10
    assert path.stat().st_size <= 2_000 and rotated.stat().st_size <= 2_000
    old = [json.loads(line)["i"] for line in rotated.read_text(encoding="utf-8").splitlines()]
    new = [json.loads(line)["i"] for line in path.read_text(encoding="utf-8").splitlines()]
    assert old + new == list(range(old[0], 500)), "the two files hold the latest events in order"
    assert rotated.stat().st_size > 2_000 - 100, "a file is filled before it is rotated"


def test_rotation_off_and_of_a_moved_log(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    log = EventLog(path, max_bytes=0)
    for i in range(200):
        log.write("turn", {"i": i})
    assert log.rotations == 0 and len(path.read_text().splitlines()) == 200
    log = EventLog(tmp_path / "other.jsonl", max_bytes=3_000)
    for i in range(50):
        log.write("turn", {"i": i})
    log.path.rename(tmp_path / "archived.jsonl")  # an operator's tool took it away meanwhile
    log.write("turn", {"i": 50})
    assert log.rotations == 0 and len(log.path.read_text().splitlines()) == 1
    assert not rotated_path(log.path).exists(), "a new file is begun, nothing rotated"


def test_a_failing_rotation_drops_no_event(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "events.jsonl"
    (tmp_path / "events.jsonl.1").mkdir()  # a folder where the rotated file should go
    (tmp_path / "events.jsonl.1" / "x").write_text("x")
    log = EventLog(path, max_bytes=100)
    with caplog.at_level(logging.WARNING):
        for i in range(20):
            log.write("turn", {"i": i})
    assert log.written == 20 and log.dropped == 0 and log.rotations == 0
    assert len(path.read_text().splitlines()) == 20
    assert sum("cannot be rotated" in r.message for r in caplog.records) == 1


def test_a_device_is_never_rotated(tmp_path: Path) -> None:
    null = Path("/dev/null")
    if not null.exists():
        pytest.skip("/dev/null is not available on this system")
    log = EventLog(null, max_bytes=1)
    for i in range(5):
        log.write("turn", {"i": i})
    assert log.written == 5 and log.rotations == 0 and null.exists()


@pytest.mark.parametrize("reads_every", [1, 3, 5])  # a file holds 7 of these events
def test_the_test_harness_reads_every_event_across_rotations(
    tmp_path: Path, reads_every: int
) -> None:
    """The soak's reader of the program's log (read on, not again) against the real rotation:
    every event once, in order, whether or not the rotated file had unread lines."""
    from tests.e2e.kiosk_process import EventLogReader

    path = tmp_path / "events.jsonl"
    reader = EventLogReader(path)
    assert reader.read() == []  # not written yet
    log = EventLog(path, clock=lambda: 1.0, max_bytes=300)
    for i in range(400):
        log.write("turn", {"i": i})
        if i % reads_every == 0:
            reader.read()
    assert log.rotations > 50
    assert [r["i"] for r in reader.read()] == list(range(400))
    with path.open("ab") as f:
        f.write(b'{"t": 1.0, "event": "half')  # a line still being written is not read yet
    assert len(reader.read()) == 400


def test_the_test_harness_fails_loudly_when_it_missed_a_whole_file(tmp_path: Path) -> None:
    from tests.e2e.kiosk_process import EventLogReader

    path = tmp_path / "events.jsonl"
    reader = EventLogReader(path)
    log = EventLog(path, clock=lambda: 1.0, max_bytes=300)
    log.write("turn", {"i": 0})
    reader.read()
    for i in range(1, 30):  # four rotations before the next read
        log.write("turn", {"i": i})
    with pytest.raises(AssertionError, match="rotated twice"):
        reader.read()


def test_a_symlinked_log_is_refused_and_its_target_untouched(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    target = tmp_path / "precious.txt"
    target.write_text("keep me\n")
    path = tmp_path / "events.jsonl"
    path.symlink_to(target)
    with caplog.at_level(logging.WARNING):
        log = open_event_log(path, max_bytes=10)
        assert isinstance(log, EventLog)
        for i in range(3):
            log.write("turn", {"i": i})
    assert target.read_text() == "keep me\n", "nothing is written through the link"
    assert path.is_symlink() and not rotated_path(path).exists(), "the link is not rotated"
    assert log.written == 0 and log.dropped == 3
    said = [r.message for r in caplog.records if "symbolic link" in r.message]
    assert len(said) == 2, "said when opened and at the first write, not at every write"
    assert "set logging.event_log to the real path" in said[0]
    path.unlink()  # the operator removes the link: the log is written again
    log.write("turn", {"i": 3})
    assert log.written == 1 and json.loads(path.read_text())["i"] == 3


def test_a_dangling_symlink_creates_nothing(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere" / "created.txt"
    target.parent.mkdir()
    path = tmp_path / "events.jsonl"
    path.symlink_to(target)
    log = EventLog(path)
    log.write("turn", {})
    assert not target.exists() and log.dropped == 1


def test_the_log_is_created_readable_by_owner_and_group_only(tmp_path: Path) -> None:
    old = os.umask(0o002)  # a permissive umask: the mode itself must not grant others
    try:
        path = tmp_path / "logs" / "events.jsonl"
        EventLog(path).write("turn", {})
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_the_doctor_reports_a_symlinked_event_log(tmp_path: Path) -> None:
    from assistant.config import config_from_dict
    from assistant.kiosk.doctor import check_kiosk

    target = tmp_path / "elsewhere.txt"
    target.write_text("x\n")
    path = tmp_path / "events.jsonl"
    path.symlink_to(target)
    config = config_from_dict({"logging": {"event_log": str(path)}})
    check = next(c for c in check_kiosk(config, keyboard=True).checks if c.name == "event log")
    assert not check.ok
    assert [p.code for p in check.problems] == ["event-log-symlink"]
    assert "symbolic link" in check.detail and target.read_text() == "x\n"
