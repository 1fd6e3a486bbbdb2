"""Finding the section that answers a question, and the sentences that answer it best.

Per language, two BM25 indexes (bm25s) over the same analysed terms (see
:mod:`assistant.language`): one over whole sections (text, title and the author's keywords
and example questions) and one over sentences (the text's sentences and the example
questions). A section's rank is the sum of its normalized section score and its best
sentence's normalized score. Query words that are not in the documents are mapped to the
closest document term when they are near enough (rapidfuzz), which absorbs a misheard word.

Confidence is how much of the question the documents cover: the share of the question's
term weight (BM25 idf; a word unknown to the documents weighs as a word in no section) that
is found in the documents. "Vad är diabetes?" or "Où sont les toilettes ?" cover nothing and
get no answer, however a ranking would order the sections.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .config import MatchingConfig
from .content import Document, Library, Section
from .language import terms, word_terms

logger = logging.getLogger(__name__)

#: Closest-term mapping: minimum rapidfuzz ratio and minimum word length.
_FUZZY_MIN = 82.0
_FUZZY_MIN_LEN = 4
#: Weight of the author's title and keywords in the section index (repetitions).
_TITLE_BOOST = 2
#: Weight of a question word the documents do not have, relative to a word in no section.
_UNKNOWN_FACTOR = 0.5
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[\"«(]?[A-ZÅÄÖÉÈÊÀÂÇÎÔÛ0-9])")


@dataclass(frozen=True)
class Match:
    """The best section for a question, whether or not it is confident enough to answer."""

    document: Document
    section: Section
    #: Confidence 0..1 that the section answers the question.
    confidence: float
    #: The sentences that best answer the question, and the rest of the section.
    answer: str
    more: str


@dataclass(frozen=True)
class _Unit:
    section: int
    terms: tuple[str, ...]


def split_sentences(text: str) -> list[str]:
    """The sentences of a section's text, in order."""
    parts = (p.strip() for para in text.split("\n\n") for p in _SENTENCE_END.split(para))
    return [p for p in parts if p]


class LanguageIndex:
    """Everything needed to match questions in one language."""

    def __init__(self, entries: Sequence[tuple[Document, Section]], lang: str) -> None:
        import bm25s

        self.lang = lang
        self.entries = list(entries)
        self.sentences: list[list[str]] = [split_sentences(s.text) for _, s in self.entries]
        section_terms: list[list[str]] = []
        units: list[_Unit] = []
        for i, (_, section) in enumerate(self.entries):
            author = " ".join([section.title, *section.keywords])
            body = terms(section.text, lang) + terms(" ".join(section.questions), lang)
            section_terms.append(body + terms(author, lang) * _TITLE_BOOST)
            for sentence in [*self.sentences[i], *section.questions]:
                units.append(_Unit(i, tuple(terms(sentence, lang))))
        self.units = units
        self.unit_sections = np.array([u.section for u in units], dtype=np.int64)
        self.sections_bm25 = bm25s.BM25()
        self.sections_bm25.index([t or ["\x00"] for t in section_terms], show_progress=False)
        self.units_bm25 = bm25s.BM25()
        self.units_bm25.index([list(u.terms) or ["\x00"] for u in units], show_progress=False)
        df: Counter[str] = Counter()
        for t in section_terms:
            df.update(set(t))
        n = len(section_terms)
        self.idf = {term: _idf(n, count) for term, count in df.items()}
        self.unknown_weight = _idf(n, 0)
        self.vocabulary = sorted(self.idf)
        self._known_sections = set(self.sections_bm25.vocab_dict)
        self._known_units = set(self.units_bm25.vocab_dict)

    def query_terms(self, text: str) -> list[tuple[str, float]]:
        """Analysed question terms, each mapped to a document term when one is close enough.

        Returns (term, similarity): 1.0 for a document term, the fuzzy similarity (0..1) for
        a mapped one, 0.0 for a term the documents do not have.
        """
        from rapidfuzz import fuzz, process

        out: list[tuple[str, float]] = []
        wanted: list[str] = []
        for whole, *parts in word_terms(text, self.lang):
            # an unknown compound is asked about through its known parts
            known_parts = [p for p in parts if p in self.idf]
            wanted.extend(known_parts if whole not in self.idf and known_parts else [whole, *parts])
        for term in dict.fromkeys(wanted):
            if term in self.idf:
                out.append((term, 1.0))
                continue
            best = None
            if len(term) >= _FUZZY_MIN_LEN:
                best = process.extractOne(
                    term, self.vocabulary, scorer=fuzz.ratio, score_cutoff=_FUZZY_MIN
                )
            out.append((best[0], best[1] / 100.0) if best else (term, 0.0))
        return out

    def coverage(self, query: list[tuple[str, float]]) -> float:
        """Share of the question's term weight found in the documents (0..1)."""
        total = found = 0.0
        for term, similarity in query:
            unknown = self.unknown_weight * _UNKNOWN_FACTOR
            weight = self.idf.get(term, unknown) if similarity else unknown
            total += weight
            found += weight * similarity
        return found / total if total else 0.0

    def rank(self, query: list[tuple[str, float]]) -> np.ndarray:
        """A score per section (higher is better)."""
        known = [t for t, sim in query if sim > 0]
        scores = np.zeros(len(self.entries))
        section_terms = [t for t in known if t in self._known_sections]
        if section_terms:
            s = np.asarray(self.sections_bm25.get_scores(section_terms), dtype=float)
            if s.max() > 0:
                scores += s / s.max()
        unit_terms = [t for t in known if t in self._known_units]
        if unit_terms:
            u = np.asarray(self.units_bm25.get_scores(unit_terms), dtype=float)
            best = np.zeros(len(self.entries))
            np.maximum.at(best, self.unit_sections, u)
            if best.max() > 0:
                scores += best / best.max()
        return scores

    def pick_sentences(
        self, index: int, query: list[tuple[str, float]], count: int
    ) -> tuple[str, str]:
        """(answer, more): the ``count`` best sentences of the section in text order, the rest."""
        sentences = self.sentences[index]
        weights = {t: self.idf.get(t, 0.0) * sim for t, sim in query if sim > 0}
        scored = []
        for i, sentence in enumerate(sentences):
            words = set(terms(sentence, self.lang))
            scored.append((sum(w for t, w in weights.items() if t in words), -i))
        ranked = sorted(range(len(sentences)), key=lambda i: scored[i], reverse=True)
        best = scored[ranked[0]][0] if ranked else 0.0
        if best <= 0:
            chosen = set(range(min(count, len(sentences))))
        else:
            chosen = {ranked[0]}
            for i in ranked[1:count]:
                if scored[i][0] >= 0.5 * best:
                    chosen.add(i)
        answer = " ".join(s for i, s in enumerate(sentences) if i in chosen)
        more = " ".join(s for i, s in enumerate(sentences) if i not in chosen)
        return answer, more


class Matcher:
    """Matches questions against the library, one index per language."""

    def __init__(self, library: Library, config: MatchingConfig, languages: Sequence[str]) -> None:
        self.config = config
        self.indexes = {
            lang: LanguageIndex(library.sections(lang), lang)
            for lang in languages
            if library.sections(lang)
        }

    def best(self, text: str, lang: str) -> Match | None:
        """The best section however weak the match (None when nothing in the question is known)."""
        index = self.indexes.get(lang)
        if index is None:
            return None
        query = index.query_terms(text)
        if not any(sim for _, sim in query):
            return None
        scores = index.rank(query)
        best = int(np.argmax(scores))
        if scores[best] <= 0:
            return None
        document, section = index.entries[best]
        answer, more = index.pick_sentences(best, query, self.config.answer_sentences)
        return Match(document, section, round(index.coverage(query), 3), answer, more)

    def match(self, text: str, lang: str) -> Match | None:
        """The answering section, or None when no section is confident enough."""
        found = self.best(text, lang)
        if found is None or found.confidence < self.config.min_confidence:
            return None
        return found

    def fit(self, text: str, lang: str) -> float:
        """How well the text's words fit the documents of ``lang``, 0..1 (cheap, no ranking)."""
        index = self.indexes.get(lang)
        if index is None:
            return 0.0
        known = set(index.idf)
        words = terms(text, lang)
        if not words:
            return 0.0
        return sum(w in known for w in words) / len(words)


def _idf(n: int, df: int) -> float:
    return math.log(1.0 + (n - df + 0.5) / (df + 0.5))
