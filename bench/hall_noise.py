"""Hall noise made from numbers (no recordings, so no licence question), with a fixed seed.

Four kinds, 16 kHz mono floats in -1..1, each normalised to an RMS of 1.0 so a caller scales it
to the signal-to-noise ratio it wants:

* ``babble``: six other voices talking at once (other speech recordings, looped at random
  offsets and summed), the crowd in a hall;
* ``fan``: brown noise through a gentle low-pass, plus a 100 Hz motor hum and its harmonics
  (ventilation, HVAC);
* ``music``: synthesised chords (three notes with harmonics and a plucked envelope), a new
  chord every quarter to half second, over a bass note;
* ``footsteps``: decaying low-pitched impulses about twice a second, with jitter, over a faint
  room floor (60 dB under the steps).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

RATE_HZ = 16000
KINDS = ("babble", "fan", "music", "footsteps")


def _unit(x: np.ndarray) -> np.ndarray:
    rms = float(np.sqrt(np.mean(x * x)))
    return x / rms if rms > 0 else x


def _lowpass(x: np.ndarray, cutoff_hz: float) -> np.ndarray:
    spectrum = np.fft.rfft(x)
    freqs = np.fft.rfftfreq(len(x), 1 / RATE_HZ)
    spectrum /= np.sqrt(1.0 + (freqs / cutoff_hz) ** 4)  # second order
    return np.fft.irfft(spectrum, len(x))


def babble(n: int, rng: np.random.Generator, voices: Sequence[np.ndarray]) -> np.ndarray:
    out = np.zeros(n)
    chosen = rng.choice(len(voices), size=min(6, len(voices)), replace=False)
    for index in chosen.tolist():
        voice = _unit(np.asarray(voices[index], dtype=np.float64))
        looped = np.tile(voice, n // len(voice) + 2)
        start = int(rng.integers(0, len(voice)))
        out += looped[start : start + n]
    return _unit(out)


def fan(n: int, rng: np.random.Generator) -> np.ndarray:
    brown = np.cumsum(rng.standard_normal(n))
    brown -= np.convolve(brown, np.ones(1601) / 1601, mode="same")  # no drift
    t = np.arange(n) / RATE_HZ
    hum = sum(np.sin(2 * np.pi * 100 * k * t + k) / k for k in (1, 2, 3))
    return _unit(_unit(_lowpass(brown, 900.0)) + 0.3 * hum)


def music(n: int, rng: np.random.Generator) -> np.ndarray:
    out = np.zeros(n)
    pos = 0
    roots = (220.0, 246.9, 261.6, 293.7, 329.6, 349.2, 392.0)
    while pos < n:
        length = int(rng.uniform(0.25, 0.5) * RATE_HZ)
        root = float(rng.choice(roots))
        t = np.arange(length) / RATE_HZ
        envelope = np.exp(-t * 4.0) * np.minimum(1.0, t / 0.01)
        chord = np.zeros(length)
        for ratio in (1.0, 1.26, 1.5):  # a major triad
            for k in (1, 2, 3):
                chord += np.sin(2 * np.pi * root * ratio * k * t) / k**1.5
        chord += 0.8 * np.sin(2 * np.pi * root / 2 * t)  # the bass
        end = min(n, pos + length)
        out[pos:end] += (chord * envelope)[: end - pos]
        pos = end
    return _unit(out)


def footsteps(n: int, rng: np.random.Generator) -> np.ndarray:
    out = 1e-3 * _unit(_lowpass(rng.standard_normal(n), 2000.0))
    step_len = int(0.12 * RATE_HZ)
    t = np.arange(step_len) / RATE_HZ
    pos = int(rng.uniform(0, 0.5) * RATE_HZ)
    while pos < n:
        thump = np.sin(2 * np.pi * rng.uniform(60, 120) * t) * np.exp(-t / 0.025)
        click = rng.standard_normal(step_len) * np.exp(-t / 0.004) * 0.5
        end = min(n, pos + step_len)
        out[pos:end] += rng.uniform(0.6, 1.0) * (thump + click)[: end - pos]
        pos += int(rng.uniform(0.4, 0.65) * RATE_HZ)
    return _unit(out)


def make_noise(
    kind: str, n: int, rng: np.random.Generator, voices: Sequence[np.ndarray] = ()
) -> np.ndarray:
    """``n`` samples of noise ``kind`` (RMS 1.0); ``voices``: speech to make babble from."""
    if kind == "babble":
        if not voices:
            raise ValueError("babble needs voices")
        return babble(n, rng, voices)
    if kind == "fan":
        return fan(n, rng)
    if kind == "music":
        return music(n, rng)
    if kind == "footsteps":
        return footsteps(n, rng)
    raise ValueError(f"unknown noise {kind!r}; one of {', '.join(KINDS)}")
