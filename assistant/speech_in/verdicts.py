"""Whether Vosk could load a model folder, remembered by the folder's files.

The child-process probe (:mod:`.probe`) takes as long as loading the model. Its verdict is kept
in the model folder (:data:`VERDICT_FILE`) and in memory, keyed by a fingerprint of the
folder: every file's path, size and modification time, the content of every small file (the
conf files: an edited value can keep both size and time) and the Vosk version. Any change to
the files gives a new fingerprint, so a stale verdict is never used. A folder the kiosk cannot
write keeps its verdict in memory only (for the process).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

#: Where a model folder keeps its verdict.
VERDICT_FILE = ".rostguiden-load-check.json"
#: Files of the project in a model folder that Vosk never reads (not part of the fingerprint).
_OWN_PREFIX = ".rostguiden"
#: Files up to this size are fingerprinted by their content.
_SMALL_BYTES = 64 * 1024

_memory: dict[tuple[Path, str], str | None] = {}


@dataclass(frozen=True)
class Verdict:
    """What the probe found: None when the model loads and decodes, else the cause."""

    problem: str | None


@functools.cache
def _vosk_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("vosk")
    except metadata.PackageNotFoundError:
        return "none"


def fingerprint(folder: Path) -> str | None:
    """The fingerprint of the files of ``folder``; None when a file cannot be read."""
    digest = hashlib.sha256(f"vosk {_vosk_version()}\n".encode())
    try:
        for root, dirs, files in os.walk(folder, onerror=_raise):
            dirs.sort()
            for name in sorted(files):
                if name.startswith(_OWN_PREFIX) or name.endswith(".tmp"):
                    continue
                path = Path(root, name)
                st = path.stat()
                rel = path.relative_to(folder).as_posix()
                digest.update(f"{rel}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
                if st.st_size <= _SMALL_BYTES:
                    digest.update(hashlib.sha256(path.read_bytes()).digest())
    except OSError as exc:
        logger.debug("no fingerprint of %s: %s", folder, exc)
        return None
    return digest.hexdigest()


def _raise(exc: OSError) -> None:
    raise exc


def lookup(folder: Path, print_: str) -> Verdict | None:
    """The verdict remembered for ``folder`` with these files, None when there is none."""
    key = (folder.resolve(), print_)
    if key in _memory:
        return Verdict(_memory[key])
    try:
        raw = json.loads((folder / VERDICT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(raw, dict) or raw.get("fingerprint") != print_:
        return None
    problem = raw.get("problem")
    if problem is not None and not isinstance(problem, str):
        return None
    _memory[key] = problem
    return Verdict(problem)


def cached(folder: Path) -> Verdict | None:
    """The verdict for ``folder`` as its files are now, None when it was never probed."""
    print_ = fingerprint(folder)
    return lookup(folder, print_) if print_ else None


def remember(folder: Path, print_: str, problem: str | None, *, on_disk: bool = True) -> None:
    """Keep the verdict for ``folder`` with these files (in memory, and in the folder when
    ``on_disk`` and it can)."""
    _memory[(folder.resolve(), print_)] = problem
    if not on_disk:
        return
    data = json.dumps({"fingerprint": print_, "problem": problem}, ensure_ascii=False) + "\n"
    try:
        write_atomic(folder / VERDICT_FILE, data.encode("utf-8"))
    except OSError as exc:
        logger.info("cannot keep the load check of %s on disk: %s", folder, exc)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``path`` so that it holds either its old content or all of ``data``: a temporary
    file beside it, flushed to disk, then renamed over it (raises OSError)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # the rename itself, on file systems that need it
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
