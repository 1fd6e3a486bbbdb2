"""`run.py content [check]`: load and validate the documents, and list their sections."""

from __future__ import annotations

import argparse

from assistant.config import Config
from assistant.content import load_library


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "action", nargs="?", choices=("check",), default="check", help="check (the default)"
    )


def run(args: argparse.Namespace, config: Config) -> int:
    folder = config.path(config.content.folder)
    library = load_library(folder, config.languages)
    for doc in library.documents:
        parallel = f", parallel {doc.parallel_id}" if doc.parallel_id else ""
        print(f"{doc.path.name}: {doc.id} [{doc.lang}] {doc.title!r}{parallel}")
        for s in doc.sections:
            words = len(s.text.split())
            print(f"  {s.index}. {s.title} ({s.id}, {words} words, {len(s.questions)} questions)")
    print(f"ok: {len(library.documents)} documents in {folder}")
    return 0
