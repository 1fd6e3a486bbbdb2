"""`run.py ask [--lang sv|fr] [--json] QUESTION`: answer typed questions from the documents.

``QUESTION`` ``-`` reads one question per line from standard input and answers each in
order (one JSON object per line with ``--json``), with everything loaded once.
"""

from __future__ import annotations

import argparse
import json
import sys

from ..answering import QuestionAnswerer, Reply
from ..config import Config
from ..content import load_library
from ..language import SUPPORTED_LANGUAGES


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lang", choices=SUPPORTED_LANGUAGES, help="language of the question")
    parser.add_argument("--json", action="store_true", help="one JSON object per answer")
    parser.add_argument("question", nargs="*", help="the question; '-' reads lines from stdin")


def run(args: argparse.Namespace, config: Config) -> int:
    library = load_library(config.path(config.content.folder), config.languages)
    answerer = QuestionAnswerer(library, config.matching, config.languages)
    if args.question == ["-"]:
        for line in sys.stdin:
            _show(answerer.answer(line.rstrip("\n"), args.lang), args.json)
        return 0
    _show(answerer.answer(" ".join(args.question), args.lang), args.json)
    return 0


def _show(reply: Reply, as_json: bool) -> None:
    if as_json:
        print(json.dumps(reply.to_json(), ensure_ascii=False), flush=True)
        return
    if reply.intent != "question":
        target = f" -> {reply.target_lang}" if reply.target_lang else ""
        print(f"[{reply.lang}] command: {reply.intent}{target}")
        if reply.answer:
            print(reply.answer)
    elif reply.section is None:
        print(f"[{reply.lang}] no answer")
        print(reply.answer)
    else:
        print(f"[{reply.lang}] {reply.document} #{reply.section} {reply.title} ({reply.score:.2f})")
        print(reply.answer)
        if reply.more:
            print(f"(more: {len(reply.more.split())} words)")
    sys.stdout.flush()
