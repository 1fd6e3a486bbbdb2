"""Putting a model's files in place: unpacking a zip, copying a folder; both refuse what is unsafe.

An archive is unpacked with no absolute paths, no ``..``, no links, a bounded number of
entries and a bounded unpacked size, and never more than the disk holds (a margin stays free).
A folder (a USB stick) is copied file by file: regular files and folders only. Every entry is
opened without following links (``O_NOFOLLOW``) and checked on the opened descriptor, so a link
or a special file swapped in during the copy is refused too; links, FIFOs, devices and sockets
are refused with their path; nothing is hard-linked (the source's owner could change an
installed model through a link); copies get plain permissions (0644 files, 0755 folders).
"""

from __future__ import annotations

import errno
import os
import stat
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from assistant.errors import ModelError
from assistant.speech_in.diskspace import SpaceGuard

MAX_UNPACKED_BYTES = 8 * 1024**3
MAX_MEMBERS = 20_000
#: Folders deeper than this are refused (a model is three levels deep).
MAX_DEPTH = 32
FILE_MODE = 0o644
FOLDER_MODE = 0o755
_CHUNK = 1 << 20
_OPEN_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_OPEN_FILE = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


# -- zip archives --------------------------------------------------------------------------------
def _safe_members(archive: zipfile.ZipFile, max_bytes: int) -> list[zipfile.ZipInfo]:
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise ModelError("archive-unsafe", f"{len(members)} entries, more than {MAX_MEMBERS}")
    total = 0
    files: set[tuple[str, ...]] = set()
    folders: set[tuple[str, ...]] = set()
    for info in members:
        path = PurePosixPath(info.filename)
        if info.filename.startswith(("/", "\\")) or ".." in path.parts or ":" in info.filename:
            raise ModelError("archive-unsafe", f"entry {info.filename!r} escapes the target")
        parts = tuple(p for p in path.parts if p != ".")
        if not parts:
            raise ModelError("archive-unsafe", f"entry {info.filename!r} has no name")
        # One entry per path, and no file where another entry needs a folder: a second copy
        # would silently replace the first.
        parents = {parts[:i] for i in range(1, len(parts))}
        is_dir = info.filename.endswith("/")
        if parts in files or (not is_dir and parts in folders) or parents & files:
            raise ModelError("archive-unsafe", f"entry {info.filename!r} is given twice")
        (folders if is_dir else files).add(parts)
        folders |= parents
        if stat.S_ISLNK(info.external_attr >> 16):
            raise ModelError("archive-unsafe", f"entry {info.filename!r} is a link")
        total += info.file_size
        if total > max_bytes:
            raise ModelError("archive-unsafe", f"unpacks to more than {max_bytes} bytes")
    return members


def unpack_zip(
    zip_path: Path,
    target: Path,
    *,
    max_bytes: int = MAX_UNPACKED_BYTES,
    space: SpaceGuard | None = None,
) -> None:
    """Unpack ``zip_path`` into the (new, empty) folder ``target``, refusing unsafe archives and
    archives the disk cannot hold (before unpacking, from the declared sizes, and while
    writing)."""
    space = space or SpaceGuard(target)
    try:
        with zipfile.ZipFile(zip_path) as archive:
            members = _safe_members(archive, max_bytes)
            space.need(sum(m.file_size for m in members), f"unpacking {zip_path}")
            root = target.resolve()
            for info in members:
                out = (root / info.filename).resolve()
                if not out.is_relative_to(root):
                    raise ModelError("archive-unsafe", f"entry {info.filename!r} escapes")
                if info.is_dir():
                    out.mkdir(parents=True, exist_ok=True)
                    continue
                out.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(info) as src, out.open("wb") as dst:
                    # Bounded by the declared size: a lying header cannot fill the disk.
                    copied = 0
                    while chunk := src.read(_CHUNK):
                        copied += len(chunk)
                        if copied > info.file_size:
                            raise ModelError("archive-unsafe", f"{info.filename!r} is too big")
                        dst.write(chunk)
                        space.wrote(len(chunk), f"unpacking {zip_path}")
    except FileNotFoundError:
        raise ModelError("archive-missing", f"{zip_path}: no such file") from None
    except (
        zipfile.BadZipFile,
        EOFError,
        zipfile.LargeZipFile,
        zlib.error,
        UnicodeDecodeError,
    ) as exc:
        raise ModelError(
            "archive-invalid", f"{zip_path}: not a usable zip ({exc})", fix="copy it again"
        ) from None
    except (NotImplementedError, RuntimeError) as exc:  # encrypted, unknown compression
        raise ModelError(
            "archive-invalid",
            f"{zip_path}: unsupported zip ({exc})",
            fix="use a plain (deflate) zip without a password",
        ) from None
    except OSError as exc:
        raise ModelError("archive-unreadable", f"{zip_path}: {exc}") from None


# -- folders -------------------------------------------------------------------------------------
@dataclass
class _Budget:
    space: SpaceGuard
    max_bytes: int
    entries: int = 0
    copied: int = 0


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a link"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device node"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file or folder"


def _refuse(path: Path, why: str) -> ModelError:
    return ModelError(
        "model-copy-refused",
        f"{path}: {why}; a model folder may hold only regular files and folders",
        fix="copy the model's files without links or special files, or install its zip",
    )


def copy_folder(
    source: Path,
    target: Path,
    *,
    space: SpaceGuard | None = None,
    max_bytes: int = MAX_UNPACKED_BYTES,
) -> None:
    """Copy the model folder ``source`` into the new folder ``target`` (regular files and
    folders only, nothing followed, nothing linked)."""
    budget = _Budget(space or SpaceGuard(target.parent), max_bytes)
    try:
        fd = os.open(source, _OPEN_DIR)
    except OSError as exc:
        raise ModelError(
            "model-copy-failed", f"{source}: cannot open it ({exc.strerror})"
        ) from None
    try:
        budget.space.need(0, f"copying {source}")
        os.mkdir(target, FOLDER_MODE)
        _copy_dir(fd, source, target, budget, 0)
    except ModelError:
        raise
    except OSError as exc:
        raise ModelError("model-copy-failed", f"cannot copy {source}: {exc}") from None
    finally:
        os.close(fd)


def _copy_dir(dir_fd: int, shown: Path, out: Path, budget: _Budget, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise _refuse(shown, f"more than {MAX_DEPTH} folders deep")
    try:
        names = sorted(os.listdir(dir_fd))
    except OSError as exc:
        raise ModelError("model-copy-failed", f"{shown}: cannot list it ({exc.strerror})") from None
    for name in names:
        path = shown / name
        budget.entries += 1
        if budget.entries > MAX_MEMBERS:
            raise _refuse(shown, f"more than {MAX_MEMBERS} entries")
        try:
            st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
        except OSError as exc:
            raise ModelError("model-copy-failed", f"{path}: {exc.strerror}") from None
        if stat.S_ISDIR(st.st_mode):
            fd = _open(name, dir_fd, _OPEN_DIR, path)
            try:
                _same_kind(fd, st, stat.S_ISDIR, path)
                os.mkdir(out / name, FOLDER_MODE)
                _copy_dir(fd, path, out / name, budget, depth + 1)
            finally:
                os.close(fd)
        elif stat.S_ISREG(st.st_mode):
            fd = _open(name, dir_fd, _OPEN_FILE, path)
            try:
                _same_kind(fd, st, stat.S_ISREG, path)
                _copy_file(fd, path, out / name, budget)
            finally:
                os.close(fd)
        else:
            raise _refuse(path, f"is {_kind(st.st_mode)}")


def _open(name: str, dir_fd: int, flags: int, path: Path) -> int:
    try:
        return os.open(name, flags, dir_fd=dir_fd)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR):  # swapped for a link or a file meanwhile
            raise _refuse(path, "was replaced by a link or another kind of file") from None
        raise ModelError("model-copy-failed", f"{path}: cannot read it ({exc.strerror})") from None


def _same_kind(fd: int, seen: os.stat_result, wanted: Callable[[int], bool], path: Path) -> None:
    """The opened descriptor is what was listed: same kind, same file."""
    now = os.fstat(fd)
    if not wanted(now.st_mode) or (now.st_dev, now.st_ino) != (seen.st_dev, seen.st_ino):
        raise _refuse(path, f"changed while it was copied (now {_kind(now.st_mode)})")


def _copy_file(src_fd: int, path: Path, dest: Path, budget: _Budget) -> None:
    out = os.open(dest, _CREATE, FILE_MODE)
    try:
        while True:
            try:
                chunk = os.read(src_fd, _CHUNK)
            except OSError as exc:
                raise ModelError(
                    "model-copy-failed", f"{path}: cannot read it ({exc.strerror})"
                ) from None
            if not chunk:
                break
            budget.copied += len(chunk)
            if budget.copied > budget.max_bytes:
                raise _refuse(path, f"the folder holds more than {budget.max_bytes} bytes")
            view = memoryview(chunk)
            while view:
                view = view[os.write(out, view) :]
            budget.space.wrote(len(chunk), f"copying {path}")
    finally:
        os.close(out)
