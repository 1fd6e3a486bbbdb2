"""`run.py ask [--lang sv|fr] [--json] QUESTION`: answer typed questions from the documents.

``QUESTION`` ``-`` reads one question per line from standard input and answers each in
order (one JSON object per line with ``--json``), with everything loaded once. ``--speak``
also reads each answer aloud (pyttsx3 through sounddevice) before the next question.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

from assistant.config import Config
from assistant.content import load_library
from assistant.language_data import is_supported, supported_languages
from assistant.understanding.answering import answerer_for
from assistant.understanding.reply import Reply

if TYPE_CHECKING:
    from assistant.speech_out.speaker import Speaker, SpeechOutcome


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lang", help="language of the question (sv, fr, ...)")
    parser.add_argument("--json", action="store_true", help="one JSON object per answer")
    parser.add_argument("--speak", action="store_true", help="also read each answer aloud")
    parser.add_argument("question", nargs="*", help="the question; '-' reads lines from stdin")


def run(args: argparse.Namespace, config: Config) -> int:
    if args.lang is not None and not is_supported(args.lang):
        known = ", ".join(supported_languages())
        print(
            f"usage error: --lang {args.lang}: no such language (give one of {known})",
            file=sys.stderr,
        )
        return 2
    library = load_library(config.path(config.content.folder), config.languages)
    answerer = answerer_for(library, config)
    questions = (
        (line.rstrip("\n") for line in sys.stdin)
        if args.question == ["-"]
        else iter([" ".join(args.question)])
    )
    failed = False
    with _speaker(config, args.speak) as speaker:
        for question in questions:
            reply = answerer.answer(question, args.lang)
            _show(reply, args.json)
            if speaker is not None and reply.answer:
                outcome = _say(speaker, reply)
                if not outcome.completed:
                    print(f"speech failed: {outcome.error_code or outcome.status}", file=sys.stderr)
                    failed = True
    return 1 if failed else 0


@contextlib.contextmanager
def _speaker(config: Config, wanted: bool) -> Iterator[Speaker | None]:
    if not wanted:
        yield None
        return
    from assistant.speech_out.speaker import build_speaker

    speaker = build_speaker(config)
    try:
        yield speaker
    finally:
        speaker.close()


def _say(speaker: Speaker, reply: Reply) -> SpeechOutcome:
    from assistant.speech_out.speaker import SpeechOutcome

    outcomes: list[SpeechOutcome] = []
    speaker.on_idle = outcomes.append
    speaker.say(reply.answer, reply.lang)
    speaker.wait()
    return outcomes[-1] if outcomes else SpeechOutcome("stopped")


def _show(reply: Reply, as_json: bool) -> None:
    if as_json:
        print(json.dumps(reply.to_json(), ensure_ascii=False), flush=True)
        return
    if reply.intent != "question":
        target = f" -> {reply.target_lang}" if reply.target_lang else ""
        print(f"[{reply.lang}] command: {reply.intent}{target}")
        if reply.answer:
            print(reply.answer)
    elif reply.candidates:
        sections = ", ".join(f"#{n}" for n in reply.candidates)
        print(f"[{reply.lang}] {reply.document}: asks back between {sections} ({reply.score:.2f})")
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
