"""A hostile HTTP server on 127.0.0.1, in a thread: each first path segment is one misbehaviour.

``/cut-chunked/...`` a chunked body cut short; ``/garbage-status/...`` a status line that is no
HTTP; ``/many-headers/...`` more than 100 headers; ``/long-header/...`` a header line longer
than http.client reads; ``/cut-length/...`` fewer bytes than Content-Length; ``/trickle/...``
one byte every ``trickle_s`` for ever (until the client goes); ``/ftp-redirect/...`` a redirect
to ftp://; ``/hold/...`` waits for :attr:`HostileServer.release` then serves the file;
``/flaky/...`` cuts the first response, serves the file from then on; ``/file/...`` serves the
file. The file is :attr:`HostileServer.body` (set by the test).
"""

from __future__ import annotations

import socketserver
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

BEHAVIOURS = (
    "cut-chunked",
    "garbage-status",
    "many-headers",
    "long-header",
    "cut-length",
    "trickle",
    "ftp-redirect",
)


class HostileServer:
    def __init__(self, *, trickle_s: float = 0.2) -> None:
        self.body = b"PK\x05\x06" + bytes(18)  # an empty zip
        self.trickle_s = trickle_s
        self.release = threading.Event()
        self.held = threading.Event()  # a /hold/ request is waiting for release
        self.stopped = threading.Event()
        self.requests: list[str] = []
        self._flaky_served = 0
        server = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                line = self.rfile.readline(65536).decode("latin-1")
                while self.rfile.readline(65536) not in (b"\r\n", b"\n", b""):
                    pass
                path = line.split(" ")[1] if line.count(" ") >= 2 else "/"
                server.requests.append(path)
                with suppress(OSError):  # the client went away
                    server.respond(path.strip("/").split("/")[0], self.wfile)

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, behaviour: str, name: str = "vosk-model-small-xx-0.1.zip") -> str:
        return f"{self.base(behaviour)}/{name}"

    def base(self, behaviour: str) -> str:
        return f"http://127.0.0.1:{self.port}/{behaviour}"

    def respond(self, kind: str, out: Any) -> None:
        w = out.write
        ok_head = b"HTTP/1.1 200 OK\r\nConnection: close\r\n"
        if kind == "cut-chunked":
            w(ok_head + b"Transfer-Encoding: chunked\r\n\r\n" + b"1000\r\n" + b"x" * 100)
        elif kind == "garbage-status":
            w(b"\x16\x03\x01 garbage, not HTTP\r\n\r\nmore garbage")
        elif kind == "many-headers":
            w(ok_head + b"".join(b"X-H%d: v\r\n" % i for i in range(150)) + b"\r\nbody")
        elif kind == "long-header":
            w(ok_head + b"X-Long: " + b"a" * 70_000 + b"\r\n\r\nbody")
        elif kind == "cut-length":
            w(ok_head + b"Content-Length: 100000\r\n\r\n" + b"x" * 10)
        elif kind == "trickle":
            w(ok_head + b"Content-Length: 100000\r\n\r\n")
            out.flush()
            while not self.stopped.wait(self.trickle_s):
                w(b"x")
                out.flush()
        elif kind == "ftp-redirect":
            w(b"HTTP/1.1 302 Found\r\nLocation: ftp://127.0.0.1:1/model.zip\r\n")
            w(b"Content-Length: 0\r\nConnection: close\r\n\r\n")
        elif kind == "hold":
            self.held.set()
            self.release.wait(60)
            self._file(w)
        elif kind == "flaky":
            self._flaky_served += 1
            if self._flaky_served == 1:
                w(ok_head + b"Transfer-Encoding: chunked\r\n\r\n" + b"1000\r\n" + b"x" * 100)
            else:
                self._file(w)
        else:
            self._file(w)

    def _file(self, w: Callable[[bytes], object]) -> None:
        head = b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: %d\r\n\r\n"
        w(head % len(self.body) + self.body)

    def start(self) -> HostileServer:
        self._thread.start()
        return self

    def close(self) -> None:
        self.stopped.set()
        self.release.set()
        self._server.shutdown()
        self._server.server_close()


@contextmanager
def hostile_server(**kwargs: float) -> Iterator[HostileServer]:
    server = HostileServer(**kwargs).start()
    try:
        yield server
    finally:
        server.close()


def wait_until(what: str, pred: Callable[[], object], timeout_s: float = 30.0) -> None:
    """Poll ``pred()`` until true (a hang guard, not a timing assertion)."""
    deadline = time.monotonic() + timeout_s
    while not pred():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)
