"""Playback through sounddevice on the configured output device, interruptible.

Every chunk (an earcon, a sentence said alone) is played on a stream opened for it: opening
costs under a millisecond, and it means a device that was unplugged between two answers is
noticed at once (ALSA re-reads its configuration on open). The sentences of one answer play on
one stream (:meth:`SoundDevicePlayer.hold`): the loudspeaker's timing stays put from sentence
to sentence, so the microphone's echo canceller need not learn the echo anew for each (a new
stream moves the echo by 10-100 ms), and a device lost mid-answer fails the next write. Audio is
written in blocks of :data:`BLOCK_S`; between blocks the stop event is checked, and a stop
aborts the stream, which drops what is buffered, so output falls silent within a block plus the
device latency. The stream runs at the audio's own rate when the device accepts it, else at the
device's default rate (resampled with soxr), in mono or else stereo. ``on_audio`` (optional) is
called once per chunk when its first block has been written into the started stream: the
moment audio reached the device (a device that cannot be opened never calls it). With a
``reference`` (:class:`~assistant.audio.PlaybackReference`) every block written is also added
there at 16 kHz, timestamped with when it should leave the loudspeaker (the first write plus
the stream's output latency, then block after block, and on a held stream sentence after
sentence unless it ran dry): the microphone's echo canceller reads it.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from assistant.audio import (
    Int16Array,
    Pcm,
    PlaybackReference,
    find_device,
    load_sounddevice,
    resample,
    stream_closed,
    stream_guard,
    stream_opening,
)
from assistant.errors import AudioError

logger = logging.getLogger(__name__)

#: Audio written between two looks at the stop event.
BLOCK_S = 0.02


class Player(Protocol):
    """Plays audio until it ends or ``stop`` is set (then returns at once)."""

    def play(self, pcm: Pcm, stop: threading.Event) -> None: ...


def output_device(name: str) -> int:
    """Index of the output device called ``name`` (or the default); AudioError when none."""
    index = find_device(name, "output")
    if index is not None:
        return index
    sd = load_sounddevice()
    try:
        default = int(sd.default.device[1])
        if default < 0:
            default = int(sd.query_devices(kind="output")["index"])
    except Exception:
        default = -1
    if default < 0:
        raise AudioError(
            "no-output-device",
            "there is no audio output device",
            fix="plug in a speaker, or set audio.output_device (see `run.py devices`)",
        )
    return default


class SoundDevicePlayer:
    """Plays on the output device named ``device`` ("" for the system default)."""

    def __init__(
        self,
        device: str = "",
        *,
        block_s: float = BLOCK_S,
        reference: PlaybackReference | None = None,
    ) -> None:
        self.device = device
        self.block_s = block_s
        self.reference = reference
        self._formats: dict[tuple[int, int], tuple[int, int]] = {}
        self._open: _Open | None = None
        self._holding = 0

    def check(self) -> None:
        """Fail now (AudioError) when the output device cannot be opened."""
        with stream_guard():  # no PortAudio refresh under the device queries
            self._formats.clear()  # device indices change when the list is refreshed
            index = output_device(self.device)
            self._format(index, 22050)

    def _format(self, index: int, rate_hz: int) -> tuple[int, int]:
        """(rate, channels) the device accepts for audio at ``rate_hz``."""
        key = (index, rate_hz)
        if key in self._formats:
            return self._formats[key]
        sd = load_sounddevice()
        try:
            default_rate = int(sd.query_devices(index)["default_samplerate"])
        except Exception as exc:
            raise AudioError("output-unavailable", f"output device {index}: {exc}") from None
        for channels in (1, 2):
            for rate in dict.fromkeys((rate_hz, default_rate)):
                try:
                    sd.check_output_settings(
                        device=index, samplerate=rate, channels=channels, dtype="int16"
                    )
                except Exception:
                    continue
                self._formats[key] = (rate, channels)
                return rate, channels
        raise AudioError(
            "output-unavailable",
            f"the output device {self.device or '(default)'} accepts neither {rate_hz} Hz "
            f"nor {default_rate} Hz 16-bit audio",
        )

    @contextlib.contextmanager
    def hold(self, stop: threading.Event) -> Iterator[None]:
        """Play every chunk inside on one stream (one answer: sentence after sentence), so the
        loudspeaker's timing, and with it the echo the microphone's canceller models, stays
        the same from the first sentence to the last. The stream is drained and closed at the
        end (aborted when ``stop`` is set); a chunk in another format gets its own stream."""
        self._holding += 1
        try:
            yield
        finally:
            self._holding -= 1
            if not self._holding:
                self._release(abort=stop.is_set())

    def play(
        self, pcm: Pcm, stop: threading.Event, on_audio: Callable[[], None] | None = None
    ) -> None:
        if stop.is_set() or len(pcm.samples) == 0:
            return
        out = self._stream_for(pcm.rate_hz)
        rate, channels, stream = out.rate, out.channels, out.stream
        samples: Int16Array = resample(pcm.samples, pcm.rate_hz, rate)
        frames = samples if channels == 1 else np.repeat(samples[:, None], channels, axis=1)
        block = max(1, int(self.block_s * rate))
        ref = self.reference
        heard = resample(samples, rate, PlaybackReference.RATE_HZ) if ref else samples
        first_at = 0.0
        try:
            for start in range(0, len(frames), block):
                if stop.is_set():
                    self._release(abort=True)
                    return
                underflowed = stream.write(np.ascontiguousarray(frames[start : start + block]))
                if start == 0:
                    # Sentence after sentence on a stream that kept playing, the next one
                    # follows the last; else it plays once the device's buffer has.
                    fresh = time.monotonic() + float(stream.latency)
                    going = out.ends_at is not None and not underflowed
                    first_at = out.ends_at if going and out.ends_at is not None else fresh
                if ref is not None:
                    lo = start * PlaybackReference.RATE_HZ // rate
                    hi = (start + block) * PlaybackReference.RATE_HZ // rate
                    ref.add(heard[lo:hi], first_at + start / rate)
                if start == 0 and on_audio is not None:
                    _notify(on_audio)
            out.ends_at = first_at + len(frames) / rate
        except Exception as exc:
            self._formats.clear()
            self._release(abort=True)
            raise AudioError(
                "output-lost", f"the {out.where} failed while playing: {exc}"
            ) from None
        if stop.is_set() or not self._holding:
            self._release(abort=stop.is_set())

    def _stream_for(self, rate_hz: int) -> _Open:
        """The held stream when it plays audio at ``rate_hz`` (after resampling) on the
        configured device, else a new one, started."""
        sd = load_sounddevice()
        if self._open is not None and self._open.source_hz == rate_hz:
            return self._open
        self._release(abort=False)
        stream_opening()  # no PortAudio refresh while the stream is open
        try:
            index = output_device(self.device)
            rate, channels = self._format(index, rate_hz)
            where = f"output device {self.device or '(default)'}"
            try:
                stream = sd.OutputStream(
                    device=index, samplerate=rate, channels=channels, dtype="int16", latency="low"
                )
            except Exception as exc:
                self._formats.clear()
                raise AudioError(
                    "output-unavailable",
                    f"cannot open the {where}: {str(exc).splitlines()[0]}",
                    fix="check the speaker is plugged in (`run.py devices`)",
                ) from None
            try:
                stream.start()
            except Exception as exc:
                _close(stream)
                self._formats.clear()
                raise AudioError("output-lost", f"the {where} failed to start: {exc}") from None
        except BaseException:
            stream_closed()
            raise
        self._open = _Open(stream, rate_hz, rate, channels, where)
        return self._open

    def _release(self, *, abort: bool) -> None:
        """Close the open stream: drained (its buffered audio plays out) or aborted (dropped,
        and the reference cut where it fell silent)."""
        out, self._open = self._open, None
        if out is None:
            return
        try:
            if abort:
                out.stream.abort()
                if self.reference is not None:
                    self.reference.cut(time.monotonic())
            else:
                out.stream.stop()  # returns once the buffered audio has played
        except Exception:
            logger.debug("stopping the output stream failed", exc_info=True)
        finally:
            _close(out.stream)
            stream_closed()

    def close(self) -> None:
        self._release(abort=True)


@dataclass
class _Open:
    """An output stream open and started (held between the chunks of an answer)."""

    stream: Any
    #: The rate of the audio it was opened for, the device's rate and channels.
    source_hz: int
    rate: int
    channels: int
    where: str
    #: When the last sample written leaves the loudspeaker (monotonic; None: nothing yet).
    ends_at: float | None = None


def _close(stream: Any) -> None:
    try:
        stream.close(ignore_errors=True)
    except Exception:
        logger.debug("closing the output stream failed", exc_info=True)


def _notify(on_audio: Callable[[], None]) -> None:
    """Call ``on_audio``; its failure is its own (logged), not the device's."""
    try:
        on_audio()
    except Exception:
        logger.exception("the on_audio callback failed")
