"""Speech detection in noise: the level endpoint against voice-activity detectors.

Every recording of the shared speech samples (read Swedish and French sentences, neural-TTS
commands) is set to a speech level of -26 dBFS and mixed with each kind of hall noise of
``bench/hall_noise.py`` (babble, fan, music, footsteps; fixed seed) at each signal-to-noise
ratio (and clean). The stream is 2 s of noise, the recording in the noise, then noise until
``recognition.max_utterance_s`` after the start of speech. It is fed in the kiosk's
``audio.block_s`` blocks to each endpointer, as the segmenter does, and the utterance ends at
the first block after the start of words (0.1 s into the voice) where the endpointer reports
``recognition.endpoint_silence_s`` of silence after voice, or at the maximum length. The end of
the voice is where the clean recording's voice ends (the level endpoint on the clean audio, as
in ``bench_endpointing.py``). Per endpointer:

* end of speech to cut, p50/p95 over every mix (a mix that runs to the maximum counts with it);
* cut short: the cut came before the end of the voice (the visitor was cut off);
* ran to max: no end was found before the maximum length;
* noise as voice: 8 s of each noise alone at each level (after 2 s to settle) in which the
  endpointer heard at least 0.3 s of voice (noise that would have become an utterance);
* speed: audio seconds per second of one core.

    .venv/bin/python bench/bench_vad.py [--quick] [--detail]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_endpointing import recordings, speech_start, voice_end, voiced_frames
from hall_noise import KINDS, make_noise
from stats import pct

from assistant.audio import Int16Array
from assistant.config import RecognitionConfig
from assistant.speech_in.endpointing import Endpointer, LevelEndpointer
from assistant.speech_in.vad import DETECTORS, VadEndpointer

RATE_HZ = 16000
BLOCK = 800  # the default audio.block_s, 0.05 s
FRAME = 160
SPEECH_DBFS = -26.0
LEAD_S = 2.0
SEED = 20240611


class TenDetector:
    """TEN VAD (ten-vad; x86-64 Linux only, needs libc++1): 256-sample frames. Benchmarked,
    not offered to the kiosk (no aarch64 library, and a licence with extra conditions)."""

    frame_len = 256

    def __init__(self) -> None:
        from ten_vad import TenVad

        self._vad = TenVad(256, 0.5)

    def probability(self, frame: Int16Array) -> float:
        return float(self._vad.process(np.asarray(frame, np.int16))[0])

    def reset(self) -> None:
        self.__init__()  # type: ignore[misc]


def candidates() -> dict[str, Callable[[], Endpointer] | str]:
    """Every endpointer to measure, or why it cannot run here."""
    found: dict[str, Callable[[], Endpointer] | str] = {"level (today)": LevelEndpointer}
    makers = {**DETECTORS, "ten": TenDetector}
    for name, make in makers.items():
        try:
            make()
        except (ImportError, OSError) as exc:
            found[name] = f"not available: {exc}"
            continue
        found[name] = lambda make=make: VadEndpointer(make())  # type: ignore[misc]
    return found


@dataclass
class Tally:
    latency_ms: list[float] = field(default_factory=list)
    short: int = 0
    ran_to_max: int = 0
    noise_as_voice: int = 0
    noise_segments: int = 0
    audio_s: float = 0.0
    cpu_s: float = 0.0


def level_of(samples: np.ndarray, voiced: np.ndarray) -> float:
    frames = samples[: len(voiced) * FRAME].reshape(len(voiced), FRAME)
    active = frames[voiced] if voiced.any() else frames
    return float(np.sqrt(np.mean(active * active)))


def to_int16(x: np.ndarray) -> Int16Array:
    return np.clip(np.round(x * 32768.0), -32768, 32767).astype(np.int16)


@dataclass(frozen=True)
class Mix:
    """One recording in one noise: the stream and where words start and voice ends."""

    samples: Int16Array
    words_at: int
    voice_end: int
    max_at: int


def make_mix(
    clean: Int16Array, noise: np.ndarray | None, snr_db: float | None, max_s: float
) -> Mix | None:
    voiced = voiced_frames(clean)
    start = speech_start(voiced)
    if start is None:
        return None
    speech = clean.astype(np.float64) / 32768.0
    speech *= 10 ** (SPEECH_DBFS / 20) / level_of(speech, voiced)
    lead = int(LEAD_S * RATE_HZ)
    words_at = lead + (start + 10) * FRAME
    max_at = lead + start * FRAME + int(max_s * RATE_HZ)
    total = max(max_at, lead + len(speech)) + BLOCK
    stream = np.zeros(total)
    stream[lead : lead + len(speech)] = speech
    if noise is not None and snr_db is not None:
        stream += noise[:total] * 10 ** ((SPEECH_DBFS - snr_db) / 20)
    return Mix(to_int16(stream), words_at, lead + voice_end(voiced) * FRAME, max_at)


def cut_at(endpointer: Endpointer, mix: Mix, silence_s: float) -> tuple[int, bool]:
    """Sample where the utterance ends, and whether it ran to the maximum."""
    for i in range(0, len(mix.samples), BLOCK):
        endpointer.feed(mix.samples[i : i + BLOCK])
        end = i + BLOCK
        if end >= mix.max_at:
            return end, True
        if end >= mix.words_at and endpointer.ended(silence_s):
            return end, False
    return len(mix.samples), True


def noise_heard(endpointer: Endpointer, noise: Int16Array) -> bool:
    settle = int(LEAD_S * RATE_HZ)
    for i in range(0, settle, BLOCK):
        endpointer.feed(noise[i : i + BLOCK])
    endpointer.reset()
    for i in range(settle, len(noise), BLOCK):
        endpointer.feed(noise[i : i + BLOCK])
    return endpointer.voiced_s >= 0.3


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="8 recordings, SNR 10 and 0 dB")
    parser.add_argument("--snrs", help="comma-separated SNRs in dB (default 20,10,5,0)")
    parser.add_argument("--detail", action="store_true", help="also a line per noise and SNR")
    args = parser.parse_args()
    rec = RecognitionConfig()
    silence_s, max_s = rec.endpoint_silence_s, rec.max_utterance_s
    found = recordings()
    clips = [s for group in found.values() for s in group]
    if not clips:
        print("no speech recordings found (../shared/speech-samples)", file=sys.stderr)
        return 1
    snrs = [float(x) for x in (args.snrs or ("10,0" if args.quick else "20,10,5,0")).split(",")]
    if args.quick:
        clips = clips[::5]
    conditions: list[tuple[str, float | None]] = [("clean", None)]
    conditions += [(kind, snr) for kind in KINDS for snr in snrs]
    rng = np.random.default_rng(SEED)
    voices = [s.astype(np.float64) for g in found.values() for s in g]
    mixes: list[tuple[str, float | None, int, Mix]] = []
    noise_only: list[Int16Array] = []
    for kind, snr in conditions:
        for index, clean in enumerate(clips):
            noise = None
            if snr is not None:  # babble of other voices than the visitor's
                others = [v for v in voices if len(v) != len(clean) or not np.array_equal(v, clean)]
                noise = make_noise(kind, int((LEAD_S + max_s + 12) * RATE_HZ), rng, others)
            mix = make_mix(clean, noise, snr, max_s)
            if mix is not None:
                mixes.append((kind, snr, index, mix))
        if snr is not None:
            alone = make_noise(kind, int((LEAD_S + 8) * RATE_HZ), rng, voices)
            noise_only.append(to_int16(alone * 10 ** ((SPEECH_DBFS - snr) / 20)))
    print(
        f"{len(clips)} recordings x {len(conditions)} conditions (clean; "
        f"{', '.join(KINDS)} at SNR {', '.join(f'{s:g}' for s in snrs)} dB), speech at "
        f"{SPEECH_DBFS:g} dBFS; endpoint_silence_s {silence_s:g}, max_utterance_s {max_s:g}, "
        f"blocks {BLOCK / RATE_HZ:g} s; {len(noise_only)} noise-only segments of 8 s"
    )
    header = (
        f"{'endpointer':<14} {'cut p50 ms':>10} {'cut p95 ms':>10} {'cut short':>10} "
        f"{'ran to max':>11} {'noise as voice':>15} {'x real time':>12}"
    )
    print(header)
    print("-" * len(header))
    details: list[str] = []
    for name, make in candidates().items():
        if isinstance(make, str):
            print(f"{name:<14} {make}")
            continue
        tally = Tally()
        per: dict[tuple[str, float | None], Tally] = {}
        for kind, snr, _index, mix in mixes:
            endpointer = make()
            started = time.process_time()
            at, ran = cut_at(endpointer, mix, silence_s)
            tally.cpu_s += time.process_time() - started
            tally.audio_s += at / RATE_HZ
            latency = (at - mix.voice_end) / RATE_HZ * 1000
            one = per.setdefault((kind, snr), Tally())
            for t in (tally, one):
                t.latency_ms.append(latency)
                t.short += at < mix.voice_end
                t.ran_to_max += ran
        for noise in noise_only:
            started = time.process_time()
            tally.noise_as_voice += noise_heard(make(), noise)
            tally.cpu_s += time.process_time() - started
            tally.audio_s += len(noise) / RATE_HZ
            tally.noise_segments += 1
        n = len(tally.latency_ms)
        speed = tally.audio_s / tally.cpu_s if tally.cpu_s else 0.0
        print(
            f"{name:<14} {pct(tally.latency_ms, 0.5):>10.0f} {pct(tally.latency_ms, 0.95):>10.0f} "
            f"{f'{tally.short}/{n}':>10} {f'{tally.ran_to_max}/{n}':>11} "
            f"{f'{tally.noise_as_voice}/{tally.noise_segments}':>15} {speed:>12.0f}",
            flush=True,
        )
        for (kind, snr), one in per.items():
            snr_text = "" if snr is None else f" {snr:g} dB"
            details.append(
                f"  {name:<14} {kind + snr_text:<16} p50 {pct(one.latency_ms, 0.5):>6.0f} "
                f"p95 {pct(one.latency_ms, 0.95):>6.0f} ms, short {one.short}, "
                f"to max {one.ran_to_max} of {len(one.latency_ms)}"
            )
    if args.detail:
        print("\nper condition:")
        print("\n".join(details))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
