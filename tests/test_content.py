from __future__ import annotations

from pathlib import Path

import pytest

from assistant import PROJECT_DIR
from assistant.content import load_library
from assistant.errors import ContentError
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
