"""Control utterances (repeat, more, stop, help, slower, faster, louder, quieter, language).

Recognized before a question is matched against the documents, in each language, in
natural phrasing. An utterance is a command when, after politeness and hesitation words are
dropped, it is

1. one of the phrasings of ``assistant/lang/<code>/commands.toml`` (exactly, or nearly:
   rapidfuzz ratio >= 88), or
2. a phrasing as a pattern: the same words in any order and any inflection, words that go
   with any command (``kan``, ``vous``) left out: ``hur ska jag göra`` is ``hur gör jag``,
   ``ça ira`` is ``ça va aller``, or
3. a verb/object rule (``commands.toml`` ``[[rules]]``): a word of each of its groups said,
   in any order and inflection (``sänk rösten``, ``baissez la voix``), and nothing about a
   subject; when several rules fit, the one with the most groups, or
4. short (at most 12 words, 6 of them not stopwords) and made only of command words,
   stopwords and words that go with any command (``läs``, ``vous``, ``alldeles``); then the
   longest phrasing said within it, compared as stems, decides; else the command words must
   point to one intent (a word that is a command on its own, like ``mer`` or ``upprepa``,
   counts most), and when they point to several, the closest phrasing decides.

Anything with a word about a subject (``orsaker``, ``spasmes`` ...) is left to matching, as is
anything made only of stopwords that no phrasing or rule covers.
Switching language names the language (``på franska``, ``en suédois``) or not (``byt
språk``: the other language).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, cast

from assistant.language_data import is_supported, language, supported_languages
from assistant.understanding.language import (
    lemma,
    normalize,
    stopwords,
    word_stem,
)

if TYPE_CHECKING:
    from assistant.understanding.reply import Intent

logger = logging.getLogger(__name__)

#: A command is short: at most this many words, of which at most _MAX_CONTENT not stopwords.
_MAX_WORDS = 12
_MAX_CONTENT = 6
_FUZZY_MIN = 88.0
#: When command words point to several intents, the closest phrasing must be this near.
_TIE_MIN = 70.0


@dataclass(frozen=True)
class IntentMatch:
    intent: Intent
    #: Language the command was said in.
    lang: str
    #: For "language": the language asked for (None when not named and not evident).
    target_lang: str | None = None


def command_phrases(lang: str) -> list[str]:
    """Every phrasing of every command in ``lang`` (for the recognizer's vocabulary)."""
    if not is_supported(lang):
        return []
    data = language(lang)
    phrases = [p for group in data.phrasings.values() for p in group]
    return list(dict.fromkeys([*phrases, *data.language_names]))


def detect_intent(text: str, lang: str | None) -> IntentMatch | None:
    """The command said in ``text`` (in ``lang``, or any supported language when None).

    With ``lang`` given, a language switch said in another language (``en français`` to a
    Swedish kiosk) is still recognized.
    """
    known = supported_languages()
    order = [lang] if lang in known else list(known)
    for candidate in order:
        found = _detect(text, candidate)
        if found is not None:
            return found
    if lang in known:
        for other in known:
            found = _detect(text, other) if other != lang else None
            if found is not None and found.intent == "language":
                return found
    return None


def _detect(text: str, lang: str) -> IntentMatch | None:
    table = _table(lang)
    words = _core(text, lang)
    stop = stopwords(lang)
    if not words or len(words) > _MAX_WORDS:
        return None
    if sum(w not in stop for w in words) > _MAX_CONTENT:
        return None
    core = " ".join(words)
    intent = table.exact.get(core)
    if intent is None:
        intent = _fuzzy(core, table)
    if intent is None:
        intent = _said_within(words, lang, table)
    if intent is None:
        intent = table.patterns.get(_pattern(words, lang, _neutral_words(lang)))
    if intent is None:
        intent = _by_rule(words, lang, table)
    if intent is None:
        intent = _by_words(words, lang, table)
    if intent is None:
        return None
    target = None
    if intent == "language":
        names = language(lang).language_names
        named = [names[w] for w in words if w in names]
        if named:
            target = named[-1]
        else:
            others = [x for x in supported_languages() if x != lang]
            target = others[0] if len(others) == 1 else None
    return IntentMatch(intent=intent, lang=lang, target_lang=target)


def _said_within(words: list[str], lang: str, table: _Table) -> Intent | None:
    """The intent of a phrasing of several words said whole within the utterance (as stems),
    before the looser patterns: "jag hör inte, kan du prata högre" says "prata högre" (a bag
    of its stems also fits "inte så högt"). Of several, the longest; "repeat" yields to any
    other request, which names what would help ("moins vite, je ne comprends pas")."""
    stop = stopwords(lang)
    for word in words:  # a word about something else: not a command
        key = word_stem(word, lang)
        if word not in stop and key not in table.neutral and word not in table.forms:
            return None
    said = " " + " ".join(word_stem(w, lang) for w in words) + " "
    contained = [i for i, p in enumerate(table.phrase_stems) if " " in p and f" {p} " in said]
    stems = [table.phrase_stems[i] for i in contained]
    # a phrasing inside a longer one said is part of it ("den en" in "säg den en gång till")
    contained = [i for i in contained if not any(_inside(table.phrase_stems[i], o) for o in stems)]
    if len({table.phrase_intents[i] for i in contained}) > 1:
        contained = [i for i in contained if table.phrase_intents[i] != "repeat"] or contained
    if not contained:
        return None
    return table.phrase_intents[max(contained, key=lambda i: len(table.phrase_stems[i]))]


def _inside(part: str, whole: str) -> bool:
    """Whether the words ``part`` are said within the longer words ``whole``."""
    return part != whole and f" {part} " in f" {whole} "


def _fuzzy(core: str, table: _Table) -> Intent | None:
    if len(core) < 5:
        return None
    from rapidfuzz import fuzz, process

    best = process.extractOne(core, table.phrases, scorer=fuzz.ratio, score_cutoff=_FUZZY_MIN)
    return table.phrase_intents[best[2]] if best else None


def _by_rule(words: list[str], lang: str, table: _Table) -> Intent | None:
    """The intent of the verb/object rule with the most groups that the words follow."""
    forms = [{word, lemma(word, lang)} for word in words]
    said = set().union(*forms)
    best: _Rule | None = None
    for rule in table.rules:
        if best is not None and len(rule.groups) <= len(best.groups):
            continue
        if not all(said & group for group in rule.groups):
            continue
        if all(
            form & rule.words or _is_command_word(word, lang, table)
            for word, form in zip(words, forms, strict=True)
        ):
            best = rule
    return best.intent if best else None


def _is_command_word(word: str, lang: str, table: _Table) -> bool:
    """A stopword, a word that goes with any command, or a word of a phrasing."""
    key = word_stem(word, lang)
    return word in stopwords(lang) or key in table.neutral or key in table.word_intents


def _by_words(words: list[str], lang: str, table: _Table) -> Intent | None:
    stop = stopwords(lang)
    scores: dict[Intent, float] = {}
    for word in words:
        key = word_stem(word, lang)
        # a stopword counts for nothing, even when its stem is a command word's ("är" and
        # "va" share the stem of "vara")
        intents = None if word in stop else table.word_intents.get(key)
        if intents is None:
            if word in stop or key in table.neutral:
                continue
            return None  # a word about something else: not a command
        if word not in table.forms:
            # a command word in a form no phrasing uses ("när stänger ni", "c'est fermé"
            # beside "stäng av", "fermez"): a statement or a question, not a command
            return None
        for intent in intents:
            scores[intent] = scores.get(intent, 0.0) + 1.0 / len(intents)
            if (intent, key) in table.single:
                scores[intent] += 1.0
    said = " " + " ".join(word_stem(w, lang) for w in words) + " "
    contained = [i for i, p in enumerate(table.phrase_stems) if f" {p} " in said]
    if not scores:  # only stopwords: a phrasing of several words said whole, or nothing
        contained = [i for i in contained if " " in table.phrase_stems[i]]
    if contained:  # the longest phrasing said within the utterance (as stems) decides
        return table.phrase_intents[max(contained, key=lambda i: len(table.phrase_stems[i]))]
    if not scores:
        return None
    command_words = [w for w in words if w not in stop and word_stem(w, lang) in table.word_intents]
    if len(command_words) == 1 and not any(
        (intent, word_stem(command_words[0], lang)) in table.single for intent in scores
    ):
        # one word of a longer phrasing, alone ("heure" of "répétez l'heure" in "quelle heure
        # est-il"): what the phrasing asks is not said
        return None
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    tied = [intent for intent, score in ranked if score == ranked[0][1]]
    if len(tied) > 1:  # the words point several ways: the closest phrasing decides
        return _closest(" ".join(words), table, tied)
    return ranked[0][0]


def _pattern(words: list[str], lang: str, neutral: frozenset[str]) -> frozenset[str]:
    """The words as a pattern: their stems (lemmas' stems), neutral ones left out."""
    stems = (word_stem(w, lang) for w in words)
    return frozenset(s for s in stems if s not in neutral)


def _closest(core: str, table: _Table, intents: list[Intent]) -> Intent | None:
    from rapidfuzz import fuzz

    best: tuple[float, Intent | None] = (_TIE_MIN, None)
    for phrase, intent in zip(table.phrases, table.phrase_intents, strict=True):
        if intent in intents:
            score = fuzz.token_set_ratio(core, phrase)
            if score > best[0]:
                best = (score, intent)
    return best[1]


def _core(text: str, lang: str) -> list[str]:
    return _core_with(text, lang, _table(lang).fillers)


@dataclass(frozen=True)
class _Rule:
    intent: Intent
    #: per group, its words (normalized; said as such or as their dictionary form)
    groups: tuple[frozenset[str], ...]
    #: all the words of the groups
    words: frozenset[str]


def _rules(lang: str) -> tuple[_Rule, ...]:
    out = []
    for rule in language(lang).rules:
        groups = tuple(frozenset(normalize(g, lang).split()) for g in rule.words.split("+"))
        out.append(_Rule(cast("Intent", rule.intent), groups, frozenset().union(*groups)))
    return tuple(out)


@dataclass(frozen=True)
class _Table:
    fillers: tuple[str, ...]
    exact: dict[str, Intent]
    phrases: list[str]
    phrase_intents: list[Intent]
    #: the phrasings as stems (inflected forms match: "säga om" contains "säg om")
    phrase_stems: list[str]
    #: stem -> the intents whose phrasings use it (stopwords left out)
    word_intents: dict[str, tuple[Intent, ...]]
    #: (intent, stem) where the word alone is a phrasing of the intent
    single: frozenset[tuple[Intent, str]]
    #: stems of stopwords that appear in phrasings (allowed, count for nothing)
    neutral: frozenset[str]
    #: each phrasing as a pattern (see _pattern) -> its intent, when only one intent has it
    patterns: dict[frozenset[str], Intent]
    #: the verb/object rules (see _by_rule)
    rules: tuple[_Rule, ...] = ()
    #: every word of every phrasing and language name, as said
    forms: frozenset[str] = frozenset()


@lru_cache(maxsize=8)
def _table(lang: str) -> _Table:
    data = language(lang)
    fillers = tuple(normalize(f, lang) for f in data.fillers)
    table = _Table(fillers, {}, [], [], [], {}, frozenset(), frozenset(), {})
    stop = stopwords(lang)
    word_intents: dict[str, list[Intent]] = {}
    single: set[tuple[Intent, str]] = set()
    neutral: set[str] = set()
    for name, phrases in data.phrasings.items():
        intent = cast("Intent", name)
        for phrase in phrases:
            core = " ".join(_core_with(phrase, lang, fillers))
            if not core:
                continue
            table.exact.setdefault(core, intent)
            table.phrases.append(core)
            table.phrase_intents.append(intent)
            table.phrase_stems.append(" ".join(word_stem(w, lang) for w in core.split()))
            words = core.split()
            for word in words:
                key = word_stem(word, lang)
                if word in stop:
                    neutral.add(key)
                    continue
                word_intents.setdefault(key, [])
                if intent not in word_intents[key]:
                    word_intents[key].append(intent)
                if len(words) == 1:
                    single.add((intent, key))
    for word in data.neutral:
        key = word_stem(normalize(word, lang), lang)
        if key not in word_intents:
            neutral.add(key)
    for language_name in data.language_names:
        key = word_stem(normalize(language_name, lang), lang)
        word_intents.setdefault(key, ["language"])
        single.add(("language", key))
    return _Table(
        fillers=fillers,
        exact=table.exact,
        phrases=table.phrases,
        phrase_intents=table.phrase_intents,
        phrase_stems=table.phrase_stems,
        word_intents={k: tuple(v) for k, v in word_intents.items()},
        single=frozenset(single),
        neutral=frozenset(neutral),
        patterns=_patterns(table.phrases, table.phrase_intents, lang),
        rules=_rules(lang),
        forms=frozenset(
            w
            for phrase in [*table.phrases, *data.language_names]
            for w in normalize(phrase, lang).split()
        ),
    )


def _patterns(phrases: list[str], intents: list[Intent], lang: str) -> dict[frozenset[str], Intent]:
    """Phrasings as patterns; a pattern two intents share (``vad`` of "vad sa du" and "vad
    kan du") is left out."""
    neutral = _neutral_words(lang)
    found: dict[frozenset[str], set[Intent]] = {}
    for phrase, intent in zip(phrases, intents, strict=True):
        key = _pattern(phrase.split(), lang, neutral)
        if key:
            found.setdefault(key, set()).add(intent)
    return {key: next(iter(owners)) for key, owners in found.items() if len(owners) == 1}


@lru_cache(maxsize=8)
def _neutral_words(lang: str) -> frozenset[str]:
    """Stems of the words that go with any command (``neutral`` in commands.toml)."""
    return frozenset(word_stem(normalize(w, lang), lang) for w in language(lang).neutral)


def _core_with(text: str, lang: str, fillers: tuple[str, ...]) -> list[str]:
    words = f" {normalize(text, lang)} "
    for filler in fillers:
        words = words.replace(f" {filler} ", " ")
    # a phrase made only of fillers ("hej då") is kept whole
    return words.split() or normalize(text, lang).split()
