"""`run.py listen [--wav FILE] [--lang CODE|auto] [--json]`: recognize one spoken question.

Without ``--wav`` it listens on the configured microphone until the first utterance ends (Vosk's
endpointing) or ``--timeout`` passes. It prints the transcript, its language and confidence,
and the answer of the question-answering core.
"""

from __future__ import annotations

import argparse
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from assistant.config import Config
from assistant.errors import AssistantError, AudioError, RecognitionError

logger = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--wav", type=Path, help="recognize this WAV file instead of the mic")
    parser.add_argument("--lang", help="language code, or auto (default: recognition.language)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--timeout", type=float, default=30.0, help="seconds to wait for speech (microphone)"
    )
    parser.add_argument(
        "--no-answer", action="store_true", help="only recognize; do not ask the matching core"
    )


def _core(config: Config) -> tuple[Mapping[str, Sequence[str]], Any]:
    """Vocabulary per language (documents and commands) and the question-answering core."""
    from assistant.content import load_library
    from assistant.understanding.answering import answerer_for
    from assistant.understanding.intents import command_phrases

    library = load_library(config.path(config.content.folder), config.languages)
    vocabulary = {lang: [*library.texts(lang), *command_phrases(lang)] for lang in config.languages}
    return vocabulary, answerer_for(library, config)


def _utterance(args: argparse.Namespace, config: Config, recognizer: Any = None) -> Any:
    from assistant.audio import Pcm, read_wav
    from assistant.speech_in.recognition import Utterance

    if args.wav is not None:
        pcm = read_wav(args.wav, rate_hz=16000)
        limit = int(config.recognition.max_utterance_s * pcm.rate_hz)
        if len(pcm.samples) > limit:
            logger.warning(
                "%s is %.0f s long: recognizing its first %.0f s (recognition.max_utterance_s)",
                args.wav,
                pcm.duration_s,
                config.recognition.max_utterance_s,
            )
            return Utterance.of(Pcm(pcm.samples[:limit], pcm.rate_hz), truncated=True)
        return Utterance.of(pcm)
    from assistant.speech_in.listening import DeviceError, UtteranceEnded, microphone_listener

    listener = microphone_listener(config, recognizer)
    listener.start()
    try:
        for event in listener.events(args.timeout):
            if isinstance(event, UtteranceEnded):
                return event.utterance
            if isinstance(event, DeviceError):  # one question: report it rather than retry
                raise AudioError(
                    event.code, event.message, fix="check the microphone; run.py devices"
                )
            logger.info("%s", event)
    finally:
        listener.stop()
    raise RecognitionError(
        "no-speech", f"nothing was said within {args.timeout:.0f} s", fix="speak closer"
    )


def run(args: argparse.Namespace, config: Config) -> int:
    from assistant.speech_in.recognition import build_recognizer

    vocabulary: Mapping[str, Sequence[str]] | None = None
    core: Any = None
    if not args.no_answer:
        try:
            vocabulary, core = _core(config)
        except AssistantError as exc:  # no documents: still recognize, without an answer
            logger.warning("no answers: %s", exc.describe())
    fit: Callable[[str, str], float] | None = core.fit if core is not None else None
    recognizer = build_recognizer(config, vocabulary, fit, lang=args.lang)
    transcript = recognizer.recognize(_utterance(args, config, recognizer))
    reply = None
    if core is not None and transcript.text:
        try:
            reply = core.answer(transcript.text, transcript.lang)
        except AssistantError as exc:
            logger.warning("%s", exc.describe())
    if args.json:
        out = {"transcript": transcript.to_json(), "reply": reply.to_json() if reply else None}
        print(json.dumps(out, ensure_ascii=False, indent=1))
        return 0
    print(f"transcript: {transcript.text or '(nothing recognized)'}")
    print(f"language: {transcript.lang}  confidence: {transcript.confidence:.2f}")
    if reply is not None:
        print(f"answer: {reply.answer}")
    return 0
