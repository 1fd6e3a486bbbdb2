"""Finding the section that answers a question, and the sentences that answer it best.

Per language, two BM25 indexes (bm25s) over the same analysed terms (see
:mod:`assistant.understanding.language`): one over whole sections (text, title and the
author's keywords and example questions) and one over sentences (the text's sentences and the
example questions). A section's rank is the sum of its normalized section score and its best
sentence's normalized score. Query words that are not in the documents are mapped to the
closest document term when they are near enough (rapidfuzz), which absorbs a misheard word;
one that stays unknown brings the document words the language's thesaurus gives the same
meaning (:mod:`.thesaurus`), which help rank the sections but are no coverage.

Confidence is how much of the question the documents cover: the share of the question's
term weight (BM25 idf; a word unknown to the documents weighs as a word in no section) that
is found in the documents. "Vad är diabetes?" or "Où sont les toilettes ?" cover nothing and
get no answer, however a ranking would order the sections. With a sentence encoder, this
ranking and this coverage are two of the inputs of the hybrid decision (:mod:`.hybrid`).
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from assistant.config import MatchingConfig
from assistant.content import Document, Library, Section
from assistant.understanding.dense import DenseIndex, build_dense_index
from assistant.understanding.hybrid import Assessment, assess, decide, load_calibration
from assistant.understanding.language import (
    content_words,
    cue_words,
    plain_words,
    terms,
    thesaurus_terms,
    word_terms,
)
from assistant.understanding.sentences import split_sentences

if TYPE_CHECKING:
    from assistant.understanding.encoder import Encoder

logger = logging.getLogger(__name__)

#: Closest-term mapping: minimum rapidfuzz ratio and minimum word length; a near term must
#: also start with the same letter (recognizers and typists rarely miss the first sound).
#: A dictionary word near a document term is more likely another word than a misheard one,
#: so its similarity counts for less.
_FUZZY_MIN = 84.0
_FUZZY_KNOWN_WORD = 0.8
_FUZZY_MIN_LEN = 4
#: Weight of the author's title and keywords in the section index (repetitions).
_TITLE_BOOST = 2
#: Specificity of a question word, from how common it is (wordfreq's Zipf scale): a rare word
#: (an illness, a place: Zipf about 3) says much about what the question is about, and when
#: the documents lack it, it is strong evidence that the question is about something else;
#: an everyday word ("ge", "prata", "petit": Zipf 5-6) says little either way; a word
#: neither the dictionary nor the word list knows is likely misheard.
_UNKNOWN_ZIPF_ZERO = 7.0
_UNKNOWN_ZIPF_SPAN = 3.0
_UNKNOWN_MIN, _UNKNOWN_MAX = 0.2, 1.5
_UNKNOWN_NOISE = 0.4
#: Least evidence weight of a document word, as a share of an unknown word's: a word every
#: section uses ("spasm") tells no section from another but shows the question is on topic.
_TOPIC_FLOOR = 0.2
#: Similarity of a document word standing in for an everyday word ("doktor" -> läkare).
_RELATED = 0.85
#: Weight in ranking of a document word the thesaurus gives the same meaning as a question
#: word the documents lack ("färja" -> fartyg), and how many such words at most one
#: question word brings.
_NEAR = 0.5
_NEAR_MAX = 3
#: Similarity of a term the documents have only inside compounds ("ligg" of "bakomliggande").
_PART_ONLY = 0.5
#: Weight in ranking of the concept a question cue asks for ("varför" -> orsak).
_CUE_WEIGHT = 1.0
#: Weight of the best sentence against the whole section in ranking.
_UNIT_WEIGHT = 0.5
#: Weight of a sentence's lexical score beside its closeness when answer sentences are chosen.
_SENTENCE_LEXICAL = 0.05
#: A next best sentence is read too when its score is this near the best one's.
_SENTENCE_NEAR = 0.02
#: Derivations of one word: terms sharing their first _STEM_MIN letters and at least
#: _STEM_SHARE of the shorter one stand in for each other, at similarity _SAME_STEM.
_STEM_MIN = 5
_STEM_SHARE = 0.75
_SAME_STEM = 0.7
#: Least weight of a word the recognizer is unsure of, as a share of a sure word's: a
#: misheard word should not decide the answer, but it was still likely said.
_LEAST_HEARD = 0.2
#: Third-party loggers held at WARNING (see _quiet_libraries).
_QUIET_LOGGERS = ("bm25s", "simplemma", "wordfreq", "numba")


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
class QueryWord:
    """One content word of a question and what the documents make of it."""

    word: str
    #: The document terms it stands for (its own term, or its compound parts, or the closest).
    terms: tuple[str, ...]
    #: 1.0 for a document word, the fuzzy similarity for a near one, 0.0 for an unknown one.
    similarity: float
    #: Its evidence weight: idf (an unknown word weighs as a word in no section) times
    #: its specificity.
    weight: float
    #: How much the word says about a subject: rare words much, everyday words little.
    specificity: float
    #: How sure the recognizer is that the word was said (1 for typed text).
    heard: float = 1.0
    #: For a word the documents lack: the document terms of words of the same meaning (the
    #: thesaurus's); they count in ranking (at :data:`_NEAR`), never as coverage.
    hints: tuple[str, ...] = ()


class LanguageIndex:
    """Everything needed to match questions in one language."""

    def __init__(
        self, entries: Sequence[tuple[Document, Section]], lang: str, *, thesaurus: bool = True
    ) -> None:
        import bm25s

        _quiet_libraries()

        self.lang = lang
        self.thesaurus = thesaurus
        self.entries = list(entries)
        section_terms: list[list[str]] = []
        # sentences and example questions: their terms and their section (the terms are
        # only needed to build the index, not kept)
        unit_terms: list[list[str]] = []
        unit_sections: list[int] = []
        whole_terms: set[str] = set()
        for i, (_, section) in enumerate(self.entries):
            # each sentence is analysed once, for its own unit and for the whole section (an
            # idiom does not run from one sentence into the next)
            sentences = [word_terms(s, lang) for s in split_sentences(section.text)]
            asked = [word_terms(q, lang) for q in section.questions]
            author = word_terms(" ".join([section.title, *section.keywords]), lang)
            for groups in (*sentences, *asked):
                unit_terms.append([t for group in groups for t in group] or ["\x00"])
                unit_sections.append(i)
            body = [t for groups in (*sentences, *asked) for group in groups for t in group]
            section_terms.append(body + [t for group in author for t in group] * _TITLE_BOOST)
            whole_terms.update(g[0] for groups in (*sentences, *asked, author) for g in groups)
        self.unit_sections = np.array(unit_sections, dtype=np.int64)
        self.sections_bm25 = bm25s.BM25()
        self.sections_bm25.index([t or ["\x00"] for t in section_terms], show_progress=False)
        self.units_bm25 = bm25s.BM25()
        self.units_bm25.index(unit_terms, show_progress=False)
        df: Counter[str] = Counter()
        for t in section_terms:
            df.update(set(t))
        n = len(section_terms)
        self.idf = {term: _idf(n, count) for term, count in df.items()}
        self.unknown_weight = _idf(n, 0)
        self.vocabulary = sorted(self.idf)
        initials: dict[str, list[str]] = {}
        for term in self.vocabulary:
            initials.setdefault(term[0], []).append(term)
        self._by_initial = initials
        starts: dict[str, list[str]] = {}
        for term in self.vocabulary:
            if len(term) >= _STEM_MIN:
                starts.setdefault(term[:_STEM_MIN], []).append(term)
        self._by_start = starts
        self._known_sections = set(self.sections_bm25.vocab_dict)
        self._known_units = set(self.units_bm25.vocab_dict)
        self._whole_terms = whole_terms

    def query(
        self, text: str, word_confidence: Mapping[str, float] | None = None
    ) -> list[QueryWord]:
        """The question's content words, each with the document terms it stands for; with
        ``word_confidence`` (the recognizer's, per lowercase word), a word's evidence weight
        is scaled by how sure the recognizer is of it (at least :data:`_LEAST_HEARD`)."""
        from rapidfuzz import fuzz, process

        out: list[QueryWord] = []
        seen: set[tuple[str, ...]] = set()
        sure = _as_plain_words(word_confidence, self.lang)
        for word in content_words(text, self.lang):
            if word.terms in seen:
                continue
            seen.add(word.terms)
            whole, *parts = word.terms
            known_parts = tuple(p for p in parts if p in self.idf)
            found: tuple[str, ...]
            if whole in self.idf:  # the parts only stand in for a compound the documents lack
                found, similarity = (whole,), 1.0
            elif known_parts:  # an unknown compound is asked about through its known parts
                found, similarity = known_parts, 1.0
            elif related := tuple(t for t in word.related if t in self.idf):
                found, similarity = related, _RELATED  # an everyday word for a document's
            else:
                best = None
                if len(whole) >= _FUZZY_MIN_LEN:
                    best = process.extractOne(
                        whole,
                        self._by_initial.get(whole[0], ()),
                        scorer=fuzz.ratio,
                        score_cutoff=_FUZZY_MIN,
                    )
                found, similarity = ((best[0],), best[1] / 100.0) if best else ((), 0.0)
                if best and word.known:
                    similarity *= _FUZZY_KNOWN_WORD
                if not best and (kin := self._same_stem(whole)):
                    found, similarity = kin, _SAME_STEM
            if found and found[0] not in self._whole_terms:
                similarity *= _PART_ONLY  # in the documents only inside compounds: weak
            # a word the documents lack: a thesaurus's words of the same meaning that they have
            # say which section is likely meant, not that the documents answer the question
            hints = () if found else self._near(word.word)
            specificity = _specificity(word.known, word.zipf)
            if found:
                idf = sum(self.idf[t] for t in found) / len(found)
                weight = specificity * max(idf, _TOPIC_FLOOR * self.unknown_weight)
            else:
                weight = specificity * self.unknown_weight
            heard = _heard(word.word, sure)
            out.append(
                QueryWord(word.word, found, similarity, weight * heard, specificity, heard, hints)
            )
        return out

    def _near(self, word: str) -> tuple[str, ...]:
        """Document terms of the words the thesaurus gives the same meaning as ``word``."""
        if not self.thesaurus:
            return ()
        return tuple(t for t in thesaurus_terms(word, self.lang) if t in self.idf)[:_NEAR_MAX]

    def _same_stem(self, term: str) -> tuple[str, ...]:
        """Document terms that share the start of ``term`` far enough to be one word's
        derivations ("inscrir" of inscrit, "inscript" of inscription)."""
        if len(term) < _STEM_MIN:
            return ()
        out = []
        for other in self._by_start.get(term[:_STEM_MIN], ()):
            shared = _shared_start(term, other)
            if shared >= _STEM_MIN and shared >= _STEM_SHARE * min(len(term), len(other)):
                out.append(other)
        return tuple(out[:3])

    def cue_terms(self, text: str) -> list[str]:
        """Document terms of the concepts the question's cues ask for (ranking only)."""
        wanted = terms(" ".join(cue_words(text, self.lang)), self.lang)
        return [t for t in dict.fromkeys(wanted) if t in self.idf]

    def ranked(
        self, text: str, word_confidence: Mapping[str, float] | None = None
    ) -> tuple[list[QueryWord], np.ndarray]:
        """The question's words and the lexical score of each section (zeros when nothing in
        the question is known)."""
        query = self.query(text, word_confidence)
        if not any(w.similarity or w.hints for w in query):
            return query, np.zeros(len(self.entries))
        return query, self.rank(query, self.cue_terms(text))

    @staticmethod
    def coverage(query: Sequence[QueryWord]) -> float:
        """Share of the question's word weight found in the documents (0..1)."""
        total = sum(w.weight for w in query)
        found = sum(w.weight * w.similarity for w in query)
        return found / total if total else 0.0

    def rank(self, query: Sequence[QueryWord], cues: Sequence[str] = ()) -> np.ndarray:
        """A score per section (higher is better): each term's BM25 score weighted by how
        specific the question word is, over sections plus over their best sentence."""
        weights: dict[str, float] = {}
        for word in query:
            for term in word.terms if word.similarity > 0 else ():
                weight = word.similarity * min(1.0, word.specificity) * word.heard
                weights[term] = max(weights.get(term, 0.0), weight)
            for term in word.hints:
                weight = _NEAR * min(1.0, word.specificity) * word.heard
                weights[term] = max(weights.get(term, 0.0), weight)
        # a cue's concept is looked for in whole sections (where the titles weigh), not in
        # single sentences that happen to use the word ("une cause de préoccupation")
        section_weights = dict(weights)
        for cue in cues:
            section_weights.setdefault(cue, _CUE_WEIGHT)
        scores = np.zeros(len(self.entries))
        section = self._weighted(self.sections_bm25, self._known_sections, section_weights)
        if section is not None and section.max() > 0:
            scores += section / section.max()
        units = self._weighted(self.units_bm25, self._known_units, weights)
        if units is not None:
            best = np.zeros(len(self.entries))
            np.maximum.at(best, self.unit_sections, units)
            if best.max() > 0:
                scores += _UNIT_WEIGHT * best / best.max()
        return scores

    @staticmethod
    def _weighted(bm25: Any, known: set[str], weights: dict[str, float]) -> np.ndarray | None:
        total: np.ndarray | None = None
        for term, weight in weights.items():
            if term in known:
                part = weight * np.asarray(bm25.get_scores([term]), dtype=float)
                total = part if total is None else total + part
        return total

    def pick_sentences(
        self,
        index: int,
        query: Sequence[QueryWord],
        count: int,
        closeness: np.ndarray | None = None,
    ) -> tuple[str, str]:
        """(answer, more): the sentences of the section that best answer the question (at most
        ``count``, in text order) and the rest.

        A sentence's score is its lexical weight (the idf of the question's terms it has) and,
        with an encoder, its closeness to the question (``closeness``, one per sentence); the
        best sentence is read, and each next best that scores nearly as well."""
        sentences = split_sentences(self.entries[index][1].text)
        weights = {t: self.idf.get(t, 0.0) * w.similarity * w.heard for w in query for t in w.terms}
        words = [set(terms(s, self.lang)) for s in sentences]
        lexical = np.array([sum(w for t, w in weights.items() if t in ws) for ws in words])
        if closeness is not None and len(closeness) == len(sentences) and len(sentences) > 1:
            top = float(lexical.max())
            score = closeness + _SENTENCE_LEXICAL * (lexical / top if top > 0 else lexical)
            near = _SENTENCE_NEAR
        else:
            score, near = lexical, 0.0
        ranked = sorted(range(len(sentences)), key=lambda i: (-score[i], i))
        best = float(score[ranked[0]]) if ranked else 0.0
        if best <= 0:
            chosen = set(range(min(count, len(sentences))))
        else:
            chosen = {ranked[0]}
            for i in ranked[1:count]:
                if (near and score[i] >= best - near) or (not near and score[i] >= 0.5 * best):
                    chosen.add(i)
        answer = " ".join(s for i, s in enumerate(sentences) if i in chosen)
        more = " ".join(s for i, s in enumerate(sentences) if i not in chosen)
        return answer, more


@dataclass(frozen=True)
class Decision:
    """What to do with a question: answer the first match, ask back between the matches, or
    decline (no matches)."""

    outcome: Literal["answer", "ask", "decline"]
    matches: tuple[Match, ...]
    #: Probability that the best section answers (see :mod:`.hybrid`); the lexical confidence
    #: without an encoder.
    probability: float


class Matcher:
    """Matches questions against the library, one index per language; with a sentence
    encoder also a dense index per language, and the hybrid decision of :mod:`.hybrid`."""

    def __init__(
        self,
        library: Library,
        config: MatchingConfig,
        languages: Sequence[str],
        encoder: Encoder | None = None,
        cache: Path | None = None,
    ) -> None:
        self.config = config
        self.encoder = encoder
        self.indexes = {
            lang: LanguageIndex(library.sections(lang), lang, thesaurus=config.thesaurus)
            for lang in languages
            if library.sections(lang)
        }
        self.dense: dict[str, DenseIndex] = {}
        if encoder is not None:
            self.calibration = load_calibration()
            for lang, index in self.indexes.items():
                self.dense[lang] = build_dense_index(index.entries, encoder, cache)

    def best(
        self, text: str, lang: str, word_confidence: Mapping[str, float] | None = None
    ) -> Match | None:
        """The best section by lexical matching alone, however weak (None when nothing in the
        question is known)."""
        index = self.indexes.get(lang)
        if index is None:
            return None
        query, scores = index.ranked(text, word_confidence)
        best = int(np.argmax(scores))
        if scores[best] <= 0:
            return None
        document, section = index.entries[best]
        answer, more = index.pick_sentences(best, query, self.config.answer_sentences)
        return Match(document, section, round(index.coverage(query), 3), answer, more)

    def assess(self, text: str, lang: str) -> Assessment | None:
        """The hybrid assessment of a question (None without an encoder or documents)."""
        found = self._assess(text, lang)
        return found[0] if found is not None else None

    def _assess(
        self, text: str, lang: str, word_confidence: Mapping[str, float] | None = None
    ) -> tuple[Assessment, LanguageIndex, list[QueryWord], np.ndarray] | None:
        index, dense = self.indexes.get(lang), self.dense.get(lang)
        if index is None or dense is None or self.encoder is None:
            return None
        query, lexical = index.ranked(text, word_confidence)
        vector = self.encoder.encode([text], query=True)[0]
        scores = dense.section_scores(vector)
        return (
            assess(lexical, index.coverage(query), scores, self.calibration),
            index,
            query,
            vector,
        )

    def decide(
        self, text: str, lang: str, word_confidence: Mapping[str, float] | None = None
    ) -> Decision:
        """Answer, ask back or decline: by the hybrid decision with an encoder, else by the
        lexical confidence (``matching.min_confidence``); words weighed by ``word_confidence``
        (see :meth:`LanguageIndex.query`)."""
        found = self._assess(text, lang, word_confidence)
        if found is None:
            match = self.match(text, lang, word_confidence)
            if match is None:
                return Decision("decline", (), 0.0)
            return Decision("answer", (match,), match.confidence)
        assessment, index, query, vector = found
        outcome = decide(assessment, self.config.answer_probability, self.config.ask_probability)
        if outcome == "decline":
            return Decision("decline", (), assessment.probability)
        chosen = assessment.order[:1]
        if outcome == "ask":  # the two sections offered belong to one document
            first = index.entries[chosen[0]][0].id
            same = [i for i in assessment.order[1:3] if index.entries[i][0].id == first]
            if not same:
                return Decision("decline", (), assessment.probability)
            chosen = (chosen[0], same[0])
        dense = self.dense[lang]
        matches = []
        for position in chosen:
            document, section = index.entries[position]
            closeness = dense.sentence_scores(vector, position)
            answer, more = index.pick_sentences(
                position, query, self.config.answer_sentences, closeness
            )
            matches.append(Match(document, section, assessment.probability, answer, more))
        return Decision(outcome, tuple(matches), assessment.probability)

    def match(
        self, text: str, lang: str, word_confidence: Mapping[str, float] | None = None
    ) -> Match | None:
        """The answering section, or None when no section is confident enough."""
        found = self.best(text, lang, word_confidence)
        if found is None or found.confidence < self.config.min_confidence:
            return None
        return found

    def fit(self, text: str, lang: str) -> float:
        """How well the text's words fit the documents of ``lang``, 0..1 (cheap, no ranking)."""
        index = self.indexes.get(lang)
        if index is None:
            return 0.0
        words = terms(text, lang)
        if not words:
            return 0.0
        return sum(w in index.idf for w in words) / len(words)


def _as_plain_words(word_confidence: Mapping[str, float] | None, lang: str) -> dict[str, float]:
    """The recognizer's words as the question's words are read ("l'eau" gives "eau"), each
    with its least confidence; malformed values are left out (such a word counts as sure)."""
    out: dict[str, float] = {}
    for heard, value in (word_confidence or {}).items():
        if not isinstance(value, int | float) or not math.isfinite(value):
            continue
        for word in plain_words(str(heard), lang):
            out[word] = min(out.get(word, 1.0), float(value))
    return out


def _shared_start(a: str, b: str) -> int:
    """How many letters ``a`` and ``b`` share from their start."""
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return i
    return min(len(a), len(b))


def _heard(word: str, sure: Mapping[str, float]) -> float:
    """How sure the recognizer is of ``word`` (1 when not known), floored at _LEAST_HEARD."""
    found = sure.get(word)
    return 1.0 if found is None else max(_LEAST_HEARD, min(1.0, found))


def _quiet_libraries() -> None:
    """Keep the indexing libraries' chatter out of the kiosk's log: bm25s sets its own logger
    to DEBUG on import and logs every index build. A level set on purpose above WARNING
    (ERROR, CRITICAL) is kept."""
    for name in _QUIET_LOGGERS:
        library_logger = logging.getLogger(name)
        if library_logger.level < logging.WARNING:
            library_logger.setLevel(logging.WARNING)


def _specificity(known: bool, zipf: float) -> float:
    if zipf <= 0:
        return 1.0 if known else _UNKNOWN_NOISE
    factor = (_UNKNOWN_ZIPF_ZERO - zipf) / _UNKNOWN_ZIPF_SPAN
    return min(_UNKNOWN_MAX, max(_UNKNOWN_MIN, factor))


def _idf(n: int, df: int) -> float:
    return math.log(1.0 + (n - df + 0.5) / (df + 0.5))
