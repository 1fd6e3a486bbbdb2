"""Earcons generated in code: audible, short, distinct, without clicks."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.speech_out.earcons import EARCONS, earcon_pcm


def _dominant_hz(samples: np.ndarray, rate_hz: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples.astype(np.float64)))
    return float(np.fft.rfftfreq(len(samples), 1 / rate_hz)[int(np.argmax(spectrum))])


@pytest.mark.parametrize("kind", EARCONS)
def test_each_earcon_is_a_short_audible_tone_without_clicks(kind) -> None:
    pcm = earcon_pcm(kind)
    assert pcm.rate_hz == 22050
    assert 0.1 <= pcm.duration_s <= 0.5
    assert np.abs(pcm.samples).max() > 5000
    assert abs(int(pcm.samples[0])) < 200 and abs(int(pcm.samples[-1])) < 200


def test_listening_rises_stopped_falls_error_is_low() -> None:
    def halves(kind):
        pcm = earcon_pcm(kind)
        mid = len(pcm.samples) // 2
        return (
            _dominant_hz(pcm.samples[:mid], pcm.rate_hz),
            _dominant_hz(pcm.samples[mid:], pcm.rate_hz),
        )

    first, second = halves("listening")
    assert first < second
    first, second = halves("stopped")
    assert first > second
    assert max(halves("error")) < 400


def test_earcons_at_another_rate_and_unknown_kinds() -> None:
    assert earcon_pcm("error", 48000).rate_hz == 48000
    assert earcon_pcm("error", 48000).duration_s == pytest.approx(
        earcon_pcm("error").duration_s, abs=0.01
    )
    with pytest.raises(ValueError):
        earcon_pcm("ding")
