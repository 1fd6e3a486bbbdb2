"""The thesaurus: MyThes files read both ways, and words of the same meaning in matching.

Unit tests build small thesauri from text; the tests marked as using the installed ones read
Debian's mythes-sv and mythes-fr (``scripts/test.sh`` installs them, as the kiosk's set-up does).
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from assistant.config import MatchingConfig
from assistant.content import Document, Library, Section
from assistant.language_data import language
from assistant.understanding import thesaurus
from assistant.understanding.language import thesaurus_terms
from assistant.understanding.matching import Matcher

SMALL = """bil|2
(Nom)|fordon|automobil|motorfordon
(Nom)|vagn|inte gående
Fordon|1
|bil|buss
inte gående|1
|vagn
"""


def test_an_entry_gives_its_one_word_synonyms_and_the_entries_listing_it() -> None:
    book = thesaurus.parse(SMALL.splitlines())
    assert book.near("bil") == ("fordon", "automobil", "motorfordon", "vagn")  # no phrase
    assert book.near("FORDON") == ("bil", "buss")  # case folded, its own first
    assert book.near("vagn") == ("bil",)  # read the other way; a phrase's entry left out
    assert book.near("cykel") == ()
    assert len(book) == 2


@pytest.mark.parametrize(
    ("text", "said"),
    [("bil|x\n|fordon\n", "expected 'word|count'"), ("bil|3\n|fordon\n", "ends inside")],
)
def test_a_file_not_in_the_format_is_refused(text: str, said: str) -> None:
    with pytest.raises(ValueError, match=said):
        thesaurus.parse(text.splitlines())


def test_the_file_is_read_in_the_encoding_its_first_line_names(tmp_path: Path) -> None:
    path = tmp_path / "th.dat"
    path.write_bytes(("ISO8859-1\n" + "färja|1\n|båt|fartyg\n").encode("latin-1"))
    assert thesaurus.read(path).near("färja") == ("båt", "fartyg")
    path.write_bytes(b"KLINGON-8\nx|1\n|y\n")
    with pytest.raises(ValueError, match="unknown encoding"):
        thesaurus.read(path)


def test_a_missing_thesaurus_is_said_once_and_nothing_stands_in(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    missing = tmp_path / "th_xx.dat"
    with caplog.at_level(logging.WARNING, logger="assistant.understanding.thesaurus"):
        assert len(thesaurus.load(missing)) == 0
        assert len(thesaurus.load(missing)) == 0
    (record,) = caplog.records
    assert str(missing) in record.getMessage() and "mythes" in record.getMessage()
    assert len(thesaurus.load(None)) == 0


def test_each_language_names_the_installed_debian_thesaurus() -> None:
    for lang, name in (("sv", "th_sv_SE_v2.dat"), ("fr", "thes_fr.dat")):
        path = language(lang).thesaurus
        assert path is not None and path.name == name
        assert len(thesaurus.load(path)) > 10_000, f"{path}: install mythes-{lang}"


def test_the_installed_thesauri_know_everyday_words() -> None:
    assert "läk" in thesaurus_terms("doktorn", "sv")  # läkare, through the lemma
    assert "fartyg" in thesaurus_terms("båten", "sv")
    assert "gripp" in thesaurus_terms("rhume", "fr")


def _document(lang: str, *texts: tuple[str, str]) -> Document:
    sections = tuple(
        Section(i, f"s{i}", title, text, (), (), i) for i, (title, text) in enumerate(texts, 1)
    )
    return Document("d", lang, "Resor", sections, None, Path("d.md"))


def test_a_word_the_documents_lack_points_to_the_section_but_covers_nothing() -> None:
    """ "båt" is not in the documents; the thesaurus's "fartyg" is, in the second section:
    the question ranks it first, and its coverage stays what an unknown word gives (the
    documents do not say they answer it)."""
    document = _document(
        "sv",
        ("Buss", "Om bussen är försenad har resenärer rätt till information."),
        ("Fartyg", "Om ett fartyg är försenat har resenärer rätt till information."),
    )
    index = Matcher(Library((document,)), MatchingConfig(), ["sv"]).indexes["sv"]
    query, scores = index.ranked("båten är sen, vad har jag rätt till")
    (word,) = [w for w in query if w.word == "båten"]
    assert word.similarity == 0 and word.terms == () and word.hints == ("fartyg",)
    assert scores.argmax() == 1
    unknown, _ = index.ranked("zeppelinaren är sen, vad har jag rätt till")
    assert index.coverage(query) == pytest.approx(index.coverage(unknown), abs=0.05)


def test_doctor_says_which_thesaurus_cannot_be_read_and_the_kiosk_stays_ready(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from assistant.config import Config
    from assistant.kiosk.doctor import check_kiosk

    found = check_kiosk(Config(), keyboard=True).check("thesaurus")
    assert found.ok and "th_sv_SE_v2.dat" in found.detail and "thes_fr.dat" in found.detail
    monkeypatch.setattr(thesaurus, "load", lambda path: thesaurus.Thesaurus({}, {}))
    report = check_kiosk(Config(), keyboard=True)
    problems = report.check("thesaurus").problems
    assert [p.code for p in problems] == ["thesaurus-missing"] * 2
    assert not any(p.blocking for p in problems) and report.ok
    assert "apt-get install mythes-sv" in problems[0].fix
