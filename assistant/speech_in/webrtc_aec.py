"""WebRTC's echo canceller (AEC3) for the echo guard: ``audio.echo_cancel = "webrtc"``.

The audio processing module of the WebRTC project, as the ``livekit`` package ships it (its
native FFI library, prebuilt for x86-64 and aarch64 Linux, Apache-2.0; the ``echo`` extra):
the reference goes in as the far end (``process_reverse_stream``) and the microphone as the
near end (``process_stream``), 10 ms at a time; noise suppression and gain control stay off
(the recognizer hears the visitor as they spoke).

AEC3 finds the echo's delay itself and has it within a second from a fresh state (half a
second at short delays), but a state that learnt one delay can take as long again to follow
a new one (each answer plays
on a stream of its own, and the echo's timing against the reference moves by tens of
milliseconds between answers). So the guard gives it the reference at a fixed lead and a fresh
state for every stretch of playback (:attr:`WebrtcCanceller.finds_delay`).

Not the default: a fresh state suppresses what it takes for echo before it has heard any, and
with no echo path (a handset, the voice soak's devices) a visitor who speaks in the first
second of an answer, before the guard has learnt that there is no echo, can lose a short word
(the real-time soak lost one at its second turn). It is for open loudspeakers.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from assistant.audio import Int16Array
from assistant.errors import RecognitionError

RATE_HZ = 16000
#: WebRTC's audio processing takes 10 ms frames.
FRAME = 160


def load_livekit_rtc() -> Any:
    """The ``livekit.rtc`` module; RecognitionError when it is not installed or will not load."""
    try:
        from livekit import rtc
    except (ImportError, OSError) as exc:
        raise RecognitionError(
            "webrtc-aec-missing",
            f"WebRTC's echo canceller cannot be loaded ({exc})",
            fix="install it: pip install 'rostguiden[echo]' (bash scripts/kiosk.sh does), or "
            'set audio.echo_cancel = "speex"',
        ) from None
    return rtc


class WebrtcCanceller:
    """WebRTC's echo canceller on 10 ms frames at 16 kHz."""

    #: It follows the echo's delay itself, and starts afresh with every stretch of playback.
    finds_delay = True

    def __init__(self) -> None:
        self._rtc = load_livekit_rtc()
        self._apm: Any = None
        self.reset()

    def cancel(self, mic: Int16Array, played: Int16Array) -> Int16Array:
        """``mic`` with the echo of ``played`` (same length, whole frames) taken out."""
        rtc, apm = self._rtc, self._apm
        rec = np.ascontiguousarray(mic, dtype=np.int16)
        ref = np.ascontiguousarray(played, dtype=np.int16)
        out = np.empty_like(rec)
        for start in range(0, len(rec) - FRAME + 1, FRAME):
            far = rtc.AudioFrame(ref[start : start + FRAME].tobytes(), RATE_HZ, 1, FRAME)
            apm.process_reverse_stream(far)
            heard = bytearray(rec[start : start + FRAME].tobytes())
            near = rtc.AudioFrame(heard, RATE_HZ, 1, FRAME)
            apm.process_stream(near)
            out[start : start + FRAME] = np.frombuffer(near.data, dtype=np.int16)
        return out

    def reset(self) -> None:
        """A fresh state: nothing learnt of the echo."""
        self._apm = self._rtc.AudioProcessingModule(echo_cancellation=True)
        self._apm.set_stream_delay_ms(0)

    def close(self) -> None:
        self._apm = None
