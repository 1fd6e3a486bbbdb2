"""Bad files, fuzzed: content documents and configuration files.

A content folder with random Unicode, random bytes or a truncated or damaged real document
either loads as a valid library, which the question-answering core can index and answer from,
or is a :class:`ContentError` naming the file. A config file with random TOML values is a
valid :class:`Config` or a :class:`ConfigError`; never another exception.
"""

from __future__ import annotations

import functools
import math
import shutil
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from assistant import PROJECT_DIR
from assistant.config import Config, MatchingConfig, load_config
from assistant.content import Library, load_library
from assistant.errors import ConfigError, ContentError
from assistant.understanding.answering import QuestionAnswerer

FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CONTENT = PROJECT_DIR / "content"
_DIR = Path(tempfile.mkdtemp(prefix="fuzz-files-"))


@functools.cache
def real_document() -> str:
    return (CONTENT / "muskelspasmer.sv.md").read_text(encoding="utf-8")


def check_library(files: dict[str, bytes]) -> str:
    """Load a folder holding ``files``: "ok" (and usable) or the error code."""
    folder = _DIR / "content"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    try:
        library = load_library(folder)
    except ContentError as exc:
        named = [name for name in files if name.lower() != "readme.md"]
        assert any(name in exc.message for name in named) or exc.code == "no-documents", (
            exc.describe()
        )
        return exc.code
    check_usable(library)
    return "ok"


def check_usable(library: Library) -> None:
    """A library that loads must be indexable and answer questions about itself."""
    assert library.documents
    langs = list(library.languages())
    answerer = QuestionAnswerer(library, MatchingConfig(), langs)
    for lang in langs:
        _, section = library.sections(lang)[0]
        for question in (section.title, section.text[:200], "?"):
            reply = answerer.answer(question, lang)
            assert reply.intent != "question" or reply.answer.strip()


def _front(lang: str = "sv") -> str:
    return f"---\nlang: {lang}\ntitle: T\n---\n\n"


# -- content ---------------------------------------------------------------------------------
@FUZZ
@given(st.text(max_size=3000))
def test_random_unicode_document(text: str) -> None:
    check_library({"doc.md": text.encode("utf-8", "surrogatepass")})


@FUZZ
@given(st.binary(max_size=3000))
@example(b"\xff\xfe" + "---".encode("utf-16-le"))
def test_random_bytes_document(data: bytes) -> None:
    check_library({"doc.md": data})


@FUZZ
@given(st.text(max_size=400), st.text(max_size=400), st.sampled_from(["sv", "fr"]))
@example("\u00a0", ".", "sv")  # a section of punctuation only: nothing to index
@example("## ##", "## \t", "fr")
def test_random_sections_after_a_valid_front_matter(title: str, body: str, lang: str) -> None:
    """A well-formed frame with random titles and text: sections full of symbols, no words."""
    text = _front(lang) + f"## {title}\n\n{body}\n\n## B\n\n{body[::-1] or 'x'}\n"
    check_library({"doc.md": text.encode("utf-8", "surrogatepass")})


@FUZZ
@given(st.data())
def test_truncated_real_document(data: st.DataObject) -> None:
    raw = real_document().encode("utf-8")
    cut = data.draw(st.integers(0, len(raw)))
    check_library({"doc.md": raw[:cut], "README.md": b"not a document"})


@FUZZ
@given(st.data())
def test_damaged_real_document(data: st.DataObject) -> None:
    """Lines of a real document replaced, removed or duplicated at random."""
    lines = real_document().splitlines()
    for _ in range(data.draw(st.integers(1, 5))):
        i = data.draw(st.integers(0, len(lines) - 1))
        action = data.draw(st.sampled_from(["replace", "remove", "duplicate"]))
        if action == "replace":
            lines[i] = data.draw(st.text(max_size=80))
        elif action == "remove":
            del lines[i]
        else:
            lines.insert(i, lines[i])
    check_library(
        {
            "a.md": "\n".join(lines).encode("utf-8", "surrogatepass"),
            "b.md": (CONTENT / "muskelspasmer.fr.md").read_bytes(),
        }
    )


# -- configuration ---------------------------------------------------------------------------
_SCALARS = st.one_of(
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["sv", "fr", "auto", "INFO", "hands-free", "", "models", "../x"]),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)
#: Real keys of the config tree, so that many files get past the unknown-key check.
_TABLES = {
    "": ["languages"],
    "matching": ["answer_sentences", "min_confidence"],
    "speech": ["driver", "rate_step_wpm", "min_rate_wpm", "max_rate_wpm", "volume_step"],
    "audio": ["input_device", "output_device", "input_rate_hz", "block_s"],
    "recognition": ["language", "endpoint_silence_s", "max_utterance_s", "min_confidence"],
    "models": ["folder", "languages", "auto_install"],
    "dialog": ["mode", "idle_reset_s", "default_language"],
    "logging": ["level", "event_log", "store_transcripts"],
    "content": ["folder"],
}


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        escaped = "".join(
            c if c.isprintable() and c not in '"\\' else f"\\u{ord(c):04x}"
            for c in value
            if ord(c) < 0x10000 and not 0xD800 <= ord(c) < 0xE000
        )
        return f'"{escaped}"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    items = ", ".join(f"{_toml_value(str(k))} = {_toml_value(v)}" for k, v in value.items())
    return "{" + items + "}"


@st.composite
def config_files(draw: st.DrawFn) -> str:
    lines: list[str] = []
    for table in draw(st.lists(st.sampled_from(sorted(_TABLES)), unique=True, max_size=4)):
        keys = draw(st.lists(st.sampled_from(_TABLES[table]), unique=True, min_size=1))
        body = [f"{key} = {_toml_value(draw(_VALUES))}" for key in keys]
        lines.extend(body if not table else [f"[{table}]", *body])
    return "\n".join(lines)


def check_config(text: str) -> None:
    path = _DIR / "kiosk.toml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        config = load_config(path)
    except ConfigError as exc:
        assert str(path) in exc.message, exc.describe()
        return
    assert isinstance(config, Config)
    assert config.languages and config.dialog.default_language in config.languages
    for number in (
        config.audio.block_s,
        config.recognition.endpoint_silence_s,
        config.recognition.max_utterance_s,
        config.dialog.idle_reset_s,
        config.matching.min_confidence,
        config.recognition.min_confidence,
    ):
        assert math.isfinite(number), config


@FUZZ
@given(config_files())
@example("[recognition]\nendpoint_silence_s = nan")
@example("[audio]\nblock_s = inf")
@example("[matching]\nmin_confidence = nan")
def test_random_config_values(text: str) -> None:
    check_config(text)


@FUZZ
@given(st.text(max_size=300))
@example("languages = [[]]")
@example("[models.languages]\nsv = 1")
def test_random_config_text(text: str) -> None:
    check_config(text)
