"""The kiosk's own voice in its microphone: echo cancellation and the barge-in rule.

A kiosk's loudspeaker stands centimetres from its microphone, so everything it says comes back
in. It knows what it plays: the player writes every block into a shared
:class:`~assistant.audio.PlaybackReference` (16 kHz, timestamped at the loudspeaker), and the
:class:`EchoGuard` here uses that reference on every microphone block, before the recognizer
and the voice detector see it:

1. **Timing.** :class:`MicClock` dates each block by when it arrived (the earliest arrival
   seen for its sample count: a late reader only ever arrives later). :class:`DelayEstimator`
   finds where the echo sits against the reference (the lag that best matches the 10 ms
   energy envelopes of microphone and reference), so the canceller gets the reference a little
   before its echo.
2. **Cancellation**: a :class:`Canceller` subtracts the echo while the kiosk plays. With
   ``audio.echo_cancel = "speex"`` (the default) it is speexdsp's echo canceller (the
   multi-delay adaptive filter, :class:`SpeexCanceller`, Debian's ``libspeexdsp1`` through
   ctypes) with its residual echo suppressor, fed the reference aligned to the measured delay
   and kept from answer to answer (its filter converges over seconds). With ``"webrtc"`` it
   is WebRTC's AEC3 (:mod:`assistant.speech_in.webrtc_aec`), which finds the delay itself: it
   gets the reference at a fixed lead and a fresh state for every stretch of playback, and
   holds the echo from an answer's first second. A frame a canceller would make louder than
   the microphone's own is the microphone's (the filter
   learnt a path that is not there, e.g. from a visitor's voice with no echo under it, and
   would add the kiosk's voice to a quiet microphone). The recognizer gets the cancelled
   frames only where the echo matters: a frame whose energy stands :data:`CLEAN_SER_DB` above
   the echo expected in it (the barge-in rule's estimate, below) is given as the microphone
   had it, since a canceller adapting under a voice with little echo beneath it distorts that
   voice (a visitor's short word was lost so). With
   ``"off"`` the audio is left as it is (a system echo canceller, PipeWire's or PulseAudio's
   ``module-echo-cancel``, may already have cleaned it).
3. **The barge-in rule** (:class:`BargeInRule`): while the kiosk plays, the start of speech
   the recognizer reports (its partial words) does not count: the echo has words too. A
   barge-in needs the visitor: ``barge_in_voice_s`` of frames that the voice detector calls
   speech *and* whose energy stands ``echo_margin_db`` above the echo expected there (the
   reference's energy around that time, times a running estimate of the echo path's gain:
   the recent highest ratio of microphone to reference energy that was not the visitor,
   taken where the kiosk's voice is loud: between its words the room's noise sets the ratio).
   With speexdsp the frames must also stand 1.5 dB above the echo expected before
   cancellation: until its filter has converged its output holds the kiosk's voice.

Time is the samples fed and the reference's timestamps; no decision reads a clock except the
arrival of each block.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from assistant.audio import Int16Array, PlaybackReference
from assistant.errors import RecognitionError
from assistant.speech_in.vad import FrameDetector, SileroDetector

logger = logging.getLogger(__name__)

RATE_HZ = 16000
#: Samples per frame for the canceller and the rule (10 ms).
FRAME = 160
#: The canceller's filter: echo up to this long after its reference is modelled (256 ms).
FILTER_LEN = 4096
#: Speech-to-echo ratio (dB, against the echo expected before cancellation) above which the
#: recognizer hears a frame as the microphone had it: an echo that far under the voice hardly
#: changes what is recognized, and cancelling it can.
CLEAN_SER_DB = 20.0
#: The reference is given this long before its estimated echo (timing errors either way)...
ALIGN_MARGIN_S = 0.08
#: ...and moved only when the estimate moved further than this (the filter adapts to less).
ALIGN_SLACK_S = 0.04
#: Reference energy from this long before a frame to :data:`AHEAD_S` after it can be in its
#: echo (the reference's and the microphone's timestamps are both estimates).
WINDOW_S = 0.35
AHEAD_S = 0.1
#: Below this RMS (int16 units) the reference is silence: the kiosk is not playing.
PLAYING_RMS = 30.0
#: The echo's gain is learnt on frames whose reference is this loud (RMS -40 dBFS): on quieter
#: ones the room's noise, not the echo, sets the ratio.
LEARN_E = 330.0**2
#: Seconds of playback whose highest echo ratios make the echo gain estimate.
GAIN_PEAKS = 5

# speexdsp's control requests (speex_echo.h, speex_preprocess.h)
_ECHO_SET_SAMPLING_RATE = 24
_PREPROCESS_SET_DENOISE = 0
_PREPROCESS_SET_ECHO_STATE = 24


def load_speexdsp() -> Any:
    """The speexdsp library (ctypes), with its prototypes; RecognitionError when missing."""
    name = ctypes.util.find_library("speexdsp") or "libspeexdsp.so.1"
    try:
        lib = ctypes.CDLL(name)
    except OSError as exc:
        raise RecognitionError(
            "speexdsp-missing",
            f"the speexdsp library cannot be loaded ({exc})",
            fix="install it: apt-get install libspeexdsp1 (bash scripts/kiosk.sh does), or set "
            'audio.echo_cancel = "off"',
        ) from None
    p, i, i16 = ctypes.c_void_p, ctypes.c_int, ctypes.POINTER(ctypes.c_int16)
    for fn, args, res in (
        ("speex_echo_state_init", [i, i], p),
        ("speex_echo_state_destroy", [p], None),
        ("speex_echo_state_reset", [p], None),
        ("speex_echo_cancellation", [p, i16, i16, i16], None),
        ("speex_echo_ctl", [p, i, p], i),
        ("speex_preprocess_state_init", [i, i], p),
        ("speex_preprocess_state_destroy", [p], None),
        ("speex_preprocess_run", [p, i16], i),
        ("speex_preprocess_ctl", [p, i, p], i),
    ):
        f = getattr(lib, fn)
        f.argtypes, f.restype = args, res
    return lib


class Canceller(Protocol):
    """An echo canceller on 16 kHz audio in whole 10 ms frames."""

    #: True: it follows the echo's delay itself (the guard gives it the reference at a fixed
    #: lead) and starts afresh with every stretch of playback; False: the guard aligns the
    #: reference to the measured delay and the canceller keeps what it learnt.
    finds_delay: bool

    def cancel(self, mic: Int16Array, played: Int16Array) -> Int16Array:
        """``mic`` with the echo of ``played`` (the reference, same length) taken out."""
        ...

    def reset(self) -> None:
        """Forget what was learnt of the echo."""
        ...


class SpeexCanceller:
    """speexdsp's echo canceller and residual echo suppressor on 10 ms frames at 16 kHz."""

    finds_delay = False

    def __init__(self, filter_len: int = FILTER_LEN) -> None:
        self._lib = lib = load_speexdsp()
        self._echo = lib.speex_echo_state_init(FRAME, filter_len)
        rate = ctypes.c_int(RATE_HZ)
        lib.speex_echo_ctl(self._echo, _ECHO_SET_SAMPLING_RATE, ctypes.byref(rate))
        self._pre = lib.speex_preprocess_state_init(FRAME, RATE_HZ)
        off = ctypes.c_int(0)
        lib.speex_preprocess_ctl(self._pre, _PREPROCESS_SET_DENOISE, ctypes.byref(off))
        lib.speex_preprocess_ctl(self._pre, _PREPROCESS_SET_ECHO_STATE, self._echo)

    def cancel(self, mic: Int16Array, played: Int16Array) -> Int16Array:
        """``mic`` with the echo of ``played`` (same length, whole frames) taken out; never
        louder than ``mic`` in any frame (:func:`no_louder`)."""
        rec = np.ascontiguousarray(mic, dtype=np.int16)
        ref = np.ascontiguousarray(played, dtype=np.int16)
        out = np.empty_like(rec)
        i16 = ctypes.POINTER(ctypes.c_int16)
        lib = self._lib
        for start in range(0, len(rec) - FRAME + 1, FRAME):
            o = out[start : start + FRAME]
            lib.speex_echo_cancellation(
                self._echo,
                rec[start:].ctypes.data_as(i16),
                ref[start:].ctypes.data_as(i16),
                o.ctypes.data_as(i16),
            )
            lib.speex_preprocess_run(self._pre, o.ctypes.data_as(i16))
        return no_louder(rec, out)

    def reset(self) -> None:
        self._lib.speex_echo_state_reset(self._echo)

    def close(self) -> None:
        if self._echo:
            self._lib.speex_echo_state_destroy(self._echo)
            self._lib.speex_preprocess_state_destroy(self._pre)
            self._echo = self._pre = None

    def __del__(self) -> None:
        self.close()


def no_louder(mic: Int16Array, cleaned: Int16Array) -> Int16Array:
    """``cleaned``, with each whole 10 ms frame that has more energy than the same frame of
    ``mic`` replaced by ``mic``'s: taking an echo out never adds sound."""
    n = min(len(mic), len(cleaned)) // FRAME * FRAME
    return _with_frames_of(mic, cleaned, frame_energy(cleaned[:n]) > frame_energy(mic[:n]))


def for_recognizer(
    mic: Int16Array, cleaned: Int16Array, echo_e: npt.NDArray[np.float64]
) -> Int16Array:
    """What the recognizer hears: ``cleaned``, except the whole 10 ms frames of ``mic`` whose
    energy is :data:`CLEAN_SER_DB` above ``echo_e`` (per frame, the echo energy expected
    there before cancellation), which are ``mic``'s own."""
    n = min(len(mic), len(cleaned), len(echo_e) * FRAME) // FRAME * FRAME
    loud = frame_energy(mic[:n]) > 10 ** (CLEAN_SER_DB / 10) * echo_e[: n // FRAME]
    return _with_frames_of(mic, cleaned, loud)


def _with_frames_of(
    mic: Int16Array, cleaned: Int16Array, take: npt.NDArray[np.bool_]
) -> Int16Array:
    """A copy of ``cleaned`` with the whole frames where ``take`` is true from ``mic``."""
    out = np.array(cleaned, dtype=np.int16, copy=True)
    if take.any():
        n = len(take) * FRAME
        out[:n].reshape(-1, FRAME)[take] = np.asarray(mic[:n], dtype=np.int16).reshape(-1, FRAME)[
            take
        ]
    return out


def frame_energy(samples: npt.NDArray[Any]) -> npt.NDArray[np.float64]:
    """Mean square of each whole 10 ms frame."""
    n = len(samples) // FRAME
    x = np.asarray(samples[: n * FRAME], dtype=np.float64).reshape(n, FRAME)
    return np.asarray(np.mean(x * x, axis=1))


class MicClock:
    """The monotonic time of the microphone's samples: a block's last sample arrived at the
    earliest (arrival - samples before it) seen, allowed to creep later by ``creep`` seconds
    per second (the sound card's clock drifts against the machine's)."""

    def __init__(self, creep: float = 1e-5) -> None:
        self.creep = creep
        self.reset()

    def reset(self) -> None:
        self._fed = 0
        self._anchor = math.inf
        self._anchor_fed = 0

    def stamp(self, count: int, arrived_s: float) -> float:
        """The time of the first of the ``count`` samples that arrived at ``arrived_s``."""
        self._fed += count
        candidate = arrived_s - self._fed / RATE_HZ
        if math.isfinite(self._anchor):
            crept = self._anchor + self.creep * (self._fed - self._anchor_fed) / RATE_HZ
        else:
            crept = math.inf
        if candidate <= crept:
            self._anchor, self._anchor_fed = candidate, self._fed
        else:
            self._anchor, self._anchor_fed = crept, self._fed
        return self._anchor + (self._fed - count) / RATE_HZ


class DelayEstimator:
    """Where the echo is: the lag (reference before microphone, on the two clocks' estimates)
    of the peak of the phase-transform cross-correlation of the last :attr:`span_s` seconds of
    microphone audio during playback with the reference, looked for once a second."""

    def __init__(self, max_lag_s: float = 0.5, min_lag_s: float = -0.2, span_s: float = 2.0):
        self.max_lag = round(max_lag_s * RATE_HZ)
        self.min_lag = round(min_lag_s * RATE_HZ)
        self.span = round(span_s * RATE_HZ)
        self.delay_s: float | None = None
        self._blocks: deque[tuple[float, Int16Array]] = deque()
        self._held = 0
        self._since = 0

    def feed(self, mic: Int16Array, start_s: float, reference: PlaybackReference) -> None:
        """A block heard while the kiosk played, and when its first sample was captured."""
        if self._blocks:
            last_s, last = self._blocks[-1]
            if abs(last_s + len(last) / RATE_HZ - start_s) > 0.01:  # a gap: start again
                self._blocks.clear()
                self._held = 0
        self._blocks.append((start_s, mic))
        self._held += len(mic)
        self._since += len(mic)
        while self._held - len(self._blocks[0][1]) >= self.span:
            self._held -= len(self._blocks.popleft()[1])
        if self._since >= RATE_HZ and self._held >= self.span:
            self._since = 0
            self._estimate(reference)

    def _estimate(self, reference: PlaybackReference) -> None:
        t0 = self._blocks[0][0]
        m = np.concatenate([b for _, b in self._blocks]).astype(np.float64)
        width = self.max_lag - self.min_lag
        r = reference.read(t0 - self.max_lag / RATE_HZ, len(m) + width).astype(np.float64)
        size = 1 << (len(r) + len(m)).bit_length()
        cross = np.conj(np.fft.rfft(m, size)) * np.fft.rfft(r, size)
        phat = np.fft.irfft(cross / (np.abs(cross) + 1e-9), size)[: width + 1]
        at = int(np.argmax(phat))
        if phat[at] < 8 * float(np.mean(np.abs(phat))):  # no clear echo
            return
        delay = (self.max_lag - at) / RATE_HZ
        if self.delay_s is None or abs(delay - self.delay_s) > 0.005:
            logger.info("echo %.0f ms after its reference", delay * 1000)
        self.delay_s = delay


@dataclass(frozen=True)
class RuleSettings:
    #: The visitor's frames stand this far above the echo expected after cancellation (dB)...
    margin_db: float = 4.0
    #: ...and this far above the echo expected before it (dB): a canceller that lost track of
    #: the echo for a moment (its timing changed) makes the first louder, never the second.
    raw_margin_db: float = 1.5
    #: Whether the second condition decides (it always keeps the visitor out of the echo
    #: levels learnt); not with a canceller that holds the echo from an answer's start.
    raw_decides: bool = True
    #: Voice over the echo needed for a barge-in (seconds).
    voice_s: float = 0.1
    #: Frames quieter than this (dBFS) are never the visitor.
    min_dbfs: float = -50.0


class _EchoGain:
    """A running estimate of echo energy over reference energy (1.0: as loud as played): the
    median of the highest ratios of the last :data:`GAIN_PEAKS` seconds of playback, one per
    second (a visitor's voice in one second moves it little); 0 dB, cautious, until the first
    second is in."""

    def __init__(self) -> None:
        self.value = 1.0
        self._peaks: deque[float] = deque(maxlen=GAIN_PEAKS)
        self._peak = 0.0
        self._frames = 0

    def learn(self, ratio: float) -> None:
        self._peak = max(self._peak, ratio)
        self._frames += 1
        if self._frames >= 100:
            self._peaks.append(max(self._peak, 1e-7))
            self.value = float(np.median(self._peaks))
            self._peak, self._frames = 0.0, 0


class BargeInRule:
    """Decides, frame by frame, whether a visitor speaks over the kiosk's own voice."""

    def __init__(self, settings: RuleSettings, detector: FrameDetector | None) -> None:
        self.settings = settings
        self.detector = detector
        self._margin = 10 ** (settings.margin_db / 10)
        self._raw_margin = 10 ** (settings.raw_margin_db / 10)
        self._floor = (32768.0 * 10 ** (settings.min_dbfs / 20)) ** 2
        #: The echo path's gain before and after cancellation (learnt while playing).
        self.raw_gain = _EchoGain()
        self.gain = _EchoGain()
        self._carry = np.zeros(0, dtype=np.int16)
        self._voiced = False
        self.reset()

    def reset(self) -> None:
        """A new stretch of playback: nothing heard over it yet."""
        self.score_s = 0.0
        self.fired = False

    def feed(
        self,
        raw: Int16Array,
        clean: Int16Array,
        echo_ref: npt.NDArray[np.float64],
        playing: npt.NDArray[Any],
    ) -> bool:
        """``raw``/``clean``: the block before and after cancellation; ``echo_ref``: per
        frame, the highest reference energy its echo can come from; ``playing``: per frame,
        whether the kiosk plays. True once when the visitor is heard over it (again after
        :meth:`reset`: a new stretch of playback, or the end of the utterance)."""
        self._detect(clean)
        frames = zip(
            frame_energy(raw).tolist(),
            frame_energy(clean).tolist(),
            echo_ref.tolist(),
            playing.tolist(),
            strict=True,
        )
        step = FRAME / RATE_HZ
        fired = False
        for raw_e, e, ref_e, on in frames:
            if not on or ref_e <= 0:
                continue
            raw_over = raw_e > self._raw_margin * self.raw_gain.value * ref_e
            clean_over = e > self._margin * self.gain.value * ref_e and e > self._floor
            if not raw_over and ref_e >= LEARN_E:  # (a visitor's weak frames, at most)
                self.raw_gain.learn(raw_e / ref_e)
                if not clean_over:  # (a canceller that lost the echo for a moment: not)
                    self.gain.learn(e / ref_e)
            if (raw_over or not self.settings.raw_decides) and clean_over and self._voiced:
                self.score_s += step
            else:
                self.score_s = max(0.0, self.score_s - step / 2)
            if self.score_s >= self.settings.voice_s - 1e-9 and not self.fired:
                self.fired = fired = True
                logger.info(
                    "voice over playback: %.0f dB above the echo expected (%.0f dB before "
                    "cancellation)",
                    10 * math.log10(max(e, 1.0) / max(self.gain.value * ref_e, 1.0)),
                    10 * math.log10(max(raw_e, 1.0) / max(self.raw_gain.value * ref_e, 1.0)),
                )
        return fired

    def _detect(self, clean: Int16Array) -> None:
        if self.detector is None:
            self._voiced = True
            return
        data = np.concatenate([self._carry, np.asarray(clean, dtype=np.int16)])
        n = self.detector.frame_len
        whole = len(data) // n * n
        self._carry = data[whole:]
        for start in range(0, whole, n):
            self._voiced = self.detector.probability(data[start : start + n]) >= 0.5


@dataclass(frozen=True)
class GuardResult:
    #: The block to recognize (the echo taken out while the kiosk plays, where it matters).
    samples: Int16Array
    #: The kiosk played during this block (its recognizer's start of speech does not count).
    playing: bool
    #: The visitor started speaking over the kiosk in this block.
    barge_in: bool


class EchoGuard:
    """Echo cancellation and the barge-in rule on the microphone's blocks (see the module)."""

    def __init__(
        self,
        reference: PlaybackReference,
        *,
        canceller: Canceller | None,
        rule: BargeInRule,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.reference = reference
        self.canceller = canceller
        self.rule = rule
        self._clock = clock
        self.mic_clock = MicClock()
        self.delay = DelayEstimator()
        self._carry = np.zeros(0, dtype=np.int16)
        self._was_playing = False
        #: How far the reference is read ahead of the microphone's time (negative: ahead).
        self._shift_s = -ALIGN_MARGIN_S

    def reset(self) -> None:
        """The microphone was opened again: its samples' times start anew."""
        self.mic_clock.reset()
        self._carry = np.zeros(0, dtype=np.int16)

    def rearm(self) -> None:
        """An utterance has ended: the visitor can barge in again, though no quiet was seen
        since the last barge-in (the next answer may follow the last at once, and a
        microphone read late can hide the quiet between them)."""
        self.rule.reset()

    def process(self, samples: Int16Array) -> GuardResult:
        arrived = self._clock()
        start_s = self.mic_clock.stamp(len(samples), arrived)
        data = np.concatenate([self._carry, np.asarray(samples, dtype=np.int16)])
        whole = len(data) // FRAME * FRAME
        self._carry = data[whole:]
        start_s -= len(data) / RATE_HZ - len(samples) / RATE_HZ  # the carry came first
        data = data[:whole]
        if not whole:
            return GuardResult(np.zeros(0, dtype=np.int16), self._was_playing, False)
        frames = whole // FRAME
        back, ahead = round(WINDOW_S * 100), round(AHEAD_S * 100)
        history = self.reference.read(start_s - back / 100, (back + frames + ahead) * FRAME)
        ref_e = frame_energy(history)
        playing_rms = PLAYING_RMS**2
        window = np.array([ref_e[i : i + back + ahead + 1].max() for i in range(frames)])
        playing = window > playing_rms
        if not playing.any():
            if self._was_playing:
                self.rule.reset()
            self._was_playing = False
            return GuardResult(data, False, False)
        if not self._was_playing and self.canceller is not None and self.canceller.finds_delay:
            self.canceller.reset()
        self._was_playing = True
        clean = data
        if self.canceller is not None:
            if not self.canceller.finds_delay:  # the delay is measured only to align for it
                self.delay.feed(data, start_s, self.reference)
                delay = self.delay.delay_s if self.delay.delay_s is not None else 0.0
                if abs(delay - ALIGN_MARGIN_S - self._shift_s) > ALIGN_SLACK_S:
                    self._shift_s = delay - ALIGN_MARGIN_S
            played = self.reference.read(start_s - self._shift_s, whole)
            ref16 = np.clip(np.round(played), -32768, 32767).astype(np.int16)
            clean = no_louder(data, self.canceller.cancel(data, ref16))
        barge = self.rule.feed(data, clean, window, playing)
        if self.canceller is not None:
            clean = for_recognizer(data, clean, self.rule.raw_gain.value * window)
        if barge and logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "barge-in at %.3f: reference frame energies %s; gains %.2g %.2g",
                start_s,
                np.round(10 * np.log10(ref_e + 1)).astype(int).tolist(),
                self.rule.raw_gain.value,
                self.rule.gain.value,
            )
        return GuardResult(clean, True, barge)


def build_guard(
    reference: PlaybackReference,
    *,
    echo_cancel: str,
    margin_db: float,
    voice_s: float,
    detector: Callable[[], FrameDetector] = SileroDetector,
) -> EchoGuard:
    """The guard the configuration asks for (``audio.echo_cancel``, the rule's settings)."""
    canceller: Canceller | None = None
    try:
        if echo_cancel == "speex":
            canceller = SpeexCanceller()
        elif echo_cancel == "webrtc":
            from assistant.speech_in.webrtc_aec import WebrtcCanceller

            canceller = WebrtcCanceller()
    except RecognitionError as exc:  # the doctor reports it; barge-in still needs a voice
        logger.warning("no echo cancellation: %s", exc.describe())
    try:
        vad: FrameDetector | None = detector()
    except (ImportError, OSError) as exc:
        logger.warning("no voice detector for barge-in (%s): energy alone decides", exc)
        vad = None
    raw_decides = canceller is None or not canceller.finds_delay
    rule = BargeInRule(
        RuleSettings(margin_db=margin_db, voice_s=voice_s, raw_decides=raw_decides), vad
    )
    return EchoGuard(reference, canceller=canceller, rule=rule)
