"""Text prepared for speech: cleaned, bounded, and cut into sentence-sized chunks.

Answers are spoken chunk by chunk so that the first words play while the rest is synthesized.
A chunk is a sentence; a sentence longer than :data:`MAX_CHUNK_CHARS` is cut at a comma or
semicolon, else at a space, so no single synthesis call runs long. Control characters are
dropped (espeak would spell some of them), whitespace is collapsed, and text beyond
:data:`MAX_TEXT_CHARS` is left out with a warning.
"""

from __future__ import annotations

import logging
import re
import unicodedata

logger = logging.getLogger(__name__)

#: Longest text spoken in one go (about an hour of speech); the rest is left out.
MAX_TEXT_CHARS = 50_000
#: Longest chunk handed to the synthesizer in one call.
MAX_CHUNK_CHARS = 240

# A sentence ends at . ! ? … (with closing quotes or brackets) followed by space and a capital,
# a digit or an opening quote, so "t.ex. ceci" and "M. Dupont" stay whole more often than not.
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'»«”)\]]*\s+(?=[«»“”\"'(\[]?[A-ZÅÄÖÉÈÊÀÂÎÔÛÇ0-9])")
_SOFT_BREAK = re.compile(r"(?<=[,;:–—])\s+")


def clean_text(text: str) -> str:
    """Text without control characters, whitespace collapsed, at most MAX_TEXT_CHARS long."""
    kept = "".join(
        " " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch
        for ch in unicodedata.normalize("NFC", text)
        if unicodedata.category(ch) not in ("Cf", "Cs", "Co", "Cn")
    )
    cleaned = " ".join(kept.split())
    if len(cleaned) > MAX_TEXT_CHARS:
        logger.warning(
            "text of %d characters: only the first %d are spoken", len(cleaned), MAX_TEXT_CHARS
        )
        cleaned = cleaned[:MAX_TEXT_CHARS].rsplit(" ", 1)[0]
    return cleaned


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


def speech_chunks(text: str, max_chars: int = MAX_CHUNK_CHARS) -> list[str]:
    """The cleaned text as a list of chunks to synthesize one after the other."""
    cleaned = clean_text(text)
    if not cleaned:
        return []
    chunks: list[str] = []
    for sentence in _SENTENCE_END.split(cleaned):
        if sentence.strip():
            chunks.extend(_cut(sentence.strip(), max_chars))
    return chunks
