"""Dense index of one language's sections: a vector per section and per sentence.

A section is encoded whole (document title, section title, text: what it is about) and
sentence by sentence with its title (what each sentence says), the author's example questions
as sentences too. A question's dense score for a section is its closeness to the whole
section plus its closeness to the section's closest sentence. Vectors are computed once per
content and kept on disk, keyed by a hash of the encoder's name and every passage: a reload
of unchanged content (SIGHUP) encodes nothing.
"""

from __future__ import annotations

import hashlib
import logging
import os
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from assistant.understanding.sentences import split_sentences

if TYPE_CHECKING:
    from assistant.content import Document, Section
    from assistant.understanding.encoder import Encoder

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DenseIndex:
    """The vectors of one language's sections (rows in the order of ``entries``)."""

    sections: np.ndarray
    #: One row per sentence (and example question), and the section it belongs to.
    sentences: np.ndarray
    owner: np.ndarray
    #: For each row of ``sentences``, its position among its section's text sentences
    #: (-1 for an example question).
    position: np.ndarray

    def section_scores(self, query: np.ndarray) -> np.ndarray:
        """Per section: closeness to the whole section plus to its closest sentence."""
        best = np.full(len(self.sections), -1.0)
        if len(self.sentences):
            np.maximum.at(best, self.owner, self.sentences @ query)
        best[best < -0.5] = 0.0
        total: np.ndarray = self.sections @ query + best
        return total

    def sentence_scores(self, query: np.ndarray, section: int) -> np.ndarray:
        """Closeness of each text sentence of ``section`` to the question, in text order."""
        rows = np.flatnonzero((self.owner == section) & (self.position >= 0))
        out = np.zeros(int(self.position[rows].max()) + 1 if len(rows) else 0)
        out[self.position[rows]] = self.sentences[rows] @ query
        return out


def passages(
    entries: Sequence[tuple[Document, Section]],
) -> tuple[list[str], list[str], list[int], list[int]]:
    """(section passages, sentence passages, owner per sentence, position per sentence)."""
    whole, sentences, owner, position = [], [], [], []
    for i, (document, section) in enumerate(entries):
        whole.append(f"{document.title}. {section.title}. {section.text}")
        for j, sentence in enumerate(split_sentences(section.text)):
            sentences.append(f"{section.title}: {sentence}")
            owner.append(i)
            position.append(j)
        for question in section.questions:
            sentences.append(question)
            owner.append(i)
            position.append(-1)
    return whole, sentences, owner, position


def build_dense_index(
    entries: Sequence[tuple[Document, Section]], encoder: Encoder, cache: Path | None
) -> DenseIndex:
    """Encode the sections, or read their vectors from ``cache`` (a folder) when unchanged."""
    whole, sentences, owner, position = passages(entries)
    key = hashlib.sha256("\x00".join([encoder.name, *whole, "\x01", *sentences]).encode())
    path = cache / f"dense-{key.hexdigest()[:32]}.npz" if cache is not None else None
    vectors = _read(path, len(whole), len(sentences))
    if vectors is None:
        vectors = (
            encoder.encode(whole, query=False),
            encoder.encode(sentences, query=False),
        )
        _write(path, *vectors)
    return DenseIndex(
        vectors[0],
        vectors[1],
        np.asarray(owner, dtype=np.int64),
        np.asarray(position, dtype=np.int64),
    )


def _read(path: Path | None, sections: int, sentences: int) -> tuple[np.ndarray, np.ndarray] | None:
    if path is None or not path.is_file():
        return None
    try:
        with np.load(path) as data:
            found = (np.asarray(data["sections"]), np.asarray(data["sentences"]))
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        logger.warning("ignoring the unreadable cache %s: %s", path, exc)
        return None
    if len(found[0]) != sections or len(found[1]) != sentences:
        return None
    return found


def _write(path: Path | None, sections: np.ndarray, sentences: np.ndarray) -> None:
    """Keep the vectors for the next start; a cache that cannot be written costs only time."""
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.stem}.{os.getpid()}.partial.npz")
        np.savez(partial, sections=sections, sentences=sentences)
        partial.replace(path)
    except OSError as exc:
        logger.warning("the document vectors cannot be cached in %s: %s", path.parent, exc)
