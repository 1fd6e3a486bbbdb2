"""`run.py doctor`: check everything the kiosk needs and print how to fix what is missing.

Exit status: 0 when the kiosk is ready for voice mode (with ``--keyboard``: for keyboard mode),
1 when it can run only in keyboard mode or not at all; the last line says which.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging

from assistant.config import Config
from assistant.kiosk import doctor
from assistant.kiosk.doctor import Report, check_kiosk


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="the report as one JSON object")
    parser.add_argument(
        "--keyboard",
        action="store_true",
        help="check only what keyboard mode needs (no models, no microphone)",
    )


def run(args: argparse.Namespace, config: Config) -> int:
    if not args.log_level:  # the report says it all; no second copy of it on stderr
        logging.getLogger(doctor.__name__).setLevel(logging.CRITICAL)
    report: Report = check_kiosk(config, keyboard=args.keyboard)
    ready = report.ok and (report.mode == "voice" or args.keyboard)
    if args.json:
        out = {
            "ready": ready,
            "ok": report.ok,
            "mode": report.mode,
            "verdict": _verdict(report, args.keyboard),
            "checks": [dataclasses.asdict(c) for c in report.checks],
        }
        print(json.dumps(out, ensure_ascii=False, indent=1))
        return 0 if ready else 1
    for check in report.checks:
        if not check.problems:
            print(f"OK       {check.name}: {check.detail}")
            continue
        blocking = " (blocking)" if any(p.blocking for p in check.problems) else ""
        problems = " | ".join(f"{p.what} -> fix: {p.fix}" for p in check.problems)
        print(f"PROBLEM  {check.name}{blocking}: {problems}")
    print(_verdict(report, args.keyboard))
    return 0 if ready else 1


def _verdict(report: Report, keyboard: bool) -> str:
    blocking = sum(p.blocking for p in report.problems)
    if not report.ok:
        return f"NOT READY: {blocking} blocking problem(s); the kiosk cannot serve visitors."
    if report.mode == "voice":
        return "READY for voice mode."
    if keyboard:
        return "READY for keyboard mode (typed questions, spoken answers)."
    return (
        "KEYBOARD MODE ONLY: speech input is not possible (see the problems above); the kiosk "
        "serves typed questions with spoken answers until it is fixed."
    )
