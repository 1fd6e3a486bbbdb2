from __future__ import annotations

import shlex
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant import PROJECT_DIR
from assistant.config import (
    Config,
    NumericKey,
    VoiceConfig,
    config_from_dict,
    load_config,
    numeric_keys,
    ranges_markdown,
)
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


# --- ranges --------------------------------------------------------------------------------


def _nested(key: str, value: object) -> dict[str, object]:
    """``{"a": {"b": value}}`` for ``a.b``; ``<lang>`` reads ``sv``."""
    *tables, last = key.replace("<lang>", "sv").split(".")
    raw: dict[str, object] = {last: value}
    for table in reversed(tables):
        raw = {table: raw}
    return raw


def _value_at(config: Config, key: str) -> object:
    node: object = config
    for part in key.replace("<lang>", "sv").split("."):
        node = node[part] if isinstance(node, Mapping) else getattr(node, part)
    return node


NUMERIC = numeric_keys()


def test_every_numeric_key_has_a_range_that_holds_its_default() -> None:
    assert len(NUMERIC) >= 20, "the walk finds the numeric keys of every table"
    missing = [k.key for k in NUMERIC if k.range is None]
    assert not missing, (
        f"numeric keys without a range (field(metadata={{'range': ...}})): {missing}"
    )
    for k in NUMERIC:
        assert k.range is not None and k.default in k.range, k.key


@pytest.mark.parametrize("key", NUMERIC, ids=lambda k: k.key)
def test_each_numeric_key_refuses_values_just_outside_its_range(key: NumericKey) -> None:
    assert key.range is not None
    step = 1 if key.kind is int else 1e-6
    candidates = (key.range.hi + step, key.range.lo - step, -step)
    outside = [v for v in candidates if v not in key.range]
    assert key.range.hi + step in outside and -step in outside
    for value in outside:
        with pytest.raises(ConfigError) as err:
            config_from_dict(_nested(key.key, value), source="k.toml")
        message = str(err.value)
        assert err.value.code == "config-bad-value", message
        assert key.key.replace("<lang>", "sv") in message and "k.toml" in message
        assert key.range.describe() in message, "the error gives the allowed range"


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ({"recognition": {"min_confidence": 2}}, "recognition.min_confidence = 2.0"),
        ({"recognition": {"min_confidence": -1}}, "outside its range 0..1"),
        ({"matching": {"min_confidence": 2}}, "matching.min_confidence"),
        ({"recognition": {"recheck_interval_s": 1e-9}}, "recheck_interval_s = 1e-09"),
        ({"logging": {"event_log_max_mb": 1e-9}}, "0 (never rotated) or 0.01..100000"),
        ({"audio": {"block_s": 10**400}}, "audio.block_s is too large"),
        ({"dialog": {"idle_reset_s": float("nan")}}, "must be a finite number"),
        ({"dialog": {"idle_reset_s": float("-inf")}}, "must be a finite number"),
        ({"matching": {"answer_sentences": 2.0}}, "must be a whole number, not 2.0"),
        ({"recognition": {"max_alternatives": True}}, "must be a whole number, not True"),
        ({"speech": {"volume_step": False}}, "must be a number, not False"),
        ({"dialog": {"mode": True}}, "dialog.mode must be"),
    ],
)
def test_out_of_range_and_wrong_kinds_of_number(raw: dict[str, object], words: str) -> None:
    with pytest.raises(ConfigError) as err:
        config_from_dict(raw, source="k.toml")
    assert words in str(err.value)


def test_the_error_names_the_file_and_line_of_the_key(tmp_path: Path) -> None:
    f = tmp_path / "kiosk.toml"
    f.write_text(
        '# a kiosk\nlanguages = ["sv", "fr"]\n\n[speech.voices."fr"]\nrate_wpm = 130\n'
        "volume = 7 # too loud\n"
    )
    with pytest.raises(ConfigError) as err:
        load_config(f)
    assert f"{f}:6: speech.voices.fr.volume = 7.0 is outside its range 0..1" in str(err.value)
    f.write_text("[recognition]\nlanguage = 'auto'\n[logging]\nevent_log_max_mb = -5\n")
    with pytest.raises(ConfigError) as err:
        load_config(f)
    assert f"{f}:4: logging.event_log_max_mb" in str(err.value)
    assert "20.0" in (err.value.fix or ""), "the fix gives the default"


def test_the_range_documentation_is_generated_from_the_ranges() -> None:
    guide = (PROJECT_DIR / "docs" / "operator-guide.md").read_text(encoding="utf-8")
    begin, end = "<!-- ranges: begin -->\n", "<!-- ranges: end -->"
    assert begin in guide and end in guide
    table = guide.split(begin, 1)[1].split(end, 1)[0]
    assert table == ranges_markdown(), (
        "the table of ranges in docs/operator-guide.md is out of date: replace it with "
        "the text of assistant.config.ranges_markdown()"
    )


NUMBERS = st.one_of(
    st.integers(),
    st.integers(min_value=-(10**30), max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
)


@settings(max_examples=300, deadline=None)
@given(key=st.sampled_from(NUMERIC), value=NUMBERS)
def test_any_number_for_any_numeric_key_loads_within_range_or_is_a_config_error(
    key: NumericKey, value: object
) -> None:
    try:
        config = config_from_dict(_nested(key.key, value), source="k.toml")
    except ConfigError as exc:
        assert "k.toml" in str(exc)
        return
    loaded = _value_at(config, key.key)
    assert key.range is not None and loaded in key.range
    assert type(loaded) is key.kind


# --- languages and voices ------------------------------------------------------------------


def test_every_served_language_has_voice_settings_and_a_stray_voice_is_an_error() -> None:
    config = config_from_dict({"speech": {"voices": {"fr": {"rate_wpm": 120}}}})
    assert config.speech.voices == {"sv": VoiceConfig(), "fr": VoiceConfig(rate_wpm=120)}
    config = config_from_dict({"languages": ["fr"], "dialog": {"default_language": "fr"}})
    assert list(config.speech.voices) == ["fr"]
    with pytest.raises(ConfigError) as err:
        config_from_dict({"speech": {"voices": {"sw": {"rate_wpm": 120}}}}, source="k.toml")
    assert "[speech.voices.sw] is for a language not in languages" in str(err.value)
    with pytest.raises(ConfigError, match="names 'sv' twice"):
        config_from_dict({"languages": ["sv", "fr", "sv"]})
    with pytest.raises(ConfigError, match="languages\\[1\\] must be a language code"):
        config_from_dict({"languages": ["sv", " "]})


# --- fix hints -----------------------------------------------------------------------------


def test_commands_in_fix_hints_carry_the_config_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(PROJECT_DIR)
    f = tmp_path / "my kiosk.toml"
    f.write_text("")
    python = Path(sys.executable)
    shown = (
        str(python.relative_to(PROJECT_DIR)) if python.is_relative_to(PROJECT_DIR) else str(python)
    )
    assert load_config(f).command("models install") == (
        f"{shlex.quote(shown)} run.py --config {shlex.quote(str(f))} models install"
    )
    assert Config().command("doctor") == f"{shlex.quote(shown)} run.py doctor"
    monkeypatch.chdir(tmp_path)
    assert load_config(f).command("doctor").split()[1] == str(PROJECT_DIR / "run.py")
