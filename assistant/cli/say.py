"""`run.py say --lang sv|fr [--out FILE.wav] TEXT`: speak a text aloud, or write it to a WAV file.

``--list-voices`` lists the voices of the speech engine with their languages (the ids that
``speech.voices.<lang>.voice_id`` can pin). ``--earcon KIND`` plays one of the tones instead.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.config import Config
from assistant.errors import SpeechError

if TYPE_CHECKING:
    from assistant.speech_out.speaker import SpeechOutcome


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lang", help="language of the text (default: dialog.default_language)")
    parser.add_argument("--out", type=Path, help="write the speech to this WAV file instead")
    parser.add_argument("--list-voices", action="store_true", help="list the engine's voices")
    parser.add_argument(
        "--earcon", choices=("listening", "stopped", "error"), help="play a tone instead"
    )
    parser.add_argument("text", nargs="*", help="the text to say ('-' reads standard input)")


def _text(args: argparse.Namespace) -> str:
    if args.text == ["-"]:
        return sys.stdin.read()
    return " ".join(args.text)


def run(args: argparse.Namespace, config: Config) -> int:
    from assistant.speech_out.speaker import SpeechOutcome, build_speaker, render_text, speak_text
    from assistant.speech_out.synthesis import Pyttsx3Synthesizer

    if args.list_voices:
        synthesizer = Pyttsx3Synthesizer(config.speech.driver)
        try:
            for voice in synthesizer.list_voices():
                print(f"{voice.id}\t{voice.name}\t{','.join(voice.languages)}")
        finally:
            synthesizer.close()
        return 0
    if args.earcon:
        speaker = build_speaker(config)
        outcomes: list[SpeechOutcome] = []
        speaker.on_idle = outcomes.append
        try:
            speaker.earcon(args.earcon)
            speaker.wait()
        finally:
            speaker.close()
        return _report(outcomes[-1] if outcomes else SpeechOutcome("completed"))
    lang = args.lang or config.dialog.default_language
    if lang not in config.languages:
        raise SpeechError(
            "unknown-language",
            f"--lang {lang!r} is not one of the kiosk's languages {list(config.languages)}",
        )
    text = _text(args)
    if not text.strip():
        raise SpeechError("empty-text", "nothing to say", fix="give the text to say")
    if args.out:
        duration_s = render_text(config, text, lang, args.out)
        print(f"{args.out}: {duration_s:.1f} s of {lang} speech", file=sys.stderr)
        return 0
    return _report(speak_text(config, text, lang))


def _report(outcome: SpeechOutcome) -> int:
    """0 when everything was played; else the reason on standard error (with its fix) and 1."""
    if outcome.completed:
        return 0
    why = outcome.message or f"speech {outcome.status}: {outcome.error_code or ''}".rstrip()
    print(why, file=sys.stderr)
    return 1
