"""Installing and removing Vosk models: from the official download, a local zip or a folder.

Every install builds the model in a hidden temporary folder beside its destination, checks the
layout, writes the marker file and only then moves it into place with one rename, so a failed
or interrupted install never leaves a half model where the recognizer would load it.
Downloads are checked against the expected size and md5; archives are unpacked safely: no
absolute paths, no ``..``, no links, bounded member count and unpacked size.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import stat
import tempfile
import urllib.error
import urllib.request
import zipfile
import zlib
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from assistant.errors import ModelError
from assistant.speech_in.models import (
    CATALOG,
    ModelCheck,
    check_model,
    lang_from_name,
    write_marker,
)

logger = logging.getLogger(__name__)

#: Progress of a download: bytes so far and the total (None when unknown).
Progress = Callable[[int, int | None], None]

MAX_UNPACKED_BYTES = 8 * 1024**3
MAX_MEMBERS = 20_000
MAX_DOWNLOAD_BYTES = 4 * 1024**3
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Download:
    """An archive to fetch, and what it must be."""

    url: str
    size_bytes: int | None = None
    md5: str | None = None
    timeout_s: float = 30.0


def download(spec: Download, dest: Path, progress: Progress | None = None) -> Path:
    """Fetch ``spec.url`` into ``dest``, checking size and md5 while it streams."""
    digest = hashlib.md5(usedforsecurity=False)
    limit = spec.size_bytes if spec.size_bytes is not None else MAX_DOWNLOAD_BYTES
    done = 0
    try:
        with urllib.request.urlopen(spec.url, timeout=spec.timeout_s) as resp, dest.open("wb") as f:
            length = resp.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else spec.size_bytes
            if spec.size_bytes is not None and total is not None and total != spec.size_bytes:
                raise ModelError(
                    "download-size",
                    f"{spec.url}: the server announces {total} bytes, expected {spec.size_bytes}",
                )
            while chunk := resp.read(_CHUNK):
                done += len(chunk)
                if done > limit:
                    raise ModelError("download-size", f"{spec.url}: more than {limit} bytes")
                digest.update(chunk)
                f.write(chunk)
                if progress:
                    progress(done, total)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise ModelError(
            "download-failed",
            f"cannot download {spec.url}: {exc}",
            fix="check the network, or install from a zip or folder (USB stick)",
        ) from None
    if spec.size_bytes is not None and done != spec.size_bytes:
        raise ModelError(
            "download-size", f"{spec.url}: got {done} bytes, expected {spec.size_bytes}"
        )
    if spec.md5 is not None and digest.hexdigest() != spec.md5.lower():
        raise ModelError(
            "download-checksum",
            f"{spec.url}: md5 {digest.hexdigest()}, expected {spec.md5}",
            fix="download again; the file is damaged or not the expected model",
        )
    return dest


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


def unpack_zip(zip_path: Path, target: Path, *, max_bytes: int = MAX_UNPACKED_BYTES) -> None:
    """Unpack ``zip_path`` into the (new, empty) folder ``target``, refusing unsafe archives."""
    try:
        with zipfile.ZipFile(zip_path) as archive:
            members = _safe_members(archive, max_bytes)
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


def _model_root(folder: Path) -> Path:
    """The model inside an unpacked archive: the folder itself or its single subfolder."""
    if (folder / "am").is_dir():
        return folder
    subdirs = [p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("__MACOSX")]
    if len(subdirs) == 1 and (subdirs[0] / "am").is_dir():
        return subdirs[0]
    return folder


def _copy_folder(source: Path, target: Path) -> None:
    root = source.resolve()
    for path in source.rglob("*"):
        if path.is_symlink() and not path.resolve().is_relative_to(root):
            raise ModelError("archive-unsafe", f"{path} links outside the model folder")

    def link_or_copy(src: str, dst: str) -> None:
        try:
            os.link(src, dst)  # same file system: instant, and model files are never written
        except OSError:
            shutil.copy2(src, dst)

    try:
        shutil.copytree(source, target, copy_function=link_or_copy, dirs_exist_ok=True)
    except (OSError, shutil.Error) as exc:
        raise ModelError("model-copy-failed", f"cannot copy {source}: {exc}") from None


class Installer:
    """Installs models into one models folder."""

    def __init__(self, folder: Path, *, progress: Progress | None = None) -> None:
        self.folder = folder
        self.progress = progress

    def install_catalog(self, name: str, base_url: str, *, force: bool = False) -> ModelCheck:
        model = CATALOG.get(name)
        if model is None:
            raise ModelError(
                "model-unknown",
                f"{name!r} is not in the catalog ({', '.join(CATALOG)})",
                fix="give a URL, a zip file or a folder instead",
            )
        spec = Download(model.url(base_url), model.size_bytes, model.md5)
        return self.install_url(spec, name=name, lang=model.lang, force=force)

    def install_url(
        self, spec: Download, *, name: str, lang: str | None = None, force: bool = False
    ) -> ModelCheck:
        self._check_target(name, force)
        self.folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".download-", dir=self.folder) as tmp:
            archive = download(spec, Path(tmp) / "model.zip", self.progress)
            return self._install_zip(archive, name, lang, spec.url, force)

    def install_zip(
        self,
        zip_path: Path,
        *,
        name: str | None = None,
        lang: str | None = None,
        force: bool = False,
    ) -> ModelCheck:
        name = name or zip_path.stem
        self._check_target(name, force)
        return self._install_zip(zip_path, name, lang, str(zip_path), force)

    def install_folder(
        self, source: Path, *, name: str | None = None, lang: str | None = None, force: bool = False
    ) -> ModelCheck:
        if not source.is_dir():
            raise ModelError("model-missing", f"{source}: no such folder")
        name = name or source.resolve().name
        self._check_target(name, force)
        self.folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".install-", dir=self.folder) as tmp:
            staged = Path(tmp) / "model"
            _copy_folder(source, staged)
            return self._finish(staged, name, lang, str(source), force)

    def remove(self, name: str) -> Path:
        path = self._path(name)
        if not path.is_dir():
            raise ModelError("model-missing", f"no model {name!r} in {self.folder}")
        trash = self.folder / f".removing-{name}"
        path.replace(trash)
        shutil.rmtree(trash, ignore_errors=True)
        logger.info("removed model %s", name)
        return path

    # -- steps ------------------------------------------------------------------------------
    def _path(self, name: str) -> Path:
        if not name or name.startswith(".") or "/" in name or "\\" in name:
            raise ModelError("model-bad-name", f"{name!r} is not a model folder name")
        return self.folder / name

    def _check_target(self, name: str, force: bool) -> None:
        if self._path(name).exists() and not force:
            raise ModelError(
                "model-exists",
                f"{self._path(name)} is already installed",
                fix="remove it first, or install with --force",
            )

    def _install_zip(
        self, archive: Path, name: str, lang: str | None, source: str, force: bool
    ) -> ModelCheck:
        self.folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".unpack-", dir=self.folder) as tmp:
            unpack_zip(archive, Path(tmp))
            return self._finish(_model_root(Path(tmp)), name, lang, source, force)

    def _finish(
        self, staged: Path, name: str, lang: str | None, source: str, force: bool
    ) -> ModelCheck:
        check = check_model(staged)
        if not check.ok:
            raise ModelError(
                "model-broken",
                f"{source} is not a Vosk model: {'; '.join(check.problems)}",
                fix="use a model folder or zip from https://alphacephei.com/vosk/models",
            )
        lang = lang or lang_from_name(name)
        if lang is None:
            raise ModelError(
                "model-language-unknown",
                f"cannot tell the language of {name!r} from its name",
                fix="give --lang (sv, fr ...)",
            )
        write_marker(staged, {"lang": lang, "source": source})
        target = self._path(name)
        old = self.folder / f".replaced-{name}"
        if target.exists() and force:
            target.replace(old)
        staged.replace(target)
        if old.exists():
            with suppress(OSError):
                shutil.rmtree(old)
        logger.info("installed model %s (%s) from %s", name, lang, source)
        return check_model(target)
