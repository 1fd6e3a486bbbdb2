"""`run.py doctor`: check everything the kiosk needs and print how to fix what is missing.

Exit status: 0 when the kiosk is ready for voice mode (with ``--keyboard``: for keyboard mode),
1 when it can run only in keyboard mode, without a loudspeaker (answers printed only) or not at
all; the last line says which (:func:`assistant.kiosk.doctor.verdict`, the rule the kiosk's
start-up follows too).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging

from assistant.config import Config
from assistant.kiosk import doctor
from assistant.kiosk.doctor import Report, check_kiosk, verdict


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
    found = verdict(report, keyboard=args.keyboard)
    ready = found.ready
    if args.json:
        out = {
            "ready": ready,
            "ok": report.ok,
            "mode": report.mode,
            "speaks": report.speaks,
            "verdict": found.line,
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
    print(found.line)
    return 0 if ready else 1
