"""The barge-in rule offline: the echo guard on a grid of echo paths, in a few minutes.

A quick stand-in for ``bench_echo.py`` (the real program on the virtual devices, 35 minutes)
when the rule in ``assistant/speech_in/echo.py`` changes: the same guard, fed samples and
block arrival times computed here, with no audio device and no recognizer.

The kiosk's voice is espeak-ng reading a short answer in Swedish and in French (about 15 s);
its echo is that voice times 0.3 (-10 dB), dry or through a room's reverberation (a decaying
noise tail of 150 ms, fixed seed), 10, 40 or 100 ms late, with the reference's timestamps 40 ms
early or late, over a quiet room (RMS 30). Each run plays the answer twice, 1 s apart, as a
kiosk answers one question after another: the first with the echo only, the second with a
visitor (a real recording of ../shared/speech-samples, Swedish or French, scaled to the kiosk's
speech level and 3 dB under it) starting 1.5 to 2.5 s in. The guard (``build_guard``, the
default canceller or ``--cancel``, the default margins) gets the microphone in 50 ms blocks,
each dated when it ends. Reported:

* false barge-ins: a barge-in in an echo-only run, or more than 0.2 s before a visitor starts;
* visitors heard: a barge-in from 0.2 s before the visitor's first sound (the first frame within
  20 dB of their loudest) to 0.3 s after their last one;
* the time from that first sound to the barge-in, p50/p95 (the kiosk falls silent about 0.1 s
  later).

It measures how soon the rule hears a visitor; it is no measure of false barge-ins in a real
hall (the real audio path's timing is not simulated: a rule with none here gave 2 per 100
answers in ``bench_echo.py``).

    .venv/bin/python bench/bench_barge_in.py [--quick] [--cancel webrtc|speex|off]

``--quick``: Swedish and the dry path only (a quarter of the grid).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from stats import pct

from assistant import PROJECT_DIR
from assistant.audio import PlaybackReference, read_wav
from assistant.config import AudioConfig
from assistant.speech_in.echo import build_guard, frame_energy
from tests.speech_input_support import guarded_blocks

Signal = npt.NDArray[np.float64]

RATE = 16000
BLOCK = 800  # 50 ms
SAMPLES = PROJECT_DIR.parent / "shared" / "speech-samples"
ANSWERS = {
    "sv": "Kramp är en plötslig ofrivillig sammandragning av en muskel. Den kan göra mycket ont "
    "men går oftast över av sig själv inom några minuter. Stretcha muskeln försiktigt och drick "
    "vatten. Om krampen kommer ofta eller inte går över bör du kontakta en läkare.",
    "fr": "Une crampe est une contraction soudaine et involontaire d'un muscle. Elle peut être "
    "très douloureuse mais disparaît le plus souvent d'elle-même en quelques minutes. Étirez "
    "doucement le muscle et buvez de l'eau. Si les crampes reviennent souvent, consultez un "
    "médecin.",
}
LEVEL = 3000.0  # RMS of the loud samples of every voice
ECHO_GAIN = 0.3
#: A barge-in this long before the visitor's first sound is still theirs (their breath)...
EARLY_S = 0.2
#: ...and this long after their last sound (the rule's decision takes its time).
LATE_S = 0.3


def at_level(samples: Signal) -> Signal:
    loud = samples[np.abs(samples) > 0.1 * np.abs(samples).max()]
    scaled: Signal = samples * (LEVEL / np.sqrt(np.mean(loud**2)))
    return scaled


def kiosk_voice(lang: str) -> Signal:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "answer.wav"
        subprocess.run(["espeak-ng", "-v", lang, "-w", str(path), ANSWERS[lang]], check=True)
        return at_level(read_wav(path, rate_hz=RATE).samples.astype(np.float64))


def visitors() -> list[Signal]:
    files = sorted((SAMPLES / "sv-common-voice").glob("*.wav"))[4:10]
    files += sorted((SAMPLES / "fr-voxforge").glob("*.wav"))[:6]
    if len(files) < 12:
        sys.exit(f"{SAMPLES}: the shared speech samples are not there")
    return [at_level(read_wav(f, rate_hz=RATE).samples.astype(np.float64)) for f in files]


def room(rng: np.random.Generator) -> Signal:
    n = int(0.15 * RATE)
    tail = rng.standard_normal(n) * np.exp(-np.arange(n) / (0.03 * RATE))
    response: Signal = tail / np.sqrt(np.sum(tail[1:] ** 2)) * 0.5
    response[0] = 1.0
    return response


def sounding_s(voice: Signal) -> tuple[float, float]:
    """When a voice's first and last frames within 20 dB of its loudest are (seconds in)."""
    energy = frame_energy(voice)
    loud = np.flatnonzero(energy > energy.max() / 100)
    return float(loud[0] * 160 / RATE), float((loud[-1] + 1) * 160 / RATE)


@dataclass(frozen=True)
class Visit:
    voice: Signal
    level_db: float
    at_s: float  # into the second answer


@dataclass(frozen=True)
class Run:
    #: Seconds from the microphone's start of each barge-in.
    barge_ins_s: list[float]
    #: The visitor's first and last sound, in the same seconds (None without one).
    visitor_s: tuple[float, float] | None


def run_guard(
    kiosk: Signal,
    path: Signal,
    delay_ms: int,
    clock_ms: int,
    visit: Visit | None,
    *,
    cancel: str,
) -> Run:
    """Two answers through the echo path, the second with ``visit`` over it, into the guard."""
    reference = PlaybackReference()
    guard = build_guard(reference, echo_cancel=cancel, margin_db=4.0, voice_s=0.1)
    start = 101.0  # the monotonic clock when the first answer starts (1 s into the mic)
    second = (len(kiosk) + RATE) / RATE
    for offset in (0.0, second):
        reference.add(kiosk.astype(np.int16), start + offset + clock_ms / 1000)
    echo = np.convolve(kiosk, path)[: len(kiosk)] * ECHO_GAIN
    mic = np.random.default_rng(1).standard_normal(int((2 + 2 * second) * RATE)) * 30
    for offset in (0.0, second):
        at = round((1 + offset + delay_ms / 1000) * RATE)
        mic[at : at + len(echo)] += echo
    visitor_s = None
    if visit is not None:
        at = round((1 + second + visit.at_s) * RATE)
        voice = visit.voice[: len(mic) - at] * 10 ** (visit.level_db / 20)
        mic[at : at + len(voice)] += voice
        first, last = sounding_s(voice)
        visitor_s = (at / RATE + first, at / RATE + last)
    pcm = np.clip(mic, -32768, 32767).astype(np.int16)
    results = guarded_blocks(guard, pcm, start - 1.0, rearm=True, block=BLOCK)
    return Run([(i + 1) * BLOCK / RATE for i, r in enumerate(results) if r.barge_in], visitor_s)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="Swedish, dry path only")
    parser.add_argument(
        "--cancel",
        choices=("webrtc", "speex", "off"),
        default=AudioConfig().echo_cancel,
        help="audio.echo_cancel (default: the configuration's default)",
    )
    args = parser.parse_args()
    quick, cancel = args.quick, args.cancel
    speakers = visitors()
    paths = {"dry": np.array([1.0])}
    if not quick:
        paths["room"] = room(np.random.default_rng(0))
    false = echo_only = tries = 0
    late_ms: list[float] = []
    for lang in ("sv",) if quick else ("sv", "fr"):
        kiosk = kiosk_voice(lang)
        for path in paths.values():
            grid = [(d, c) for d in (10, 40, 100) for c in (-40, 40)]
            for n, (delay, clock) in enumerate(grid):
                echo_only += 1
                false += len(run_guard(kiosk, path, delay, clock, None, cancel=cancel).barge_ins_s)
                for k, voice in enumerate(speakers[n % 3 :: 3]):
                    for level in (0.0, -3.0):
                        visit = Visit(voice, level, 1.5 + 0.5 * (k % 3))
                        run = run_guard(kiosk, path, delay, clock, visit, cancel=cancel)
                        assert run.visitor_s is not None
                        first, last = run.visitor_s
                        tries += 1
                        false += sum(t < first - EARLY_S for t in run.barge_ins_s)
                        heard = [
                            t for t in run.barge_ins_s if first - EARLY_S <= t <= last + LATE_S
                        ]
                        if heard:
                            late_ms.append((heard[0] - first) * 1000)
        print(f"{lang}: done", flush=True)
    print(f"false barge-ins: {false} (in {echo_only} echo-only runs and {tries} with a visitor)")
    print(f"visitors heard: {len(late_ms)} of {tries}")
    if late_ms:
        print(
            f"first sound to barge-in p50 / p95: {pct(late_ms, 0.5):.0f} / "
            f"{pct(late_ms, 0.95):.0f} ms"
        )


if __name__ == "__main__":
    main()
