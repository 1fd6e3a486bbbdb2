"""A section's text as sentences: the unit answers are read in and chosen by."""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[\"«(]?[A-ZÅÄÖÉÈÊÀÂÇÎÔÛ0-9])")


def split_sentences(text: str) -> list[str]:
    """The sentences of a section's text, in order."""
    parts = (p.strip() for para in text.split("\n\n") for p in _SENTENCE_END.split(para))
    return [p for p in parts if p]
