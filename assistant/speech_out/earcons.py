"""Earcons: short tones generated in code, so the kiosk needs no audio files.

- ``listening``: a rising two-note chime (the kiosk listens now),
- ``stopped``: the same notes falling (it stopped listening),
- ``error``: two low, buzzier pulses (something went wrong; the kiosk keeps running).

Each note is a sine with a few harmonics and a short fade in and out, so it never clicks.
"""

from __future__ import annotations

from functools import cache
from typing import Literal

import numpy as np
import numpy.typing as npt

from assistant.audio import Pcm

FloatArray = npt.NDArray[np.float64]

Earcon = Literal["listening", "stopped", "error"]
EARCONS: tuple[Earcon, ...] = ("listening", "stopped", "error")

#: Rate the tones are generated at (the synthesizer's rate, so both share one stream setting).
EARCON_RATE_HZ = 22050
#: Peak level of a tone, 0..1 of full scale.
EARCON_LEVEL = 0.4

# (frequency Hz, duration s, harmonics) for each note, then silence between notes.
_NOTES: dict[Earcon, tuple[tuple[float, float, int], ...]] = {
    "listening": ((660.0, 0.09, 1), (990.0, 0.12, 1)),
    "stopped": ((990.0, 0.09, 1), (660.0, 0.12, 1)),
    "error": ((220.0, 0.14, 4), (220.0, 0.14, 4)),
}
_GAP_S = 0.03
_FADE_S = 0.01


def _note(
    freq_hz: float, duration_s: float, harmonics: int, rate_hz: int
) -> npt.NDArray[np.float64]:
    t = np.arange(int(duration_s * rate_hz)) / rate_hz
    wave = sum(np.sin(2 * np.pi * freq_hz * k * t) / k for k in range(1, harmonics + 1))
    wave = np.asarray(wave, dtype=np.float64)
    wave /= np.max(np.abs(wave)) or 1.0
    fade = min(int(_FADE_S * rate_hz), len(t) // 2)
    if fade:
        ramp = np.linspace(0.0, 1.0, fade)
        wave[:fade] *= ramp
        wave[-fade:] *= ramp[::-1]
    return wave


@cache
def earcon_pcm(kind: Earcon, rate_hz: int = EARCON_RATE_HZ) -> Pcm:
    """The tone for ``kind`` as 16-bit mono audio at ``rate_hz``."""
    if kind not in _NOTES:
        raise ValueError(f"unknown earcon {kind!r}; earcons: {', '.join(EARCONS)}")
    gap = np.zeros(int(_GAP_S * rate_hz))
    parts: list[FloatArray] = []
    for freq_hz, duration_s, harmonics in _NOTES[kind]:
        if parts:
            parts.append(gap)
        parts.append(_note(freq_hz, duration_s, harmonics, rate_hz))
    samples = np.rint(np.concatenate(parts) * EARCON_LEVEL * 32767).astype(np.int16)
    samples.flags.writeable = False
    return Pcm(samples, rate_hz)
