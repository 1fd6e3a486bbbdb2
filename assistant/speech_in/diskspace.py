"""Free disk space for installs: checked before a download or an unpack, and while it runs.

A model is refused when it would leave less than a margin free on the file system that holds
the models folder: a full disk would take the event log and the rest of the machine with it.
The free-space function is passed in, so that tests can give a small disk.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import ModelError

#: Free bytes on the file system that holds a path.
FreeSpace = Callable[[Path], int]

#: What an install leaves free at least (the event log, the journal, the next install).
MIN_FREE_BYTES = 256 * 1024**2
#: While writing, the free space is looked at again after this many bytes.
CHECK_EVERY_BYTES = 16 * 1024**2


def disk_free(path: Path) -> int:
    import shutil

    return shutil.disk_usage(path).free


def _mb(nbytes: int) -> str:
    return f"{nbytes / 1e6:.0f} MB"


@dataclass
class SpaceGuard:
    """Refuses to write more than the file system of ``path`` can hold, keeping a margin."""

    path: Path
    free: FreeSpace = disk_free
    margin_bytes: int = MIN_FREE_BYTES
    check_every_bytes: int = CHECK_EVERY_BYTES
    _since_check: int = 0

    def need(self, nbytes: int, what: str) -> None:
        """Refuse ``what`` when ``nbytes`` more would leave less than the margin free."""
        try:
            free = self.free(self.path)
        except OSError as exc:
            raise ModelError(
                "disk-unknown", f"{self.path}: cannot tell the free space: {exc}"
            ) from None
        if free - nbytes < self.margin_bytes:
            needs = f"needs {_mb(nbytes)} more, " if nbytes else ""
            raise ModelError(
                "disk-full",
                f"{what} {needs}but {self.path} has only {_mb(free)} free "
                f"(an install keeps {_mb(self.margin_bytes)} free)",
                fix="free disk space, or put models.folder on a larger disk",
            )

    def wrote(self, nbytes: int, what: str) -> None:
        """``nbytes`` were just written: look at the free space again now and then."""
        self._since_check += nbytes
        if self._since_check >= self.check_every_bytes:
            self._since_check = 0
            self.need(0, what)
