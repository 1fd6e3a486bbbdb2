"""A general thesaurus of the language: the words of the same meaning as a question's word.

A visitor says "färja" where the documents say "fartyg", "rhume" where they say "grippe".
When a question word is not in the documents, the words a thesaurus lists beside it can be:
they then stand in for it, weakly (see :mod:`.matching`). The thesaurus is general language
data, the same for every document: LibreOffice's MyThes thesauri, which Debian ships as
``mythes-sv`` (Synlex, Folkets synonymlexikon) and ``mythes-fr`` in ``/usr/share/mythes``.
A language names its file in ``language.toml`` (``[language] thesaurus``); without the file
the kiosk matches as before and says so once in its log.

The MyThes format: the first line names the encoding; then per entry a line ``word|n``
followed by ``n`` lines of meanings, ``(part of speech)|synonym|synonym|...``. Only one-word
synonyms are kept (a phrase cannot stand for one question word).
"""

from __future__ import annotations

import logging
import sys
import threading
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)


def _key(word: str) -> str:
    # interned: a word listed in many meanings is one string in memory
    return sys.intern(unicodedata.normalize("NFC", word).casefold().strip())


@dataclass(frozen=True)
class Thesaurus:
    """Words of the same meaning, from a thesaurus file."""

    #: word -> the one-word synonyms its entry lists, in the file's order.
    synonyms: Mapping[str, tuple[str, ...]]
    #: word -> the entries whose meanings list it (the thesaurus read the other way).
    listed_by: Mapping[str, tuple[str, ...]]

    def near(self, word: str) -> tuple[str, ...]:
        """Words of the same meaning as ``word``: the synonyms its entry lists, then the
        entries that list it."""
        key = _key(word)
        found = (*self.synonyms.get(key, ()), *self.listed_by.get(key, ()))
        return tuple(w for w in dict.fromkeys(found) if w != key)

    def __len__(self) -> int:
        return len(self.synonyms)


def parse(lines: Iterable[str]) -> Thesaurus:
    """A thesaurus from the lines of a MyThes data file (after its encoding line).
    ValueError for a file that is not in that format."""
    synonyms: dict[str, list[str]] = {}
    listed_by: dict[str, list[str]] = {}
    rows = [line.rstrip("\n") for line in lines]
    at = 0  # the row being read; the file's line number is at + 2 (after the encoding)
    while at < len(rows):
        if not rows[at].strip():
            at += 1
            continue
        head, sep, count = rows[at].rpartition("|")
        if not sep or not count.strip().isdigit():
            raise ValueError(f"line {at + 2}: expected 'word|count', got {rows[at][:60]!r}")
        n = int(count)
        meanings = rows[at + 1 : at + 1 + n]
        if len(meanings) < n:
            raise ValueError(f"line {at + 2}: the file ends inside the entry {head!r}")
        at += 1 + n
        word = _key(head)
        if " " in word:  # an entry for a phrase: never a question's one word
            continue
        own = synonyms.setdefault(word, [])
        for meaning in meanings:
            words = (_key(w) for w in meaning.split("|")[1:])
            sense = [w for w in words if w and " " not in w and w != word]
            own.extend(sense)
            for w in sense:
                listed_by.setdefault(w, []).append(word)
    return Thesaurus(
        {w: tuple(dict.fromkeys(s)) for w, s in synonyms.items() if s},
        {w: tuple(dict.fromkeys(s)) for w, s in listed_by.items()},
    )


def read(path: Path) -> Thesaurus:
    """The thesaurus in a MyThes ``.dat`` file (OSError when unreadable, ValueError when it is
    not in that format)."""
    with path.open("rb") as f:
        encoding = f.readline().decode("ascii", "replace").strip() or "utf-8"
        try:
            text = f.read().decode(encoding)
        except LookupError:
            raise ValueError(f"unknown encoding {encoding!r} on the first line") from None
        except UnicodeDecodeError as exc:
            raise ValueError(f"not {encoding} as its first line says: {exc}") from None
    return parse(text.splitlines())


_EMPTY = Thesaurus({}, {})
_loaded: dict[Path, Thesaurus] = {}
_lock = threading.Lock()


def load(path: Path | None) -> Thesaurus:
    """The thesaurus at ``path``, read once; an empty one when there is none or it cannot be
    read (logged once: the kiosk then matches without it)."""
    if path is None:
        return _EMPTY
    with _lock:
        if path not in _loaded:
            try:
                _loaded[path] = read(path)
                logger.debug("thesaurus %s: %d entries", path, len(_loaded[path]))
            except (OSError, ValueError) as exc:
                why = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
                logger.warning(
                    "thesaurus %s not used (%s); install it (scripts/setup.sh installs "
                    "Debian's mythes packages) for words the documents say otherwise",
                    path,
                    why,
                )
                _loaded[path] = _EMPTY
        return _loaded[path]
