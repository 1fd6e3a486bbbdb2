"""Installing and removing Vosk models: from the official download, a local zip or a folder.

Every step is atomic and recoverable. An install builds the model in a hidden folder beside
its destination (``.download-*``, ``.unpack-*``, ``.install-*``), checks the layout, writes the
marker file and only then puts it in place with one rename; ``--force`` swaps the new model
with the old one in one step (``renameat2`` with ``RENAME_EXCHANGE``; where the file system
cannot, the old model is renamed ``.replaced-<name>`` first and restored should the install be
interrupted before the new one is in place). One install at a time per models folder: a lock
file (``.install.lock``, ``fcntl.flock``) makes a second one say "another install is running".
Leftovers of an interrupted install are cleaned (and an interrupted ``--force`` restored) when
the next install or the kiosk starts. ``remove`` removes only what is a model.

The download is :mod:`assistant.speech_in.download`; unpacking and copying are
:mod:`assistant.speech_in.copying`; the free-space rule is :mod:`assistant.speech_in.diskspace`.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from assistant.errors import ModelError
from assistant.speech_in.copying import MAX_MEMBERS, MAX_UNPACKED_BYTES, copy_folder, unpack_zip
from assistant.speech_in.diskspace import MIN_FREE_BYTES, FreeSpace, SpaceGuard, disk_free
from assistant.speech_in.download import (
    DEFAULT_DEADLINE_S,
    DEFAULT_READ_TIMEOUT_S,
    Download,
    Progress,
    download,
)
from assistant.speech_in.models import (
    CATALOG,
    MARKER_FILE,
    ModelCheck,
    check_model,
    lang_from_name,
    write_marker,
)

__all__ = [
    "LOCK_FILE",
    "MAX_MEMBERS",
    "MAX_UNPACKED_BYTES",
    "Download",
    "Installer",
    "Progress",
    "download",
    "is_model",
    "unpack_zip",
]

logger = logging.getLogger(__name__)

LOCK_FILE = ".install.lock"
_REPLACED = ".replaced-"
#: Hidden folders an install works in; any found without a running install is a leftover.
LEFTOVER_PREFIXES = (".download-", ".unpack-", ".install-", ".removing-", _REPLACED)


def is_model(path: Path) -> bool:
    """A model folder (installed by us, or laid out as Vosk's), not any folder."""
    if path.is_symlink() or not path.is_dir():
        return False
    if (path / MARKER_FILE).is_file():
        return True
    return any(
        (path / part).exists() for part in ("am/final.mdl", "conf/model.conf", "graph", "ivector")
    )


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux ``renameat2``); False where it cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


class Installer:
    """Installs models into one models folder."""

    def __init__(
        self,
        folder: Path,
        *,
        progress: Progress | None = None,
        free_space: FreeSpace = disk_free,
        min_free_bytes: int = MIN_FREE_BYTES,
        deadline_s: float = DEFAULT_DEADLINE_S,
        read_timeout_s: float = DEFAULT_READ_TIMEOUT_S,
        max_unpacked_bytes: int = MAX_UNPACKED_BYTES,
    ) -> None:
        self.folder = folder
        self.progress = progress
        self.free_space = free_space
        self.min_free_bytes = min_free_bytes
        self.deadline_s = deadline_s
        self.read_timeout_s = read_timeout_s
        self.max_unpacked_bytes = max_unpacked_bytes
        self._cleaned: list[str] = []

    # -- the commands ------------------------------------------------------------------------
    def install_catalog(self, name: str, base_url: str, *, force: bool = False) -> ModelCheck:
        model = CATALOG.get(name)
        if model is None:
            raise ModelError(
                "model-unknown",
                f"{name!r} is not in the catalog ({', '.join(CATALOG)})",
                fix="give a URL, a zip file or a folder instead",
            )
        spec = Download(
            model.url(base_url),
            model.size_bytes,
            model.md5,
            timeout_s=self.read_timeout_s,
            deadline_s=self.deadline_s,
        )
        return self.install_url(spec, name=name, lang=model.lang, force=force)

    def install_url(
        self, spec: Download, *, name: str, lang: str | None = None, force: bool = False
    ) -> ModelCheck:
        if spec.remote and not spec.verified and not spec.unverified:
            raise ModelError(
                "download-unverified",
                f"{spec.url}: no checksum to verify the download against",
                fix="give --md5 or --sha256 (published with the model), or --unverified",
            )
        with self._locked():
            self._check_target(name, force)
            with tempfile.TemporaryDirectory(prefix=".download-", dir=self.folder) as tmp:
                archive = download(
                    spec, Path(tmp) / "model.zip", self.progress, space=self._space()
                )
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
        with self._locked():
            self._check_target(name, force)
            return self._install_zip(zip_path, name, lang, str(zip_path), force)

    def install_folder(
        self, source: Path, *, name: str | None = None, lang: str | None = None, force: bool = False
    ) -> ModelCheck:
        if not source.is_dir():
            raise ModelError("model-missing", f"{source}: no such folder")
        source = source.resolve()  # the folder given; nothing inside it is followed
        name = name or source.name
        with self._locked():
            self._check_target(name, force)
            with tempfile.TemporaryDirectory(prefix=".install-", dir=self.folder) as tmp:
                staged = Path(tmp) / "model"
                copy_folder(source, staged, space=self._space(), max_bytes=self.max_unpacked_bytes)
                return self._finish(staged, name, lang, str(source), force)

    def remove(self, name: str) -> Path:
        """Remove the model ``name`` (refused when the folder is not a model)."""
        leftover = name.startswith(LEFTOVER_PREFIXES) and "/" not in name
        path = self.folder / name if leftover else self._path(name)
        existed = path.is_dir()
        with self._locked():  # cleans leftovers: one named is gone now
            if leftover:
                if not existed:
                    raise ModelError("model-missing", f"no leftover {name!r} in {self.folder}")
                return path
            if path.is_symlink() or not path.is_dir():
                raise ModelError("model-missing", f"no model {name!r} in {self.folder}")
            if not is_model(path):
                raise ModelError(
                    "model-not-a-model",
                    f"{path} is not a Vosk model (no marker file, no am/, conf/, graph/ or "
                    "ivector/): not removed",
                    fix="remove it by hand if it must go",
                )
            with tempfile.TemporaryDirectory(prefix=".removing-", dir=self.folder) as tmp:
                path.rename(Path(tmp) / name)
        logger.info("removed model %s", name)
        return path

    def clean_leftovers(self) -> list[str]:
        """Clean what interrupted installs left (and restore a model an interrupted ``--force``
        had moved aside); nothing when an install is running. The names cleaned."""
        if not self.folder.is_dir():
            return []
        try:
            with self._locked():
                return self._cleaned
        except ModelError as exc:
            logger.info("leftovers not cleaned: %s", exc.describe())
            return []

    # -- steps ------------------------------------------------------------------------------
    @contextmanager
    def _locked(self) -> Iterator[None]:
        """One install at a time in this folder; leftovers cleaned first."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.folder / LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise ModelError(
                "models-folder-unwritable",
                f"{self.folder}: {exc.strerror}",
                fix="check models.folder and its permissions",
            ) from None
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise ModelError(
                    "install-running",
                    f"another install is running in {self.folder}",
                    fix="wait until it has finished, then try again",
                ) from None
            self._cleaned = self._clean()
            yield
        finally:
            os.close(fd)  # releases the lock

    def _clean(self) -> list[str]:
        cleaned: list[str] = []
        for path in sorted(self.folder.iterdir()):
            name = path.name
            if not name.startswith(LEFTOVER_PREFIXES) or path.is_symlink() or not path.is_dir():
                continue
            model = self.folder / name[len(_REPLACED) :]
            try:
                if name.startswith(_REPLACED) and not model.exists() and not model.is_symlink():
                    path.rename(model)
                    logger.warning("restored %s: an install with --force was interrupted", model)
                else:
                    shutil.rmtree(path)
                    logger.info("removed %s, left by an interrupted install", path)
                cleaned.append(name)
            except OSError as exc:
                logger.warning("cannot clean %s: %s", path, exc)
        return cleaned

    def _space(self) -> SpaceGuard:
        return SpaceGuard(self.folder, self.free_space, self.min_free_bytes)

    def _path(self, name: str) -> Path:
        if not name or name.startswith(".") or "/" in name or "\\" in name or "\0" in name:
            raise ModelError("model-bad-name", f"{name!r} is not a model folder name")
        return self.folder / name

    def _check_target(self, name: str, force: bool) -> None:
        path = self._path(name)
        if (path.exists() or path.is_symlink()) and not force:
            raise ModelError(
                "model-exists",
                f"{path} is already installed",
                fix="remove it first, or install with --force",
            )

    def _install_zip(
        self, archive: Path, name: str, lang: str | None, source: str, force: bool
    ) -> ModelCheck:
        with tempfile.TemporaryDirectory(prefix=".unpack-", dir=self.folder) as tmp:
            unpacked = Path(tmp) / "unpacked"
            unpacked.mkdir(mode=0o755)
            unpack_zip(archive, unpacked, max_bytes=self.max_unpacked_bytes, space=self._space())
            return self._finish(_model_root(unpacked), name, lang, source, force)

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
        staged.chmod(0o755)
        target = self._path(name)
        try:
            self._put_in_place(staged, target, force)
        except OSError as exc:
            raise ModelError("model-install-failed", f"cannot install {target}: {exc}") from None
        logger.info("installed model %s (%s) from %s", name, lang, source)
        return check_model(target)

    def _put_in_place(self, staged: Path, target: Path, force: bool) -> None:
        """The new model at ``target`` in one step; an old one (``force``) is kept until then.

        ``staged`` lies in a temporary folder that is removed afterwards, the old model with
        it."""
        if not (target.exists() or target.is_symlink()):
            staged.rename(target)
            return
        if not force:
            raise ModelError("model-exists", f"{target} is already installed")
        if target.is_dir() and not target.is_symlink() and _exchange(staged, target):
            return  # the old model is at ``staged`` now
        # No atomic exchange here: the old model waits aside, restored if we stop in between.
        aside = self.folder / f"{_REPLACED}{target.name}"
        target.rename(aside)
        staged.rename(target)
        aside.rename(staged)


def _model_root(folder: Path) -> Path:
    """The model inside an unpacked archive: the folder itself or its single subfolder."""
    if (folder / "am").is_dir():
        return folder
    subdirs = [p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("__MACOSX")]
    if len(subdirs) == 1 and (subdirs[0] / "am").is_dir():
        return subdirs[0]
    return folder
