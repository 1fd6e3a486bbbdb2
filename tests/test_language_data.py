"""Language data: one folder per language, complete, checked when loaded; a new language is
one more folder."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assistant import PROJECT_DIR
from assistant.errors import ConfigError
from assistant.language_data import (
    BUILTIN_FOLDER,
    COMMANDS,
    SYMBOL_KEYS,
    TEXT_KEYS,
    _load,
    language,
    supported_languages,
)

BUILTIN = ("sv", "fr")


def test_the_built_in_languages_are_folders() -> None:
    assert supported_languages()[:2] == BUILTIN
    for lang in BUILTIN:
        assert (BUILTIN_FOLDER / lang / "language.toml").is_file()


@pytest.mark.parametrize("lang", BUILTIN)
def test_every_command_has_phrasings(lang: str) -> None:
    phrasings = language(lang).phrasings
    assert sorted(phrasings) == sorted(COMMANDS)
    for intent, phrases in phrasings.items():
        assert phrases, intent
        assert all(p.strip() and p == p.strip() for p in phrases), intent


@pytest.mark.parametrize("lang", BUILTIN)
def test_every_language_can_be_named_and_every_sentence_exists(lang: str) -> None:
    data = language(lang)
    assert set(data.language_names.values()) == set(BUILTIN)
    assert set(data.texts) == set(TEXT_KEYS)
    assert "{topics}" not in data.text("help", topics="x")


def _copy(tmp_path: Path, lang: str = "sv") -> Path:
    folder = tmp_path / lang
    shutil.copytree(BUILTIN_FOLDER / lang, folder)
    return folder


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("file", "old", "new", "said"),
    [
        ("commands.toml", "[phrasings]\n", '[phrasings]\ndance = ["dansa"]\n', "'dance'"),
        (
            "commands.toml",
            "[phrasings]\nrepeat = [\n",
            '[phrasings]\nrepeat = [\n  "mer",\n',
            "mer",
        ),
        ("commands.toml", 'intent = "repeat"', 'intent = "rewind"', "rule 1"),
        ("texts.toml", "greeting = ", "greeting_x = ", "greeting"),
        ("texts.toml", '"{ordinal}: {title}."', '"{ordinal}: {topic}."', "{topic}"),
        ("texts.toml", '"fem", "sex",', '"fem",', "[numbers] digits must be the 10 words"),
        ("texts.toml", 'time = "{hours} och {minutes}"', 'time = "{hours}"', "{minutes}"),
        ("texts.toml", 'marks = [".", ":"]', 'marks = ["5"]', "[numbers] marks"),
        ("texts.toml", "[numbers]\n", '[numbers]\nroman = "x"\n', "'roman'"),
        ("language.toml", "[language]\n", "[language]\ncolour = 1\n", "colour"),
        ("everyday.toml", "[synonyms]\n", '[synonyms]\n"doktor" = "x"\n', "line"),
        ("language.toml", 'snowball = "swedish"', "snowball = 3", "snowball"),
        (
            "language.toml",
            'thesaurus = "/usr/share/mythes/th_sv_SE_v2.dat"',
            'thesaurus = "synonymer.txt"',
            "MyThes .dat",
        ),
        ("texts.toml", 'dot = "punkt"', 'dot = "."', "[symbols] has no word for dot"),
        ("texts.toml", 'slash = "snedstreck"\n', "", "no word for slash"),
        ("texts.toml", "[symbols]\n", '[symbols]\nhash = "brädgård"\n', "'hash'"),
    ],
)
def test_a_broken_entry_is_an_error_naming_the_file_and_entry(
    tmp_path: Path, file: str, old: str, new: str, said: str
) -> None:
    folder = _copy(tmp_path)
    _edit(folder / file, old, new)
    with pytest.raises(ConfigError) as caught:
        _load("sv", folder)
    assert file in caught.value.message and said in caught.value.message


def _english(tmp_path: Path) -> Path:
    """A third language from a temporary folder: English data, an English document."""
    folder = _copy(tmp_path / "lang", "sv").rename(tmp_path / "lang" / "en")
    (folder / "language.toml").write_text(
        """[language]
name = "English"
snowball = "english"
letters = ""
elisions = []

[stopwords]
words = "a an the and or of to in on at for with is are was be it this that what how why when"
question_words = "tell me please can could would i you do does"

[question_cues]
why = "cause"
""",
        encoding="utf-8",
    )
    (folder / "commands.toml").write_text(
        """fillers = ["please", "thank you"]
neutral = "you can could read speak"

[language_names]
english = "en"
swedish = "sv"

[phrasings]
repeat = ["repeat", "say that again"]
more = ["more", "tell me more"]
stop = ["stop", "be quiet"]
help = ["help", "what can i ask"]
slower = ["slower"]
faster = ["faster"]
louder = ["louder"]
quieter = ["quieter"]
language = ["in swedish"]
""",
        encoding="utf-8",
    )
    (folder / "everyday.toml").write_text('[synonyms]\ndoctor = "physician"\n', "utf-8")
    texts = {key: f"({key})" for key in TEXT_KEYS}
    texts["topics_intro"] = "I can tell you about these topics."
    texts["topic_item"] = "{ordinal}: {title}."
    texts["ordinals"] = "First, Second, Third"
    texts["help"] = "Ask about the topics."
    symbols = {key: key for key in SYMBOL_KEYS}  # "dot", "at" ...: words in English
    digits = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
    (folder / "texts.toml").write_text(
        "[texts]\n"
        + "".join(f"{k} = {json.dumps(v)}\n" for k, v in texts.items())
        + "[symbols]\n"
        + "".join(f"{k} = {json.dumps(v)}\n" for k, v in symbols.items())
        + f'[numbers]\ndigits = {json.dumps(digits)}\nplus = "plus"\n'
        + 'time = "{hours} {minutes}"\nhour = "{hours} o\'clock"\nrange = "{start} to {end}"\n'
        + 'marks = [":"]\ncues = "phone call code"\n',
        "utf-8",
    )
    content = tmp_path / "content"
    content.mkdir()
    (content / "trains.en.md").write_text(
        """---
lang: en
title: Travelling by train
---

## Tickets

Tickets are sold at the machines on every platform and in the travel centre.

## Bicycles

A bicycle travels free on regional trains outside the morning rush hour.
""",
        encoding="utf-8",
    )
    config = tmp_path / "kiosk.toml"
    config.write_text(
        'languages = ["en", "sv"]\n\n[dialog]\ndefault_language = "en"\n\n'
        '[content]\nfolder = "content"\nlanguage_folder = "lang"\n',
        encoding="utf-8",
    )
    return config


def test_a_third_language_is_one_more_folder(tmp_path: Path) -> None:
    config = _english(tmp_path)
    out = subprocess.run(
        [
            sys.executable,
            str(PROJECT_DIR / "run.py"),
            "--config",
            str(config),
            "ask",
            "--json",
            "-",
        ],
        input="Can I take my bicycle on the train?\nwhere are tickets sold\nsay that again\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    replies = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["lang"] for r in replies] == ["en", "en", "en"]
    assert [r["section"] for r in replies[:2]] == [2, 1]
    assert replies[2]["intent"] == "repeat"


def test_a_language_without_data_is_said(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text('languages = ["de"]\n\n[dialog]\ndefault_language = "de"\n', "utf-8")
    out = subprocess.run(
        [sys.executable, str(PROJECT_DIR / "run.py"), "--config", str(config), "ask", "hallo"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "no language data for de" in out.stderr


@pytest.mark.parametrize(
    ("entry", "said"),
    [('"och" = "läkare"', "stopword"), ('"kvacksalvare" = "och"', "only stopwords")],
)
def test_a_synonym_that_could_never_count_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, entry: str, said: str
) -> None:
    from assistant import language_data
    from assistant.understanding import language as analysis

    folder = _copy(tmp_path)
    _edit(folder / "everyday.toml", "[synonyms]\n", f"[synonyms]\n{entry}\n")
    monkeypatch.setattr(language_data, "_folders", [tmp_path, BUILTIN_FOLDER])
    monkeypatch.setattr(language_data, "_cache", {})
    analysis._related_table.cache_clear()
    try:
        with pytest.raises(ConfigError) as caught:
            analysis.related_terms("doktor", "sv")
        assert "everyday.toml" in caught.value.message and said in caught.value.message
    finally:
        analysis._related_table.cache_clear()
