"""Speech output: time to first audio, synthesis real-time factor, and how fast stop() silences.

Time to first audio: from ``Speaker.say()`` to the first chunk reaching the player (real
pyttsx3 + espeak-ng, the player records the moment and discards the audio). Real-time factor:
synthesis time / audio duration over all chunks.

Stop: a long French answer is spoken through the real synthesis and a real sounddevice stream
on the paced virtual ALSA speaker (``tests/virtual_alsa.py``) and stopped at a random point
of its first seconds, ``--stops`` times. From ``stop()`` to: the last write to the output
stream returning (the last sample handed to the device), ``Speaker.wait()`` returning (the
speaker idle), and the audio that still reached the virtual speaker after it (its pipe holds
about 0.1 s of audio already handed over, as a real device's buffer would).

Run: ``.venv/bin/python bench/bench_speech.py [--stops 30] [--seed 1]``.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.audio import Pcm
from assistant.config import AudioConfig, Config
from assistant.speech_out.playback import BLOCK_S
from assistant.speech_out.speaker import build_speaker
from assistant.speech_out.speech_text import speech_chunks
from assistant.speech_out.synthesis import Pyttsx3Synthesizer
from assistant.speech_out.voices import VoiceSettings, choose_voice
from tests.virtual_alsa import SPEAKER_NAME, VirtualAlsa

TEXTS = {
    "sv": (
        "Kramper är vanliga. De går oftast över av sig själva.",
        " ".join(
            ["Muskelkramper kan bero på uttröttning, vätskebrist eller vissa läkemedel."] * 12
        ),
    ),
    "fr": (
        "Les crampes sont fréquentes. Elles passent le plus souvent toutes seules.",
        " ".join(
            ["Les crampes peuvent être dues à la fatigue, au manque d'eau ou à un médicament."] * 12
        ),
    ),
}


class FirstAudio:
    def __init__(self) -> None:
        self.first_at: float | None = None

    def play(self, pcm: Pcm, stop: threading.Event) -> None:
        if self.first_at is None:
            self.first_at = time.perf_counter()


class WriteClock:
    """Wraps sounddevice's OutputStream: notes when each write returns, and how long it took."""

    def __init__(self) -> None:
        self.last_s = 0.0
        self.took_ms: list[float] = []

    def install(self) -> None:
        import sounddevice

        clock = self

        class TimedStream(sounddevice.OutputStream):
            def write(self, data: Any) -> bool:
                start = time.monotonic()
                try:
                    return bool(super().write(data))
                finally:
                    clock.last_s = time.monotonic()
                    clock.took_ms.append((clock.last_s - start) * 1000)

        sounddevice.OutputStream = TimedStream


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def bench_stop(alsa: VirtualAlsa, stops: int, seed: int) -> None:
    clock = WriteClock()
    clock.install()
    speaker = build_speaker(Config(audio=AudioConfig(output_device=SPEAKER_NAME)))
    rng = random.Random(seed)
    written, idle, heard = [], [], []
    text = TEXTS["fr"][1]
    try:
        for _ in range(stops):
            alsa.clear_speaker()
            speaker.say(text, "fr")
            time.sleep(rng.uniform(0.0, 8.0))
            before = len(alsa.speaker_samples())
            stopped_at = time.monotonic()
            speaker.stop()
            if not speaker.wait(10):
                raise SystemExit("the speaker did not go idle within 10 s of stop()")
            idle.append((time.monotonic() - stopped_at) * 1000)
            time.sleep(0.6)  # let the virtual speaker drain what it was given
            written.append((clock.last_s - stopped_at) * 1000)
            after = len(alsa.speaker_samples()) - before
            heard.append(after / alsa.speaker_rate_hz * 1000)
    finally:
        speaker.close()
    for label, values in (
        ("last sample handed to the output", written),
        ("speaker idle (wait() returns)", idle),
        ("audio on the virtual speaker after stop", heard),
    ):
        print(
            f"stop() to {label}: p50 {pct(values, 50):6.1f} ms  p95 {pct(values, 95):6.1f} ms  "
            f"max {max(values):6.1f} ms  ({len(values)} stops)"
        )
    took = clock.took_ms
    print(
        f"one write of a {BLOCK_S * 1000:.0f} ms block to the output: p50 {pct(took, 50):.1f} ms  "
        f"p95 {pct(took, 95):.1f} ms  max {max(took):.1f} ms  ({len(took)} writes)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stops", type=int, default=30, help="stops to time (0: none)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the random stop points")
    parser.add_argument("--no-first-audio", action="store_true", help="only the stop timings")
    args = parser.parse_args()
    # Before anything imports sounddevice: PortAudio reads the ALSA config once.
    alsa = VirtualAlsa(Path(tempfile.mkdtemp(prefix="bench-speech-alsa-")))
    os.environ.update(alsa.env())
    try:
        if not args.no_first_audio:
            first_audio()
        if args.stops > 0:
            bench_stop(alsa, args.stops, args.seed)
    finally:
        alsa.close()


def first_audio() -> None:
    config = Config()
    synth = Pyttsx3Synthesizer(config.speech.driver)
    voices = synth.list_voices()
    for lang, texts in TEXTS.items():
        settings = VoiceSettings(choose_voice(voices, lang).id, 165, 1.0)
        for label, text in zip(("short", "long"), texts, strict=True):
            firsts = []
            for _ in range(5):
                player = FirstAudio()
                speaker = build_speaker(config, player=player)
                start = time.perf_counter()
                speaker.say(text, lang)
                speaker.wait(120)
                speaker.close()
                assert player.first_at is not None
                firsts.append((player.first_at - start) * 1000)
            synth_s = audio_s = 0.0
            for chunk in speech_chunks(text):
                t0 = time.perf_counter()
                pcm = synth.synthesize(chunk, settings)
                synth_s += time.perf_counter() - t0
                audio_s += pcm.duration_s
            print(
                f"{lang} {label:5s} {len(text):5d} chars  first audio median "
                f"{statistics.median(firsts):6.1f} ms (max {max(firsts):6.1f})  "
                f"audio {audio_s:6.1f} s  RTF {synth_s / audio_s:.3f}"
            )
    synth.close()


if __name__ == "__main__":
    main()
