"""Voice choice across drivers' ways of naming languages, and the rate/volume steps."""

from __future__ import annotations

import pytest

from assistant.config import SpeechConfig
from assistant.errors import SpeechError
from assistant.speech_out.voices import (
    Change,
    VoiceInfo,
    VoiceSettings,
    adjusted,
    choose_voice,
    language_of,
)

ESPEAK = [
    VoiceInfo("gmw/en", "English (Great Britain)", ("en-gb",)),
    VoiceInfo("roa/fr-be", "French (Belgium)", ("fr-be",)),
    VoiceInfo("roa/fr", "French (France)", ("fr-fr",)),
    VoiceInfo("roa/fr-ch", "French (Switzerland)", ("fr-ch",)),
    VoiceInfo("gmq/sv", "Swedish", ("sv",)),
]
NSSS = [
    VoiceInfo("com.apple.voice.compact.fr-CA.Amelie", "Amélie", ("fr_CA",)),
    VoiceInfo("com.apple.voice.compact.fr-FR.Thomas", "Thomas", ("fr_FR",)),
    VoiceInfo("com.apple.voice.compact.sv-SE.Alva", "Alva", ("sv_SE",)),
]
SAPI = [
    VoiceInfo("HKEY\\Tokens\\TTS_MS_EN-US_ZIRA_11.0", "Microsoft Zira Desktop", ("en-US",)),
    VoiceInfo("HKEY\\Tokens\\TTS_MS_SV-SE_BENGT_11.0", "Microsoft Bengt", ("41d",)),
    VoiceInfo("HKEY\\Tokens\\TTS_MS_FR-FR_HORTENSE", "Microsoft Hortense - French", ()),
]


@pytest.mark.parametrize(
    ("tag", "lang"),
    [
        ("sv", "sv"),
        ("fr-fr", "fr"),
        ("sv_SE", "sv"),
        ("fr-BE", "fr"),
        ("41d", "sv"),
        ("40c", "fr"),
        (b"\x05sv", "sv"),
        ("", ""),
        ("Unknown Locale: 99999", ""),
    ],
)
def test_language_of_reduces_driver_tags_to_the_language(tag: str | bytes, lang: str) -> None:
    assert language_of(tag) == lang


@pytest.mark.parametrize(
    ("voices", "lang", "expected"),
    [
        (ESPEAK, "sv", "gmq/sv"),
        (ESPEAK, "fr", "roa/fr"),
        (NSSS, "fr", "com.apple.voice.compact.fr-FR.Thomas"),
        (NSSS, "sv", "com.apple.voice.compact.sv-SE.Alva"),
        (SAPI, "sv", "HKEY\\Tokens\\TTS_MS_SV-SE_BENGT_11.0"),
        (SAPI, "fr", "HKEY\\Tokens\\TTS_MS_FR-FR_HORTENSE"),
    ],
)
def test_choose_voice_prefers_the_main_variant(voices, lang, expected) -> None:
    assert choose_voice(voices, lang).id == expected


def test_a_pinned_voice_wins_and_a_missing_pin_is_an_error() -> None:
    assert choose_voice(ESPEAK, "fr", "roa/fr-ch").id == "roa/fr-ch"
    with pytest.raises(SpeechError) as err:
        choose_voice(ESPEAK, "fr", "roa/fr-qc")
    assert err.value.code == "voice-missing"
    assert "roa/fr-be" in err.value.message


def test_no_voice_for_a_language_lists_the_voices() -> None:
    with pytest.raises(SpeechError) as err:
        choose_voice(ESPEAK, "fi")
    assert err.value.code == "no-voice"
    assert "gmq/sv" in err.value.message and "roa/fr" in err.value.message
    assert err.value.fix


def test_steps_move_rate_and_volume_within_bounds() -> None:
    config = SpeechConfig()
    s = VoiceSettings("gmq/sv", 165, 1.0)
    assert adjusted(s, "faster", config).rate_wpm == 165 + config.rate_step_wpm
    assert adjusted(s, "slower", config).rate_wpm == 165 - config.rate_step_wpm
    assert adjusted(s, "quieter", config).volume == pytest.approx(1.0 - config.volume_step)
    assert adjusted(s, "louder", config).volume == config.max_volume
    cases: list[tuple[Change, str, float]] = [
        ("faster", "rate_wpm", config.max_rate_wpm),
        ("slower", "rate_wpm", config.min_rate_wpm),
        ("quieter", "volume", config.min_volume),
    ]
    for change, attr, bound in cases:
        current = s
        for _ in range(50):
            current = adjusted(current, change, config)
        assert getattr(current, attr) == pytest.approx(bound)


@pytest.mark.real_tts
def test_the_real_engine_has_a_swedish_and_a_french_voice() -> None:
    from assistant.speech_out.synthesis import Pyttsx3Synthesizer

    synthesizer = Pyttsx3Synthesizer("espeak")
    try:
        voices = synthesizer.list_voices()
    finally:
        synthesizer.close()
    assert choose_voice(voices, "sv").id == "gmq/sv"
    assert choose_voice(voices, "fr").id == "roa/fr"
