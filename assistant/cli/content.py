"""`run.py content [check]`: load and validate the documents, and list their sections.

An error (the document would be read wrongly) is one line naming the file and line, exit 1.
What the loader repaired or skipped is printed as ``warning: file:line: ...`` lines before the
list; with ``--strict`` any warning fails the check too (exit 1).
"""

from __future__ import annotations

import argparse
import logging

from assistant.config import Config
from assistant.content import load_library


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "action", nargs="?", choices=("check",), default="check", help="check (the default)"
    )
    parser.add_argument(
        "--strict", action="store_true", help="fail (exit 1) on warnings as well as on errors"
    )


def run(args: argparse.Namespace, config: Config) -> int:
    folder = config.path(config.content.folder)
    content_log = logging.getLogger("assistant.content")
    level = content_log.level
    content_log.setLevel(logging.ERROR)  # its warnings are printed here, once
    try:
        library = load_library(folder, config.languages)
    finally:
        content_log.setLevel(level)
    for warning in library.warnings:
        print(f"warning: {warning}")
    for doc in library.documents:
        parallel = f", parallel {doc.parallel_id}" if doc.parallel_id else ""
        print(f"{doc.path.name}: {doc.id} [{doc.lang}] {doc.title!r}{parallel}")
        for s in doc.sections:
            words = len(s.text.split())
            print(f"  {s.index}. {s.title} ({s.id}, {words} words, {len(s.questions)} questions)")
    count = len(library.warnings)
    noted = f", {count} warning{'s' if count != 1 else ''}" if count else ""
    if count and getattr(args, "strict", False):
        print(f"not ok: {len(library.documents)} documents in {folder}{noted} (--strict)")
        return 1
    print(f"ok: {len(library.documents)} documents in {folder}{noted}")
    return 0
