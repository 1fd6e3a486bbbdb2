"""The real pyttsx3 + espeak-ng engine rendering Swedish and French to in-memory audio."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from assistant.errors import SpeechError
from assistant.speech_out.synthesis import Pyttsx3Synthesizer, apply_gain
from assistant.speech_out.voices import VoiceSettings, choose_voice

pytestmark = pytest.mark.real_tts

SV = "Kramper i vaderna är vanliga och oftast ofarliga. Stretcha muskeln försiktigt."
FR = "Les crampes dans les mollets sont fréquentes et le plus souvent bénignes."


@pytest.fixture(scope="module")
def synthesizer():
    synth = Pyttsx3Synthesizer("espeak")
    yield synth
    synth.close()


@pytest.fixture(scope="module")
def voices(synthesizer):
    listed = synthesizer.list_voices()
    return {lang: choose_voice(listed, lang).id for lang in ("sv", "fr")}


@pytest.mark.parametrize(("lang", "text"), [("sv", SV), ("fr", FR)])
def test_renders_the_language_with_its_voice(synthesizer, voices, lang, text, capfd) -> None:
    pcm = synthesizer.synthesize(text, VoiceSettings(voices[lang], 165, 1.0))
    assert synthesizer.current_voice_id() == voices[lang]
    assert pcm.rate_hz == 22050
    assert np.abs(pcm.samples).max() > 3000
    words = len(text.split())
    expected_s = words / 165 * 60
    assert 0.5 * expected_s < pcm.duration_s < 2.0 * expected_s
    assert capfd.readouterr().out == ""  # the driver's "Audio saved" stays off stdout


def test_swedish_and_french_voices_sound_different(synthesizer, voices) -> None:
    text = "Bonjour Stockholm"
    sv = synthesizer.synthesize(text, VoiceSettings(voices["sv"], 165, 1.0))
    fr = synthesizer.synthesize(text, VoiceSettings(voices["fr"], 165, 1.0))
    n = min(len(sv.samples), len(fr.samples))
    assert len(sv.samples) != len(fr.samples) or not np.array_equal(sv.samples[:n], fr.samples[:n])


def test_rate_changes_duration_and_volume_is_a_gain(synthesizer, voices) -> None:
    slow = synthesizer.synthesize(SV, VoiceSettings(voices["sv"], 100, 1.0))
    fast = synthesizer.synthesize(SV, VoiceSettings(voices["sv"], 250, 1.0))
    assert slow.duration_s > 1.5 * fast.duration_s
    quiet = synthesizer.synthesize(SV, VoiceSettings(voices["sv"], 250, 0.5))
    assert np.abs(quiet.samples).max() == pytest.approx(np.abs(fast.samples).max() * 0.5, rel=0.05)
    assert apply_gain(fast, 1.0) is fast


def test_characters_espeak_cannot_say_do_not_break_it(synthesizer, voices) -> None:
    pcm = synthesizer.synthesize("☃ 𝄞 \ufffd ⟁", VoiceSettings(voices["fr"], 165, 1.0))
    assert pcm.rate_hz == 22050
    after = synthesizer.synthesize(FR, VoiceSettings(voices["fr"], 165, 1.0))
    assert after.duration_s > 1.0


def test_empty_text_is_a_clear_error(synthesizer, voices) -> None:
    with pytest.raises(SpeechError) as err:
        synthesizer.synthesize("  ", VoiceSettings(voices["sv"], 165, 1.0))
    assert err.value.code == "empty-text"


def test_a_broken_engine_is_rebuilt(synthesizer, voices) -> None:
    """runAndWait after a started loop raises and leaves the engine stuck: it is replaced."""
    built = synthesizer.engines_built

    def break_engine(engine):
        engine.startLoop(False)
        engine.runAndWait()

    with pytest.raises(SpeechError) as err:
        synthesizer.call(break_engine)
    assert err.value.code == "synthesis-failed"
    pcm = synthesizer.synthesize(SV, VoiceSettings(voices["sv"], 165, 1.0))
    assert pcm.duration_s > 2.0
    assert synthesizer.engines_built == built + 1


def test_a_hung_engine_is_replaced(synthesizer, voices) -> None:
    release = threading.Event()
    with pytest.raises(SpeechError) as err:
        synthesizer.call(lambda engine: release.wait(10), timeout_s=0.2)
    assert err.value.code == "synthesis-timeout"
    try:
        pcm = synthesizer.synthesize(FR, VoiceSettings(voices["fr"], 165, 1.0))
        assert pcm.duration_s > 1.0
    finally:
        release.set()
    again = synthesizer.synthesize(SV, VoiceSettings(voices["sv"], 165, 1.0))
    assert again.duration_s > 2.0


def test_calls_from_many_threads_are_served_one_at_a_time(synthesizer, voices) -> None:
    results: list[float] = []

    def worker(lang: str) -> None:
        text = SV if lang == "sv" else FR
        results.append(
            synthesizer.synthesize(text, VoiceSettings(voices[lang], 165, 1.0)).duration_s
        )

    threads = [threading.Thread(target=worker, args=(lang,)) for lang in ("sv", "fr") * 3]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(results) == 6 and min(results) > 1.0


def test_the_default_driver_and_its_name_share_one_engine(synthesizer, voices) -> None:
    # espeak-ng allows one engine per process: a second would take the first one's audio
    # callback, and the first would hang on its next utterance.
    default = Pyttsx3Synthesizer("")
    try:
        assert default._host is synthesizer._host
        pcm = synthesizer.synthesize(SV, VoiceSettings(voices["sv"], 165, 1.0))
        assert pcm.duration_s > 2.0
    finally:
        default.close()
