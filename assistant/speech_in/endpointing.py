"""Trailing silence by signal level: where a visitor's voice ended, without a clock.

Vosk cuts an utterance by its decoder's view of silence (its endpoint rules), which needs the
decoder to be sure of what it heard; with an unsure model, or speech the model does not know
well, those rules can fail to fire and the visitor waits for the maximum utterance length. The
:class:`LevelEndpointer` watches the level of the audio itself: every 10 ms frame is voiced when
it stands clearly above the background (a noise floor that follows the quietest frames down at
once and creeps up slowly, never above a level that is surely voice), and the utterance has
ended once some voice was heard and the frames since the last voiced one add up to the silence
asked for. Time is the duration of the samples fed, so tests replay audio at any speed and get
the same answer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from assistant.audio import Int16Array


class Endpointer(Protocol):
    """Tells where voice ended: fed 16 kHz samples in order, reset at each new utterance.

    :class:`LevelEndpointer` (the level of the audio) and ``vad.VadEndpointer`` (a trained
    voice-activity detector) are the two kinds; ``recognition.endpointer`` chooses."""

    voiced_s: float
    trailing_silence_s: float

    def reset(self) -> None: ...

    def feed(self, samples: Int16Array) -> None: ...

    def ended(self, silence_s: float) -> bool: ...


@dataclass(frozen=True)
class LevelSettings:
    """How voice is told from background; the defaults suit a kiosk microphone at 16 kHz."""

    rate_hz: int = 16000
    frame_s: float = 0.01
    #: A frame is voiced this far above the noise floor...
    margin_db: float = 12.0
    #: ...and above this absolute level (dB of full scale): digital silence is never voice.
    min_voice_dbfs: float = -50.0
    #: How fast the floor rises while the audio stays louder than it...
    floor_rise_db_per_s: float = 3.0
    #: ...up to this level at most (so voice from the very first frame is still voice).
    max_floor_dbfs: float = -45.0
    #: Voice needed before trailing silence counts (a click is not an utterance).
    min_voiced_s: float = 0.1


def frame_levels_dbfs(samples: Int16Array, frame_len: int) -> np.ndarray:
    """The RMS level of each whole frame of ``samples``, in dB of full scale."""
    count = len(samples) // frame_len
    if count == 0:
        return np.zeros(0)
    frames = np.asarray(samples[: count * frame_len], dtype=np.float64).reshape(count, frame_len)
    rms = np.sqrt(np.mean(frames * frames, axis=1)) / 32768.0
    return np.asarray(20.0 * np.log10(np.maximum(rms, 1e-7)))


class LevelEndpointer:
    """Counts voiced time and the silence after the last voiced frame."""

    def __init__(self, settings: LevelSettings | None = None) -> None:
        self.settings = settings or LevelSettings()
        self.frame_len = max(1, round(self.settings.rate_hz * self.settings.frame_s))
        self._frame_s = self.frame_len / self.settings.rate_hz
        self._rise_db = self.settings.floor_rise_db_per_s * self._frame_s
        self._floor_db = math.inf
        self._carry = np.zeros(0, dtype=np.int16)
        self.reset()

    def reset(self) -> None:
        """A new utterance: voiced time and trailing silence start again (the floor is kept)."""
        self.voiced_s = 0.0
        self.trailing_silence_s = 0.0

    @property
    def floor_dbfs(self) -> float:
        return self._floor_db

    def feed(self, samples: Int16Array) -> None:
        data = np.concatenate([self._carry, np.asarray(samples, dtype=np.int16)])
        levels = frame_levels_dbfs(data, self.frame_len)
        self._carry = data[len(levels) * self.frame_len :]
        s = self.settings
        for level in levels.tolist():
            rising = self._floor_db + self._rise_db if level >= self._floor_db else level
            self._floor_db = min(rising, s.max_floor_dbfs)
            if level >= max(self._floor_db + s.margin_db, s.min_voice_dbfs):
                self.voiced_s += self._frame_s
                self.trailing_silence_s = 0.0
            else:
                self.trailing_silence_s += self._frame_s

    def ended(self, silence_s: float) -> bool:
        """Some voice was heard, then at least ``silence_s`` without it."""
        return (
            self.voiced_s >= self.settings.min_voiced_s
            and self.trailing_silence_s >= silence_s - 1e-9
        )
