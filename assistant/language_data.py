"""The languages the kiosk knows, as data: one folder per language, read and checked once.

Each language is a folder named by its code (``assistant/lang/sv/``, ``assistant/lang/fr/``;
more from :func:`add_folder`) with four TOML files a translator can read and extend:

- ``language.toml``: its name, Snowball stemmer, letters, elisions, stopwords, question cues;
- ``commands.toml``: how visitors say each command (phrasings, verb/object rules, the names
  of the languages, words that go with any command, fillers);
- ``everyday.toml``: general everyday wording (idioms, synonyms);
- ``texts.toml``: every sentence the kiosk says outside of the documents (``[texts]``), and
  the words it reads addresses with (``[symbols]``: "punkt" for the dot of "www.exempel.se").

Loading checks the structure: unknown or missing keys, values of the wrong type, a phrasing
of an unknown command, a phrasing listed under two commands, a sentence missing or with an
unknown ``{placeholder}``, a symbol without a word. A problem is a
:class:`~assistant.errors.ConfigError` naming the file and the entry. Checks that need the
language analysis (a word that is a stopword where only content words count) are made by
:mod:`assistant.understanding` when it builds its tables.
"""

from __future__ import annotations

import logging
import string
import threading
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

from assistant.errors import ConfigError

logger = logging.getLogger(__name__)

#: The built-in languages' folders.
BUILTIN_FOLDER = Path(__file__).resolve().parent / "lang"

#: What a visitor's utterance asks for: a question about the documents, or a command.
Intent = Literal[
    "question",
    "repeat",
    "more",
    "stop",
    "help",
    "slower",
    "faster",
    "louder",
    "quieter",
    "language",
    "yes",
    "no",
    "thanks",
    "first",
    "second",
    "pause",
    "more_topics",
    "repeat_number",
]

#: The commands a visitor can give (the intents other than a question).
COMMANDS: tuple[str, ...] = tuple(i for i in get_args(Intent) if i != "question")

#: Every sentence a language must have, and the placeholders each may use.
TEXT_KEYS: Mapping[str, frozenset[str]] = {
    "topics_intro": frozenset(),
    "topic_item": frozenset({"ordinal", "title"}),
    "topics_more": frozenset(),
    "topics_end": frozenset(),
    "no_more_topics": frozenset(),
    "ordinals": frozenset(),
    "no_number": frozenset(),
    "no_answer": frozenset(),
    "no_question": frozenset(),
    "help": frozenset(),
    "ask_back": frozenset({"first", "second"}),
    "topics_elsewhere": frozenset({"language"}),
    "and": frozenset(),
    "greeting": frozenset(),
    "offer_more": frozenset(),
    "no_more": frozenset(),
    "not_understood": frozenset(),
    "offer_help": frozenset(),
    "typed_empty": frozenset(),
    "no_match": frozenset(),
    "no_help": frozenset(),
    "no_translation": frozenset(),
    "apology": frozenset(),
    "input_lost": frozenset(),
    "input_lost_wait": frozenset(),
    "input_back": frozenset(),
    "now_slower": frozenset(),
    "now_faster": frozenset(),
    "now_louder": frozenset(),
    "now_quieter": frozenset(),
    "limit_slower": frozenset(),
    "limit_faster": frozenset(),
    "limit_louder": frozenset(),
    "limit_quieter": frozenset(),
    "ask_question": frozenset(),
    "ok_ask_again": frozenset(),
    "welcome": frozenset(),
    "topic_position": frozenset({"title", "position", "count"}),
    "idle_warning": frozenset(),
    "key_offer_more": frozenset(),
    "key_help": frozenset(),
    "nav_top": frozenset(),
    "speech_input_model_missing": frozenset(),
    "speech_input_other": frozenset(),
    "speech_input_coming": frozenset(),
    "speech_input_coming_wait": frozenset(),
    "speech_input_ready": frozenset(),
}

#: The characters of web and e-mail addresses the kiosk reads as words, by name.
SYMBOL_KEYS: tuple[str, ...] = ("dot", "at", "slash", "colon", "dash", "underscore")

#: The keys of ``[numbers]`` in texts.toml: how phone numbers, codes and clock times are read.
NUMBER_KEYS: tuple[str, ...] = ("digits", "plus", "time", "hour", "range", "marks", "clock", "cues")


@dataclass(frozen=True)
class Numbers:
    """How a language reads numbers a listener writes down (``[numbers]`` of texts.toml)."""

    #: The words of the digits 0 to 9, read one by one in phone numbers and codes.
    digits: tuple[str, ...]
    #: The word for the "+" of an international phone number.
    plus: str
    #: A clock time with minutes ("{hours} och {minutes}") and a whole hour ("{hours}").
    time: str
    hour: str
    #: A range of times ("{start} till {end}").
    range: str
    #: What stands between hours and minutes ("." ":" / "h" ":"); a letter mark may also
    #: follow a whole hour ("9h").
    marks: tuple[str, ...]
    #: Words that announce a clock time, as written -> as read ("kl." -> "klockan").
    clock: Mapping[str, str]
    #: Words after which a number is a phone number or a code ("telefon", "code" ...).
    cues: tuple[str, ...]


@dataclass(frozen=True)
class Rule:
    """A verb/object rule: a word of every group said means the command."""

    intent: str
    #: The groups' words, as written (groups separated by ``+``).
    words: str


@dataclass(frozen=True)
class Language:
    """Everything the kiosk knows about one language, as its files say it."""

    code: str
    folder: Path
    name: str
    snowball: str
    letters: str
    elisions: tuple[str, ...]
    #: The language's thesaurus file (MyThes ``.dat``), None when it names none.
    thesaurus: Path | None
    stopwords: tuple[str, ...]
    question_words: tuple[str, ...]
    question_cues: Mapping[str, str]
    fillers: tuple[str, ...]
    neutral: tuple[str, ...]
    language_names: Mapping[str, str]
    phrasings: Mapping[str, tuple[str, ...]]
    rules: tuple[Rule, ...]
    phrases: Mapping[str, str]
    synonyms: Mapping[str, str]
    texts: Mapping[str, str]
    #: The words addresses are read with: ``dot`` -> "punkt" (every one of SYMBOL_KEYS).
    symbols: Mapping[str, str]
    #: How phone numbers, codes and clock times are read.
    numbers: Numbers

    def text(self, key: str, **values: str) -> str:
        """The sentence ``key``, its placeholders filled in."""
        sentence = self.texts[key]
        return sentence.format(**values) if values else sentence

    def ordinal(self, n: int) -> str:
        """The ordinal word of the ``n``-th item of a spoken list (1-based): "Första",
        "Deuxièmement"; past the words of ``ordinals``, the number itself."""
        words = [w.strip() for w in self.texts["ordinals"].split(",") if w.strip()]
        return words[n - 1] if 0 < n <= len(words) else str(n)


_folders: list[Path] = [BUILTIN_FOLDER]
_cache: dict[str, Language] = {}
_lock = threading.Lock()


def add_folder(folder: Path) -> tuple[str, ...]:
    """Make the languages in ``folder`` (one subfolder per code) known; they are checked now.
    A language found in an added folder replaces a built-in one of the same code."""
    folder = folder.resolve()
    if not folder.is_dir():
        raise ConfigError(
            "language-data-missing",
            f"the language folder {folder} does not exist",
            fix="create it, or remove language_folder from the configuration",
        )
    with _lock:
        if folder not in _folders:
            _folders.insert(0, folder)
        _cache.clear()
    found = tuple(sorted(p.name for p in folder.iterdir() if _is_language(p)))
    for code in found:
        language(code)
    return found


def supported_languages() -> tuple[str, ...]:
    """The codes of every known language, built-in ones first (Swedish, French), in order."""
    codes: list[str] = []
    for folder in reversed(_folders):
        for path in sorted(folder.iterdir()) if folder.is_dir() else ():
            if _is_language(path) and path.name not in codes:
                codes.append(path.name)
    builtin = ("sv", "fr")
    return tuple(sorted(codes, key=lambda c: (builtin.index(c) if c in builtin else 2, c)))


def is_supported(code: str) -> bool:
    return code in supported_languages()


def language(code: str) -> Language:
    """The data of language ``code`` (read and checked once; ConfigError when broken)."""
    with _lock:
        found = _cache.get(code)
        if found is not None:
            return found
        for folder in _folders:
            path = folder / code
            if _is_language(path):
                loaded = _load(code, path)
                _cache[code] = loaded
                return loaded
    raise ConfigError(
        "language-unknown",
        f"no language data for {code!r}",
        fix=f"use one of: {', '.join(supported_languages())}",
    )


def _is_language(path: Path) -> bool:
    return path.is_dir() and (path / "language.toml").is_file()


class _File:
    """One TOML file being read: its values, taken one by one, each problem naming the file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            with path.open("rb") as f:
                self.data: dict[str, Any] = tomllib.load(f)
        except FileNotFoundError:
            raise self.error("is missing") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise self.error(f"is not valid TOML: {exc}") from None

    def error(self, what: str) -> ConfigError:
        return ConfigError(
            "language-data-invalid",
            f"{self.path}: {what}",
            fix="correct the file (see assistant/lang/README.md)",
        )

    def table(self, key: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
        value = (self.data if data is None else data).get(key, {})
        if not isinstance(value, dict):
            raise self.error(f"[{key}] must be a table")
        return value

    def text(self, data: dict[str, Any], key: str, where: str = "") -> str:
        value = data.get(key, "")
        if not isinstance(value, str):
            raise self.error(f"{where}{key} must be a string")
        return value

    def words(self, data: dict[str, Any], key: str, where: str = "") -> tuple[str, ...]:
        """A list of strings, or one string of words separated by white space."""
        value = data.get(key, [])
        if isinstance(value, str):
            return tuple(value.split())
        return self.strings(value, f"{where}{key}")

    def strings(self, value: object, where: str) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(f"{where} must be a list of strings")
        return tuple(value)

    def mapping(self, data: dict[str, Any], key: str) -> dict[str, str]:
        table = self.table(key, data)
        for k, v in table.items():
            if not isinstance(v, str):
                raise self.error(f"[{key}] {k!r} must be a string")
        return {k.casefold(): v for k, v in table.items()}

    def only(self, data: dict[str, Any], allowed: set[str], where: str = "") -> None:
        unknown = sorted(set(data) - allowed)
        if unknown:
            known = ", ".join(sorted(allowed))
            raise self.error(f"unknown key {where}{unknown[0]!r} (known: {known})")


def _thesaurus(lang_file: _File, head: dict[str, Any], folder: Path) -> Path | None:
    """``[language] thesaurus``: a MyThes ``.dat`` file, absolute or relative to the
    language's folder (it may be missing: the kiosk then matches without it)."""
    name = lang_file.text(head, "thesaurus", "[language] ")
    if not name:
        return None
    if not name.endswith(".dat"):
        raise lang_file.error(f"[language] thesaurus {name!r} must name a MyThes .dat file")
    return folder / name


def _load(code: str, folder: Path) -> Language:
    lang_file = _File(folder / "language.toml")
    lang_file.only(lang_file.data, {"language", "stopwords", "question_cues"})
    head = lang_file.table("language")
    lang_file.only(head, {"name", "snowball", "letters", "elisions", "thesaurus"}, "[language] ")
    stop = lang_file.table("stopwords")
    lang_file.only(stop, {"words", "question_words"}, "[stopwords] ")
    name = lang_file.text(head, "name", "[language] ")
    snowball = lang_file.text(head, "snowball", "[language] ")
    if not name or not snowball:
        raise lang_file.error("[language] needs a name and a snowball stemmer")

    commands = _File(folder / "commands.toml")
    commands.only(commands.data, {"fillers", "neutral", "language_names", "phrasings", "rules"})
    phrasings = _phrasings(commands)
    rules = _rules(commands)
    names = commands.mapping(commands.data, "language_names")

    everyday = _File(folder / "everyday.toml")
    everyday.only(everyday.data, {"phrases", "synonyms"})
    texts = _File(folder / "texts.toml")

    return Language(
        code=code,
        folder=folder,
        name=name,
        snowball=snowball,
        letters=lang_file.text(head, "letters", "[language] "),
        elisions=lang_file.words(head, "elisions", "[language] "),
        thesaurus=_thesaurus(lang_file, head, folder),
        stopwords=lang_file.words(stop, "words", "[stopwords] "),
        question_words=lang_file.words(stop, "question_words", "[stopwords] "),
        question_cues=lang_file.mapping(lang_file.data, "question_cues"),
        fillers=_fillers(commands),
        neutral=commands.words(commands.data, "neutral"),
        language_names=names,
        phrasings=phrasings,
        rules=rules,
        phrases=everyday.mapping(everyday.data, "phrases"),
        synonyms=everyday.mapping(everyday.data, "synonyms"),
        texts=_texts(texts),
        symbols=_symbols(texts),
        numbers=_numbers(texts),
    )


def _fillers(file: _File) -> tuple[str, ...]:
    """Fillers are phrases (a filler may have several words): a list, never split."""
    return file.strings(file.data.get("fillers", []), "fillers")


def _phrasings(file: _File) -> dict[str, tuple[str, ...]]:
    table = file.table("phrasings")
    owner: dict[str, str] = {}
    out: dict[str, tuple[str, ...]] = {}
    for intent, value in table.items():
        if intent not in COMMANDS:
            raise file.error(
                f"[phrasings] {intent!r} is not a command (commands: {', '.join(COMMANDS)})"
            )
        phrases = file.strings(value, f"[phrasings] {intent}")
        for phrase in phrases:
            key = " ".join(phrase.casefold().split())
            if owner.get(key, intent) != intent:
                raise file.error(
                    f"[phrasings] {phrase!r} is listed under both {owner[key]} and {intent}"
                )
            owner[key] = intent
        out[intent] = phrases
    return out


def _rules(file: _File) -> tuple[Rule, ...]:
    value = file.data.get("rules", [])
    if not isinstance(value, list):
        raise file.error("[[rules]] must be an array of tables")
    rules = []
    for n, item in enumerate(value, 1):
        if not isinstance(item, dict):
            raise file.error(f"rule {n} must be a table")
        file.only(item, {"intent", "words"}, f"rule {n}: ")
        intent, words = file.text(item, "intent", f"rule {n}: "), file.text(item, "words")
        if intent not in COMMANDS:
            raise file.error(f"rule {n}: {intent!r} is not a command")
        if len([g for g in words.split("+") if g.split()]) < 2:
            raise file.error(f"rule {n} ({intent}): words needs two groups or more, split by '+'")
        rules.append(Rule(intent, words))
    return tuple(rules)


def _texts(file: _File) -> dict[str, str]:
    file.only(file.data, {"texts", "symbols", "numbers"})
    table = file.mapping(file.data, "texts")
    file.only(table, set(TEXT_KEYS), "[texts] ")
    missing = [k for k in TEXT_KEYS if not table.get(k, "").strip()]
    if missing:
        raise file.error(f"[texts] has no sentence for {', '.join(missing)}")
    for key, sentence in table.items():
        used = {field for _, field, _, _ in string.Formatter().parse(sentence) if field}
        if not used <= TEXT_KEYS[key]:
            wrong = sorted(used - TEXT_KEYS[key])[0]
            raise file.error(f"[texts] {key}: unknown placeholder {{{wrong}}}")
    return table


def _symbols(file: _File) -> dict[str, str]:
    table = file.mapping(file.data, "symbols")
    file.only(table, set(SYMBOL_KEYS), "[symbols] ")
    missing = [k for k in SYMBOL_KEYS if not any(ch.isalpha() for ch in table.get(k, ""))]
    if missing:
        raise file.error(f"[symbols] has no word for {', '.join(missing)}")
    return {k: " ".join(table[k].split()) for k in SYMBOL_KEYS}


def _numbers(file: _File) -> Numbers:
    table = file.table("numbers")
    file.only(table, set(NUMBER_KEYS), "[numbers] ")
    where = "[numbers] "
    digits = file.strings(table.get("digits", []), f"{where}digits")
    if len(digits) != 10 or not all(d.strip() for d in digits):
        raise file.error(f"{where}digits must be the 10 words of the digits 0 to 9")
    formats = {"time": {"hours", "minutes"}, "hour": {"hours"}, "range": {"start", "end"}}
    for key, needed in formats.items():
        value = file.text(table, key, where)
        used = {field for _, field, _, _ in string.Formatter().parse(value) if field}
        if used != needed:
            names = ", ".join("{" + n + "}" for n in sorted(needed))
            raise file.error(f"{where}{key} must use exactly {names}")
    marks = file.strings(table.get("marks", []), f"{where}marks")
    if not marks or not all(len(m) == 1 and not m.isdigit() for m in marks):
        raise file.error(f"{where}marks must be single characters (not digits), one or more")
    plus = file.text(table, "plus", where)
    if not any(ch.isalpha() for ch in plus):
        raise file.error(f"{where}plus needs a word")
    return Numbers(
        digits=tuple(" ".join(d.split()) for d in digits),
        plus=plus.strip(),
        time=file.text(table, "time", where),
        hour=file.text(table, "hour", where),
        range=file.text(table, "range", where),
        marks=marks,
        clock=file.mapping(table, "clock"),
        cues=tuple(c.casefold() for c in file.words(table, "cues", where)),
    )
