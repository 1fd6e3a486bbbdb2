"""How much silence should end an utterance? Real recorded speech, cut by the level endpoint.

Each recording of the shared speech samples (read Swedish and French sentences, and neural-TTS
commands) is fed to :class:`~assistant.speech_in.endpointing.LevelEndpointer` in the kiosk's 0.1 s
blocks,
as the listener does. For each candidate ``recognition.endpoint_silence_s`` it reports:

* cut too early: recordings where a pause inside the sentence was already that long, so the
  kiosk would have cut the visitor off mid-sentence (the sentence: from the first 0.1 s of
  continuous voice, where the recognizer would hear words, to the last 30 ms of it);
* latency: from the end of the voice to the cut (the silence plus the wait for the block's end),
  p50/p95 over the recordings cut at their end.

Vosk's own endpoint rules can cut sooner than the level endpoint when its decoder is sure (they
need the sv/fr models, which are not part of this benchmark); they never cut later.

    .venv/bin/python bench/bench_endpointing.py [--silences 0.3,0.35,0.5,0.8]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from stats import pct

from assistant import PROJECT_DIR
from assistant.audio import Int16Array, read_wav
from assistant.speech_in.endpointing import LevelEndpointer

SAMPLES = PROJECT_DIR.parent / "shared" / "speech-samples"
FOLDERS = ("sv-common-voice", "fr-voxforge", "sv-wavenet", "fr-wavenet")
RATE_HZ = 16000
BLOCK = 1600  # the kiosk's audio.block_s of 0.1 s
FRAME = 160


@dataclass(frozen=True)
class Cut:
    early: bool
    latency_s: float


def voiced_frames(samples: Int16Array) -> np.ndarray:
    """Which 10 ms frames the endpointer counts as voice."""
    endpointer, flags = LevelEndpointer(), []
    for i in range(0, len(samples) - FRAME + 1, FRAME):
        before = endpointer.voiced_s
        endpointer.feed(samples[i : i + FRAME])
        flags.append(endpointer.voiced_s > before)
    return np.array(flags, dtype=bool)


def speech_start(voiced: np.ndarray) -> int | None:
    """The first frame of 0.1 s of continuous voice: where the recognizer would hear words (the
    segmenter looks for an end only after that, so a click before the sentence is no cut)."""
    run = 0
    for i, flag in enumerate(voiced.tolist()):
        run = run + 1 if flag else 0
        if run == 10:
            return i - 9
    return None


def voice_end(voiced: np.ndarray) -> int:
    """The frame after the last run of 30 ms of voice (a lone click or breath after the
    sentence is not part of it)."""
    run, end = 0, 0
    for i, flag in enumerate(voiced.tolist()):
        run = run + 1 if flag else 0
        if run >= 3:
            end = i + 1
    return end


def cut(samples: Int16Array, silence_s: float) -> Cut | None:
    """Where the endpoint falls, against the end of the sentence's voice."""
    voiced = voiced_frames(samples)
    start = speech_start(voiced)
    if start is None:
        return None
    voice_end_s = voice_end(voiced) * FRAME / RATE_HZ
    start_sample = (start + 10) * FRAME
    padded = np.concatenate([samples, np.zeros(int(2 * silence_s * RATE_HZ) + BLOCK, np.int16)])
    endpointer = LevelEndpointer()
    for i in range(0, len(padded), BLOCK):
        endpointer.feed(padded[i : i + BLOCK])
        if i + BLOCK < start_sample:
            continue
        if endpointer.ended(silence_s):
            at_s = min(i + BLOCK, len(padded)) / RATE_HZ
            return Cut(at_s < voice_end_s, at_s - voice_end_s)
    return None


def recordings() -> dict[str, list[Int16Array]]:
    found = {}
    for folder in FOLDERS:
        paths = sorted((SAMPLES / folder).rglob("*.wav"))
        if paths:
            found[folder] = [read_wav(p, rate_hz=RATE_HZ).samples for p in paths]
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--silences", default="0.3,0.35,0.4,0.5,0.6,0.7,0.8,1.0")
    args = parser.parse_args()
    found = recordings()
    if not found:
        print(f"no recordings under {SAMPLES}", file=sys.stderr)
        return 1
    read = [s for f in ("sv-common-voice", "fr-voxforge") for s in found.get(f, [])]
    every = [s for group in found.values() for s in group]
    print(
        f"recordings: {len(every)} ({', '.join(f'{k} {len(v)}' for k, v in found.items())}); "
        "level endpoint in 0.1 s blocks"
    )
    for silence_s in (float(x) for x in args.silences.split(",")):
        cuts = [c for c in (cut(s, silence_s) for s in every) if c is not None]
        early_read = sum(1 for s in read if (c := cut(s, silence_s)) is not None and c.early)
        early = sum(c.early for c in cuts)
        latency = [c.latency_s * 1000 for c in cuts if not c.early]
        print(
            f"endpoint silence {silence_s:.2f} s: cut too early {early} of {len(every)} "
            f"(read sentences {early_read} of {len(read)}); end of voice to cut "
            f"p50 {pct(latency, 0.5):.0f} ms, p95 {pct(latency, 0.95):.0f} ms, "
            f"mean {statistics.fmean(latency):.0f} ms"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
