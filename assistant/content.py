"""The documents: a small Markdown format with front matter, loaded and validated.

One file per document (``*.md`` in the content folder)::

    ---
    id: muskelspasmer-sv          (optional; default: the file name without .md)
    lang: sv                      (required: a supported language)
    title: Vad är ofrivilliga muskelspasmer?
    parallel: muskelspasmer       (optional: documents sharing it are translations)
    ---

    ## Orsaker                    (one section per level-2 heading; the title is read out)
    id: orsaker                   (optional metadata lines right below the heading)
    keywords: kramp, stress, uttorkning
    questions: Vad orsakar muskelspasmer? | Varför får man kramp?

    The text of the section, one or more paragraphs, read word for word.

Every problem is a :class:`ContentError` naming the file and the line. The full description
is in ``content/README.md``.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import ContentError
from assistant.language_data import supported_languages

logger = logging.getLogger(__name__)

FRONT_MATTER_KEYS = ("id", "lang", "title", "parallel")
SECTION_KEYS = ("id", "keywords", "questions")
_KEY_LINE = re.compile(r"^([A-Za-z_]+)\s*:\s*(.*)$")
_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


@dataclass(frozen=True)
class Section:
    """One section of a document: a title the kiosk can read out and its text."""

    #: 1-based position in the document.
    index: int
    id: str
    title: str
    #: The text, paragraphs joined by a blank line.
    text: str
    #: Words and questions the content author expects visitors to use (may be empty).
    keywords: tuple[str, ...]
    questions: tuple[str, ...]
    #: Line of the heading in the file.
    line: int


@dataclass(frozen=True)
class Document:
    id: str
    lang: str
    title: str
    sections: tuple[Section, ...]
    #: Documents with the same parallel id are translations of each other, section by section.
    parallel_id: str | None
    path: Path


@dataclass(frozen=True)
class Library:
    """All documents the kiosk answers from."""

    documents: tuple[Document, ...]

    def languages(self) -> tuple[str, ...]:
        """Languages that have at least one document, in order of first appearance."""
        return tuple(dict.fromkeys(d.lang for d in self.documents))

    def document(self, document_id: str) -> Document | None:
        return next((d for d in self.documents if d.id == document_id), None)

    def sections(self, lang: str) -> list[tuple[Document, Section]]:
        """Every section in that language, in document order."""
        return [(d, s) for d in self.documents if d.lang == lang for s in d.sections]

    def parallel(
        self, document_id: str, section_index: int, lang: str
    ) -> tuple[Document, Section] | None:
        """The same section in the document's translation into ``lang`` (None when none)."""
        doc = self.document(document_id)
        if doc is None or doc.parallel_id is None:
            return None
        for other in self.documents:
            same = other.parallel_id == doc.parallel_id and other.lang == lang
            if same and 1 <= section_index <= len(other.sections):
                return other, other.sections[section_index - 1]
        return None

    def texts(self, lang: str) -> list[str]:
        """All text in that language: titles, section titles, text, keywords and questions."""
        out: list[str] = []
        for doc in self.documents:
            if doc.lang != lang:
                continue
            out.append(doc.title)
            for s in doc.sections:
                out.extend([s.title, s.text, *s.keywords, *s.questions])
        return out


def load_library(folder: Path, languages: Sequence[str] | None = None) -> Library:
    """Load and validate every ``*.md`` document in ``folder`` (``README.md`` excepted).

    With ``languages``, documents in other (supported) languages are left out.
    """
    if not folder.is_dir():
        raise ContentError(
            "content-missing",
            f"{folder}: no such content folder",
            fix="set content.folder in the config to the folder with the documents",
        )
    files = sorted(p for p in folder.glob("*.md") if p.name.lower() != "readme.md")
    documents: list[Document] = []
    seen: dict[str, Path] = {}
    for path in files:
        doc = load_document(path)
        if languages is not None and doc.lang not in languages:
            logger.info("%s: language %s is not served, skipped", path, doc.lang)
            continue
        if doc.id in seen:
            raise ContentError(
                "duplicate-id",
                f"{path}:1: document id {doc.id!r} is also used by {seen[doc.id]}",
                fix="give each document its own id in the front matter",
            )
        seen[doc.id] = path
        documents.append(doc)
    if not documents:
        raise ContentError(
            "no-documents",
            f"{folder}: no documents"
            + (f" in {', '.join(languages)}" if languages is not None else ""),
            fix="add Markdown documents as described in content/README.md",
        )
    _check_parallel(documents)
    return Library(tuple(documents))


def load_document(path: Path) -> Document:
    """Parse and validate one document file."""
    try:
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ContentError("not-utf8", f"{path}: not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise ContentError("unreadable", f"{path}: {exc.strerror or exc}") from None
    lines = unicodedata.normalize("NFC", raw).lstrip("\ufeff").splitlines()
    front, body_start = _front_matter(path, lines)
    lang = front.get("lang", ("", 0))
    if lang[0] not in supported_languages():
        where = lang[1] or 1
        raise ContentError(
            "unknown-language",
            f"{path}:{where}: unknown language {lang[0]!r}"
            if lang[0]
            else f"{path}:{where}: the front matter has no 'lang'",
            fix=f"use one of: {', '.join(supported_languages())}",
        )
    if not front.get("title", ("", 0))[0]:
        raise ContentError(
            "bad-front-matter",
            f"{path}:1: the front matter has no 'title'",
            fix="add a line 'title: ...'",
        )
    doc_id = front.get("id", (path.name.removesuffix(".md"), 1))
    _check_id(path, doc_id[1], doc_id[0])
    parallel = front.get("parallel")
    if parallel is not None:
        _check_id(path, parallel[1], parallel[0])
    sections = _sections(path, lines, body_start)
    return Document(
        id=doc_id[0],
        lang=lang[0],
        title=front["title"][0],
        sections=tuple(sections),
        parallel_id=parallel[0] if parallel else None,
        path=path,
    )


def _front_matter(path: Path, lines: list[str]) -> tuple[dict[str, tuple[str, int]], int]:
    """``key -> (value, line)`` of the front matter, and the index of the first body line."""
    if not lines or lines[0].strip() != "---":
        raise ContentError(
            "bad-front-matter",
            f"{path}:1: a document starts with a front matter block between '---' lines",
            fix="see content/README.md",
        )
    found: dict[str, tuple[str, int]] = {}
    for i in range(1, len(lines)):
        line = lines[i].strip()
        number = i + 1
        if line == "---":
            return found, i + 1
        if not line or line.startswith("#"):
            continue
        m = _KEY_LINE.match(line)
        if not m:
            raise ContentError(
                "bad-front-matter",
                f"{path}:{number}: expected 'key: value', got {line[:60]!r}",
            )
        key, value = m.group(1).lower(), _unquote(m.group(2).strip())
        if key not in FRONT_MATTER_KEYS:
            raise ContentError(
                "bad-front-matter",
                f"{path}:{number}: unknown front matter key {key!r}",
                fix=f"known keys: {', '.join(FRONT_MATTER_KEYS)}",
            )
        if key in found:
            raise ContentError("bad-front-matter", f"{path}:{number}: {key!r} given twice")
        found[key] = (value, number)
    raise ContentError(
        "bad-front-matter",
        f"{path}:1: the front matter is not closed by a '---' line",
    )


def _sections(path: Path, lines: list[str], start: int) -> list[Section]:
    heads = [i for i in range(start, len(lines)) if lines[i].startswith("## ")]
    stray = [i for i in range(start, heads[0] if heads else len(lines)) if lines[i].strip()]
    if stray and not lines[stray[0]].startswith("# "):
        raise ContentError(
            "text-outside-section",
            f"{path}:{stray[0] + 1}: text before the first '## ' section heading",
            fix="start every section with a '## Title' line",
        )
    if not heads:
        raise ContentError(
            "no-sections",
            f"{path}:{start + 1}: the document has no '## ' section",
            fix="start every section with a '## Title' line",
        )
    sections: list[Section] = []
    ids: dict[str, int] = {}
    for n, head in enumerate(heads):
        end = heads[n + 1] if n + 1 < len(heads) else len(lines)
        title = lines[head][3:].strip()
        if not title:
            raise ContentError("empty-title", f"{path}:{head + 1}: the section has no title")
        meta, text_start = _section_meta(path, lines, head + 1, end)
        paragraphs = _paragraphs(lines[text_start:end])
        if not paragraphs:
            raise ContentError(
                "empty-section",
                f"{path}:{head + 1}: section {title!r} has no text",
                fix="write the section's text below its heading, or remove the heading",
            )
        sid = meta.get("id", (_slug(title), head + 1))
        _check_id(path, sid[1], sid[0])
        if sid[0] in ids:
            raise ContentError(
                "duplicate-id",
                f"{path}:{sid[1]}: section id {sid[0]!r} is also used on line {ids[sid[0]]}",
                fix="give each section its own id",
            )
        ids[sid[0]] = sid[1]
        keywords = meta.get("keywords", ("", 0))[0]
        questions = meta.get("questions", ("", 0))[0]
        sections.append(
            Section(
                index=n + 1,
                id=sid[0],
                title=title,
                text="\n\n".join(paragraphs),
                keywords=tuple(k.strip() for k in keywords.split(",") if k.strip()),
                questions=tuple(q.strip() for q in questions.split("|") if q.strip()),
                line=head + 1,
            )
        )
    return sections


def _section_meta(
    path: Path, lines: list[str], start: int, end: int
) -> tuple[dict[str, tuple[str, int]], int]:
    """Metadata lines directly below a heading (up to the first blank line)."""
    meta: dict[str, tuple[str, int]] = {}
    i = start
    while i < end and lines[i].strip():
        m = _KEY_LINE.match(lines[i].strip())
        if not m or m.group(1).lower() not in SECTION_KEYS:
            if meta:
                raise ContentError(
                    "bad-section-metadata",
                    f"{path}:{i + 1}: expected one of {', '.join(SECTION_KEYS)} "
                    f"or a blank line before the text",
                )
            return meta, start  # no metadata: the text starts right below the heading
        key = m.group(1).lower()
        if key in meta:
            raise ContentError("bad-section-metadata", f"{path}:{i + 1}: {key!r} given twice")
        meta[key] = (m.group(2).strip(), i + 1)
        i += 1
    return meta, i


def _paragraphs(lines: list[str]) -> list[str]:
    paragraphs: list[str] = []
    current: list[str] = []
    for line in [*lines, ""]:
        if line.strip():
            current.append(line.strip())
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    return paragraphs


def _check_parallel(documents: list[Document]) -> None:
    groups: dict[str, list[Document]] = {}
    for doc in documents:
        if doc.parallel_id:
            groups.setdefault(doc.parallel_id, []).append(doc)
    for pid, docs in groups.items():
        langs = [d.lang for d in docs]
        for doc in docs:
            if langs.count(doc.lang) > 1:
                raise ContentError(
                    "duplicate-parallel",
                    f"{doc.path}:1: parallel {pid!r} has more than one document in {doc.lang}",
                )
            if len(doc.sections) != len(docs[0].sections):
                raise ContentError(
                    "parallel-mismatch",
                    f"{doc.path}:1: {len(doc.sections)} sections, but its parallel document "
                    f"{docs[0].path.name} has {len(docs[0].sections)}",
                    fix="parallel documents have the same sections in the same order",
                )


def _check_id(path: Path, line: int, value: str) -> None:
    if not _ID.match(value):
        raise ContentError(
            "bad-id",
            f"{path}:{line}: {value!r} is not a valid id",
            fix="use lowercase letters, digits, '-', '_' and '.'",
        )


def _slug(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    return slug or "section"


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value
