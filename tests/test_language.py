from __future__ import annotations

import pytest

from assistant.language_data import language, supported_languages
from assistant.understanding.language import (
    compound_parts,
    content_words,
    detect_language,
    normalize,
    plain_words,
    related_terms,
    stem,
    terms,
    word_terms,
)


def test_normalization() -> None:
    assert normalize("Qu’est-ce que l'étirement ?", "fr") == "qu est ce que l étirement"
    assert normalize("Två  GÅNGER, 3 dagar!", "sv") == "två gånger tre dagar"
    assert normalize("x" * 10_000, "sv") == "x" * 2000


def test_every_apostrophe_and_repeated_numbers() -> None:
    assert normalize("l’eau l‘eau l`eau l´eau lʼeau", "fr") == " ".join(["l eau"] * 5)
    assert normalize("3 spasmer, 3 gånger, 30 dagar", "sv") == (
        "tre spasmer tre gånger trettio dagar"
    )


def test_word_terms_are_the_content_words_terms() -> None:
    assert word_terms("vad är en muskelkramp", "sv") == [tuple(terms("muskelkramp", "sv"))]
    assert word_terms("och det", "sv") == []


def test_compounds_and_stems() -> None:
    assert compound_parts("muskelkramp", "sv") == ("muskel", "kramp")
    assert compound_parts("ryggmärgen", "sv")[0] == "rygg"
    assert terms("muskelspasmer", "sv")[1:] == terms("muskel spasmer", "sv")
    assert terms("Les spasmes", "fr") == terms("spasme", "fr")


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("vad orsakar kramp", "sv"),
        ("var är toaletten", "sv"),
        ("qu est ce qui provoque les crampes", "fr"),
        ("où sont les toilettes", "fr"),
        ("", None),
        ("!!!", None),
    ],
)
def test_detect_language(text: str, lang: str | None) -> None:
    assert detect_language(text, ["sv", "fr"]) == lang


def test_inflected_forms_meet_through_lemmas() -> None:
    assert terms("doktorn", "sv") == terms("doktor", "sv")
    assert terms("farliga", "sv") == terms("farligt", "sv")
    assert terms("musklerna", "sv") == terms("muskel", "sv")
    assert terms("les jambes", "fr") == terms("jambe", "fr")


def test_content_words_know_how_common_a_word_is() -> None:
    words = {w.word: w for w in content_words("migrän prata xqzvw", "sv")}
    assert words["migrän"].known and words["prata"].known and not words["xqzvw"].known
    assert 0 < words["migrän"].zipf < words["prata"].zipf
    assert words["xqzvw"].zipf == 0


def test_stopword_parts_of_compounds_are_dropped() -> None:
    (word,) = content_words("förkylning", "sv")
    assert stem("för", "sv") not in word.terms[1:]


def test_idioms_become_plain_words_in_questions_and_documents() -> None:
    assert plain_words("Går det att bota spasmerna?", "sv") == ["bota", "spasmerna"]
    assert "juste" not in plain_words("C'est quoi au juste un spasme ?", "fr")
    assert plain_words("hur kommer det sig", "sv") == ["hur", "varför"]


def test_everyday_words_know_their_document_words() -> None:
    assert terms("läkare", "sv")[0] in related_terms("doktorn", "sv")
    assert terms("médecin", "fr")[0] in related_terms("docteur", "fr")
    assert related_terms("xqzvw", "sv") == ()
    for lang in supported_languages():
        table = language(lang).synonyms
        assert all(terms(meaning, lang) for meaning in table.values())
