"""Browsing the documents by keys: where the visitor is in the list of topics, and where a key
takes them. Pure: no clock, device or speech; the dialog (:mod:`assistant.kiosk.dialog`) asks
it where Down, Up, Enter, Back and a change of language lead, and says what it answers.

The list has two levels: the documents of a language, and the sections of one document. With
a single document in the language (the usual kiosk) its sections are the top level. A place
is a document (``section`` None) or one of its sections; "nowhere" is the greeting, before
the visitor moved. Down and Up go round the list of the current level (the position said
with each title tells where the visitor is: "Orsaker, 2 av 5"). Enter on a document goes into
its sections, on a section reads it; Back goes up a level. A question answered by voice or
typed puts the visitor at its section, so Down and Up go on from there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.language_data import is_supported, language
from assistant.understanding.reply import Reply
from assistant.understanding.sentences import split_sentences

if TYPE_CHECKING:
    from assistant.content import Document, Library


@dataclass(frozen=True)
class Topic:
    """One place in the list, as the visitor hears it: a title and its position."""

    document: str
    #: 1-based section of ``document``; None: the document itself (in the list of documents).
    section: int | None
    title: str
    lang: str
    #: 1-based position in the list of its level, and that list's length.
    position: int
    count: int


@dataclass(frozen=True)
class Read:
    """Enter on a section: read it (``document``, 1-based ``section``)."""

    document: str
    section: int


class Navigator:
    """The visitor's place in the documents of a :class:`~assistant.content.Library`."""

    def __init__(self, library: Library | None) -> None:
        self._library = library
        self._document: str | None = None  # None: nowhere (the greeting)
        self._section: int | None = None

    @property
    def place(self) -> tuple[str, int | None] | None:
        """The document and section the visitor is at; None before they moved."""
        return None if self._document is None else (self._document, self._section)

    def reset(self) -> None:
        """Back to nowhere (a new visitor)."""
        self._document, self._section = None, None

    def at(self, document: str | None, section: int | None) -> None:
        """The visitor heard this section (asked by voice or typed): browsing goes on from it."""
        doc = self._find(document)
        if doc is not None and section is not None and 1 <= section <= len(doc.sections):
            self._document, self._section = doc.id, section

    def current(self) -> Topic | None:
        """Where the visitor is, as a topic; None when nowhere."""
        doc = self._find(self._document)
        if doc is None:
            return None
        if self._section is None:
            docs = self._documents(doc.lang)
            return Topic(doc.id, None, doc.title, doc.lang, docs.index(doc) + 1, len(docs))
        section = doc.sections[self._section - 1]
        return Topic(
            doc.id, section.index, section.title, doc.lang, section.index, len(doc.sections)
        )

    def down(self, lang: str) -> Topic | None:
        """The next topic of the current level (the first one from nowhere); None: no topics."""
        return self._step(lang, +1)

    def up(self, lang: str) -> Topic | None:
        """The previous topic of the current level (the last one from nowhere)."""
        return self._step(lang, -1)

    def select(self, lang: str) -> Topic | Read | None:
        """Enter: into a document (its first section), or read a section; from nowhere, the
        first topic. None: there are no topics in ``lang``."""
        doc = self._find(self._document)
        if doc is None:
            return self.down(lang)
        if self._section is None:
            self._section = 1
            return self.current()
        return Read(doc.id, self._section)

    def back(self) -> Topic | None:
        """Up a level: from a section to its document (when the language has several), else
        to nowhere (None)."""
        doc = self._find(self._document)
        if doc is not None and self._section is not None and len(self._documents(doc.lang)) > 1:
            self._section = None
            return self.current()
        self.reset()
        return None

    def in_language(self, lang: str) -> Topic | None:
        """Move to the same place in ``lang``'s parallel document; None (and no move) when
        there is none, or when nowhere."""
        doc = self._find(self._document)
        if doc is None or self._library is None:
            return None
        if doc.lang == lang:
            return self.current()
        other = next(
            (
                d
                for d in self._documents(lang)
                if doc.parallel_id is not None and d.parallel_id == doc.parallel_id
            ),
            None,
        )
        if other is None or (self._section is not None and self._section > len(other.sections)):
            return None
        self._document = other.id
        return self.current()

    def reply(self, document: str, section: int, answer_sentences: int) -> Reply | None:
        """A section read by keys, as the dialog reads an answer: its first
        ``answer_sentences`` sentences, the rest kept for "more"."""
        doc = self._find(document)
        if doc is None or not 1 <= section <= len(doc.sections):
            return None
        found = doc.sections[section - 1]
        sentences = split_sentences(found.text)
        keep = max(1, answer_sentences)
        return Reply(
            question="",
            lang=doc.lang,
            intent="question",
            document=doc.id,
            section=found.index,
            title=found.title,
            score=1.0,  # the visitor chose it
            answer=" ".join(sentences[:keep]),
            more=" ".join(sentences[keep:]),
        )

    # --- helpers -----------------------------------------------------------------------------
    def _documents(self, lang: str) -> list[Document]:
        if self._library is None:
            return []
        return [d for d in self._library.documents if d.lang == lang and d.sections]

    def _find(self, document: str | None) -> Document | None:
        if document is None or self._library is None:
            return None
        doc = self._library.document(document)
        return doc if doc is not None and doc.sections else None

    def _step(self, lang: str, step: int) -> Topic | None:
        doc = self._find(self._document)
        if doc is None or doc.lang != lang:  # nowhere, or a place in another language
            docs = self._documents(lang)
            if not docs:
                return None
            first = docs[0] if step > 0 else docs[-1]
            if len(docs) == 1:
                self._document = first.id
                self._section = 1 if step > 0 else len(first.sections)
            else:
                self._document, self._section = first.id, None
            return self.current()
        if self._section is None:
            docs = self._documents(lang)
            self._document = docs[(docs.index(doc) + step) % len(docs)].id
        else:
            self._section = (self._section - 1 + step) % len(doc.sections) + 1
        return self.current()


def announcement(topic: Topic, lang: str) -> str:
    """What the kiosk says for a topic: its title and position ("Orsaker, 2 av 5")."""
    data = language(lang if is_supported(lang) else topic.lang)
    title = topic.title.rstrip(".?!:; ")
    return data.text(
        "topic_position", title=title, position=str(topic.position), count=str(topic.count)
    )
