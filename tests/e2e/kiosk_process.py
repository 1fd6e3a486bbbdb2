"""The real kiosk program (`python run.py ...`) as a subprocess, with its event log watched."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from assistant import PROJECT_DIR
from assistant.kiosk.eventlog import rotated_path
from tests.virtual_alsa import VirtualAlsa

Record = dict[str, Any]


class EventLogReader:
    """The program's event log, read on from where the last read stopped: a long soak writes
    hundreds of thousands of records, and reading them all again at every poll would take the
    machine from the program under test. Follows the program's rotation of its log: when the
    file is a new one, the rest of the rotated file (``<name>.1``, the one read so far) is read
    first. A file is known by its inode and its first line (a freed inode is given again to a
    later file); a reader that missed a whole file fails instead of reading the wrong one."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._records: list[Record] = []
        self._offset = 0  # bytes of the file already parsed into _records
        self._file: tuple[int, bytes] | None = None  # that file: its inode and first line

    def read(self) -> list[Record]:
        """The parsed records, brought up to date (the list itself: callers must not keep it)."""
        try:
            with self.path.open("rb") as f:
                file = _identity(f)
                if self._file is not None and not _same(self._file, file):
                    self._read_rotated()
                    self._offset = 0
                self._file = file
                f.seek(self._offset)
                self._parse(f.read())
        except FileNotFoundError:
            pass
        return self._records

    def _read_rotated(self) -> None:
        with rotated_path(self.path).open("rb") as f:
            if self._file is None or not _same(self._file, _identity(f)):
                raise AssertionError(f"{self.path} rotated twice between two reads")
            f.seek(self._offset)
            data = f.read()
        if data and not data.endswith(b"\n"):
            data += b"\n"  # it is complete: nothing more is written to a rotated log
        self._parse(data)

    def _parse(self, data: bytes) -> None:
        end = data.rfind(b"\n") + 1  # a last line without its newline is still being written
        if end:
            for line in data[:end].decode("utf-8").split("\n")[:-1]:
                self._records.append(json.loads(line))
            self._offset += end


def _identity(f: Any) -> tuple[int, bytes]:
    inode = os.fstat(f.fileno()).st_ino
    f.seek(0)
    return inode, f.readline()


def _same(known: tuple[int, bytes], now: tuple[int, bytes]) -> bool:
    """The same file: same inode, and the same first line once that line was whole."""
    if known[0] != now[0]:
        return False
    return not known[1].endswith(b"\n") or known[1] == now[1]


class KioskProcess:
    """``run.py --config TOML [args]`` with piped stdin/stdout and a readable event log."""

    def __init__(
        self,
        toml: Path,
        event_log: Path,
        alsa: VirtualAlsa,
        *args: str,
        stdin: int = subprocess.PIPE,
    ) -> None:
        self.event_log = event_log
        self.alsa = alsa
        self.child = subprocess.Popen(
            [sys.executable, "run.py", "--config", str(toml), *args],
            cwd=PROJECT_DIR,
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            errors="replace",  # a library may print raw bytes (Kaldi quoting a damaged file)
            env={**os.environ, **alsa.env()},
        )
        self.last: Record = {}
        self._log = EventLogReader(event_log)
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        self._readers = [
            threading.Thread(target=self._read, args=(self.child.stdout, self.stdout), daemon=True),
            threading.Thread(target=self._read, args=(self.child.stderr, self.stderr), daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    @staticmethod
    def _read(stream: Any, into: list[str]) -> None:
        for line in stream:
            into.append(line.rstrip("\n"))

    def records(self) -> list[Record]:
        """Every record written so far (a copy)."""
        return list(self._log.read())

    def wait_for(
        self, what: str, pred: Callable[[Record], bool], *, after: int = 0, timeout_s: float = 30.0
    ) -> int:
        """Index of the first record from ``after`` on that matches; fails after ``timeout_s``.

        The record itself is :attr:`last`."""
        deadline = time.monotonic() + timeout_s
        looked = after  # records before this one did not match
        while time.monotonic() < deadline:
            records = self._log.read()
            for i in range(looked, len(records)):
                if pred(records[i]):
                    self.last = records[i]
                    return i
            looked = max(looked, len(records))
            if self.child.poll() is not None:
                raise AssertionError(f"the kiosk exited waiting for {what}: {self.tail()}")
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}; events: {self.records()[after:]}")

    def event(self, name: str, *, after: int = 0, timeout_s: float = 30.0, **fields: Any) -> int:
        def match(r: Record) -> bool:
            return r["event"] == name and all(r.get(k) == v for k, v in fields.items())

        return self.wait_for(f"{name} {fields}", match, after=after, timeout_s=timeout_s)

    def record(
        self, name: str, *, after: int = 0, timeout_s: float = 30.0, **fields: Any
    ) -> Record:
        """The first record of event ``name`` (with these fields) from ``after`` on."""
        self.event(name, after=after, timeout_s=timeout_s, **fields)
        return self.last

    def type_line(self, line: str) -> int:
        """Type a line; the index the events of its turn start at."""
        start = len(self.records())
        assert self.child.stdin is not None
        self.child.stdin.write(line + "\n")
        self.child.stdin.flush()
        return start

    def close_input(self) -> None:
        assert self.child.stdin is not None
        self.child.stdin.close()

    def terminate(self, timeout_s: float = 10.0) -> tuple[int, float]:
        """SIGTERM; the exit code and how long the program took to exit."""
        start = time.monotonic()
        self.child.send_signal(signal.SIGTERM)
        code = self.child.wait(timeout_s)
        return code, time.monotonic() - start

    def tail(self) -> str:
        return "\n".join(self.stderr[-30:])

    def kill(self) -> None:
        if self.child.poll() is None:
            self.child.kill()
            self.child.wait(10)


def voiced_s(samples: np.ndarray, rate_hz: int) -> float:
    """Seconds of clearly audible audio."""
    return float(np.count_nonzero(np.abs(samples.astype(np.int32)) > 500)) / rate_hz
