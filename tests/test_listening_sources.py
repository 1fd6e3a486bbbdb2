"""The microphone source on the real sounddevice path (the paced virtual ALSA microphone):
a reader catching up is no runaway, a device delivering garbage without pause is, and a
microphone that stops delivering while its stream stays open is reported, closed without
hanging the reader, and opened again once it delivers."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from assistant.audio import refresh_devices
from assistant.errors import AudioError
from assistant.speech_in.sources import CLOSE_TIMEOUT_S, STARVED_S, MicrophoneSource
from tests.virtual_alsa import MIC_NAME, VirtualAlsa

pytestmark = pytest.mark.real_audio


@pytest.fixture
def mic(virtual_alsa: VirtualAlsa) -> Iterator[VirtualAlsa]:
    virtual_alsa.set_present(mic=True, speaker=True)
    refresh_devices()
    yield virtual_alsa
    virtual_alsa.unstall_mic()
    virtual_alsa.replug_mic()
    refresh_devices()


def read_for(source: MicrophoneSource, seconds: float) -> int:
    """Samples read in ``seconds`` of reading."""
    total = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        block = source.read(0.25)
        assert block is not None
        total += len(block.samples)
    return total


def test_reading_a_backlog_fast_is_not_a_runaway(mic: VirtualAlsa) -> None:
    """Blocks queued while the reader was busy (5 s) come out in a burst: more than three times
    real time over the next 2 s, while the device itself delivered in real time."""
    source = MicrophoneSource(MIC_NAME, block_s=0.1)
    source.open()
    try:
        time.sleep(5.0)
        read = read_for(source, RUNAWAY_CHECK_S)
    finally:
        source.close()
    assert read > 2 * RUNAWAY_CHECK_S * 16000  # the backlog did come out in a burst
    assert source.max_behind_s > 4.0  # and the reader knew it was behind


RUNAWAY_CHECK_S = 2.5


def test_a_device_delivering_garbage_without_pause_is_a_runaway(mic: VirtualAlsa) -> None:
    source = MicrophoneSource(MIC_NAME, block_s=0.1)
    source.open()
    try:
        read_for(source, 0.5)
        mic.unplug_mic()  # the pipe ends: ALSA's file plugin reads on without pause
        with pytest.raises(AudioError) as failed:
            read_for(source, 10.0)
    finally:
        source.close()
    assert failed.value.code == "mic-runaway"


def test_a_stalled_microphone_is_reported_closed_and_reopened(mic: VirtualAlsa) -> None:
    source = MicrophoneSource(MIC_NAME, block_s=0.1)
    source.open()
    mic.stall_mic()  # the stream stays open, nothing comes
    try:
        with pytest.raises(AudioError) as lost:
            read_for(source, STARVED_S + 10)
        closed = threading.Thread(target=source.close)
        closed.start()
        closed.join(CLOSE_TIMEOUT_S + 10)  # PortAudio's capture thread waits in the driver
        assert not closed.is_alive(), "closing the stalled stream hung the reader"
        with pytest.raises(AudioError) as stuck:
            source.open()  # the old stream has not finished closing
    finally:
        mic.unstall_mic()
    try:
        source.open()  # the old stream finished closing once audio came
        assert read_for(source, 1.0) > 0
    finally:
        source.close()
    assert lost.value.code == "mic-lost"
    assert stuck.value.code == "mic-stuck"
