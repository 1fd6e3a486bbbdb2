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
import re
import shlex
import sys
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
class Range:
    """The values a numeric key accepts: ``lo..hi``, and also 0 when ``zero`` says what 0
    means there ("never", "every core"). Every int and float key of the tree has one, beside
    its default (``field(metadata={"range": ...})``); loading refuses a value outside it."""

    lo: float
    hi: float
    zero: str = ""

    def __contains__(self, value: object) -> bool:
        if not isinstance(value, int | float) or isinstance(value, bool):
            return False
        return self.lo <= value <= self.hi or (bool(self.zero) and value == 0)

    def describe(self) -> str:
        span = f"{_number(self.lo)}..{_number(self.hi)}"
        return f"0 ({self.zero}) or {span}" if self.zero else span


def _number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _ranged(default: Any, lo: float, hi: float, zero: str = "") -> Any:
    """A numeric field with its default and its :class:`Range`."""
    return field(default=default, metadata={"range": Range(lo, hi, zero)})


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
    answer_sentences: int = _ranged(2, 1, 20)
    #: Lexical matching only (no encoder): below this confidence (0..1) nothing answers and
    #: the visitor hears the topics instead.
    min_confidence: float = _ranged(0.35, 0.0, 1.0)
    #: Sentence encoder for matching by meaning ("multilingual-e5-small"); "": lexical only.
    encoder: str = "multilingual-e5-small"
    #: Threads the encoder may use (0: as many as there are cores). One keeps a question at
    #: about 20 ms while speech recognition uses the other core; more can take seconds then.
    encoder_threads: int = _ranged(1, 1, 256, zero="every core")
    #: With the encoder: the best section answers when the probability that it is right is at
    #: least this; from ask_probability up to it, the kiosk asks back between the two best
    #: sections; below, it declines and lists the topics.
    answer_probability: float = _ranged(0.5, 0.0, 1.0)
    ask_probability: float = _ranged(0.25, 0.0, 1.0)
    #: For a question word the documents lack, the words of the same meaning that they have
    #: (the language's thesaurus, ``[language] thesaurus``) help find the section.
    thesaurus: bool = True
    #: Where the documents' vectors are kept between starts (relative to the config file);
    #: "": not kept (every start encodes the documents again).
    cache_folder: str = "cache"


@dataclass(frozen=True)
class VoiceConfig:
    """Speech output for one language."""

    #: Pin a voice by its driver id (``gmq/sv``, a SAPI token ...); empty: chosen by language.
    voice_id: str = ""
    #: Speaking rate in words per minute.
    rate_wpm: int = _ranged(165, 50, 500)
    #: Volume, 0..1.
    volume: float = _ranged(1.0, 0.0, 1.0)


def _default_voices() -> Mapping[str, VoiceConfig]:
    return {"sv": VoiceConfig(), "fr": VoiceConfig()}


@dataclass(frozen=True)
class SpeechConfig:
    #: pyttsx3 driver name (``espeak``, ``sapi5``, ``nsss``); empty: the platform's default.
    driver: str = ""
    #: Per-language voice, rate and volume (``[speech.voices.sv]`` ...).
    voices: Mapping[str, VoiceConfig] = field(default_factory=_default_voices)
    #: Step of "slower"/"faster", and the bounds of the rate.
    rate_step_wpm: int = _ranged(25, 1, 100)
    min_rate_wpm: int = _ranged(90, 50, 500)
    #: 450 words per minute is espeak-ng's fastest, the speed experienced screen-reader users
    #: choose.
    max_rate_wpm: int = _ranged(450, 50, 500)
    #: Step of "quieter"/"louder", and the bounds of the volume.
    volume_step: float = _ranged(0.15, 0.01, 0.5)
    min_volume: float = _ranged(0.2, 0.05, 1.0)
    max_volume: float = _ranged(1.0, 0.05, 1.0)
    #: Play earcons (short tones) when listening starts and stops and on errors.
    earcons: bool = True


@dataclass(frozen=True)
class AudioConfig:
    #: Input and output device by (part of) its name, as `run.py devices` lists it; empty: default.
    input_device: str = ""
    output_device: str = ""
    #: Capture rate; 0: 16000 Hz when the device accepts it, else the device's default rate.
    input_rate_hz: int = _ranged(0, 8000, 192000, zero="16000 Hz or the device's rate")
    #: Size of the blocks the microphone delivers, in seconds (the end of speech is noticed at
    #: the end of a block).
    block_s: float = _ranged(0.05, 0.01, 0.5)
    #: Echo cancellation of the kiosk's own voice in its microphone, with what it plays as the
    #: reference: ``speex`` (speexdsp's canceller, Debian's libspeexdsp1), ``webrtc``
    #: (WebRTC's AEC3 from the livekit package: it holds the echo from an answer's first
    #: words; for open loudspeakers only, see the operator guide) or ``off`` (none here, e.g.
    #: when ``input_device`` is a system echo-cancelled source).
    echo_cancel: Literal["speex", "webrtc", "off"] = "speex"
    #: The echo guard on the microphone while the kiosk speaks (the canceller above and a
    #: barge-in that needs the visitor's voice over the expected echo). On by default: without
    #: it an open loudspeaker's echo stops half the answers (docs/benchmarks.md,
    #: "Self-interruption"). It dates the microphone's blocks by their arrival, so it needs a
    #: microphone that delivers in real time (every sound card does).
    echo_guard: bool = True
    #: While the kiosk speaks, a voice barge-in needs the visitor this far above the expected
    #: echo (dB)...
    echo_margin_db: float = _ranged(4.0, 0.0, 40.0)
    #: ...for this long, heard as speech by the voice detector (seconds).
    barge_in_voice_s: float = _ranged(0.1, 0.02, 1.0)


@dataclass(frozen=True)
class RecognitionConfig:
    #: Recognition language: a language code, or ``auto`` to pick among all installed models.
    language: str = "auto"
    #: Silence that ends an utterance, in seconds.
    endpoint_silence_s: float = _ranged(0.8, 0.1, 5.0)
    #: What hears that silence: ``silero`` (a trained voice detector that holds in fan, music
    #: and footstep noise; docs/benchmarks.md), ``micro``, ``webrtc``, or ``level`` (the
    #: audio's level against the background, the endpoint before detectors).
    endpointer: Literal["silero", "micro", "webrtc", "level"] = "silero"
    #: Shorter silence that ends an utterance which already reads as a whole question (three
    #: words or more that a section answers); 0: always wait ``endpoint_silence_s`` (which
    #: is also the most it waits).
    quick_endpoint_silence_s: float = _ranged(0.35, 0.0, 5.0)
    #: Longest utterance; recognition is cut there.
    max_utterance_s: float = _ranged(15.0, 1.0, 120.0)
    #: Restrict the vocabulary to the content's words and the commands (lookahead models only).
    restrict_vocabulary: bool = True
    #: Transcripts with a mean word confidence below this are treated as "not understood".
    min_confidence: float = _ranged(0.45, 0.0, 1.0)
    #: Hypotheses asked of the recognizer per utterance. More than 1: the core chooses the
    #: hypothesis and the section together (a hypothesis the documents answer well wins over
    #: a slightly likelier one they do not); Vosk then gives no word confidences, and a
    #: transcript's confidence is the best hypothesis' share of the probability mass.
    max_alternatives: int = _ranged(1, 1, 10)
    #: While speech input is impossible (no model, no microphone), check again this often, in
    #: seconds; the kiosk starts listening as soon as it can, without a restart.
    recheck_interval_s: float = _ranged(30.0, 0.1, 3600.0)


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
    #: A model download must be done within this (seconds), however slowly the server sends.
    download_deadline_s: float = _ranged(3600.0, 10.0, 86400.0)
    #: After a failed install at start-up, the kiosk tries again this often (seconds).
    install_retry_s: float = _ranged(600.0, 1.0, 86400.0)


@dataclass(frozen=True)
class DialogConfig:
    #: ``hands-free`` (listens continuously) or ``push-to-talk`` (a key starts listening).
    mode: InteractionMode = "hands-free"
    #: After this long without a visitor, forget the conversation and greet again.
    idle_reset_s: float = _ranged(45.0, 1.0, 86400.0)
    #: This long before the idle reset, a visitor who is still there is asked to press a key
    #: or say something ("Är du kvar?"); time spent speaking does not count. 0: no warning;
    #: none either when it is not below idle_reset_s.
    idle_warning_s: float = _ranged(20.0, 1.0, 3600.0, zero="no warning")
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
    event_log_max_mb: float = _ranged(20.0, 0.01, 100_000.0, zero="never rotated")
    #: Privacy: transcripts and audio are not stored unless these are turned on.
    store_transcripts: bool = False
    store_audio: bool = False


#: What a key of the keypad (or the keyboard) does; see the keypad section of the operator guide.
KeyAction = Literal[
    "up",
    "down",
    "select",
    "back",
    "help",
    "language_previous",
    "language_next",
    "louder",
    "quieter",
    "faster",
    "slower",
    "repeat",
    "pause",
    "stop",
]
#: The keys a terminal reports by name (assistant/kiosk/inputs.py decodes them), and the
#: characters a numeric keypad types.
KEY_NAMES: tuple[str, ...] = (
    *("up", "down", "left", "right", "enter", "backspace", "tab", "home", "end"),
    *("pageup", "pagedown", "insert", "delete", "begin"),
    *(f"f{n}" for n in range(1, 13)),
    *"0123456789+-*/.",
)


def _default_keys() -> Mapping[str, KeyAction]:
    """A USB numeric keypad (NumLock on), and the arrows, Enter, Backspace and F-keys."""
    return {
        "8": "up",
        "up": "up",
        "2": "down",
        "down": "down",
        "5": "select",
        "enter": "select",
        "4": "back",
        "backspace": "back",
        "0": "help",
        "f1": "help",
        "left": "language_previous",
        "6": "language_next",
        "right": "language_next",
        "+": "louder",
        "-": "quieter",
        "*": "faster",
        "/": "slower",
        "1": "repeat",
        "f2": "repeat",
        "3": "pause",
        "f3": "pause",
        ".": "stop",
    }


@dataclass(frozen=True)
class KeypadConfig:
    #: Key name -> action. A table given here replaces the whole default map.
    keys: Mapping[str, KeyAction] = field(default_factory=_default_keys)


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
    keypad: KeypadConfig = field(default_factory=KeypadConfig)
    logging: LoggingConfig = field(default_factory=LoggingConfig)
    #: Folder that relative paths are resolved against (not a TOML key).
    base_dir: Path = field(default=PROJECT_DIR, compare=False)
    #: The file given with ``--config`` (not a TOML key); None: the default file or none.
    config_file: Path | None = field(default=None, compare=False)

    def path(self, relative: Path | str) -> Path:
        """Resolve a configured path against the config's folder."""
        p = Path(relative).expanduser()
        return p if p.is_absolute() else self.base_dir / p

    def command(self, arguments: str) -> str:
        """The shell command an operator runs for ``run.py <arguments>`` on this kiosk, for a
        fix hint: this Python, and ``--config FILE`` when the kiosk was given one, so the
        command acts on the same models and documents (``.venv/bin/python run.py --config
        /etc/rostguiden/kiosk.toml models install``). Paths are relative to the working
        folder when they are inside it."""
        python = _shown(Path(sys.executable)) if sys.executable else "python3"
        words = [python, _shown(PROJECT_DIR / "run.py")]
        if self.config_file is not None:
            words += ["--config", str(self.config_file.absolute())]
        return " ".join(shlex.quote(w) for w in words) + (f" {arguments}" if arguments else "")

    def runnable(self, text: str) -> str:
        """``text`` (a fix hint, an error line) with each ``python run.py`` in it written as
        :meth:`command` writes it for this kiosk. Fix hints are made where the problem is found,
        as ``python run.py ...``; they get the kiosk's Python and config where they are shown
        (the doctor's report, the kiosk's notices, a command's error line)."""
        return _RUN_PY.sub(lambda _match: self.command(""), text)


#: ``python run.py`` as fix hints write it (not inside a path: a rendered one stays as it is).
_RUN_PY = re.compile(r"(?<![\w./-])python3? run\.py(?![\w.-])")


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except (ValueError, OSError):  # outside the working folder, or it is gone
        return str(path)


DEFAULT_CONFIG_FILE = PROJECT_DIR / "kiosk.toml"


def load_config(path: Path | None = None) -> Config:
    """Load the config file, or the defaults when there is none.

    ``path`` None means ``kiosk.toml`` in the project folder if it exists. A path that is given
    but missing is an error.
    """
    given = path
    if path is None:
        if not DEFAULT_CONFIG_FILE.is_file():
            return Config()
        path = DEFAULT_CONFIG_FILE
    try:
        text = path.read_text(encoding="utf-8")
        raw = tomllib.loads(text)
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
    config = config_from_dict(raw, source=str(path), text=text)
    return dataclasses.replace(config, base_dir=path.resolve().parent, config_file=given)


def config_from_dict(
    raw: Mapping[str, Any], *, source: str = "<config>", text: str | None = None
) -> Config:
    """Build a validated :class:`Config` from parsed TOML; ``text``, the file's text, lets an
    error name the line of the key."""
    where = _Source(source, text)
    config: Config = _build(Config, raw, where, "")
    config = _with_served_voices(config, raw, where)
    _validate(config, where)
    return config


class _Source:
    """Names the place of a key in errors: ``kiosk.toml:12`` (the line when the text is known
    and the key is written there plainly), else ``kiosk.toml``."""

    _TABLE = re.compile(r"\s*\[+\s*([^\[\]]+?)\s*\]+\s*(#.*)?$")
    _KEY = re.compile(r"\s*([A-Za-z0-9_\-.\"' ]+?)\s*=")

    def __init__(self, name: str, text: str | None) -> None:
        self.name = name
        self._lines: dict[str, int] = {}
        table = ""
        for number, line in enumerate((text or "").splitlines(), start=1):
            if m := self._TABLE.match(line):
                table = _dotted(m.group(1))
                self._lines.setdefault(table, number)
            elif m := self._KEY.match(line):
                key = _dotted(m.group(1))
                self._lines.setdefault(f"{table}.{key}" if table else key, number)

    def __call__(self, where: str = "") -> str:
        key = re.sub(r"\[\d+\]$", "", where.split("/", maxsplit=1)[0])
        line = self._lines.get(key)
        return f"{self.name}:{line}" if line else self.name


def _dotted(key: str) -> str:
    return ".".join(part.strip().strip("\"'") for part in key.split("."))


def _build(cls: type[Any], raw: Any, source: _Source, where: str) -> Any:
    if not isinstance(raw, Mapping):
        raise _type_error(source, where.rstrip("."), "a table", raw)
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.compare}
    unknown = sorted(set(raw) - set(fields))
    if unknown:
        keys = ", ".join(f"{where}{k}" for k in unknown)
        raise ConfigError(
            "config-unknown-key",
            f"{source(where + unknown[0])}: unknown key {keys}",
            fix=f"known keys here: {', '.join(fields)}",
        )
    values = {}
    for name in raw:
        value = _convert(hints[name], raw[name], source, where + name)
        bounds = fields[name].metadata.get("range")
        if bounds is not None and value not in bounds:
            raise ConfigError(
                "config-bad-value",
                f"{source(where + name)}: {where}{name} = {value!r} is outside its range "
                f"{bounds.describe()}",
                fix=f"give a value in {bounds.describe()}, or leave the key out for its "
                f"default, {fields[name].default!r}",
            )
        values[name] = value
    return cls(**values)


def _convert(hint: Any, value: Any, source: _Source, where: str) -> Any:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if dataclasses.is_dataclass(hint):
        return _build(hint, value, source, where + ".")  # type: ignore[arg-type]
    if origin is Literal:
        if isinstance(value, bool) or value not in args:
            choices = " or ".join(repr(a) for a in args)
            raise ConfigError("config-bad-value", f"{source(where)}: {where} must be {choices}")
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
        try:
            number = float(value)
        except OverflowError:  # an integer too large for any float: outside every range
            raise ConfigError(
                "config-bad-value", f"{source(where)}: {where} is too large"
            ) from None
        if not math.isfinite(number):  # TOML allows nan and inf; no setting means either
            raise ConfigError(
                "config-bad-value", f"{source(where)}: {where} must be a finite number"
            )
        return number
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _type_error(source, where, "a whole number", value)
        return value
    if hint is type(None):
        raise _type_error(source, where, "nothing", value)
    if isinstance(hint, type):
        if not isinstance(value, hint):
            name = {str: "a string", bool: "true or false"}.get(hint, f"a {hint.__name__}")
            raise _type_error(source, where, name, value)
        return value
    unsupported = f"{where} has an unsupported type {hint}"
    raise ConfigError("config-internal", f"{source(where)}: {unsupported}")


def _type_error(source: _Source, where: str, expected: str, value: Any) -> ConfigError:
    return ConfigError(
        "config-bad-type",
        f"{source(where)}: {where or 'the file'} must be {expected}, not {value!r}",
    )


def _with_served_voices(config: Config, raw: Mapping[str, Any], source: _Source) -> Config:
    """Every served language has its voice settings (the defaults where the file gives none,
    as for any key left out); a voice table for a language not served is an error (a typo)."""
    speech = raw.get("speech", {})
    given = speech.get("voices", {}) if isinstance(speech, Mapping) else {}
    for lang in given:
        if lang not in config.languages:
            where = f"speech.voices.{lang}"
            raise ConfigError(
                "config-bad-value",
                f"{source(where)}: [{where}] is for a language not in languages "
                f"{list(config.languages)}",
                fix=f"add {lang!r} to languages, or correct or remove the table",
            )
    voices = {lang: config.speech.voices.get(lang, VoiceConfig()) for lang in config.languages}
    return dataclasses.replace(config, speech=dataclasses.replace(config.speech, voices=voices))


def _validate(config: Config, source: _Source) -> None:
    """What one key's range cannot say: the keys that depend on each other."""

    def bad(where: str, why: str) -> ConfigError:
        return ConfigError("config-bad-value", f"{source(where)}: {where} {why}")

    if not config.languages:
        raise bad("languages", "must name at least one language")
    for i, lang in enumerate(config.languages):
        if not lang.strip():
            raise bad(f"languages[{i}]", "must be a language code, not an empty string")
        if lang in config.languages[:i]:
            raise bad("languages", f"names {lang!r} twice")
    # Any language with a model may be recognized; the dialog answers it in its own language.
    recognizable = ("auto", *config.languages, *config.models.languages)
    if config.recognition.language not in recognizable:
        raise bad("recognition.language", f"must be 'auto' or one of {list(recognizable[1:])}")
    if config.dialog.default_language not in config.languages:
        raise bad("dialog.default_language", f"must be one of {list(config.languages)}")
    for key in config.keypad.keys:
        if key not in KEY_NAMES:
            raise bad(f"keypad.keys.{key}", f"is not a key name (known: {' '.join(KEY_NAMES)})")
    s = config.speech
    if not s.min_rate_wpm <= s.max_rate_wpm:
        raise bad("speech.min_rate_wpm/max_rate_wpm", "must satisfy min <= max")
    if not s.min_volume <= s.max_volume:
        raise bad("speech.min_volume/max_volume", "must satisfy min <= max")
    for lang, voice in s.voices.items():
        if not s.min_rate_wpm <= voice.rate_wpm <= s.max_rate_wpm:
            raise bad(
                f"speech.voices.{lang}.rate_wpm",
                f"= {voice.rate_wpm} is outside min_rate_wpm..max_rate_wpm "
                f"({s.min_rate_wpm}..{s.max_rate_wpm})",
            )
        if not s.min_volume <= voice.volume <= s.max_volume:
            raise bad(
                f"speech.voices.{lang}.volume",
                f"= {voice.volume:g} is outside min_volume..max_volume "
                f"({s.min_volume:g}..{s.max_volume:g})",
            )
    m = config.matching
    if not m.ask_probability <= m.answer_probability:
        raise bad(
            "matching.ask_probability/answer_probability", "must satisfy 0 <= ask <= answer <= 1"
        )
    if config.logging.level.upper() not in logging.getLevelNamesMapping():
        raise bad("logging.level", "must be DEBUG, INFO, WARNING or ERROR")


@dataclass(frozen=True)
class NumericKey:
    """One numeric key of the tree, for documentation and tests."""

    key: str  #: ``table.key``; a table per language reads ``speech.voices.<lang>.rate_wpm``
    kind: type  #: int or float
    default: Any
    range: Range | None


def numeric_keys(cls: type[Any] = Config, prefix: str = "") -> list[NumericKey]:
    """Every int and float key of the configuration tree, in the order of the dataclasses."""
    found: list[NumericKey] = []
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        if not f.compare:
            continue
        hint = hints[f.name]
        args = typing.get_args(hint)
        if dataclasses.is_dataclass(hint):
            found += numeric_keys(hint, f"{prefix}{f.name}.")  # type: ignore[arg-type]
        elif typing.get_origin(hint) is Mapping and dataclasses.is_dataclass(args[1]):
            found += numeric_keys(args[1], f"{prefix}{f.name}.<lang>.")  # type: ignore[arg-type]
        elif hint in (int, float):
            found.append(NumericKey(prefix + f.name, hint, f.default, f.metadata.get("range")))
    return found


def ranges_markdown() -> str:
    """The table of every numeric key with its default and range (docs/operator-guide.md)."""
    rows = ["| key | default | allowed |", "| --- | --- | --- |"]
    for k in numeric_keys():
        default = _number(k.default) if k.kind is int else f"{k.default:g}"
        allowed = k.range.describe() if k.range is not None else "(no range)"
        rows.append(f"| `{k.key}` | {default} | {allowed} |")
    return "\n".join(rows) + "\n"
