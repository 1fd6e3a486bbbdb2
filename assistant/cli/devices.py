"""`run.py devices`: list the audio devices by name, as the config's audio keys name them."""

from __future__ import annotations

import argparse
import json

from assistant.audio import list_devices
from assistant.config import Config


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="one JSON object per device")


def run(args: argparse.Namespace, config: Config) -> int:
    devices = list_devices()
    if args.json:
        for d in devices:
            print(json.dumps(d.__dict__, ensure_ascii=False))
        return 0
    if not devices:
        print("No audio devices found.")
        return 0
    for d in devices:
        kinds = []
        if d.max_input_channels:
            kinds.append("input" + (" (default)" if d.is_default_input else ""))
        if d.max_output_channels:
            kinds.append("output" + (" (default)" if d.is_default_output else ""))
        print(f"{d.name!r}: {', '.join(kinds)}; {d.default_rate_hz:.0f} Hz; {d.host_api}")
    print(
        f"Configured: input {config.audio.input_device or '(default)'}, "
        f"output {config.audio.output_device or '(default)'}"
    )
    return 0
