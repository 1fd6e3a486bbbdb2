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

The text is Markdown as a reader sees it rendered: emphasis, code spans and HTML tags are
removed, a link is its text (:mod:`assistant.markup`), each list item and table row is a
sentence of its own, a ``###`` heading a sentence of its section; the kiosk reads and indexes
that plain text. Lines are split on ``\\n`` only: a Unicode line or paragraph separator, a
form feed ... inside a line is a space.

Every problem that would make the kiosk read something other than what the author meant is a
:class:`ContentError` naming the file and the line (metadata after a blank line, a ``# ``
heading inside a section, text before the first section, sections of parallel documents in
another order ...). What can be repaired is repaired with a warning naming the file and line
(:attr:`Library.warnings`, also logged): terminal escapes, bidirectional overrides and other
control characters are removed; a link's address that is not read aloud is named; files that
are not documents (hidden files such as macOS ``._x.md`` or Emacs ``.#x.md`` locks, editor
backups ``x.md~``, empty files) are skipped; a language the kiosk serves with no documents is
named. The full description is in ``content/README.md``.
"""

from __future__ import annotations

import difflib
import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import ContentError
from assistant.language_data import supported_languages
from assistant.markup import inline_notes, plain_text

logger = logging.getLogger(__name__)

FRONT_MATTER_KEYS = ("id", "lang", "title", "parallel")
SECTION_KEYS = ("id", "keywords", "questions")
_KEY_LINE = re.compile(r"^([A-Za-z_]+)\s*:\s*(.*)$")
_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")

#: Terminal escape sequences (CSI, OSC, other ESC sequences, the 8-bit CSI).
_ANSI = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[ -~]?"
    r"|\x9b[0-?]*[ -/]*[@-~]?"
)
#: Bidirectional embeddings, overrides and isolates: they make a line display as it does not read.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
#: Characters str.splitlines would split a line at, besides "\n": read as spaces.
_LINE_BREAKS = re.compile("[\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
#: Other control characters (tab excepted).
_CONTROL = re.compile("[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f]")

_HEADING = re.compile(r"^(#{1,6})(?:\s+(.*?))?\s*#*\s*$")
_NOT_A_HEADING = re.compile(r"^#{1,6}[^#\s]")
_LIST_ITEM = re.compile(r"^(?:[-*+]|\d{1,9}[.)])\s+(.*)$")
_RULE = re.compile(r"^(?:(?:-\s*){3,}|(?:\*\s*){3,}|(?:_\s*){3,}|=+)$")
_FENCE = re.compile(r"^(?:```|~~~)")
_TABLE_ROW = re.compile(r"^\|.*\|$")
_TABLE_RULE = re.compile(r"^\|?[\s:|-]*-[\s:|-]*\|?$")
_QUOTE = re.compile(r"^(?:>\s?)+")


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
    #: What was repaired or skipped while loading, each "file:line: what" (also logged).
    warnings: tuple[str, ...] = ()

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

    With ``languages``, documents in other (supported) languages are left out, and a language
    of ``languages`` with no document is a warning. Files that are not documents are skipped
    with a warning (:func:`document_files`).
    """
    if not folder.is_dir():
        raise ContentError(
            "content-missing",
            f"{folder}: no such content folder",
            fix="set content.folder in the config to the folder with the documents",
        )
    warnings: list[str] = []
    documents: list[Document] = []
    seen: dict[str, Path] = {}
    for path in document_files(folder, warnings):
        doc = load_document(path, warnings)
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
    _check_parallel(documents, warnings)
    served = {d.lang for d in documents}
    for lang in languages or ():
        if lang not in served:
            warnings.append(
                f"{folder}: no documents in {lang!r}: a visitor who asks in it hears that the "
                f"documents are in {'/'.join(sorted(served))}, and their topics"
            )
    for warning in warnings:
        logger.warning("%s", warning)
    return Library(tuple(documents), tuple(warnings))


def document_files(folder: Path, warnings: list[str]) -> list[Path]:
    """The document files of ``folder``, in name order: ``*.md`` but ``README.md``.

    Files that only look like documents are skipped, each with a warning: hidden files (a
    macOS ``._x.md``, an Emacs lock ``.#x.md``), editor backups and locks (``x.md~``,
    ``#x.md#``, ``x.md.bak``), folders and broken links named ``*.md``, and empty files."""
    found: list[Path] = []
    for path in sorted(folder.iterdir()):
        name = path.name
        if name.lower() == "readme.md" or ".md" not in name.lower():
            continue
        if name.startswith("."):
            why = "a hidden file (an editor's lock or a macOS resource file)"
        elif not name.endswith(".md"):
            why = "an editor's backup or lock file (documents end in .md)"
        elif not path.is_file():
            why = "not a file" if path.exists() else "a broken link"
        elif not path.read_bytes().strip():
            why = "an empty file"
        else:
            found.append(path)
            continue
        warnings.append(f"{path}: {why}, skipped")
    return found


def load_document(path: Path, warnings: list[str] | None = None) -> Document:
    """Parse and validate one document file; what is repaired is added to ``warnings``."""
    notes = [] if warnings is None else warnings
    try:
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ContentError("not-utf8", f"{path}: not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise ContentError("unreadable", f"{path}: {exc.strerror or exc}") from None
    text = unicodedata.normalize("NFC", raw.lstrip("\ufeff"))
    lines = [_clean_line(path, n, line, notes) for n, line in enumerate(text.split("\n"), 1)]
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
    title = plain_text(front.get("title", ("", 0))[0])
    if not title:
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
    sections = _sections(path, _without_comments(lines, body_start), body_start, notes)
    return Document(
        id=doc_id[0],
        lang=lang[0],
        title=title,
        sections=tuple(sections),
        parallel_id=parallel[0] if parallel else None,
        path=path,
    )


def _clean_line(path: Path, number: int, line: str, warnings: list[str]) -> str:
    """One line without what a terminal or the loudspeaker must not get, each kind removed
    with a warning: escape sequences, bidirectional overrides, control characters; line
    breaks other than "\\n" (U+2028, a form feed ...) are spaces."""
    line = line.removesuffix("\r")
    where = f"{path}:{number}"
    if _ANSI.search(line):
        warnings.append(f"{where}: a terminal escape sequence, removed")
        line = _ANSI.sub("", line)
    if _BIDI.search(line):
        warnings.append(f"{where}: bidirectional override characters, removed")
        line = _BIDI.sub("", line)
    breaks = _LINE_BREAKS.findall(line)
    if breaks:
        warnings.append(
            f"{where}: a line break character (U+{ord(breaks[0]):04X}) inside the line, "
            "read as a space"
        )
        line = _LINE_BREAKS.sub(" ", line)
    controls = _CONTROL.findall(line)
    if controls:
        warnings.append(f"{where}: control character U+{ord(controls[0]):04X}, removed")
        line = _CONTROL.sub("", line)
    return line


def _without_comments(lines: list[str], start: int) -> list[str]:
    """The lines with HTML comments (``<!-- ... -->``, over several lines too) from ``start``
    on blanked out: an author's notes are not read."""
    out = list(lines)
    inside = False
    for i in range(start, len(out)):
        line, kept = out[i], ""
        while line:
            if inside:
                end = line.find("-->")
                if end < 0:
                    line = ""
                else:
                    line, inside = line[end + 3 :], False
            else:
                begin = line.find("<!--")
                if begin < 0:
                    kept, line = kept + line, ""
                else:
                    kept, line, inside = kept + line[:begin], line[begin + 4 :], True
        out[i] = kept
    return out


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


def _sections(path: Path, lines: list[str], start: int, warnings: list[str]) -> list[Section]:
    heads = [i for i in range(start, len(lines)) if lines[i].startswith("## ")]
    _check_preamble(path, lines, start, heads[0] if heads else len(lines))
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
        title = plain_text(lines[head][3:].strip().rstrip("#").strip())
        if not title:
            raise ContentError("empty-title", f"{path}:{head + 1}: the section has no title")
        meta, text_start = _section_meta(path, lines, head + 1, end)
        paragraphs = _paragraphs(path, lines, (text_start, end), title, warnings)
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
        keywords = plain_text(meta.get("keywords", ("", 0))[0])
        questions = plain_text(meta.get("questions", ("", 0))[0])
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


def _check_preamble(path: Path, lines: list[str], start: int, end: int) -> None:
    """Before the first section only one '# ' title line may stand: any other text would
    never be read."""
    written = [i for i in range(start, end) if lines[i].strip()]
    for k, i in enumerate(written):
        line = lines[i].strip()
        if k == 0 and line.startswith("# "):
            continue  # the document's title as a heading: not read (the front matter's is)
        what = (
            "a second '# ' heading"
            if line.startswith("# ")
            else f"{line[:40]!r} is text"
            if not _NOT_A_HEADING.match(line)
            else f"{line[:40]!r} is not a heading (no space after '#') but text"
        )
        raise ContentError(
            "text-outside-section",
            f"{path}:{i + 1}: {what} before the first '## ' section heading: it would never "
            "be read",
            fix="start every section with a '## Title' line; only one '# Title' line may "
            "come before the first",
        )


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
            near = difflib.get_close_matches(m.group(1).lower(), SECTION_KEYS, 1, 0.7) if m else []
            if m and near and m.group(1).isascii() and m.group(1).islower():
                raise ContentError(
                    "bad-section-metadata",
                    f"{path}:{i + 1}: unknown section metadata {m.group(1)!r} (did you mean "
                    f"{near[0]!r}?): it would be read aloud as text",
                    fix=f"section metadata keys: {', '.join(SECTION_KEYS)}",
                )
            return meta, start  # no metadata: the text starts right below the heading
        key = m.group(1).lower()
        if key in meta:
            raise ContentError("bad-section-metadata", f"{path}:{i + 1}: {key!r} given twice")
        meta[key] = (m.group(2).strip(), i + 1)
        i += 1
    return meta, i


def _paragraphs(
    path: Path, lines: list[str], span: tuple[int, int], title: str, warnings: list[str]
) -> list[str]:
    """The section's text as plain paragraphs (see the module's description); a line that
    would be read aloud although it is not text is an error naming it."""
    paragraphs: list[str] = []
    units: list[str] = []  # the paragraph's sentences so far: lines, list items, table rows
    current: list[str] = []
    item = False  # whether ``current`` is a list item (or a table row): a sentence of its own
    in_code = False

    def close_unit() -> None:
        nonlocal item
        if current:
            text = plain_text(" ".join(current))
            units.append(_as_sentence(text) if item else text)
            current.clear()
        item = False

    def close_paragraph() -> None:
        close_unit()
        if any(units):
            paragraphs.append(" ".join(u for u in units if u))
        units.clear()

    for i in range(*span):
        line, where = lines[i].strip(), f"{path}:{i + 1}"
        if _FENCE.match(line):
            if not in_code:
                warnings.append(f"{where}: a code block in {title!r} is read as plain text")
            in_code = not in_code
            close_paragraph()
            continue
        if not line:
            close_paragraph()
            continue
        warnings.extend(f"{where}: {note}" for note in inline_notes(line))
        if in_code:
            current.append(line)
            continue
        _check_text_line(path, i + 1, line, title)
        heading = _HEADING.match(line)
        if heading:  # level 3 and more (1 is refused, 2 starts a section)
            close_paragraph()
            warnings.append(
                f"{where}: the {heading.group(1)} heading {heading.group(2) or ''!r} is read "
                f"as a sentence of section {title!r}"
            )
            paragraphs.append(_as_sentence(plain_text(heading.group(2) or "")))
            continue
        if _RULE.match(line):
            close_paragraph()
            continue
        line = _QUOTE.sub("", line).strip()
        listed = _LIST_ITEM.match(line)
        if listed or _TABLE_ROW.match(line):
            close_unit()
            if listed:
                line = listed.group(1)
            elif _TABLE_RULE.match(line):
                continue
            else:
                warnings.append(f"{where}: a table row is read as one sentence")
                line = ", ".join(c.strip() for c in line.strip("|").split("|") if c.strip())
            item = True
        current.append(line)
    close_paragraph()
    return [p for p in paragraphs if p]


def _check_text_line(path: Path, number: int, line: str, title: str) -> None:
    """Refuse a text line the author cannot have meant to be read aloud."""
    key = _KEY_LINE.match(line)
    if key and key.group(1) in SECTION_KEYS:
        raise ContentError(
            "bad-section-metadata",
            f"{path}:{number}: {key.group(1)!r} in the text of section {title!r} would be "
            "read aloud: section metadata goes right below the heading, with no blank line",
            fix="remove the blank line between the heading's metadata lines",
        )
    if line.startswith("# ") or line == "#":
        raise ContentError(
            "heading-in-section",
            f"{path}:{number}: a '# ' heading inside section {title!r}: it would be read as "
            "part of the section",
            fix="start a section with '## Title'; one '# Title' may stand only before the "
            "first section",
        )
    if _NOT_A_HEADING.match(line):
        raise ContentError(
            "heading-in-section",
            f"{path}:{number}: {line[:40]!r} looks like a heading without a space after the "
            f"'#': it would be read aloud as part of section {title!r}",
            fix="write '## Title' (with a space) to start a section",
        )


def _as_sentence(text: str) -> str:
    """A list item or heading as a sentence: a capital first letter, an end mark."""
    text = text.strip().rstrip(",;:").strip()
    if not text:
        return ""
    first = next((i for i, ch in enumerate(text) if ch.isalnum()), 0)
    text = text[:first] + text[first].upper() + text[first + 1 :]
    return text if text[-1] in ".!?…" or text[-2:] in (".»", '."', ".”", ".)") else text + "."


def _check_parallel(documents: list[Document], warnings: list[str]) -> None:
    """Parallel documents: one per language, the same number of sections, the same section
    ids in the same places (an error), and no section that reads like another place's
    section of its translation (a warning: :func:`_swapped`)."""
    groups: dict[str, list[Document]] = {}
    for doc in documents:
        if doc.parallel_id:
            groups.setdefault(doc.parallel_id, []).append(doc)
    for pid, docs in groups.items():
        langs = [d.lang for d in docs]
        first = docs[0]
        for doc in docs:
            if langs.count(doc.lang) > 1:
                raise ContentError(
                    "duplicate-parallel",
                    f"{doc.path}:1: parallel {pid!r} has more than one document in {doc.lang}",
                )
            if len(doc.sections) != len(first.sections):
                raise ContentError(
                    "parallel-mismatch",
                    f"{doc.path}:1: {len(doc.sections)} sections, but its parallel document "
                    f"{first.path.name} has {len(first.sections)}",
                    fix="parallel documents have the same sections in the same order",
                )
        for doc in docs[1:]:
            _check_same_places(first, doc)
            warnings.extend(_swapped(first, doc))


def _check_same_places(first: Document, other: Document) -> None:
    """A section id both documents use must name the section in the same place."""
    place = {s.id: s for s in first.sections}
    for section in other.sections:
        there = place.get(section.id)
        if there is not None and there.index != section.index:
            raise ContentError(
                "parallel-mismatch",
                f"{other.path}:{section.line}: section {section.id!r} ({section.title!r}) is "
                f"section {section.index} here but section {there.index} in its parallel "
                f"document {first.path.name} (line {there.line})",
                fix="parallel documents have the same sections in the same order: move it",
            )


#: Shared marks a pair of sections needs at least to read as swapped.
SWAP_MIN_SHARED = 4


def _swapped(first: Document, other: Document) -> list[str]:
    """Warnings for pairs of sections that read as swapped between two translations.

    What the format gives across languages is what a translation keeps: numbers, addresses,
    names, and the long words that languages share (``neurolog``, ``magnesium``), compared by
    their first five letters without accents. Sections ``i`` and ``j`` read as swapped when
    ``i`` shares at least :data:`SWAP_MIN_SHARED` of them with the translation's ``j`` and
    ``j`` with its ``i``, together twice as many as each with its own counterpart."""
    ours = [_marks(s) for s in first.sections]
    theirs = [_marks(s) for s in other.sections]
    out: list[str] = []
    for i in range(len(ours)):
        for j in range(i + 1, len(ours)):
            across = len(ours[i] & theirs[j]) + len(ours[j] & theirs[i])
            straight = len(ours[i] & theirs[i]) + len(ours[j] & theirs[j])
            if across >= SWAP_MIN_SHARED and across >= 2 * straight and across > 0:
                a, b = other.sections[i], other.sections[j]
                out.append(
                    f"{other.path}:{a.line}: sections {a.index} {a.title!r} and {b.index} "
                    f"{b.title!r} (line {b.line}) read like sections {j + 1} and {i + 1} of "
                    f"its parallel document {first.path.name}: are they swapped? (the kiosk "
                    "offers section N in the other language)"
                )
    return out


def _marks(section: Section) -> set[str]:
    """What a translation keeps of a section: numbers, addresses, long words' first letters."""
    text = f"{section.title} {section.text}".casefold()
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    marks = set(re.findall(r"\d+(?:[.,]\d+)*", folded))
    marks.update(re.findall(r"\S+@\S+|(?:https?://|www\.)\S+", folded))
    marks.update(word[:5] for word in re.findall(r"[a-z]{6,}", folded))
    return marks


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
