"""Downloading a model archive: bounded in time, size and disk, checked, never a traceback.

``download`` streams one URL into a file. Whatever the server does, the result is the file or
a :class:`~assistant.errors.ModelError`: a cut or malformed response (a chunked body cut short,
a garbage status line, too many or too long headers), a redirect to anything but http or https,
a server that trickles (every read has ``timeout_s``, and the whole download ``deadline_s``: a
watchdog shuts the connection when the deadline passes, wherever the client waits), a body
longer than expected or than the disk can hold, and a wrong size or checksum.
"""

from __future__ import annotations

import hashlib
import http.client
import logging
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from assistant.errors import ModelError
from assistant.speech_in.diskspace import SpaceGuard

logger = logging.getLogger(__name__)

#: Progress of a download: bytes so far and the total (None when unknown).
Progress = Callable[[int, int | None], None]

MAX_DOWNLOAD_BYTES = 4 * 1024**3
#: A whole download must be done within this (seconds): 300 MB at 1 Mbit/s takes 40 minutes.
DEFAULT_DEADLINE_S = 3600.0
#: Every read must bring data within this (seconds).
DEFAULT_READ_TIMEOUT_S = 30.0
#: Schemes a download may start from; a redirect is followed to http and https only.
SCHEMES = ("http", "https", "file")
_REDIRECT_SCHEMES = ("http", "https")
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Download:
    """An archive to fetch, and what it must be."""

    url: str
    size_bytes: int | None = None
    md5: str | None = None
    sha256: str | None = None
    #: Every read must bring data within this (seconds).
    timeout_s: float = DEFAULT_READ_TIMEOUT_S
    #: The whole download must be done within this (seconds).
    deadline_s: float = DEFAULT_DEADLINE_S
    #: The operator accepts a download without checksum.
    unverified: bool = False

    @property
    def verified(self) -> bool:
        return bool(self.md5 or self.sha256)

    @property
    def remote(self) -> bool:
        return urlsplit(self.url).scheme.lower() in _REDIRECT_SCHEMES


class _Watchdog:
    """Shuts every socket of one download when its deadline passes."""

    def __init__(self, deadline_s: float) -> None:
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(deadline_s, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> _Watchdog:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()

    def track(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    # The plain socket's shutdown (an SSL socket's would unwrap): a blocked read returns.
    with suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _tracked(base: type[http.client.HTTPConnection], watchdog: _Watchdog) -> Any:
    class Tracked(base):  # type: ignore[valid-type,misc]
        def connect(self) -> None:
            super().connect()
            watchdog.track(self.sock)

    return Tracked


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, watchdog: _Watchdog) -> None:
        super().__init__()
        self._watchdog = watchdog

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_tracked(http.client.HTTPConnection, self._watchdog), req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, watchdog: _Watchdog) -> None:
        super().__init__()
        self._watchdog = watchdog

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_tracked(http.client.HTTPSConnection, self._watchdog), req)


class _RedirectHandler(urllib.request.HTTPRedirectHandler):
    """Follows redirects to http and https only (urllib's own also follows ftp)."""

    def redirect_request(  # noqa: PLR0917 (urllib's signature)
        self,
        req: urllib.request.Request,
        fp: Any,
        code: int,
        msg: str,
        headers: Any,
        newurl: str,
    ) -> urllib.request.Request | None:
        if urlsplit(newurl).scheme.lower() not in _REDIRECT_SCHEMES:
            raise ModelError(
                "download-refused",
                f"{req.full_url}: redirected to {newurl}; only http and https are followed",
                fix="give the final http(s) address of the model",
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _opener(watchdog: _Watchdog) -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(
        _RedirectHandler(), _HTTPHandler(watchdog), _HTTPSHandler(watchdog)
    )


def _announced(resp: Any) -> int | None:
    headers = getattr(resp, "headers", None)
    length = headers.get("Content-Length") if headers is not None else None
    if length is None or not length.strip().isdigit():
        return None
    return int(length)


def download(
    spec: Download,
    dest: Path,
    progress: Progress | None = None,
    *,
    space: SpaceGuard | None = None,
) -> Path:
    """Fetch ``spec.url`` into ``dest``, checking size, checksums and free space as it streams."""
    url = spec.url
    if urlsplit(url).scheme.lower() not in SCHEMES:
        raise ModelError("download-refused", f"{url}: only http, https and file URLs are fetched")
    space = space or SpaceGuard(dest.parent)
    md5 = hashlib.md5(usedforsecurity=False)
    sha256 = hashlib.sha256()
    limit = spec.size_bytes if spec.size_bytes is not None else MAX_DOWNLOAD_BYTES
    done = 0
    total: int | None = None
    end = time.monotonic() + spec.deadline_s
    with _Watchdog(spec.deadline_s) as watchdog:
        try:
            with _opener(watchdog).open(url, timeout=spec.timeout_s) as resp, dest.open("wb") as f:
                total = _announced(resp)
                if spec.size_bytes is not None and total is not None and total != spec.size_bytes:
                    raise ModelError(
                        "download-size",
                        f"{url}: the server announces {total} bytes, expected {spec.size_bytes}",
                    )
                if total is not None and total > limit:
                    raise ModelError("download-size", f"{url}: {total} bytes, more than {limit}")
                space.need(total or spec.size_bytes or 0, f"downloading {url}")
                read = getattr(resp, "read1", resp.read)
                while chunk := read(_CHUNK):
                    done += len(chunk)
                    if done > limit:
                        raise ModelError("download-size", f"{url}: more than {limit} bytes")
                    md5.update(chunk)
                    sha256.update(chunk)
                    f.write(chunk)
                    space.wrote(len(chunk), f"downloading {url}")
                    if time.monotonic() > end:
                        watchdog.expired = True
                        break
                    if progress:
                        progress(done, total if total is not None else spec.size_bytes)
        except ModelError:
            if watchdog.expired:
                raise _too_slow(spec) from None
            raise
        except (OSError, ValueError, http.client.HTTPException) as exc:
            if watchdog.expired:
                raise _too_slow(spec) from None
            raise ModelError(
                "download-failed",
                f"cannot download {url}: {_reason(exc)}",
                fix="check the network, or install from a zip or folder (USB stick)",
            ) from None
        if watchdog.expired:
            raise _too_slow(spec)
    if total is not None and done != total:
        raise ModelError(
            "download-incomplete",
            f"{url}: the connection ended after {done} of {total} bytes",
            fix="download again",
        )
    if spec.size_bytes is not None and done != spec.size_bytes:
        raise ModelError("download-size", f"{url}: got {done} bytes, expected {spec.size_bytes}")
    for name, expected, digest in (("md5", spec.md5, md5), ("sha256", spec.sha256, sha256)):
        if expected is not None and digest.hexdigest() != expected.strip().lower():
            raise ModelError(
                "download-checksum",
                f"{url}: {name} {digest.hexdigest()}, expected {expected}",
                fix="download again; the file is damaged or not the expected model",
            )
    return dest


def _too_slow(spec: Download) -> ModelError:
    return ModelError(
        "download-timeout",
        f"{spec.url}: not done within {spec.deadline_s:g} s (models.download_deadline_s)",
        fix="check the network, or install from a zip or folder (USB stick)",
    )


def _reason(exc: BaseException) -> str:
    """A readable reason: http.client's errors often say nothing by themselves."""
    kind = type(exc).__name__
    text = str(exc)
    if isinstance(exc, urllib.error.URLError) and not isinstance(exc, urllib.error.HTTPError):
        text = str(exc.reason)
    if isinstance(exc, http.client.IncompleteRead):
        return "the response was cut short"
    text = "".join(c if c.isprintable() else "?" for c in text.strip())
    if len(text) > 200:
        text = text[:200] + "..."
    return f"{kind}: {text}" if text else kind
