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
from tests.virtual_alsa import VirtualAlsa

Record = dict[str, Any]


class KioskProcess:
    """``run.py --config TOML [args]`` with piped stdin/stdout and a readable event log."""

    def __init__(self, toml: Path, event_log: Path, alsa: VirtualAlsa, *args: str) -> None:
        self.event_log = event_log
        self.alsa = alsa
        self.child = subprocess.Popen(
            [sys.executable, "run.py", "--config", str(toml), *args],
            cwd=PROJECT_DIR,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            errors="replace",  # a library may print raw bytes (Kaldi quoting a damaged file)
            env={**os.environ, **alsa.env()},
        )
        self.last: Record = {}
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
        try:
            text = self.event_log.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        lines = text.split("\n")[:-1]  # the last one is "" or still being written
        return [json.loads(line) for line in lines]

    def wait_for(
        self, what: str, pred: Callable[[Record], bool], *, after: int = 0, timeout_s: float = 30.0
    ) -> int:
        """Index of the first record from ``after`` on that matches; fails after ``timeout_s``.

        The record itself is :attr:`last`."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            for i, record in enumerate(self.records()[after:], start=after):
                if pred(record):
                    self.last = record
                    return i
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
