from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant import PROJECT_DIR
from assistant.content import load_library
from assistant.errors import ContentError
from assistant.speech_out.speech_text import speech_chunks
from tests.conftest import SEED_DOCUMENTS_DIR

CONTENT = PROJECT_DIR / "content"


def test_shipped_documents_keep_the_seed_text_word_for_word() -> None:
    if not SEED_DOCUMENTS_DIR.is_dir():
        pytest.skip("shared seed documents missing")
    library = load_library(CONTENT)
    assert library.languages() == ("fr", "sv")
    for seed, lang in (("000_f918d085e87c1890.txt", "sv"), ("002_08e2ee0ea0f2a88b.txt", "fr")):
        lines = [ln for ln in (SEED_DOCUMENTS_DIR / seed).read_text().splitlines() if ln.strip()]
        (doc,) = [d for d in library.documents if d.lang == lang]
        paragraphs = lines[1:] if lang == "sv" else lines
        assert [s.text for s in doc.sections] == paragraphs
        assert [s.index for s in doc.sections] == [1, 2, 3, 4, 5]
        if lang == "sv":
            assert doc.title == lines[0]
    sv = next(d for d in library.documents if d.lang == "sv")
    found = library.parallel(sv.id, 2, "fr")
    assert found is not None and found[1].title == "Causes"
    assert any("muskelspasmer" in t for t in library.texts("sv"))


GOOD = "---\nlang: sv\ntitle: T\n---\n\n## A\nkeywords: a, b\n\nText.\n"


@pytest.mark.parametrize(
    ("text", "code", "line"),
    [
        (GOOD.replace("lang: sv", "lang: de"), "unknown-language", 2),
        (GOOD.replace("Text.\n", ""), "empty-section", 6),
        (GOOD + "\n## A\n\nMore.\n", "duplicate-id", 11),
        (GOOD.replace("title: T", "title T"), "bad-front-matter", 3),
        (GOOD.replace("title: T", "colour: red"), "bad-front-matter", 3),
        ("no front matter\n", "bad-front-matter", 1),
    ],
)
def test_errors_name_file_and_line(tmp_path: Path, text: str, code: str, line: int) -> None:
    (tmp_path / "doc.md").write_text(text)
    with pytest.raises(ContentError) as err:
        load_library(tmp_path)
    assert err.value.code == code
    assert f"doc.md:{line}" in err.value.message


def test_metadata_is_optional_and_readme_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# not a document\n")
    (tmp_path / "a.md").write_text("---\nlang: fr\ntitle: T\n---\n## Un titre\nLe texte.\n")
    (doc,) = load_library(tmp_path).documents
    assert (
        doc.id == "a" and doc.sections[0].id == "un-titre" and doc.sections[0].text == "Le texte."
    )


# --- strict checks: what would be read wrongly is an error naming file and line --------------

SECTION = "---\nlang: sv\ntitle: T\n---\n\n## A\nid: a\n"


@pytest.mark.parametrize(
    ("text", "code", "line"),
    [
        # a blank line after id: keywords and questions would be the spoken answer
        (
            SECTION + "\nkeywords: kramp, stress\nquestions: Varför?\n\nText.\n",
            "bad-section-metadata",
            9,
        ),
        (SECTION + "\nText.\n\nquestions: Varför?\n", "bad-section-metadata", 11),
        (
            "---\nlang: sv\ntitle: T\n---\n## A\nkeyword: kramp\n\nText.\n",
            "bad-section-metadata",
            6,
        ),
        # a '# ' heading inside a section would merge into it, before the first one drop text
        (SECTION + "\nText.\n\n# Nästa\n\nMer text.\n", "heading-in-section", 11),
        (
            "---\nlang: sv\ntitle: T\n---\n# T\n\nInledning.\n\n## A\n\nText.\n",
            "text-outside-section",
            7,
        ),
        ("---\nlang: sv\ntitle: T\n---\n# T\n# U\n## A\n\nText.\n", "text-outside-section", 6),
        (SECTION + "\nText.\n##B\nMer.\n", "heading-in-section", 10),
    ],
)
def test_text_that_would_be_read_wrongly_is_an_error(
    tmp_path: Path, text: str, code: str, line: int
) -> None:
    (tmp_path / "doc.md").write_text(text)
    with pytest.raises(ContentError) as err:
        load_library(tmp_path)
    assert err.value.code == code
    assert f"doc.md:{line}:" in err.value.message


MARKDOWN = """---
lang: sv
title: Om **oss**
---

# Om oss

## Kontakt och *öppettider*
id: kontakt

Ring **gärna** eller läs på [vår webbplats](https://www.exempel.se/kontakt_oss).
Se också `www.exempel.se` och <https://www.exempel.se/hjalp>.

Vi har öppet:
- måndag till fredag
- _lördag_ förmiddag
1. Ta en kölapp
2. vänta på din tur

### Parkering
> Det finns __tio__ platser. <!-- fråga vaktmästaren -->
"""


def test_markdown_is_read_as_rendered_text(tmp_path: Path) -> None:
    (tmp_path / "doc.md").write_text(MARKDOWN)
    library = load_library(tmp_path)
    (doc,) = library.documents
    (section,) = doc.sections
    assert doc.title == "Om oss"
    assert section.title == "Kontakt och öppettider"
    assert section.text.split("\n\n") == [
        "Ring gärna eller läs på vår webbplats. Se också www.exempel.se och "
        "https://www.exempel.se/hjalp.",
        "Vi har öppet: Måndag till fredag. Lördag förmiddag. Ta en kölapp. Vänta på din tur.",
        "Parkering.",
        "Det finns tio platser.",
    ]
    assert any(
        w.startswith(f"{tmp_path / 'doc.md'}:11:") and "https://www.exempel.se/kontakt_oss" in w
        for w in library.warnings
    )
    assert any("doc.md:20:" in w and "Parkering" in w for w in library.warnings)


def test_stray_files_are_skipped_with_a_warning(tmp_path: Path) -> None:
    (tmp_path / "real.md").write_text(GOOD)
    (tmp_path / "._real.md").write_bytes(b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X\xff\xfe")
    (tmp_path / ".#real.md").symlink_to("root@kiosk.1234:1700000000")  # an Emacs lock
    (tmp_path / "new.md").write_text("")
    (tmp_path / "blank.md").write_text("\n  \n")
    (tmp_path / "real.md~").write_text("---\nbroken")
    (tmp_path / "#real.md#").write_text("---\nbroken")
    library = load_library(tmp_path)
    assert [d.id for d in library.documents] == ["real"]
    for name in ("._real.md", ".#real.md", "new.md", "blank.md", "real.md~", "#real.md#"):
        assert any(w.startswith(f"{tmp_path / name}: ") for w in library.warnings), name


def test_control_characters_are_removed_with_a_warning_naming_the_line(tmp_path: Path) -> None:
    (tmp_path / "doc.md").write_text(
        "---\nlang: sv\ntitle: T\n---\n\n## A\n"
        "Röd \x1b[31mtext\x1b[0m och \u202eomvänd\u202c text.\n"
        "En klocka\x07 ringer.\n"
    )
    library = load_library(tmp_path)
    text = library.documents[0].sections[0].text
    assert text == "Röd text och omvänd text. En klocka ringer."
    assert not any(unicodedata.category(ch) in ("Cc", "Cf") for ch in text)
    warned = "\n".join(library.warnings)
    assert "doc.md:7: a terminal escape sequence" in warned
    assert "doc.md:7: bidirectional override" in warned
    assert "doc.md:8: control character U+0007" in warned


@pytest.mark.parametrize("breaker", ["\u2028", "\u2029", "\x0b", "\x0c", "\x1c", "\x1e", "\x85"])
def test_a_unicode_line_break_inside_a_line_starts_no_hidden_section(
    tmp_path: Path, breaker: str
) -> None:
    (tmp_path / "doc.md").write_text(
        f"---\nlang: sv\ntitle: T\n---\n\n## A\n\nFörsta stycket.{breaker}## Dold\nMer text.\n"
    )
    library = load_library(tmp_path)
    (section,) = library.documents[0].sections
    assert section.title == "A"
    assert f"U+{ord(breaker):04X}" in " ".join(library.warnings)
    assert "doc.md:8:" in " ".join(library.warnings)


def _shipped_copy(tmp_path: Path) -> Path:
    for path in CONTENT.glob("muskelspasmer.*.md"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    return tmp_path / "muskelspasmer.fr.md"


def _swap_sections(path: Path, first: str, second: str) -> None:
    """Swap the bodies (heading, metadata, text) of two sections of a document."""
    text = path.read_text(encoding="utf-8")
    parts = text.split("\n## ")
    a = next(i for i, p in enumerate(parts) if p.startswith(first))
    b = next(i for i, p in enumerate(parts) if p.startswith(second))
    parts[a], parts[b] = parts[b].rstrip("\n") + "\n", parts[a].rstrip("\n") + "\n"
    path.write_text("\n## ".join(parts), encoding="utf-8")


def test_the_shipped_documents_load_without_warnings() -> None:
    assert load_library(CONTENT, ("sv", "fr")).warnings == ()


def test_parallel_sections_swapped_are_found(tmp_path: Path) -> None:
    french = _shipped_copy(tmp_path)
    _swap_sections(french, "Ce que sont", "Médecin et traitements")
    warned = [w for w in load_library(tmp_path).warnings if "swapped" in w]
    assert len(warned) == 1
    assert "muskelspasmer.sv.md:8: sections 1 " in warned[0]
    assert "read like sections 5 and 1 of its parallel document muskelspasmer.fr.md" in warned[0]


def test_a_section_id_in_another_place_of_its_translation_is_an_error(tmp_path: Path) -> None:
    french = _shipped_copy(tmp_path)
    swedish = tmp_path / "muskelspasmer.sv.md"
    text = swedish.read_text(encoding="utf-8")
    swedish.write_text(text.replace("id: orsaker\n", "id: quand-s-inquieter\n"), "utf-8")
    with pytest.raises(ContentError) as err:
        load_library(tmp_path)
    assert err.value.code == "parallel-mismatch"
    assert "muskelspasmer.fr.md:29:" in err.value.message or "muskelspasmer.sv.md:15:" in (
        err.value.message
    )
    assert french.is_file()


def test_a_served_language_without_documents_is_a_warning(tmp_path: Path) -> None:
    (tmp_path / "doc.md").write_text(GOOD.replace("lang: sv", "lang: fr"))
    library = load_library(tmp_path, ("sv", "fr"))
    assert any("no documents in 'sv'" in w for w in library.warnings)
    assert not load_library(tmp_path, ("fr",)).warnings


_MARKUP = st.lists(
    st.sampled_from(
        [
            "**",
            "*",
            "_",
            "__",
            "`",
            "[",
            "]",
            "(",
            ")",
            "](",
            "://",
            "http://",
            "https://x.se",
            "www.",
            "![",
            "<",
            ">",
            "#",
            "## ",
            "- ",
            "1. ",
            "> ",
            "|",
            "\\",
            "~~",
            "@",
            ".",
            " ",
            "\n",
            "\n\n",
            "ord",
            "Text",
            "a_b",
            "exempel.se",
            "info@exempel.se",
        ]
    ),
    max_size=40,
).map("".join)


@settings(max_examples=150, deadline=None)
@given(_MARKUP)
def test_markup_in_a_document_never_reaches_the_speech_text(
    tmp_path_factory: pytest.TempPathFactory, body: str
) -> None:
    folder = tmp_path_factory.mktemp("markup")
    (folder / "doc.md").write_text(f"---\nlang: sv\ntitle: T\n---\n\n## A\n\nStart. {body}\n")
    try:
        library = load_library(folder)
    except ContentError as exc:
        assert "doc.md:" in exc.message  # refused, naming the file and line
        return
    for section in library.documents[0].sections:
        spoken = " ".join(speech_chunks(f"{section.title}. {section.text}", lang="sv"))
        for mark in ("*", "_", "[", "](", "://"):
            assert mark not in spoken, (mark, spoken)
