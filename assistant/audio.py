"""Audio basics shared by speech output and speech input.

Devices are chosen by name, not index (indexes change when a USB device is re-plugged);
PortAudio keeps a frozen device list, so :func:`refresh_devices` re-initialises it before a
device is looked up again. Re-initialising PortAudio while a stream is open crashes the process,
so every stream is opened inside :func:`stream_guard`, and a refresh waits until none is open
(and holds new ones back while it runs). WAV files are read into :class:`Pcm` (16-bit
mono samples with their rate), converting stereo to mono and resampling with soxr when asked.
``sounddevice`` and ``soxr`` are imported inside the functions that need them, so the text
path runs without them.
"""

from __future__ import annotations

import contextlib
import logging
import math
import threading
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from assistant.errors import AudioError

logger = logging.getLogger(__name__)

Int16Array = npt.NDArray[np.int16]
Direction = Literal["input", "output"]

#: Longest WAV file read in one piece; longer files are an error, not an out-of-memory.
MAX_WAV_S = 3600.0


class _Streams:
    """How many PortAudio streams are open, and whether PortAudio is being re-initialised."""

    def __init__(self) -> None:
        self.changed = threading.Condition()
        self.open = 0
        self.refreshing = False


_streams = _Streams()


@dataclass(frozen=True)
class Pcm:
    """Signed 16-bit mono samples and their rate."""

    samples: Int16Array
    rate_hz: int

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.rate_hz if self.rate_hz else 0.0

    def to_bytes(self) -> bytes:
        return self.samples.astype("<i2", copy=False).tobytes()


@dataclass(frozen=True)
class DeviceInfo:
    index: int
    name: str
    host_api: str
    max_input_channels: int
    max_output_channels: int
    default_rate_hz: float
    is_default_input: bool
    is_default_output: bool


def load_sounddevice() -> Any:
    """The sounddevice module (imported on first use); AudioError when PortAudio is missing."""
    try:
        import sounddevice
    except OSError as exc:  # PortAudio library missing
        raise AudioError(
            "portaudio-missing",
            f"the PortAudio library cannot be loaded ({exc})",
            fix="install it: apt-get install libportaudio2",
        ) from None
    return sounddevice


def stream_opening() -> None:
    """Call before opening a PortAudio stream (waits while a refresh runs); pair with
    :func:`stream_closed`."""
    with _streams.changed:
        _streams.changed.wait_for(lambda: not _streams.refreshing)
        _streams.open += 1


def stream_closed() -> None:
    """Call once the stream announced by :func:`stream_opening` is closed (or failed to open)."""
    with _streams.changed:
        _streams.open -= 1
        _streams.changed.notify_all()


@contextlib.contextmanager
def stream_guard() -> Iterator[None]:
    """Hold this while a PortAudio stream is open, so no refresh happens under it."""
    stream_opening()
    try:
        yield
    finally:
        stream_closed()


def refresh_devices(timeout_s: float = 5.0) -> bool:
    """Re-initialise PortAudio so that unplugged and re-plugged devices are seen.

    Waits up to ``timeout_s`` for open streams to close; returns False (nothing done) when
    they stay open, True once PortAudio was re-initialised.
    """
    sd = load_sounddevice()
    with _streams.changed:
        idle = _streams.changed.wait_for(
            lambda: _streams.open == 0 and not _streams.refreshing, timeout_s
        )
        if not idle:
            logger.info("device refresh postponed: %d audio stream(s) open", _streams.open)
            return False
        _streams.refreshing = True
    try:
        sd._terminate()
        sd._initialize()
    except Exception as exc:  # PortAudio raises its own error types
        raise AudioError("portaudio-failed", f"PortAudio did not initialise: {exc}") from None
    finally:
        with _streams.changed:
            _streams.refreshing = False
            _streams.changed.notify_all()
    return True


def list_devices() -> list[DeviceInfo]:
    sd = load_sounddevice()
    try:
        devices = sd.query_devices()
        host_apis = sd.query_hostapis()
        default_in, default_out = sd.default.device
    except Exception as exc:
        raise AudioError("portaudio-failed", f"cannot list audio devices: {exc}") from None
    result = []
    for d in devices:
        result.append(
            DeviceInfo(
                index=int(d["index"]),
                name=str(d["name"]),
                host_api=str(host_apis[d["hostapi"]]["name"]),
                max_input_channels=int(d["max_input_channels"]),
                max_output_channels=int(d["max_output_channels"]),
                default_rate_hz=float(d["default_samplerate"]),
                is_default_input=d["index"] == default_in,
                is_default_output=d["index"] == default_out,
            )
        )
    return result


def find_device(name: str, direction: Direction) -> int | None:
    """Index of the device whose name is ``name`` (exactly, else the only one containing it).

    An empty name means the system default, returned as None. A name that matches no device, or
    several devices, is an :class:`AudioError` that lists the devices there are.
    """
    if not name:
        return None
    channels = "max_input_channels" if direction == "input" else "max_output_channels"
    candidates = [d for d in list_devices() if getattr(d, channels) > 0]
    exact = [d for d in candidates if d.name == name]
    if exact:
        return exact[0].index
    lowered = name.casefold()
    partial = [d for d in candidates if lowered in d.name.casefold()]
    if len(partial) == 1:
        return partial[0].index
    names = ", ".join(repr(d.name) for d in candidates) or "none"
    if partial:
        raise AudioError(
            "device-ambiguous",
            f"{direction} device {name!r} matches several devices: "
            + ", ".join(repr(d.name) for d in partial),
            fix="give the full name",
        )
    raise AudioError(
        "device-missing",
        f"no {direction} device named {name!r}; {direction} devices: {names}",
        fix="plug it in, or set audio."
        + ("input_device" if direction == "input" else "output_device"),
    )


def to_mono_int16(data: npt.NDArray[Any]) -> Int16Array:
    """Mix channels down to mono and convert floats (-1..1) or ints to int16."""
    arr = np.asarray(data)
    is_float = np.issubdtype(arr.dtype, np.floating)
    if arr.ndim == 2:
        arr = arr.mean(axis=1) if arr.shape[1] > 1 else arr[:, 0]
    if is_float:
        arr = np.clip(arr, -1.0, 1.0) * 32767.0
    out: Int16Array = np.clip(np.rint(arr), -32768, 32767).astype(np.int16)
    return out


def resample(samples: Int16Array, from_hz: int, to_hz: int) -> Int16Array:
    """Resample 16-bit mono audio with soxr (a proper band-limited resampler)."""
    if from_hz == to_hz or len(samples) == 0:
        return samples
    try:
        import soxr
    except ImportError:
        raise AudioError(
            "soxr-missing", "resampling needs soxr", fix="pip install 'rostguiden[audio]'"
        ) from None
    out: Int16Array = np.asarray(
        soxr.resample(samples, from_hz, to_hz, quality="HQ"), dtype=np.int16
    )
    return out


def read_wav(path: Path, *, rate_hz: int | None = None, max_duration_s: float = MAX_WAV_S) -> Pcm:
    """Read a PCM WAV file as 16-bit mono, resampled to ``rate_hz`` when given.

    Stereo is mixed down; 8/16/24/32-bit integer PCM is accepted. Empty, truncated or non-WAV
    files and files longer than ``max_duration_s`` raise :class:`AudioError`.
    """
    try:
        with wave.open(str(path), "rb") as w:
            channels, width, rate, frames = (
                w.getnchannels(),
                w.getsampwidth(),
                w.getframerate(),
                w.getnframes(),
            )
            if rate <= 0 or channels <= 0:
                raise AudioError("wav-invalid", f"{path}: invalid WAV header")
            if frames / rate > max_duration_s:
                raise AudioError(
                    "wav-too-long",
                    f"{path}: {frames / rate:.0f} s of audio, more than {max_duration_s:.0f} s",
                )
            raw = w.readframes(frames)
    except FileNotFoundError:
        raise AudioError("wav-missing", f"{path}: no such file") from None
    except (wave.Error, EOFError, RuntimeError) as exc:
        # The wave module raises a bare RuntimeError for a chunk that claims to run past the end.
        raise AudioError("wav-invalid", f"{path}: not a PCM WAV file ({exc!r})") from None
    except OSError as exc:
        raise AudioError("wav-unreadable", f"{path}: {exc}") from None
    usable = len(raw) - len(raw) % (width * channels)
    raw = raw[:usable]
    if width == 1:
        data = (np.frombuffer(raw, dtype=np.uint8).astype(np.int16) - 128) * 256
    elif width == 2:
        data = np.frombuffer(raw, dtype="<i2").astype(np.int16)
    elif width == 3:
        b = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3)
        data = (b[:, 2].astype(np.int8).astype(np.int32) << 8 | b[:, 1]).astype(np.int16)
    elif width == 4:
        data = (np.frombuffer(raw, dtype="<i4") >> 16).astype(np.int16)
    else:
        raise AudioError("wav-unsupported", f"{path}: {8 * width}-bit samples are not supported")
    samples = to_mono_int16(data.reshape(-1, channels))
    if rate_hz is not None:
        samples = resample(samples, rate, rate_hz)
        rate = rate_hz
    return Pcm(samples, rate)


def write_wav(path: Path, pcm: Pcm) -> None:
    """Write 16-bit mono PCM to a WAV file."""
    try:
        with wave.open(str(path), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(pcm.rate_hz)
            w.writeframes(pcm.to_bytes())
    except OSError as exc:
        raise AudioError("wav-unwritable", f"{path}: {exc}") from None


class PlaybackReference:
    """What the loudspeaker played, at 16 kHz, timestamped on the monotonic clock.

    The player :meth:`add`\\ s each block it writes with the time its first sample reaches the
    loudspeaker; the microphone's echo canceller :meth:`read`\\ s the samples played over a
    span of time (zeros where nothing played). Speech output and speech input share one
    instance (``kiosk/setup.py`` passes it to both); the last :data:`KEEP_S` seconds are kept.
    """

    RATE_HZ = 16000
    KEEP_S = 5.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._parts: list[tuple[float, npt.NDArray[np.float32]]] = []
        self._cut_at = math.inf

    def add(self, samples: Int16Array, start_s: float) -> None:
        """16 kHz samples whose first one plays at monotonic time ``start_s``."""
        if not len(samples):
            return
        data = np.asarray(samples, dtype=np.float32)
        with self._lock:
            self._cut_at = math.inf
            self._parts.append((start_s, data))
            keep_from = start_s - self.KEEP_S
            while self._parts and self._parts[0][0] + len(self._parts[0][1]) / 16000 < keep_from:
                self._parts.pop(0)

    def cut(self, at_s: float) -> None:
        """Nothing added plays after ``at_s`` (the stream was aborted: its buffer dropped)."""
        with self._lock:
            self._cut_at = at_s

    def read(self, start_s: float, count: int) -> npt.NDArray[np.float32]:
        """The ``count`` samples played from ``start_s`` on (zeros where nothing played)."""
        out = np.zeros(count, dtype=np.float32)
        rate = self.RATE_HZ
        with self._lock:
            parts, cut_at = list(self._parts), self._cut_at
        end_s = min(start_s + count / rate, cut_at)
        for at, data in parts:
            if at >= end_s or at + len(data) / rate <= start_s:
                continue
            first = round((at - start_s) * rate)  # index of data[0] in out
            lo, hi = max(0, first), min(count, first + len(data), round((end_s - start_s) * rate))
            if hi > lo:
                out[lo:hi] = data[lo - first : hi - first]
        return out

    def last_end_s(self) -> float:
        """When the last sample added stops playing (-inf: nothing played yet)."""
        with self._lock:
            if not self._parts:
                return -math.inf
            at, data = self._parts[-1]
            return min(at + len(data) / self.RATE_HZ, self._cut_at)
