"""Where speech input comes from: the microphone (sounddevice) or a WAV file, as 16 kHz blocks.

The microphone's stream callback only copies each block into a queue; everything else (mixing,
resampling with soxr, counting overflows) happens on the reader's thread. A device that refuses
16 kHz is opened at its own rate and resampled. Reading never blocks longer than asked.

A microphone that stops delivering while its stream stays open (a hung device or driver) is
reported after :data:`STARVED_S`; closing such a stream can hang as well (PortAudio joins its
capture thread, which waits in the driver), so closing waits at most :data:`CLOSE_TIMEOUT_S` and
leaves the stream to finish closing on a thread of its own; no new stream opens until it has,
and meanwhile the process exits without shutting PortAudio down (that would wait on the stream).
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import queue
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from assistant.audio import (
    Int16Array,
    find_device,
    load_sounddevice,
    read_wav,
    stream_closed,
    stream_opening,
    to_mono_int16,
)
from assistant.errors import AudioError

logger = logging.getLogger(__name__)

#: Rate of everything the sources deliver.
RATE_HZ = 16000
#: A microphone that delivers nothing for this long is treated as gone.
STARVED_S = 3.0
#: A microphone whose stream delivers this many times more audio than real time, over
#: :data:`RUNAWAY_WINDOW_S`, is broken (a failing device can deliver garbage without pause).
#: Counted as the stream delivers, not as blocks are read: a reader catching up on blocks
#: queued while it was busy is no runaway.
RUNAWAY_FACTOR = 3.0
RUNAWAY_WINDOW_S = 2.0
#: A reader this far behind the microphone (audio queued, not yet read) is reported: the
#: kiosk hears the visitor late (too little CPU for decoding); back under a tenth of it, again.
BEHIND_S = 2.0
#: Longest wait for a stream to close (and for a stream left closing, before opening again).
CLOSE_TIMEOUT_S = 2.0


@dataclass(frozen=True)
class Block:
    """A block of 16-bit mono samples at :data:`RATE_HZ`; ``overflows``: input lost before it."""

    samples: Int16Array
    overflows: int = 0

    @property
    def duration_s(self) -> float:
        return len(self.samples) / RATE_HZ


class AudioSource(Protocol):
    """Blocks of audio; :meth:`read` returns None at the end, an empty block on a timeout."""

    name: str

    def open(self) -> None: ...

    def read(self, timeout_s: float) -> Block | None: ...

    def close(self) -> None: ...


class WavSource:
    """A WAV file as blocks (any rate, stereo mixed down), then the end."""

    def __init__(self, path: Path, *, block_s: float = 0.1, max_duration_s: float = 3600.0):
        self.name = str(path)
        self.path = path
        self.block = max(1, int(RATE_HZ * block_s))
        self.max_duration_s = max_duration_s
        self._samples: Int16Array | None = None
        self._pos = 0

    def open(self) -> None:
        pcm = read_wav(self.path, rate_hz=RATE_HZ, max_duration_s=self.max_duration_s)
        self._samples, self._pos = pcm.samples, 0

    def read(self, timeout_s: float) -> Block | None:
        if self._samples is None:
            raise AudioError("source-closed", f"{self.name} is not open")
        if self._pos >= len(self._samples):
            return None
        chunk = self._samples[self._pos : self._pos + self.block]
        self._pos += len(chunk)
        return Block(chunk)

    def close(self) -> None:
        self._samples = None


class _Intake:
    """The stream callback of one stream: queues each block (dropped when the queue is full),
    and counts the frames the stream delivered and when the last ones came."""

    def __init__(self, max_queue: int) -> None:
        self.queue: queue.Queue[tuple[Any, bool]] = queue.Queue(max_queue)
        self.frames = 0
        self.dropped = 0
        self.arrived_at = time.monotonic()

    def __call__(self, indata: Any, frames: int, time_info: Any, status: Any) -> None:
        self.frames += frames
        self.arrived_at = time.monotonic()
        try:
            self.queue.put_nowait((indata.copy(), bool(status.input_overflow)))
        except queue.Full:
            self.dropped += 1

    def take_dropped(self) -> int:
        dropped, self.dropped = self.dropped, 0  # a block dropped meanwhile counts next time
        return dropped


class MicrophoneSource:
    """A microphone by name (empty: the default) through a sounddevice input stream."""

    def __init__(
        self, device: str = "", *, rate_hz: int = 0, block_s: float = 0.1, max_queue: int = 200
    ):
        self.name = device or "default microphone"
        self.device = device
        self.rate_hz = rate_hz
        self.block_s = block_s
        self.overflows = 0
        #: Audio queued behind the block last read (seconds), and the most it has been.
        self.behind_s = 0.0
        self.max_behind_s = 0.0
        self._late = False
        self._max_queue = max_queue
        #: A fresh intake per stream: a stream left closing must not feed the next one.
        self._intake = _Intake(max_queue)
        self._stream: Any = None
        self._closing: threading.Thread | None = None
        self._swap = threading.Lock()
        self._resampler: Any = None
        self._window_start = 0.0
        self._window_frames = 0
        self._stream_rate = RATE_HZ

    def _pick_rate(self, sd: Any, index: int | None) -> int:
        if self.rate_hz:
            return self.rate_hz
        try:
            sd.check_input_settings(device=index, channels=1, dtype="int16", samplerate=RATE_HZ)
            return RATE_HZ
        except Exception:
            info = sd.query_devices(index if index is not None else sd.default.device[0])
            return int(info["default_samplerate"])

    def open(self) -> None:
        sd = load_sounddevice()
        closing = self._closing
        if closing is not None:
            closing.join(CLOSE_TIMEOUT_S)
            if closing.is_alive():
                raise AudioError(
                    "mic-stuck",
                    f"{self.name} has not finished closing: the device or its driver hangs",
                    fix="unplug and replug the microphone; if that does not help, restart",
                )
            self._closing = None
        stream_opening()
        try:
            self._open(sd)
        except BaseException:
            stream_closed()
            raise

    def _open(self, sd: Any) -> None:
        index = find_device(self.device, "input")
        try:
            rate = self._pick_rate(sd, index)
            self._intake = _Intake(self._max_queue)
            self._stream = sd.InputStream(
                device=index,
                channels=1,
                dtype="int16",
                samplerate=rate,
                blocksize=int(rate * self.block_s),
                callback=self._intake,
            )
            self._stream.start()
        except AudioError:
            raise
        except Exception as exc:  # PortAudioError, ValueError for a missing default device
            self._stream = None
            raise AudioError(
                "mic-open-failed",
                f"cannot open {self.name}: {exc}",
                fix="check the microphone is plugged in; `run.py devices` lists devices",
            ) from None
        self._stream_rate = rate
        self._window_start, self._window_frames = time.monotonic(), 0
        self._resampler = None
        if rate != RATE_HZ:
            import soxr

            self._resampler = soxr.ResampleStream(rate, RATE_HZ, 1, dtype="int16")
        logger.info("listening on %s at %d Hz", self.name, rate)

    def read(self, timeout_s: float) -> Block | None:
        stream = self._stream  # one look: the listener's stop may close it from another thread
        if stream is None:
            raise AudioError("source-closed", f"{self.name} is not open")
        intake = self._intake
        try:
            data, overflow = intake.queue.get(timeout=timeout_s)
        except queue.Empty:
            if self._stream is not stream:  # closed meanwhile
                raise AudioError("source-closed", f"{self.name} is not open") from None
            starved_s = time.monotonic() - intake.arrived_at
            if not stream.active or starved_s > STARVED_S:
                raise AudioError(
                    "mic-lost", f"{self.name} delivered no audio for {starved_s:.1f} s"
                ) from None
            return Block(np.zeros(0, dtype=np.int16))
        self._check_runaway(intake.frames)
        self._note_lag(intake.queue.qsize() * len(data) / self._stream_rate)
        lost = int(overflow) + intake.take_dropped()
        if lost:
            self.overflows += lost
            logger.warning("input overflow on %s (%d so far)", self.name, self.overflows)
        samples = to_mono_int16(data)
        if self._resampler is not None:
            samples = np.asarray(self._resampler.resample_chunk(samples), dtype=np.int16)
        return Block(samples, lost)

    def _note_lag(self, behind_s: float) -> None:
        self.behind_s = behind_s
        self.max_behind_s = max(self.max_behind_s, behind_s)
        if not self._late and behind_s >= BEHIND_S:
            self._late = True
            logger.warning(
                "reading %s %.1f s behind: speech is heard late (decoding lacks CPU time)",
                self.name,
                behind_s,
            )
        elif self._late and behind_s <= BEHIND_S / 10:
            self._late = False
            logger.info(
                "reading %s in time again (the most so far: %.1f s behind)",
                self.name,
                self.max_behind_s,
            )

    def _check_runaway(self, delivered: int) -> None:
        """``delivered``: frames the stream has delivered so far (the intake's count)."""
        now = time.monotonic()
        elapsed = now - self._window_start
        if elapsed < RUNAWAY_WINDOW_S:
            return
        frames = delivered - self._window_frames
        if frames > RUNAWAY_FACTOR * elapsed * self._stream_rate:
            raise AudioError(
                "mic-runaway",
                f"{self.name} delivers {frames / elapsed / self._stream_rate:.0f}"
                " times more audio than real time: the device is failing",
                fix="check the microphone and its cable",
            )
        self._window_start, self._window_frames = now, delivered

    def close(self) -> None:
        """Stop and close the stream; at most :data:`CLOSE_TIMEOUT_S` (a hung stream is left
        closing on its own thread, and :meth:`open` waits for it)."""
        with self._swap:  # the listener, or its stop on another thread
            stream, self._stream = self._stream, None
        if stream is not None:
            closing = threading.Thread(
                target=self._close_stream, args=(stream,), name="mic-close", daemon=True
            )
            closing.start()
            closing.join(CLOSE_TIMEOUT_S)
            if closing.is_alive():
                self._closing = closing
                _portaudio_exit_handler(register=False)
                logger.error(
                    "%s did not close within %.0f s (the device or its driver hangs); "
                    "it is left closing",
                    self.name,
                    CLOSE_TIMEOUT_S,
                )
        with contextlib.suppress(queue.Empty):
            while True:
                self._intake.queue.get_nowait()

    def _close_stream(self, stream: Any) -> None:
        started = time.monotonic()
        try:
            stream.abort()
            stream.close()
        except Exception as exc:
            logger.debug("closing %s: %s", self.name, exc)
        finally:
            stream_closed()
        took_s = time.monotonic() - started
        if took_s > CLOSE_TIMEOUT_S:
            _portaudio_exit_handler(register=True)
            logger.warning("%s closed after %.1f s", self.name, took_s)


def _portaudio_exit_handler(*, register: bool) -> None:
    """Put back or take away sounddevice's exit handler (it stops the last stream and shuts
    PortAudio down: with a stream hung in its driver, the process would never exit)."""
    handler = getattr(load_sounddevice(), "_exit_handler", None)
    if callable(handler):
        atexit.unregister(handler)
        if register:
            atexit.register(handler)
