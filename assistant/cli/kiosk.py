"""`run.py [kiosk] [--keyboard] [--push-to-talk | --hands-free]`: run the kiosk.

Without arguments the kiosk listens on the configured microphone and answers aloud. With
``--keyboard`` (or when speech input is impossible) it serves typed questions from standard
input: each line is a question, an empty line is the button; everything it says is also
printed, one line each, prefixed with the language (``[sv] ...``), for a braille display. At
the end of standard input in keyboard mode it finishes speaking and exits: 0 with
``--keyboard``, 1 when keyboard mode was a fallback and standard input brought questions (a
script). When speech input is impossible and nobody can type (no standard input, or one that
ends before its first line and is not a terminal: ``/dev/null`` under systemd) it stays up,
says what is missing, and starts listening once a re-check finds a model
(``recognition.recheck_interval_s``). SIGTERM and SIGINT stop it cleanly (exit 0); SIGHUP
reloads the content (the last good content stays when the new one is malformed); a SIGHUP
during start-up is kept and becomes a reload once the kiosk runs.
"""

from __future__ import annotations

import argparse
import dataclasses
import signal
import sys
from types import FrameType
from typing import Any, NoReturn

from assistant.config import Config, InteractionMode

#: After the kiosk has stopped, flushing its output may take this long (a blocked pipe); then
#: the process ends anyway (under the unit's stop timeout).
EXIT_AFTER_STOP_S = 3.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--keyboard",
        action="store_true",
        help="typed questions from standard input (no microphone); answers spoken and printed",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--push-to-talk", action="store_true", help="override dialog.mode: a key starts listening"
    )
    mode.add_argument(
        "--hands-free", action="store_true", help="override dialog.mode: listen continuously"
    )


def _print_say(action: Any) -> None:
    print(f"[{action.lang}] {action.text}", flush=True)


def _notice(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def run(args: argparse.Namespace, config: Config) -> int:
    if args.push_to_talk or args.hands_free:
        mode: InteractionMode = "push-to-talk" if args.push_to_talk else "hands-free"
        config = dataclasses.replace(config, dialog=dataclasses.replace(config.dialog, mode=mode))
    # SIGHUP during start-up (a reload sent too early) is kept for later: its default action
    # would end the kiosk with a "clean" status that a service manager does not restart.
    early_hups: list[int] = []
    previous_hup = signal.signal(signal.SIGHUP, lambda signum, frame: early_hups.append(signum))
    try:
        _serve(args, config, early_hups)
    finally:
        signal.signal(signal.SIGHUP, previous_hup)


def _serve(args: argparse.Namespace, config: Config, early_hups: list[int]) -> NoReturn:
    from assistant.cli.models import ProgressReport
    from assistant.kiosk.deadline import exit_now
    from assistant.kiosk.inputs import terminal_restored
    from assistant.kiosk.loop import Reload, Shutdown
    from assistant.kiosk.setup import build_kiosk

    stdin = sys.stdin  # None when the process has no standard input at all
    if stdin is not None and hasattr(stdin, "reconfigure"):
        stdin.reconfigure(errors="replace")

    # Keys at once on a terminal: the modes it had before the kiosk set it up are given back
    # here, whatever happens (the process ends without exit handlers, see below).
    with terminal_restored(stdin):
        kiosk, tell_visitor = build_kiosk(
            config,
            keyboard=args.keyboard,
            stdin=stdin,
            on_say=_print_say,
            notice=_notice,
            progress=ProgressReport(bar=False),  # lines: the kiosk prints, and the journal
        )

        def stop(signum: int, frame: FrameType | None) -> None:
            kiosk.post(Shutdown(signal.Signals(signum).name))

        def reload(signum: int, frame: FrameType | None) -> None:
            kiosk.post(Reload())

        previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        signal.signal(signal.SIGHUP, reload)
        if early_hups:
            kiosk.post(Reload())  # asked for during start-up: done now that it runs
        try:
            code = kiosk.run(input_lost=tell_visitor)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
    # The kiosk has closed its devices and engines: the process ends now, without the
    # interpreter's teardown (seconds on a loaded machine).
    exit_now(code, EXIT_AFTER_STOP_S)
