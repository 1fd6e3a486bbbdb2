from __future__ import annotations

import pytest

from assistant.language import compound_parts, detect_language, normalize, terms


def test_normalization() -> None:
    assert normalize("Qu’est-ce que l'étirement ?", "fr") == "qu est ce que l étirement"
    assert normalize("Två  GÅNGER, 3 dagar!", "sv") == "två gånger tre dagar"
    assert normalize("x" * 10_000, "sv") == "x" * 2000


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
