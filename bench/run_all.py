"""Run every benchmark script in bench/ and print one Markdown table of their measurements.

Each script runs in its own process (so memory figures do not mix); every line it prints
becomes a row under its name, followed by its wall time and exit status.

    .venv/bin/python bench/run_all.py [--quick] [--only bench_compare,bench_scaling]

``--quick`` passes each script its small-size flags (for the smoke test).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
#: Flags for a short run, per script (scripts not listed run as they are).
QUICK_FLAGS = {
    "bench_scaling": ["--quick"],
    "bench_compare": ["--quick"],
    "bench_recognition": ["--repeat", "1", "--clips", "2"],
    "bench_turns": ["--quick"],
    "bench_speech": ["--stops", "3"],
    "bench_endpointing": ["--silences", "0.35,0.8"],
    "bench_understanding": ["--quick"],
    "bench_vad": ["--quick"],
    "bench_echo": ["--quick"],
    "bench_barge_in": ["--quick"],
}


def scripts(only: list[str] | None) -> list[Path]:
    found = sorted(p for p in BENCH_DIR.glob("bench_*.py"))
    return [p for p in found if only is None or p.stem in only]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (smoke test)")
    parser.add_argument("--only", help="comma-separated script names (without .py)")
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds per script")
    args = parser.parse_args()
    chosen = scripts(args.only.split(",") if args.only else None)
    if not chosen:
        print("no benchmark scripts found", file=sys.stderr)
        return 1
    print("| benchmark | measurement |\n| --- | --- |")
    failed = 0
    for script in chosen:
        flags = QUICK_FLAGS.get(script.stem, []) if args.quick else []
        start = time.perf_counter()
        try:
            done = subprocess.run(
                [sys.executable, str(script), *flags],
                cwd=BENCH_DIR.parent,
                capture_output=True,
                text=True,
                timeout=args.timeout,
                check=False,
            )
            lines, status = done.stdout.splitlines(), f"exit {done.returncode}"
            failed += done.returncode != 0
            if done.returncode != 0:
                lines += done.stderr.strip().splitlines()[-1:]
        except subprocess.TimeoutExpired:
            lines, status = [], f"timed out after {args.timeout:.0f} s"
            failed += 1
        for line in lines:
            if line.strip():
                print(f"| {script.stem} | {line.strip().replace('|', '/')} |", flush=True)
        took = time.perf_counter() - start
        print(f"| {script.stem} | ({status}, {took:.0f} s) |", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
