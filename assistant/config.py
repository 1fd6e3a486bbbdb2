"""Configuration: one frozen dataclass tree, loaded from TOML, with every default in this file.

A kiosk reads one TOML file (``--config FILE``, else ``kiosk.toml`` in the project folder when
it exists, else the defaults). Every table and key of the file maps onto a field below; an
unknown key or a value of the wrong type is an error that names the file and the key, never
silently ignored. Relative paths are resolved against the folder of the config file (or the
project folder when there is none). ``kiosk.example.toml`` documents every key; a test keeps it
equal to these defaults.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from assistant import PROJECT_DIR
from assistant.errors import ConfigError

logger = logging.getLogger(__name__)

InteractionMode = Literal["hands-free", "push-to-talk"]


@dataclass(frozen=True)
class ContentConfig:
    #: Folder with the documents (Markdown with front matter, see content/README.md).
    folder: Path = Path("content")
    #: A folder of extra languages (one subfolder per language code, as in assistant/lang/);
    #: empty: the built-in languages only.
    language_folder: str = ""


@dataclass(frozen=True)
class MatchingConfig:
    #: How many sentences of the matched section the short answer reads before offering "more".
    answer_sentences: int = 2
    #: Lexical matching only (no encoder): below this confidence (0..1) nothing answers and
    #: the visitor hears the topics instead.
    min_confidence: float = 0.35
    #: Sentence encoder for matching by meaning ("multilingual-e5-small"); "": lexical only.
    encoder: str = "multilingual-e5-small"
    #: Threads the encoder may use (0: as many as there are cores). One keeps a question at
    #: about 20 ms while speech recognition uses the other core; more can take seconds then.
    encoder_threads: int = 1
    #: With the encoder: the best section answers when the probability that it is right is at
    #: least this; from ask_probability up to it, the kiosk asks back between the two best
    #: sections; below, it declines and lists the topics.
    answer_probability: float = 0.5
    ask_probability: float = 0.25
    #: Where the documents' vectors are kept between starts (relative to the config file);
    #: "": not kept (every start encodes the documents again).
    cache_folder: str = "cache"


@dataclass(frozen=True)
class VoiceConfig:
    """Speech output for one language."""

    #: Pin a voice by its driver id (``gmq/sv``, a SAPI token ...); empty: chosen by language.
    voice_id: str = ""
    #: Speaking rate in words per minute.
    rate_wpm: int = 165
    #: Volume, 0..1.
    volume: float = 1.0


def _default_voices() -> Mapping[str, VoiceConfig]:
    return {"sv": VoiceConfig(), "fr": VoiceConfig()}


@dataclass(frozen=True)
class SpeechConfig:
    #: pyttsx3 driver name (``espeak``, ``sapi5``, ``nsss``); empty: the platform's default.
    driver: str = ""
    #: Per-language voice, rate and volume (``[speech.voices.sv]`` ...).
    voices: Mapping[str, VoiceConfig] = field(default_factory=_default_voices)
    #: Step of "slower"/"faster", and the bounds of the rate.
    rate_step_wpm: int = 25
    min_rate_wpm: int = 90
    max_rate_wpm: int = 280
    #: Step of "quieter"/"louder", and the bounds of the volume.
    volume_step: float = 0.15
    min_volume: float = 0.2
    max_volume: float = 1.0
    #: Play earcons (short tones) when listening starts and stops and on errors.
    earcons: bool = True


@dataclass(frozen=True)
class AudioConfig:
    #: Input and output device by (part of) its name, as `run.py devices` lists it; empty: default.
    input_device: str = ""
    output_device: str = ""
    #: Capture rate; 0: 16000 Hz when the device accepts it, else the device's default rate.
    input_rate_hz: int = 0
    #: Size of the blocks the microphone delivers, in seconds (the end of speech is noticed at
    #: the end of a block).
    block_s: float = 0.05


@dataclass(frozen=True)
class RecognitionConfig:
    #: Recognition language: a language code, or ``auto`` to pick among all installed models.
    language: str = "auto"
    #: Silence that ends an utterance, in seconds.
    endpoint_silence_s: float = 0.8
    #: Shorter silence that ends an utterance which already reads as a whole question (three
    #: words or more that a section answers); 0: always wait ``endpoint_silence_s`` (which
    #: is also the most it waits).
    quick_endpoint_silence_s: float = 0.35
    #: Longest utterance; recognition is cut there.
    max_utterance_s: float = 15.0
    #: Restrict the vocabulary to the content's words and the commands (lookahead models only).
    restrict_vocabulary: bool = True
    #: Transcripts with a mean word confidence below this are treated as "not understood".
    min_confidence: float = 0.45
    #: Hypotheses asked of the recognizer per utterance. More than 1: the core chooses the
    #: hypothesis and the section together (a hypothesis the documents answer well wins over
    #: a slightly likelier one they do not); Vosk then gives no word confidences, and a
    #: transcript's confidence is the best hypothesis' share of the probability mass.
    max_alternatives: int = 1
    #: While speech input is impossible (no model, no microphone), check again this often, in
    #: seconds; the kiosk starts listening as soon as it can, without a restart.
    recheck_interval_s: float = 30.0


def _default_model_names() -> Mapping[str, str]:
    return {"sv": "vosk-model-small-sv-rhasspy-0.15", "fr": "vosk-model-small-fr-0.22"}


@dataclass(frozen=True)
class ModelsConfig:
    #: Where Vosk models are installed, one folder per model.
    folder: Path = Path("models")
    #: Model (folder name under ``folder``, or a catalog name) per language code.
    languages: Mapping[str, str] = field(default_factory=_default_model_names)
    #: Install the recommended models at start-up when they are missing.
    auto_install: bool = True
    #: Where official models are downloaded from.
    download_url: str = "https://alphacephei.com/vosk/models"


@dataclass(frozen=True)
class DialogConfig:
    #: ``hands-free`` (listens continuously) or ``push-to-talk`` (a key starts listening).
    mode: InteractionMode = "hands-free"
    #: After this long without a visitor, forget the conversation and greet again.
    idle_reset_s: float = 45.0
    #: Language of the first answer when it cannot be told from the question.
    default_language: str = "sv"
    #: Speaking while the kiosk talks stops it (hands-free). Turn off with an open speaker and
    #: no echo cancellation: the kiosk's own voice would interrupt it (the button still does).
    voice_barge_in: bool = True


@dataclass(frozen=True)
class LoggingConfig:
    #: Log level of the program's own log (stderr).
    level: str = "INFO"
    #: Event log (JSON lines); empty: no event log.
    event_log: str = "logs/events.jsonl"
    #: The event log is rotated at this size: the full file becomes ``<event_log>.1`` (the one
    #: before it is dropped), so the two together never take more than twice this. 0: never.
    event_log_max_mb: float = 20.0
    #: Privacy: transcripts and audio are not stored unless these are turned on.
    store_transcripts: bool = False
    store_audio: bool = False


@dataclass(frozen=True)
class Config:
    #: Languages the kiosk serves, in the order it greets in.
    languages: tuple[str, ...] = ("sv", "fr")
    content: ContentConfig = field(default_factory=ContentConfig)
    matching: MatchingConfig = field(default_factory=MatchingConfig)
    speech: SpeechConfig = field(default_factory=SpeechConfig)
    audio: AudioConfig = field(default_factory=AudioConfig)
    recognition: RecognitionConfig = field(default_factory=RecognitionConfig)
    models: ModelsConfig = field(default_factory=ModelsConfig)
    dialog: DialogConfig = field(default_factory=DialogConfig)
    logging: LoggingConfig = field(default_factory=LoggingConfig)
    #: Folder that relative paths are resolved against (not a TOML key).
    base_dir: Path = field(default=PROJECT_DIR, compare=False)

    def path(self, relative: Path | str) -> Path:
        """Resolve a configured path against the config's folder."""
        p = Path(relative).expanduser()
        return p if p.is_absolute() else self.base_dir / p


DEFAULT_CONFIG_FILE = PROJECT_DIR / "kiosk.toml"


def load_config(path: Path | None = None) -> Config:
    """Load the config file, or the defaults when there is none.

    ``path`` None means ``kiosk.toml`` in the project folder if it exists. A path that is given
    but missing is an error.
    """
    if path is None:
        if not DEFAULT_CONFIG_FILE.is_file():
            return Config()
        path = DEFAULT_CONFIG_FILE
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            "config-missing", f"{path}: no such file", fix="give an existing --config file"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError("config-unreadable", f"{path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            "config-syntax", f"{path}: {exc}", fix="correct the TOML syntax"
        ) from None
    config = config_from_dict(raw, source=str(path))
    return dataclasses.replace(config, base_dir=path.resolve().parent)


def config_from_dict(raw: Mapping[str, Any], *, source: str = "<config>") -> Config:
    """Build a validated :class:`Config` from parsed TOML."""
    config: Config = _build(Config, raw, source, "")
    _validate(config, source)
    return config


def _build(cls: type[Any], raw: Any, source: str, where: str) -> Any:
    if not isinstance(raw, Mapping):
        raise _type_error(source, where, "a table", raw)
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.name != "base_dir"}
    unknown = sorted(set(raw) - set(fields))
    if unknown:
        keys = ", ".join(f"{where}{k}" for k in unknown)
        raise ConfigError(
            "config-unknown-key",
            f"{source}: unknown key {keys}",
            fix=f"known keys here: {', '.join(fields)}",
        )
    values = {name: _convert(hints[name], raw[name], source, where + name) for name in raw}
    return cls(**values)


def _convert(hint: Any, value: Any, source: str, where: str) -> Any:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if dataclasses.is_dataclass(hint):
        return _build(hint, value, source, where + ".")  # type: ignore[arg-type]
    if origin is Literal:
        if value not in args:
            choices = " or ".join(repr(a) for a in args)
            raise ConfigError("config-bad-value", f"{source}: {where} must be {choices}")
        return value
    if origin in (typing.Union, types.UnionType):
        for option in args:
            try:
                return _convert(option, value, source, where)
            except ConfigError:
                continue
        raise _type_error(source, where, str(hint), value)
    if origin in (Mapping, dict) or hint is dict:
        if not isinstance(value, Mapping):
            raise _type_error(source, where, "a table", value)
        _key_type, value_type = args
        return {str(k): _convert(value_type, v, source, f"{where}.{k}") for k, v in value.items()}
    if origin is tuple:
        if not isinstance(value, list):
            raise _type_error(source, where, "a list", value)
        return tuple(_convert(args[0], v, source, f"{where}[{i}]") for i, v in enumerate(value))
    if hint is Path:
        if not isinstance(value, str):
            raise _type_error(source, where, "a path (string)", value)
        return Path(value)
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _type_error(source, where, "a number", value)
        if not math.isfinite(value):  # TOML allows nan and inf; no setting means either
            raise ConfigError("config-bad-value", f"{source}: {where} must be a finite number")
        return float(value)
    if hint is type(None):
        raise _type_error(source, where, "nothing", value)
    if isinstance(hint, type):
        if not isinstance(value, hint) or (hint is int and isinstance(value, bool)):
            raise _type_error(source, where, f"a {hint.__name__}", value)
        return value
    raise ConfigError("config-internal", f"{source}: {where} has an unsupported type {hint}")


def _type_error(source: str, where: str, expected: str, value: Any) -> ConfigError:
    return ConfigError(
        "config-bad-type",
        f"{source}: {where or 'the file'} must be {expected}, not {value!r}",
    )


def _validate(config: Config, source: str) -> None:
    def bad(where: str, why: str) -> ConfigError:
        return ConfigError("config-bad-value", f"{source}: {where} {why}")

    if not config.languages:
        raise bad("languages", "must name at least one language")
    # Any language with a model may be recognized; the dialog answers it in its own language.
    recognizable = ("auto", *config.languages, *config.models.languages)
    if config.recognition.language not in recognizable:
        raise bad("recognition.language", f"must be 'auto' or one of {list(recognizable[1:])}")
    if config.dialog.default_language not in config.languages:
        raise bad("dialog.default_language", f"must be one of {list(config.languages)}")
    s = config.speech
    if not 0 < s.min_rate_wpm <= s.max_rate_wpm:
        raise bad("speech.min_rate_wpm/max_rate_wpm", "must satisfy 0 < min <= max")
    if not 0 < s.min_volume <= s.max_volume <= 1:
        raise bad("speech.min_volume/max_volume", "must satisfy 0 < min <= max <= 1")
    for lang, voice in s.voices.items():
        if not s.min_rate_wpm <= voice.rate_wpm <= s.max_rate_wpm:
            raise bad(f"speech.voices.{lang}.rate_wpm", "is outside min_rate_wpm..max_rate_wpm")
        if not s.min_volume <= voice.volume <= s.max_volume:
            raise bad(f"speech.voices.{lang}.volume", "is outside min_volume..max_volume")
    m = config.matching
    if not 0 <= m.min_confidence <= 1:
        raise bad("matching.min_confidence", "must be between 0 and 1")
    if not 0 <= m.ask_probability <= m.answer_probability <= 1:
        raise bad(
            "matching.ask_probability/answer_probability", "must satisfy 0 <= ask <= answer <= 1"
        )
    if not 1 <= config.recognition.max_alternatives <= 10:
        raise bad("recognition.max_alternatives", "must be between 1 and 10")
    if m.encoder_threads < 0:
        raise bad("matching.encoder_threads", "must be 0 (all cores) or more")
    positive = {
        "audio.block_s": config.audio.block_s,
        "recognition.endpoint_silence_s": config.recognition.endpoint_silence_s,
        "recognition.max_utterance_s": config.recognition.max_utterance_s,
        "recognition.recheck_interval_s": config.recognition.recheck_interval_s,
        "dialog.idle_reset_s": config.dialog.idle_reset_s,
        "matching.answer_sentences": config.matching.answer_sentences,
    }
    for where, number in positive.items():
        if number <= 0:
            raise bad(where, "must be positive")
    if config.recognition.quick_endpoint_silence_s < 0:
        raise bad("recognition.quick_endpoint_silence_s", "must be 0 or more")
    if config.logging.event_log_max_mb < 0:
        raise bad("logging.event_log_max_mb", "must be 0 (never rotated) or more")
    if config.logging.level.upper() not in logging.getLevelNamesMapping():
        raise bad("logging.level", "must be DEBUG, INFO, WARNING or ERROR")
