"""Text prepared for speech: cleaned, bounded, and cut into sentence-sized chunks.

Answers are spoken chunk by chunk so that the first words play while the rest is synthesized.
A chunk is a sentence; a sentence longer than :data:`MAX_CHUNK_CHARS` is cut at a comma or
semicolon, else at a space, so no single synthesis call runs long.

Cleaning makes the text fit to be heard: terminal escape sequences and control characters are
dropped (espeak would spell some of them), Markdown markup is removed
(:func:`assistant.markup.plain_text`: a link is read as its text), web and e-mail addresses
are read the way a listener can write them down ("www punkt exempel punkt se": the words for
the dot, the at sign, the slash ... are the language's ``[symbols]`` in ``texts.toml``), what
is left of markup characters (``*``, ``_``, brackets, backquotes) becomes a pause, whitespace
is collapsed, and text beyond :data:`MAX_TEXT_CHARS` is left out with a warning.
"""

from __future__ import annotations

import logging
import re
import unicodedata

from assistant.errors import ConfigError
from assistant.language_data import language
from assistant.markup import plain_text

logger = logging.getLogger(__name__)

#: Longest text spoken in one go (about an hour of speech); the rest is left out.
MAX_TEXT_CHARS = 50_000
#: Longest chunk handed to the synthesizer in one call.
MAX_CHUNK_CHARS = 240

# A sentence ends at . ! ? … (with closing quotes or brackets) followed by space and a capital,
# a digit or an opening quote, so "t.ex. ceci" and "M. Dupont" stay whole more often than not.
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'»«”)\]]*\s+(?=[«»“”\"'(\[]?[A-ZÅÄÖÉÈÊÀÂÎÔÛÇ0-9])")
_SOFT_BREAK = re.compile(r"(?<=[,;:–—])\s+")

#: Terminal escape sequences (CSI, OSC, two-character ESC sequences, the 8-bit CSI).
_ANSI = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[ -~]?|\x9b[0-?]*[ -/]*[@-~]?"
)
#: Web addresses (with a scheme or ``www.``), e-mail addresses, and bare domain names
#: (``1177.se``: labels of two characters or more, lowercase, ending in 2 to 6 letters).
_URL = re.compile(r"(?<![\w@/])(?:[A-Za-z][A-Za-z0-9+.-]*://|www\.)[^\s<>\"«»“”]+")
_EMAIL = re.compile(r"(?<![\w.+-])[\w+-]+(?:\.[\w+-]+)*@[\w-]+(?:\.[\w-]+)+")
_DOMAIN = re.compile(
    r"(?<![\w@/.-])(?:[a-z0-9][a-z0-9-]+\.)+[a-z]{2,6}(?:/[^\s<>\"«»“”]*)?(?![\w@-])"
)
_TRAILING = re.compile(r"[.,;:!?)\]}»”'\"]+$")
_SCHEME_PREFIX = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.-]*://|mailto:)")
_SEPARATOR = re.compile(r"([./@:_-])")
_SYMBOL_OF = {".": "dot", "/": "slash", "@": "at", ":": "colon", "_": "underscore", "-": "dash"}
#: Markup characters left after plain_text, and what could read as an address: pauses.
_LEFTOVER = re.compile(r"[*_\[\]`|\\]|:/+|\]\(|(?<!\S)#+(?!\S)")


def clean_text(text: str, lang: str | None = None) -> str:
    """Text fit to be heard (see the module's description), at most MAX_TEXT_CHARS long.

    ``lang`` chooses the words addresses are read with (without it their separators are
    pauses)."""
    kept = "".join(
        " " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch
        for ch in unicodedata.normalize("NFC", _ANSI.sub(" ", text))
        if unicodedata.category(ch) not in ("Cf", "Cs", "Co", "Cn")
    )
    spoken = _spoken_addresses(plain_text(kept), _symbols(lang))
    while True:
        calmer = _LEFTOVER.sub(" ", spoken)
        if calmer == spoken:
            break
        spoken = calmer
    cleaned = " ".join(spoken.split())
    if len(cleaned) > MAX_TEXT_CHARS:
        logger.warning(
            "text of %d characters: only the first %d are spoken", len(cleaned), MAX_TEXT_CHARS
        )
        cleaned = cleaned[:MAX_TEXT_CHARS].rsplit(" ", 1)[0]
    return cleaned


def _symbols(lang: str | None) -> dict[str, str]:
    """The words for an address's separators in ``lang`` (none for no or an unknown language)."""
    if lang is None:
        return {}
    try:
        return dict(language(lang).symbols)
    except ConfigError as exc:
        logger.warning("addresses are read without words for their symbols: %s", exc.message)
        return {}


def _spoken_addresses(text: str, symbols: dict[str, str]) -> str:
    """Every web and e-mail address in ``text`` as words: "www punkt exempel punkt se"."""

    def say(match: re.Match[str]) -> str:
        address = match.group(0)
        trailing = _TRAILING.search(address)
        tail = trailing.group(0) if trailing else ""
        address = address[: len(address) - len(tail)]
        address = _SCHEME_PREFIX.sub("", address).rstrip("/")
        words = []
        for part in _SEPARATOR.split(address):
            if part in _SYMBOL_OF:
                words.append(symbols.get(_SYMBOL_OF[part], ""))
            else:
                words.append(re.sub(r"[^\w]+", " ", part))
        spoken = " ".join(w for w in words if w.strip())
        return f"{spoken}{tail.replace(':', '')}" if spoken else tail

    for pattern in (_URL, _EMAIL, _DOMAIN):
        text = pattern.sub(say, text)
    return text


def _cut(piece: str, limit: int) -> list[str]:
    """Cut one over-long sentence at soft breaks, then at spaces, then anywhere."""
    if len(piece) <= limit:
        return [piece]
    out: list[str] = []
    current = ""
    for part in _SOFT_BREAK.split(piece):
        for whole in part.split(" ") if len(part) > limit else [part]:
            word = whole
            while len(word) > limit:
                if current:
                    out.append(current)
                    current = ""
                out.append(word[:limit])
                word = word[limit:]
            sep = " " if current else ""
            if len(current) + len(sep) + len(word) > limit:
                out.append(current)
                current = word
            else:
                current += sep + word
    if current:
        out.append(current)
    return [chunk for chunk in out if chunk]


def speech_chunks(
    text: str, max_chars: int = MAX_CHUNK_CHARS, *, lang: str | None = None
) -> list[str]:
    """The cleaned text as a list of chunks to synthesize one after the other; ``lang``: the
    language it is spoken in (the words addresses are read with)."""
    cleaned = clean_text(text, lang)
    if not cleaned:
        return []
    chunks: list[str] = []
    for sentence in _SENTENCE_END.split(cleaned):
        if sentence.strip():
            chunks.extend(_cut(sentence.strip(), max_chars))
    return chunks
