"""Per-language text handling: normalization, tokens, stopwords, stems, compounds, detection.

Swedish and French are analysed the same way for documents and for questions, so that a
typed question and a recognizer's lowercase transcript without punctuation meet the documents
on equal terms:

- Unicode NFKC and case folding; typographic apostrophes and dashes made plain;
- French elisions split off (``l'étirement`` -> ``l étirement``, ``qu'est`` -> ``qu est``);
- numbers written with digits spelled out as words (num2words), as a recognizer writes them;
- Snowball stopwords (the lists bm25s ships) plus a few question words, then Snowball stems
  (PyStemmer);
- Swedish compounds split into known words (simplemma's dictionary): ``muskelkramp`` also
  yields ``muskel`` and ``kramp``.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

logger = logging.getLogger(__name__)

#: Languages the kiosk can analyse (documents in others are refused).
SUPPORTED_LANGUAGES: tuple[str, ...] = ("sv", "fr")

_SNOWBALL = {"sv": "swedish", "fr": "french"}

#: Words that only shape a question ("tell me", "I wonder") and say nothing of its subject;
#: added to the Snowball stopword lists.
_QUESTION_WORDS = {
    "sv": (
        "berätta säg veta vet undrar undra fråga frågar förklara snälla tack hej ursäkta "
        "skulle kunna vill ville får fick gör göra görs finns fanns "
        "vilken vilket vilka varför vad hur när var vem mig mej dig dej okej ja nej lite "
        "egentligen också bara typ alltså sån sånt såna ens ska"
    ),
    "fr": (
        "dire dites dis savoir sais sait voudrais veux voulez aimerais expliquer expliquez "
        "explique quoi comment pourquoi quand quel quelle quels quelles où qui est-ce "
        "bonjour merci pardon plaît svp oui non alors donc peu bien aussi faire fait font "
        "peut peuvent puis pouvez peux ça cela ceci il y a chose choses madame monsieur faut "
        "est-ce-que"
    ),
}

_ELISION = re.compile(
    r"\b(l|d|j|qu|n|s|c|m|t|jusqu|lorsqu|puisqu|quoiqu|presqu)'(?=\w)", re.IGNORECASE
)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_TOKEN = re.compile(r"[^\W\d_]+", re.UNICODE)
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'"})
_MAX_CHARS = 2000


def check_language(lang: str) -> str:
    """``lang`` itself when supported, else ValueError."""
    if lang not in SUPPORTED_LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}")
    return lang


def normalize(text: str, lang: str) -> str:
    """Folded, punctuation-free text with numbers as words (long input is cut to 2000 chars)."""
    text = unicodedata.normalize("NFKC", text[:_MAX_CHARS]).translate(_APOSTROPHES).casefold()
    if lang == "fr":
        text = _ELISION.sub(r"\1 ", text)
    text = _NUMBER.sub(lambda m: f" {_number_words(m.group(0), lang)} ", text)
    return " ".join(_TOKEN.findall(text))


def tokenize(text: str, lang: str) -> list[str]:
    """Word tokens of the normalized text."""
    return normalize(text, lang).split()


@lru_cache(maxsize=8)
def stopwords(lang: str) -> frozenset[str]:
    """Snowball's stopword list for the language plus words that only shape a question."""
    import bm25s.stopwords as lists

    base = {"sv": lists.STOPWORDS_SWEDISH, "fr": lists.STOPWORDS_FRENCH}[check_language(lang)]
    extra = _QUESTION_WORDS[lang].replace("-", " ").split()
    return frozenset(normalize(" ".join((*base, *extra)), lang).split())


@lru_cache(maxsize=8)
def _stemmer(lang: str) -> object:
    import Stemmer

    return Stemmer.Stemmer(_SNOWBALL[check_language(lang)])


@lru_cache(maxsize=200_000)
def stem(word: str, lang: str) -> str:
    """Snowball stem of one (normalized) word."""
    result: str = _stemmer(lang).stemWord(word)  # type: ignore[attr-defined]
    return result


@lru_cache(maxsize=100_000)
def compound_parts(word: str, lang: str) -> tuple[str, ...]:
    """The known words a Swedish compound is made of (empty when it is not one).

    A word of 7 letters or more is split where both parts are words simplemma knows (the
    first part at least 3 letters, the last at least 4, both together at least 8; a linking
    ``s`` allowed), preferring the longest last part: ``muskelspasm`` -> ``muskel``, ``spasm``.
    """
    if lang != "sv" or len(word) < 7:
        return ()
    import simplemma

    for cut in range(3, len(word) - 3):
        head, tail = word[:cut], word[cut:]
        if len(head) == 3 and len(tail) < 5:
            continue
        if not simplemma.is_known(tail, lang):
            continue
        if simplemma.is_known(head, lang):
            return (head, tail)
        if head.endswith("s") and len(head) > 3 and simplemma.is_known(head[:-1], lang):
            return (head[:-1], tail)
    return ()


def terms(text: str, lang: str) -> list[str]:
    """The content terms of a text: stems of non-stopwords, compounds also as their parts."""
    return [t for group in word_terms(text, lang) for t in group]


def word_terms(text: str, lang: str) -> list[tuple[str, ...]]:
    """Per content word: its stem, then the stems of its parts when it is a compound."""
    stop = stopwords(lang)
    out: list[tuple[str, ...]] = []
    for word in tokenize(text, lang):
        if word in stop or len(word) < 2:
            continue
        parts = compound_parts(word, lang)
        out.append((stem(word, lang), *(stem(part, lang) for part in parts)))
    return out


def detect_language(text: str, candidates: Sequence[str]) -> str | None:
    """The candidate language the text is most likely written in; None when it cannot tell.

    Counts stopwords and the letters only one language uses (å ä ö / é è ç ...), and asks
    simplemma which language's dictionary knows most of the words.
    """
    langs = [c for c in candidates if c in SUPPORTED_LANGUAGES]
    if not langs:
        return None
    if len(langs) == 1:
        return langs[0]
    folded = unicodedata.normalize("NFC", text[:_MAX_CHARS]).casefold()
    scores = dict.fromkeys(langs, 0.0)
    for lang in langs:
        words = tokenize(folded, lang)
        if not words:
            continue
        stop = stopwords(lang)
        scores[lang] += 2.0 * sum(w in stop for w in words) / len(words)
        scores[lang] += sum(folded.count(ch) for ch in _LETTERS.get(lang, "")) / len(words)
    import simplemma

    words_text = " ".join(_TOKEN.findall(folded))
    if words_text:
        for lang, share in simplemma.langdetect(words_text, lang=tuple(langs)):
            if lang in scores:
                scores[lang] += float(share)
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    if ranked[0][1] <= 0 or ranked[0][1] - ranked[1][1] < 0.05:
        return None
    return ranked[0][0]


_LETTERS = {"sv": "åäö", "fr": "éèêëçàâùûôîïœ"}


def _number_words(number: str, lang: str) -> str:
    from num2words import num2words

    value: float | int
    try:
        value = float(number.replace(",", ".")) if any(c in number for c in ".,") else int(number)
        if len(number) > 15:
            return number
        words: str = num2words(value, lang=lang)
    except (ValueError, NotImplementedError, OverflowError):
        return number
    return words
