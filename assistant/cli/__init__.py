"""Command line: ``python run.py [--config FILE] [command] ...``; no command starts the kiosk.

Each command lives in its own module of this package with two functions:
``add_arguments(parser)`` and ``run(args, config) -> int``. Modules import heavy engines
(vosk, pyttsx3, sounddevice) only inside ``run``, so ``ask`` starts fast on a machine
without audio. An :class:`AssistantError` becomes one clear line on stderr and exit code 1;
usage errors exit with 2 (argparse).
"""

from __future__ import annotations

import argparse
import faulthandler
import importlib
import io
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from assistant.config import Config, load_config
from assistant.errors import AssistantError

logger = logging.getLogger(__name__)

#: command name -> one-line help. The module is ``assistant.cli.<name>``.
COMMANDS: dict[str, str] = {
    "kiosk": "run the kiosk (the default when no command is given)",
    "ask": "answer typed questions from the documents",
    "say": "speak a text aloud, or write it to a WAV file",
    "listen": "recognize one spoken question from the microphone or a WAV file",
    "models": "list, install, verify or remove Vosk models",
    "devices": "list audio devices",
    "content": "check the documents",
    "doctor": "check everything the kiosk needs and say how to fix what is missing",
}


def _module(name: str) -> ModuleType:
    return importlib.import_module(f"{__name__}.{name}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="run.py",
        description="Röstguiden / Guide vocal: an offline voice assistant for public kiosks.",
    )
    _add_global_options(parser, None)
    # The same options after the command (`run.py --keyboard --log-level DEBUG`); given there
    # they win, left out they keep what was given before the command.
    common = argparse.ArgumentParser(add_help=False)
    _add_global_options(common, argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", metavar="command")
    for name, help_text in COMMANDS.items():
        command = sub.add_parser(name, help=help_text, description=help_text, parents=[common])
        _module(name).add_arguments(command)
    return parser


def _add_global_options(parser: argparse.ArgumentParser, default: object) -> None:
    parser.add_argument(
        "--config", type=Path, default=default, help="TOML config file (default: kiosk.toml)"
    )
    parser.add_argument(
        "--log-level", default=default, help="override logging.level (DEBUG, INFO, ...)"
    )


def _with_default_command(argv: list[str]) -> list[str]:
    """Insert ``kiosk`` when no command is named (``run.py --keyboard`` runs the kiosk)."""
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in ("-h", "--help") or arg in COMMANDS:
            return argv
        if arg in ("--config", "--log-level"):
            i += 2
            continue
        if arg.startswith(("--config=", "--log-level=")):
            i += 1
            continue
        break
    return [*argv[:i], "kiosk", *argv[i:]]


def setup_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def dump_stacks_on_sigusr1() -> bool:
    """SIGUSR1 writes every thread's stack to standard error (``kill -USR1 <pid>``: where a
    stalled kiosk waits); False where that is impossible (no SIGUSR1, stderr not a file)."""
    usr1 = getattr(signal, "SIGUSR1", None)
    if usr1 is None:
        return False
    try:
        faulthandler.register(usr1, file=sys.stderr, all_threads=True)
    except (AttributeError, ValueError, io.UnsupportedOperation, RuntimeError) as exc:
        logger.debug("no stack dump on SIGUSR1: %s", exc)
        return False
    return True


def use_languages(config: Config) -> None:
    """Make the configured extra languages known; a served language without data is said
    once (it cannot be analysed: its documents are refused and its questions go unanswered)."""
    from assistant.language_data import add_folder, supported_languages

    if config.content.language_folder:
        add_folder(config.path(config.content.language_folder))
    unknown = [lang for lang in config.languages if lang not in supported_languages()]
    if unknown:
        logger.warning(
            "languages: no language data for %s (known: %s; add a folder with "
            "[content] language_folder)",
            ", ".join(unknown),
            ", ".join(supported_languages()),
        )


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(_with_default_command(args_list))
    try:
        config: Config = load_config(args.config)
        setup_logging(args.log_level or config.logging.level)
        use_languages(config)
    except AssistantError as exc:
        print(exc.describe(), file=sys.stderr)
        return 2
    dumps = args.command == "kiosk" and dump_stacks_on_sigusr1()
    try:
        code: int = _module(args.command).run(args, config)
    except AssistantError as exc:
        logger.debug("command failed", exc_info=True)
        print(config.runnable(exc.describe()), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        if dumps:
            faulthandler.unregister(signal.SIGUSR1)
    return code
