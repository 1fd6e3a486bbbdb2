"""Playback through sounddevice on the configured output device, interruptible.

Every chunk (a sentence, an earcon) is played on a stream opened for it: opening costs under a
millisecond, and it means a device that was unplugged between two sentences is noticed at once
(ALSA re-reads its configuration on open) instead of silently swallowing the rest. Audio is
written in blocks of :data:`BLOCK_S`; between blocks the stop event is checked, and a stop
aborts the stream, which drops what is buffered, so output falls silent within a block plus the
device latency. The stream runs at the audio's own rate when the device accepts it, else at the
device's default rate (resampled with soxr), in mono or else stereo. ``on_audio`` (optional) is
called once per chunk when its first block has been written into the started stream: the
moment audio reached the device (a device that cannot be opened never calls it). With a
``reference`` (:class:`~assistant.audio.PlaybackReference`) every block written is also added
there at 16 kHz, timestamped with when it should leave the loudspeaker (the first write plus
the stream's output latency, then block after block): the microphone's echo canceller reads it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

import numpy as np

from assistant.audio import (
    Int16Array,
    Pcm,
    PlaybackReference,
    find_device,
    resample,
    stream_guard,
)
from assistant.errors import AudioError

logger = logging.getLogger(__name__)

#: Audio written between two looks at the stop event.
BLOCK_S = 0.02


class Player(Protocol):
    """Plays audio until it ends or ``stop`` is set (then returns at once)."""

    def play(self, pcm: Pcm, stop: threading.Event) -> None: ...


def _sounddevice() -> Any:
    try:
        import sounddevice
    except OSError as exc:
        raise AudioError(
            "portaudio-missing",
            f"the PortAudio library cannot be loaded ({exc})",
            fix="install it: apt-get install libportaudio2",
        ) from None
    return sounddevice


def output_device(name: str) -> int:
    """Index of the output device called ``name`` (or the default); AudioError when none."""
    index = find_device(name, "output")
    if index is not None:
        return index
    sd = _sounddevice()
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
        sd = _sounddevice()
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

    def play(
        self, pcm: Pcm, stop: threading.Event, on_audio: Callable[[], None] | None = None
    ) -> None:
        if stop.is_set() or len(pcm.samples) == 0:
            return
        sd = _sounddevice()
        with stream_guard():  # device queries and the stream: no PortAudio refresh under them
            index = output_device(self.device)
            rate, channels = self._format(index, pcm.rate_hz)
            samples: Int16Array = resample(pcm.samples, pcm.rate_hz, rate)
            frames = samples if channels == 1 else np.repeat(samples[:, None], channels, axis=1)
            block = max(1, int(self.block_s * rate))
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
            ref = self.reference
            heard = resample(samples, rate, PlaybackReference.RATE_HZ) if ref else samples
            first_at = 0.0
            try:
                stream.start()
                for start in range(0, len(frames), block):
                    if stop.is_set():
                        stream.abort()
                        if ref is not None:
                            ref.cut(time.monotonic())
                        return
                    stream.write(np.ascontiguousarray(frames[start : start + block]))
                    if ref is not None:
                        if start == 0:
                            first_at = time.monotonic() + float(stream.latency)
                        lo = start * PlaybackReference.RATE_HZ // rate
                        hi = (start + block) * PlaybackReference.RATE_HZ // rate
                        ref.add(heard[lo:hi], first_at + start / rate)
                    if start == 0 and on_audio is not None:
                        _notify(on_audio)
                if stop.is_set():
                    stream.abort()
                    if ref is not None:
                        ref.cut(time.monotonic())
                else:
                    stream.stop()  # returns once the buffered audio has played
            except Exception as exc:
                self._formats.clear()
                raise AudioError(
                    "output-lost", f"the {where} failed while playing: {exc}"
                ) from None
            finally:
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
