"""Per-language text handling: normalization, tokens, stopwords, stems, compounds, detection.

Every language is analysed the same way for documents and for questions, so that a typed
question and a recognizer's lowercase transcript without punctuation meet the documents on
equal terms. What differs between languages is data (:mod:`assistant.language_data`, the
files in ``assistant/lang/<code>/``):

- Unicode NFKC and case folding; typographic apostrophes and dashes made plain;
- elisions split off (French ``l'étirement`` -> ``l étirement``, ``qu'est`` -> ``qu est``);
- numbers written with digits spelled out as words (num2words), as a recognizer writes them;
- stopwords (Snowball's lists) plus a few question words; each word is lemmatized (simplemma:
  ``doktorn`` -> ``doktor``, ``farliga`` -> ``farlig``) and the lemma given its Snowball stem
  (PyStemmer), so inflected forms of one word meet;
- Swedish compounds split into known words (simplemma's dictionary): ``muskelkramp`` also
  yields ``muskel`` and ``kramp``;
- how common a word is in everyday language (wordfreq), so that a rare word the documents
  never use (an illness, a place) weighs more than an everyday one;
- question cues (``language.toml`` ``[question_cues]``): interrogatives that say what kind of
  answer is wanted ("varför", "pourquoi" ask for a cause) stand for a concept word;
- everyday wording (``everyday.toml``): idioms rewritten to the plain words they mean ("bli
  av med" -> bota) in questions and documents alike, and for a word the documents lack, the
  words of the same meaning ("doktor" -> läkare);
- a general thesaurus (``[language] thesaurus``, see :mod:`.thesaurus`): for a word the
  documents lack, the terms of the words it lists as of the same meaning (``thesaurus_terms``);
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from assistant.errors import ConfigError
from assistant.language_data import is_supported, language, supported_languages

logger = logging.getLogger(__name__)

_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_TOKEN = re.compile(r"[^\W\d_]+", re.UNICODE)
_APOSTROPHES = re.compile("[’‘`´ʼ]")
_MAX_CHARS = 2000


def check_language(lang: str) -> str:
    """``lang`` itself when supported, else ValueError."""
    if not is_supported(lang):
        raise ValueError(f"unsupported language {lang!r}")
    return lang


@lru_cache(maxsize=8)
def _elision(lang: str) -> re.Pattern[str] | None:
    """Elided words of the language (French ``l'``, ``qu'`` ...) before a word."""
    words = language(lang).elisions
    if not words:
        return None
    alternatives = "|".join(map(re.escape, sorted(words, key=len, reverse=True)))
    return re.compile(rf"\b({alternatives})'(?=\w)", re.IGNORECASE)


def normalize(text: str, lang: str) -> str:
    """Folded, punctuation-free text with numbers as words (long input is cut to 2000 chars)."""
    text = _APOSTROPHES.sub("'", unicodedata.normalize("NFKC", text[:_MAX_CHARS])).casefold()
    elision = _elision(lang) if "'" in text else None
    if elision is not None:
        text = elision.sub(r"\1 ", text)
    text = _NUMBER.sub(lambda m: f" {_number_words(m.group(0), lang)} ", text)
    return " ".join(_TOKEN.findall(text))


def tokenize(text: str, lang: str) -> list[str]:
    """Word tokens of the normalized text."""
    return normalize(text, lang).split()


@lru_cache(maxsize=8)
def stopwords(lang: str) -> frozenset[str]:
    """Snowball's stopword list for the language plus words that only shape a question."""
    data = language(check_language(lang))
    extra = " ".join(data.question_words).replace("-", " ").split()
    return frozenset(normalize(" ".join((*data.stopwords, *extra)), lang).split())


@lru_cache(maxsize=8)
def _stemmer(lang: str) -> object:
    import Stemmer

    return Stemmer.Stemmer(language(check_language(lang)).snowball)


@lru_cache(maxsize=200_000)
def stem(word: str, lang: str) -> str:
    """Snowball stem of one (normalized) word."""
    result: str = _stemmer(lang).stemWord(word)  # type: ignore[attr-defined]
    return result


@lru_cache(maxsize=200_000)
def lemma(word: str, lang: str) -> str:
    """The dictionary form of one (normalized) word (simplemma); the word itself if unknown."""
    import simplemma

    result: str = simplemma.lemmatize(word, lang=lang).casefold()
    return result


@lru_cache(maxsize=200_000)
def is_word(word: str, lang: str) -> bool:
    """Whether the language's dictionary (simplemma) knows the word (else misheard or a name)."""
    import simplemma

    return bool(simplemma.is_known(word, lang))


@lru_cache(maxsize=200_000)
def commonness(word: str, lang: str) -> float:
    """How common the word (or its lemma) is in everyday language: wordfreq's Zipf scale,
    about 1 (rare) to 7 (the commonest words); 0 for a word wordfreq does not know."""
    from wordfreq import zipf_frequency

    return max(zipf_frequency(word, lang), zipf_frequency(lemma(word, lang), lang))


@lru_cache(maxsize=200_000)
def word_stem(word: str, lang: str) -> str:
    """The term of one word: the Snowball stem of its lemma."""
    return stem(lemma(word, lang), lang)


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


@lru_cache(maxsize=8)
def _phrase_pattern(lang: str) -> tuple[re.Pattern[str] | None, dict[str, str]]:
    data = language(lang)
    phrases = dict(data.phrases)
    table = {normalize(k, lang): normalize(v, lang) for k, v in phrases.items()}
    if not table:
        return None, table
    keys = sorted(table, key=len, reverse=True)
    return re.compile(r"(?<!\S)(?:" + "|".join(map(re.escape, keys)) + r")(?!\S)"), table


def plain_words(text: str, lang: str) -> list[str]:
    """Word tokens of the normalized text, idioms rewritten to plain words (see everyday.toml)."""
    pattern, table = _phrase_pattern(lang)
    text = normalize(text, lang)
    if pattern is not None:
        text = pattern.sub(lambda m: table[m.group(0)], text)
    return text.split()


@lru_cache(maxsize=8)
def _related_table(lang: str) -> dict[str, tuple[str, ...]]:
    data = language(lang)
    out: dict[str, list[str]] = {}
    for word, meaning in data.synonyms.items():
        key = normalize(word, lang)
        if key in stopwords(lang) or not terms(meaning, lang):
            why = "is a stopword" if key in stopwords(lang) else "means only stopwords"
            raise ConfigError(
                "language-data-invalid",
                f"{data.folder / 'everyday.toml'}: [synonyms] {word!r} {why}: it would never count",
                fix="remove the entry, or give it words that carry a meaning",
            )
        out.setdefault(key, []).extend(terms(meaning, lang))
    return {word: tuple(dict.fromkeys(found)) for word, found in out.items()}


@lru_cache(maxsize=200_000)
def related_terms(word: str, lang: str) -> tuple[str, ...]:
    """Terms of the words that mean what ``word`` (normalized) means (see everyday.toml); looked
    up as said, then as its lemma."""
    table = _related_table(lang)
    return table.get(word) or table.get(lemma(word, lang), ())


@lru_cache(maxsize=200_000)
def thesaurus_terms(word: str, lang: str) -> tuple[str, ...]:
    """Terms of the words the language's thesaurus gives the same meaning as ``word``
    (normalized; looked up as said and as its lemma), closest first (see :mod:`.thesaurus`)."""
    from assistant.understanding.thesaurus import load

    book = load(language(lang).thesaurus)
    if not len(book):
        return ()
    stop = stopwords(lang)
    found = [*book.near(word), *book.near(lemma(word, lang))]
    heads = (_content_terms(w, lang) for w in found if w not in stop)
    own = _content_terms(word, lang)
    return tuple(t for t in dict.fromkeys(h[0] for h in heads if h) if t not in own)


def terms(text: str, lang: str) -> list[str]:
    """The content terms of a text: stems of non-stopwords, compounds also as their parts."""
    return [t for group in word_terms(text, lang) for t in group]


def word_terms(text: str, lang: str) -> list[tuple[str, ...]]:
    """Per content word: its stem, then the stems of its parts when it is a compound."""
    found = (_content_terms(word, lang) for word in plain_words(text, lang))
    return [t for t in found if t]


@lru_cache(maxsize=200_000)
def _content_terms(word: str, lang: str) -> tuple[str, ...]:
    """The terms of a content word; empty for a stopword (one cached look-up per word)."""
    return _word_terms(word, lang) if _is_content(word, lang, stopwords(lang)) else ()


@dataclass(frozen=True)
class Word:
    """One content word of a text, analysed."""

    word: str
    #: Its term, then the terms of its parts when it is a compound.
    terms: tuple[str, ...]
    #: Whether the language's dictionary knows it (a misheard word or a name is not).
    known: bool
    #: How common it is in everyday language (Zipf scale, 0 when unknown; see commonness).
    zipf: float
    #: Terms of words with the same meaning (see everyday.toml).
    related: tuple[str, ...] = ()


def content_words(text: str, lang: str) -> list[Word]:
    """The content words of a text (stopwords and single letters left out), analysed."""
    stop = stopwords(lang)
    return [
        Word(
            word,
            _word_terms(word, lang),
            is_word(word, lang),
            commonness(word, lang),
            related_terms(word, lang),
        )
        for word in plain_words(text, lang)
        if _is_content(word, lang, stop)
    ]


def _is_content(word: str, lang: str, stop: frozenset[str]) -> bool:
    return word not in stop and len(word) >= 2 and lemma(word, lang) not in stop


@lru_cache(maxsize=200_000)
def _word_terms(word: str, lang: str) -> tuple[str, ...]:
    base = lemma(word, lang)
    head = stem(base, lang)
    parts = (word_stem(p, lang) for p in compound_parts(base, lang) if p not in stopwords(lang))
    return (head, *(p for p in parts if p != head))


def cue_words(text: str, lang: str) -> list[str]:
    """The concept words the question's cues ask for (``[question_cues]`` of the language:
    "varför" asks for a cause)."""
    cues = language(lang).question_cues
    found = (cues.get(w, "") for w in plain_words(text, lang))
    return list(dict.fromkeys(c for c in found if c))


def detect_language(text: str, candidates: Sequence[str]) -> str | None:
    """The candidate language the text is most likely written in; None when it cannot tell.

    Counts stopwords and the letters only one language uses (å ä ö / é è ç ...), and asks
    simplemma which language's dictionary knows most of the words.
    """
    known = supported_languages()
    langs = [c for c in candidates if c in known]
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
        scores[lang] += sum(folded.count(ch) for ch in language(lang).letters) / len(words)
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


@lru_cache(maxsize=20_000)
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
