"""`run.py doctor`: doctor (being built)."""

from __future__ import annotations

import argparse

from ..config import Config
from ..errors import AssistantError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("rest", nargs=argparse.REMAINDER)


def run(args: argparse.Namespace, config: Config) -> int:
    raise AssistantError("not-built", "the 'doctor' command is not available in this build yet")
