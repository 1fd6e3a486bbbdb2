"""Virtual ALSA microphone and speaker for tests of the real sounddevice path, paced in real time.

ALSA's ``file`` plugin over the ``null`` device makes a capture device that reads raw 16-bit
mono samples from ``infile`` and a playback device that writes them to ``file``. Over the bare
null device both run unpaced (seconds of audio in milliseconds), so here both files are named
pipes that this harness feeds and drains at the audio rate: the microphone delivers samples in
real time (silence when nothing is scripted) and the speaker consumes them in real time, which
is what makes barge-in and ``stop()`` testable. ``speed`` runs both clocks that many times
faster than real time (soak tests: shorter turns; a program's endpointing counts samples, so it
cuts the same utterances). For latency measurements the harness notes, on the monotonic clock
(shared by every process of the machine), when the last voiced sample of each clip was due on
the microphone (:attr:`VirtualAlsa.voice_end_times`) and when each speaker chunk arrived
(:meth:`VirtualAlsa.first_sound_after`).

An optional echo path (``echo_delay_ms``, ``echo_gain``; off by default) feeds what the speaker
plays back into the microphone, resampled to the microphone's rate, attenuated and delayed: a
kiosk whose loudspeaker stands a few centimetres from its microphone. The delay counts from
when the speaker consumed the samples. With the echo path on, each microphone chunk is composed
and written once its last sample is due, as a capture device delivers a block, so the echo lands
where its delay puts it and stays there through an answer.

The harness holds every pipe open read-write, so opening a device never blocks (PortAudio opens
each device while it enumerates them). It must be created before ``sounddevice`` is imported in
this process: ``ALSA_CONFIG_PATH`` is read when PortAudio initialises. Child processes inherit
the environment and use the same devices; only one process may capture at a time.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import select
import sys
import termios
import threading
import time
import traceback
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

MIC_NAME = "fakemic"
SPEAKER_NAME = "fakespk"
_F_SETPIPE_SZ = 1031
_PIPE_BYTES = 4096
_SYSTEM_CONF = "/usr/share/alsa/alsa.conf"
#: A sample louder than this is voiced (not silence or dither).
VOICED_LEVEL = 500


class _Clip:
    """Samples queued for the microphone; ``voiced_end``: index after the last voiced sample."""

    def __init__(
        self, samples: npt.NDArray[np.int16], voiced_end: int, voiced_start: int = -1
    ) -> None:
        self.samples = samples
        self.pos = 0
        self.voiced_end = voiced_end
        self.voiced_start = voiced_start


class VirtualAlsa:
    """A paced virtual microphone and speaker, both ALSA ``file`` devices over named pipes."""

    def __init__(
        self,
        folder: Path,
        *,
        mic_rate_hz: int = 16000,
        speaker_rate_hz: int = 22050,
        mic_chunk_frames: int = 1600,
        speed: float = 1.0,
        echo_delay_ms: float = 0.0,
        echo_gain: float = 0.0,
    ):
        self.folder = folder
        self.mic_rate_hz = mic_rate_hz
        #: The microphone pipe is fed in whole chunks of this many frames, written at once: a
        #: capture stream whose block divides it (0.01, 0.02, 0.05, 0.1 s at 16 kHz) always
        #: reads complete blocks. (The ``file`` plugin pads a short read with stale samples.)
        self.mic_chunk_frames = mic_chunk_frames
        self.speaker_rate_hz = speaker_rate_hz
        if not speed > 0:
            raise ValueError(f"speed must be positive, not {speed}")
        #: Both devices run this many times faster than real time.
        self.speed = speed
        #: Monotonic time at which the last voiced sample of each queued clip was due.
        self.voice_end_times: list[float] = []
        #: ... and its first voiced sample.
        self.voice_start_times: list[float] = []
        #: The echo path: speaker samples back into the microphone (0 gain: none).
        self.echo_delay_ms = echo_delay_ms
        self.echo_gain = echo_gain
        self._echo = np.zeros(0, dtype=np.float64)  # echo samples from mic index _echo_at on
        self._echo_at = 0
        self._echo_carry = b""
        self._resampler: Any = None
        self._mic_start = time.monotonic()  # the feeder's clock: sample i is due at start + i/rate
        self._mic_next = 0  # index of the next microphone sample to be composed
        self.config_path = folder / "asound.conf"
        self.mic_fifo = folder / "mic.fifo"
        self.speaker_fifo = folder / "speaker.fifo"
        self._lock = threading.Lock()
        self._mic_queue: list[_Clip] = []
        self._mic_done = threading.Event()
        self._mic_done.set()
        self._speaker: list[bytes] = []
        self._speaker_times: list[float] = []  # arrival of each chunk of _speaker
        self._stop = threading.Event()
        #: Monotonic times for :meth:`state`: the last write into the microphone pipe, since
        #: when the pipe has been full (the program not reading; None when it is not), the
        #: last read from the speaker pipe.
        self._mic_wrote_at = 0.0
        self._mic_full_since: float | None = None
        #: How far the microphone feeder ever fell behind its clock (then caught up at once).
        self.mic_max_lag_s = 0.0
        self._speaker_read_at = 0.0
        self._mic_stalled = threading.Event()
        folder.mkdir(parents=True, exist_ok=True)
        for fifo in (self.mic_fifo, self.speaker_fifo):
            if not fifo.exists():
                os.mkfifo(fifo)
        self._mic_fd = os.open(self.mic_fifo, os.O_RDWR | os.O_NONBLOCK)
        self._speaker_fd = os.open(self.speaker_fifo, os.O_RDWR)
        for fd in (self._mic_fd, self._speaker_fd):
            with contextlib.suppress(OSError):
                fcntl.fcntl(fd, _F_SETPIPE_SZ, _PIPE_BYTES)
        self.set_present(mic=True, speaker=True)
        self._threads = [
            threading.Thread(target=self._feed_mic, name="virtual-mic", daemon=True),
            threading.Thread(target=self._drain_speaker, name="virtual-speaker", daemon=True),
        ]
        for t in self._threads:
            t.start()

    # -- configuration -------------------------------------------------------------------
    def env(self) -> dict[str, str]:
        """Environment variables that point ALSA (and so sounddevice) at these devices."""
        return {"ALSA_CONFIG_PATH": str(self.config_path)}

    def unplug_mic(self) -> None:
        """The microphone vanishes: gone from the device list, and an open capture stream stops
        receiving real audio (the pipe reaches end of file, which the ``file`` plugin turns into
        an unpaced stream of garbage, as a failing device would deliver)."""
        self.set_present(mic=False, speaker=True)
        with self._lock:
            fd, self._mic_fd = self._mic_fd, -1
        if fd >= 0:
            os.close(fd)

    def stall_mic(self) -> None:
        """The microphone stops delivering and stays open (a hung device or driver): a stream
        capturing waits for samples that do not come."""
        self._mic_stalled.set()

    def unstall_mic(self) -> None:
        """The microphone delivers again (paced, from where it stopped)."""
        self._mic_stalled.clear()

    def replug_mic(self) -> None:
        """The microphone comes back (listed again; new streams receive paced audio)."""
        with self._lock:
            if self._mic_fd < 0:
                self._mic_fd = os.open(self.mic_fifo, os.O_RDWR | os.O_NONBLOCK)
                with contextlib.suppress(OSError):
                    fcntl.fcntl(self._mic_fd, _F_SETPIPE_SZ, _PIPE_BYTES)
        self.set_present(mic=True, speaker=True)

    def unplug_speaker(self) -> None:
        """The speaker vanishes: a stream playing gets a broken pipe and new streams fail to
        open (the pipe's place is taken by a folder), as with a device that is gone."""
        with self._lock:
            fd, self._speaker_fd = self._speaker_fd, -1
        if fd >= 0:
            os.close(fd)
            self.speaker_fifo.unlink()
            self.speaker_fifo.mkdir()

    def replug_speaker(self) -> None:
        """The speaker comes back (new streams play into it again)."""
        with self._lock:
            if self._speaker_fd < 0:
                self.speaker_fifo.rmdir()
                os.mkfifo(self.speaker_fifo)
                self._speaker_fd = os.open(self.speaker_fifo, os.O_RDWR)
                with contextlib.suppress(OSError):
                    fcntl.fcntl(self._speaker_fd, _F_SETPIPE_SZ, _PIPE_BYTES)

    def set_present(self, *, mic: bool = True, speaker: bool = True) -> None:
        """Rewrite the ALSA config with or without each device (plug / unplug).

        A process sees the change once PortAudio is re-initialised.
        """
        parts = [f"<{_SYSTEM_CONF}>\n"]
        if mic:
            parts.append(
                f'pcm.{MIC_NAME} {{\n  type file\n  slave.pcm "null"\n'
                f'  file "{self.folder / "mic-echo.raw"}"\n  infile "{self.mic_fifo}"\n'
                '  format "raw"\n  hint { show on description "Virtual microphone" }\n}\n'
            )
        if speaker:
            parts.append(
                f'pcm.{SPEAKER_NAME} {{\n  type file\n  slave.pcm "null"\n'
                f'  file "{self.speaker_fifo}"\n  format "raw"\n'
                '  hint { show on description "Virtual speaker" }\n}\n'
            )
        tmp = self.config_path.with_suffix(".tmp")
        tmp.write_text("".join(parts))
        tmp.replace(self.config_path)

    # -- microphone ------------------------------------------------------------------------
    def play_into_mic(
        self, samples: npt.NDArray[np.int16], *, silence_after_s: float = 0.0
    ) -> None:
        """Queue 16-bit mono samples (at ``mic_rate_hz``) for the microphone, then silence."""
        chunk = np.asarray(samples, dtype=np.int16)
        pad = np.zeros(int(silence_after_s * self.mic_rate_hz), dtype=np.int16)
        voiced = np.flatnonzero(np.abs(chunk.astype(np.int32)) > VOICED_LEVEL)
        clip = _Clip(
            np.concatenate([chunk, pad]),
            int(voiced[-1]) + 1 if len(voiced) else -1,
            int(voiced[0]) if len(voiced) else -1,
        )
        with self._lock:
            self._mic_queue.append(clip)
            self._mic_done.clear()

    def wait_mic_idle(self, timeout_s: float = 60.0) -> bool:
        """Wait until everything queued for the microphone has been delivered."""
        return self._mic_done.wait(timeout_s)

    def _next_mic_block(self, frames: int) -> tuple[npt.NDArray[np.int16], int | None, int | None]:
        """The next block (with the echo mixed in), and where in it a clip's voiced part ends
        and starts (if it does)."""
        with self._lock:
            at, self._mic_next = self._mic_next, self._mic_next + frames
            if not self._mic_queue:
                self._mic_done.set()
                return self._with_echo(np.zeros(frames, dtype=np.int16), at), None, None
            head = self._mic_queue[0]
            block = head.samples[head.pos : head.pos + frames]
            voice_end = voice_start = None
            if head.pos < head.voiced_end <= head.pos + frames:
                voice_end = head.voiced_end - head.pos
            if head.pos <= head.voiced_start < head.pos + frames:
                voice_start = head.voiced_start - head.pos
            head.pos += len(block)
            if head.pos >= len(head.samples):
                self._mic_queue.pop(0)
            if len(block) < frames:
                block = np.concatenate([block, np.zeros(frames - len(block), dtype=np.int16)])
            return self._with_echo(block, at), voice_end, voice_start

    def _with_echo(self, block: npt.NDArray[np.int16], at: int) -> npt.NDArray[np.int16]:
        """``block`` (microphone samples from index ``at`` on) plus the echo due in it."""
        if not len(self._echo):
            return block
        skip = max(0, at - self._echo_at)  # echo due before this block: its time has passed
        self._echo, self._echo_at = self._echo[skip:], self._echo_at + skip
        offset = self._echo_at - at
        if offset >= len(block):
            return block
        take = self._echo[: len(block) - offset]
        mixed = block.astype(np.float64)
        mixed[offset : offset + len(take)] += take
        self._echo, self._echo_at = self._echo[len(take) :], self._echo_at + len(take)
        return np.clip(np.round(mixed), -32768, 32767).astype(np.int16)

    def _add_echo(self, data: bytes, arrived: float) -> None:
        """What the speaker just consumed, due on the microphone ``echo_delay_ms`` later."""
        import soxr

        data = self._echo_carry + data
        whole = len(data) - len(data) % 2
        self._echo_carry = data[whole:]
        samples = np.frombuffer(data[:whole], "<i2").astype(np.float32)
        if self._resampler is None:
            self._resampler = soxr.ResampleStream(
                self.speaker_rate_hz, self.mic_rate_hz, 1, dtype="float32"
            )
        echo = self._resampler.resample_chunk(samples).astype(np.float64)
        echo *= self.echo_gain
        rate = self.mic_rate_hz * self.speed
        due = round(
            (arrived - self._mic_start) * rate + self.echo_delay_ms / 1000 * rate / self.speed
        )
        with self._lock:
            end = self._echo_at + len(self._echo)
            if len(self._echo) and due <= end + rate * 0.05 / self.speed:
                due = end  # the speaker plays on: keep the echo continuous
            due = max(due, self._mic_next)  # not into a chunk already written
            if not len(self._echo):
                self._echo, self._echo_at = echo, due
            else:
                gap = np.zeros(max(0, due - end))
                self._echo = np.concatenate([self._echo, gap, echo])

    def _feed_mic(self) -> None:
        frames = self.mic_chunk_frames
        start = time.monotonic()
        sent = 0
        pending = b""
        voice_end: int | None = None
        voice_start: int | None = None
        while not self._stop.is_set():
            rate = self.mic_rate_hz * self.speed
            self._mic_start = start  # sample i (of _mic_next's count) is due at start + i/rate
            # With the echo path on, a block is composed once its last sample is due, as a
            # capture device delivers it: the speaker's sound due in it has been played by then.
            # (Composed at its start, the echo due in it would be pushed to the next block, and
            # kept there by the echo's continuity: its delay would grow through an answer.)
            late_s = frames / rate if self.echo_gain > 0 else 0.0
            if not pending:
                wait = start + sent / rate + late_s - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                block, voice_end, voice_start = self._next_mic_block(frames)
                pending = block.astype("<i2").tobytes()
            fd = self._mic_fd
            if fd < 0 or self._mic_stalled.is_set():  # unplugged or stalled
                time.sleep(0.02)
                start = time.monotonic() - sent / rate
                continue
            try:
                written = os.write(fd, pending)
            except (BlockingIOError, OSError):
                # Nobody is capturing: hold the audio, keep the clock from running ahead.
                if self._mic_full_since is None:
                    self._mic_full_since = time.monotonic()
                time.sleep(0.01)
                start = time.monotonic() - sent / rate
                continue
            if voice_start is not None:
                due = time.monotonic() - late_s + voice_start / rate
                with self._lock:
                    self.voice_start_times.append(due)
                voice_start = None
            if voice_end is not None:
                due = time.monotonic() - late_s + voice_end / rate
                with self._lock:
                    self.voice_end_times.append(due)
                voice_end = None
            self._mic_wrote_at, self._mic_full_since = time.monotonic(), None
            pending = pending[written:]
            sent += written // 2
            delay = start + sent / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            elif -delay > self.mic_max_lag_s:
                self.mic_max_lag_s = -delay

    # -- speaker ---------------------------------------------------------------------------
    def _drain_speaker(self) -> None:
        start = time.monotonic()
        received = 0
        while not self._stop.is_set():
            fd = self._speaker_fd
            if fd < 0:  # unplugged
                time.sleep(0.02)
                continue
            try:  # never blocked in read: unplugging must leave the pipe without a reader
                if not select.select([fd], [], [], 0.05)[0]:
                    continue
                data = os.read(fd, 1024)
            except OSError:
                continue
            now = self._speaker_read_at = time.monotonic()
            rate = self.speaker_rate_hz * self.speed
            if now - (start + received / rate) > 0.5:
                start, received = now, 0  # the speaker was idle: restart the clock
            with self._lock:
                self._speaker.append(data)
                self._speaker_times.append(now)
            if self.echo_gain > 0:
                self._add_echo(data, now)
            received += len(data) // 2
            delay = start + received / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)

    def speaker_samples(self) -> npt.NDArray[np.int16]:
        """Everything played on the speaker since the last :meth:`clear_speaker`."""
        with self._lock:
            data = b"".join(self._speaker)
        data = data[: len(data) - len(data) % 2]
        return np.frombuffer(data, dtype="<i2").astype(np.int16)

    def first_sound_after(self, after_s: float) -> float | None:
        """Monotonic time the first voiced sample reached the speaker after ``after_s``."""
        with self._lock:
            chunks = list(zip(self._speaker_times, self._speaker, strict=True))
        offset = 0  # bytes before this chunk: samples start on even offsets
        for arrived, chunk in chunks:
            first, offset = offset, offset + len(chunk)
            if arrived < after_s:
                continue
            data = chunk[first % 2 :]
            samples = np.frombuffer(data[: len(data) - len(data) % 2], "<i2")
            if (np.abs(samples.astype(np.int32)) > VOICED_LEVEL).any():
                return arrived
        return None

    def clear_speaker(self) -> None:
        with self._lock:
            self._speaker.clear()
            self._speaker_times.clear()

    def state(self) -> str:
        """The harness's side of the devices, for a failure message: what is queued, how
        many bytes wait unread in each pipe, when each was last written or read, and where
        the feeder and drainer threads are."""
        now = time.monotonic()
        with self._lock:
            queued = [len(c.samples) - c.pos for c in self._mic_queue]
            mic_fd, speaker_fd = self._mic_fd, self._speaker_fd
        full = self._mic_full_since
        lines = [
            f"microphone: {len(queued)} clip(s) queued ({sum(queued)} samples left), "
            f"{_unread(mic_fd)} bytes unread in the pipe (of {_PIPE_BYTES}), "
            f"last write {now - self._mic_wrote_at:.2f} s ago, "
            + (
                f"pipe full (the program is not reading) for {now - full:.2f} s"
                if full
                else "not blocked"
            )
            + f"; the feeder fell behind its clock by up to {self.mic_max_lag_s:.2f} s",
            f"speaker: {_unread(speaker_fd)} bytes unread in the pipe, "
            f"last read {now - self._speaker_read_at:.2f} s ago",
        ]
        frames = sys._current_frames()
        for thread in self._threads:
            frame = frames.get(thread.ident or -1)
            where = "".join(traceback.format_stack(frame)[-3:]) if frame else "  (not running)\n"
            lines.append(f"thread {thread.name} (alive: {thread.is_alive()}):\n{where.rstrip()}")
        return "\n".join(lines)

    def close(self) -> None:
        self._stop.set()


def _unread(fd: int) -> int | str:
    """Bytes waiting in a pipe (``FIONREAD``), or why they cannot be counted."""
    if fd < 0:
        return "(unplugged)"
    try:
        buf = fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0")
    except OSError as exc:
        return f"({exc.strerror})"
    return int.from_bytes(buf, sys.byteorder)
