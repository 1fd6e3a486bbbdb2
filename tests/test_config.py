from __future__ import annotations

from pathlib import Path

import pytest

from assistant import PROJECT_DIR
from assistant.config import Config, VoiceConfig, config_from_dict, load_config
from assistant.errors import ConfigError


def test_example_file_documents_the_defaults() -> None:
    assert load_config(PROJECT_DIR / "kiosk.example.toml") == Config()


def test_values_override_defaults_and_paths_resolve_against_the_file(tmp_path: Path) -> None:
    f = tmp_path / "kiosk.toml"
    f.write_text(
        'languages = ["fr", "sv"]\n[content]\nfolder = "docs"\n'
        '[speech.voices.fr]\nrate_wpm = 120\n[dialog]\nmode = "push-to-talk"\n'
        'default_language = "fr"\n'
    )
    config = load_config(f)
    assert config.languages == ("fr", "sv")
    assert config.speech.voices["fr"] == VoiceConfig(rate_wpm=120)
    assert config.dialog.mode == "push-to-talk"
    assert config.path(config.content.folder) == tmp_path / "docs"
    assert isinstance(config.recognition.endpoint_silence_s, float)


@pytest.mark.parametrize(
    ("raw", "code", "words"),
    [
        ({"colour": 1}, "config-unknown-key", "colour"),
        ({"speech": {"voices": {"sv": {"pitch": 3}}}}, "config-unknown-key", "pitch"),
        ({"audio": {"block_s": "fast"}}, "config-bad-type", "audio.block_s"),
        ({"audio": {"input_rate_hz": True}}, "config-bad-type", "input_rate_hz"),
        ({"dialog": {"mode": "telepathy"}}, "config-bad-value", "dialog.mode"),
        ({"recognition": {"language": "de"}}, "config-bad-value", "recognition.language"),
        ({"speech": {"voices": {"sv": {"rate_wpm": 1000}}}}, "config-bad-value", "rate_wpm"),
        ({"dialog": {"idle_reset_s": 0}}, "config-bad-value", "idle_reset_s"),
        ({"languages": []}, "config-bad-value", "languages"),
        ({"logging": {"level": "LOUD"}}, "config-bad-value", "logging.level"),
        (
            {"recognition": {"quick_endpoint_silence_s": -0.1}},
            "config-bad-value",
            "quick_endpoint_silence_s",
        ),
    ],
)
def test_bad_values_name_the_key(raw: dict[str, object], code: str, words: str) -> None:
    with pytest.raises(ConfigError) as err:
        config_from_dict(raw, source="k.toml")
    assert err.value.code == code
    assert words in str(err.value)
    assert "k.toml" in str(err.value)


def test_syntax_error_and_missing_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[content\n")
    with pytest.raises(ConfigError) as err:
        load_config(bad)
    assert err.value.code == "config-syntax"
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path / "nope.toml")
    assert err.value.code == "config-missing"


def test_config_is_frozen() -> None:
    with pytest.raises(AttributeError):
        Config().languages = ("sv",)  # type: ignore[misc]
