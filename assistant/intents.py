"""Control utterances (repeat, more, stop, help, slower, faster, louder, quieter, language).

Recognized before a question is matched against the documents, in Swedish and French, in
natural phrasing. An utterance is a command when, after politeness and hesitation words are
dropped, it is

1. one of the phrasings below (exactly, or nearly: rapidfuzz ratio >= 88), or
2. short (at most 12 words, 6 of them not stopwords) and made only of command words,
   stopwords and words that go with any command (``läs``, ``vous``, ``alldeles``); then the
   longest phrasing said within it, compared as stems, decides; else the command words must
   point to one intent (a word that is a command on its own, like ``mer`` or ``upprepa``,
   counts most), and when they point to several, the closest phrasing decides.

Anything with a word about a subject (``orsaker``, ``spasmes`` ...) is left to matching.
Switching language names the language (``på franska``, ``en suédois``) or not (``byt
språk``: the other language).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from .language import SUPPORTED_LANGUAGES, normalize, stopwords, word_stem

if TYPE_CHECKING:
    from .answering import Intent

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


_PHRASES: dict[str, dict[Intent, tuple[str, ...]]] = {
    "sv": {
        "repeat": (
            "upprepa",
            "upprepa det",
            "kan du upprepa",
            "säg det igen",
            "säg igen",
            "en gång till",
            "ta det igen",
            "igen",
            "om igen",
            "vad sa du",
            "förlåt vad sa du",
            "jag hörde inte",
            "jag uppfattade inte",
            "jag förstod inte",
            "repetera",
            "läs det igen",
            "läs igen",
            "va",
            "vadå",
            "förlåt",
            "säg om",
            "ta om",
            "ta om det",
            "jag hörde inte vad du sa",
            "hörde inte",
        ),
        "more": (
            "mer",
            "mera",
            "berätta mer",
            "mer information",
            "fortsätt",
            "fortsätt läsa",
            "och sen",
            "och sedan",
            "vidare",
            "gå vidare",
            "vad mer",
            "jag vill veta mer",
            "läs mer",
            "något mer",
            "nästa",
            "berätta vidare",
            "resten",
            "berätta mer om det",
            "mer om det",
            "och så",
            "och sen då",
        ),
        "stop": (
            "sluta",
            "stopp",
            "stop",
            "avbryt",
            "tyst",
            "var tyst",
            "håll tyst",
            "det räcker",
            "räcker",
            "det var allt",
            "hej då",
            "klart",
            "jag är klar",
            "avsluta",
            "sluta prata",
            "tystna",
            "det är bra så",
            "inget mer",
            "det är bra",
            "stäng av",
            "tyst nu",
            "jag vill inte höra mer",
        ),
        "help": (
            "hjälp",
            "hjälp mig",
            "vad kan jag fråga",
            "vad kan jag fråga om",
            "vad kan du",
            "vad kan du berätta om",
            "vad vet du",
            "vilka ämnen",
            "vad handlar det om",
            "hur fungerar det",
            "hur fungerar du",
            "hur gör jag",
            "meny",
            "vad kan man fråga",
            "vad kan man fråga om",
            "vad pratar du om",
            "instruktioner",
            "hur gör man",
            "vad ska jag säga",
            "vad kan jag säga",
            "vad gör du",
            "hur använder jag den här",
        ),
        "slower": (
            "långsammare",
            "prata långsammare",
            "tala långsammare",
            "läs långsammare",
            "saktare",
            "sakta ner",
            "lugnare",
            "inte så fort",
            "inte så snabbt",
            "du pratar för fort",
            "för fort",
            "för snabbt",
            "ta det lugnt",
            "sakta",
            "långsamt",
            "du läser för fort",
            "lite långsammare",
        ),
        "faster": (
            "snabbare",
            "fortare",
            "prata fortare",
            "prata snabbare",
            "tala snabbare",
            "läs fortare",
            "öka takten",
            "för långsamt",
            "du pratar för långsamt",
            "skynda på",
            "inte så långsamt",
            "raskare",
            "snabba på",
            "lite snabbare",
            "fortare tack",
            "du läser för långsamt",
        ),
        "louder": (
            "högre",
            "prata högre",
            "tala högre",
            "höj volymen",
            "höj ljudet",
            "starkare",
            "jag hör inte",
            "jag hör dig inte",
            "det hörs inte",
            "hörs dåligt",
            "för tyst",
            "mer ljud",
            "öka volymen",
            "skruva upp",
            "skruva upp ljudet",
            "högre volym",
            "högre ljud",
            "jag hör inte vad du säger",
        ),
        "quieter": (
            "tystare",
            "lägre",
            "prata lägre",
            "tala tystare",
            "prata tystare",
            "sänk volymen",
            "sänk ljudet",
            "för högt",
            "det är för högt",
            "inte så högt",
            "mindre ljud",
            "minska volymen",
            "skruva ner",
            "skruva ner ljudet",
            "svagare",
            "lägre volym",
            "för starkt",
            "inte så starkt",
            "det låter för högt",
        ),
        "language": (
            "byt språk",
            "annat språk",
            "ett annat språk",
            "på franska",
            "franska",
            "prata franska",
            "tala franska",
            "på svenska",
            "svenska",
            "prata svenska",
            "byt till franska",
            "byt till svenska",
            "kan du prata franska",
            "jag vill ha franska",
            "jag vill ha svenska",
        ),
    },
    "fr": {
        "repeat": (
            "répète",
            "répétez",
            "répéter",
            "tu peux répéter",
            "vous pouvez répéter",
            "pouvez-vous répéter",
            "encore une fois",
            "une nouvelle fois",
            "redis",
            "redites",
            "redis-le",
            "quoi",
            "pardon",
            "comment",
            "j'ai pas compris",
            "je n'ai pas compris",
            "je n'ai pas entendu",
            "qu'avez-vous dit",
            "qu'est-ce que vous avez dit",
            "relis",
            "relisez",
            "hein",
            "redire",
            "répétez ça",
            "j'ai mal compris",
            "comment dites-vous",
            "je n'ai pas bien entendu",
            "j'ai pas entendu",
        ),
        "more": (
            "plus",
            "encore",
            "la suite",
            "suite",
            "continue",
            "continuez",
            "continuer",
            "et après",
            "et ensuite",
            "dis-m'en plus",
            "dites-m'en plus",
            "en savoir plus",
            "je veux en savoir plus",
            "davantage",
            "plus d'informations",
            "la suite",
            "allez-y continuez",
            "quoi d'autre",
            "le reste",
            "lisez la suite",
            "et alors",
            "dites-moi la suite",
            "encore un peu",
            "la suite s'il vous plaît",
        ),
        "stop": (
            "arrête",
            "arrêtez",
            "arrêter",
            "stop",
            "stoppe",
            "tais-toi",
            "taisez-vous",
            "silence",
            "ça suffit",
            "c'est bon",
            "assez",
            "c'est tout",
            "au revoir",
            "fin",
            "termine",
            "terminé",
            "annule",
            "annuler",
            "chut",
            "arrête de parler",
            "ça va aller",
            "arrêtez de parler",
            "c'est fini",
            "je n'ai plus de question",
            "ça suffit comme ça",
        ),
        "help": (
            "aide",
            "aidez-moi",
            "aide-moi",
            "à l'aide",
            "qu'est-ce que je peux demander",
            "que puis-je demander",
            "que pouvez-vous dire",
            "de quoi parlez-vous",
            "de quoi tu parles",
            "quels sujets",
            "comment ça marche",
            "comment ça fonctionne",
            "qu'est-ce que vous savez",
            "que savez-vous",
            "menu",
            "qu'est-ce que tu sais faire",
            "qu'est-ce qu'on peut demander",
            "mode d'emploi",
            "qu'est-ce que vous pouvez faire",
            "que pouvez-vous faire",
            "comment faire",
            "qu'est-ce que je peux dire",
            "je ne sais pas quoi demander",
            "comment on fait",
        ),
        "slower": (
            "plus lentement",
            "moins vite",
            "lentement",
            "ralentis",
            "ralentissez",
            "parle plus lentement",
            "parlez plus lentement",
            "trop vite",
            "vous parlez trop vite",
            "doucement",
            "moins rapide",
            "pas si vite",
            "plus doucement",
            "plus lent",
            "lisez plus lentement",
        ),
        "faster": (
            "plus vite",
            "plus rapidement",
            "accélère",
            "accélérez",
            "parle plus vite",
            "parlez plus vite",
            "trop lent",
            "trop lentement",
            "vous parlez trop lentement",
            "plus rapide",
            "dépêchez-vous",
            "pas si lentement",
            "lisez plus vite",
            "un peu plus vite",
            "vous allez trop lentement",
        ),
        "louder": (
            "plus fort",
            "parle plus fort",
            "parlez plus fort",
            "monte le son",
            "montez le son",
            "augmente le volume",
            "augmentez le volume",
            "je n'entends pas",
            "je n'entends rien",
            "j'entends pas",
            "on n'entend rien",
            "trop bas",
            "c'est trop bas",
            "plus de volume",
            "plus de son",
            "on entend mal",
            "je n'entends pas bien",
            "plus haut",
            "parlez plus haut",
        ),
        "quieter": (
            "moins fort",
            "parle moins fort",
            "parlez moins fort",
            "baisse le son",
            "baissez le son",
            "baisse le volume",
            "baissez le volume",
            "diminue le volume",
            "diminuez le volume",
            "trop fort",
            "c'est trop fort",
            "moins de volume",
            "plus bas",
            "parlez plus bas",
            "moins de son",
            "pas si fort",
            "pas trop fort",
            "moins haut",
            "c'est trop bruyant",
        ),
        "language": (
            "change de langue",
            "changer de langue",
            "changez de langue",
            "autre langue",
            "une autre langue",
            "en suédois",
            "suédois",
            "parlez suédois",
            "en français",
            "français",
            "parlez français",
            "passez au suédois",
            "passez au français",
            "vous parlez suédois",
            "plutôt en suédois",
            "plutôt en français",
            "passez en suédois",
            "passez en français",
            "parlez-moi en suédois",
        ),
    },
}

#: Names of the languages, in each language, for "switch to ...".
_LANGUAGE_NAMES: dict[str, dict[str, str]] = {
    "sv": {"svenska": "sv", "franska": "fr"},
    "fr": {"suédois": "sv", "suédoise": "sv", "français": "fr", "française": "fr"},
}

#: Words that can go with any command without changing it (who speaks, reading and speaking
#: verbs, degree, preference): "vous pouvez LIRE plus vite", "det är ALLDELES för starkt".
#: A word about a subject ("orsaker", "spasmes") still makes the utterance a question.
_NEUTRAL: dict[str, str] = {
    "sv": (
        "läs läsa läser läste prata pratar tala talar säg säga säger sa berätta berättar "
        "höra hör du ni dig er mig vi oss man det den detta där här så alldeles väldigt "
        "mycket lite hellre istället föredrar vill kan kunde skulle ska snälla tack nu då "
        "gärna bra"
    ),
    "fr": (
        "lire lisez lis lisant parler parlez parle parlant dire dites dis raconter racontez "
        "raconte vous tu moi me nous on le la les ça ce cela peu beaucoup bien très mal "
        "vraiment préfère préférez préférerais plutôt voulez voudrais pouvez pourriez "
        "excusez excuse désolé svp merci maintenant là"
    ),
}

#: Politeness and hesitation, dropped before matching (multi-word ones first).
_FILLERS: dict[str, tuple[str, ...]] = {
    "sv": (
        "är du snäll",
        "tack så mycket",
        "snälla",
        "tack",
        "hej",
        "hallå",
        "öh",
        "eh",
        "ehm",
        "hmm",
        "mm",
        "ja",
        "okej",
        "ok",
        "vänligen",
        "gärna",
        "lite",
        "då",
        "nu",
        "bara",
    ),
    "fr": (
        "s'il vous plaît",
        "s'il te plaît",
        "svp",
        "merci beaucoup",
        "merci",
        "bonjour",
        "euh",
        "hum",
        "ben",
        "bah",
        "oui",
        "ok",
        "okay",
        "d'accord",
        "alors",
        "un peu",
        "madame",
        "monsieur",
    ),
}


def command_phrases(lang: str) -> list[str]:
    """Every phrasing of every command in ``lang`` (for the recognizer's vocabulary)."""
    phrases = [p for group in _PHRASES.get(lang, {}).values() for p in group]
    return list(dict.fromkeys([*phrases, *_LANGUAGE_NAMES.get(lang, {})]))


def detect_intent(text: str, lang: str | None) -> IntentMatch | None:
    """The command said in ``text`` (in ``lang``, or any supported language when None).

    With ``lang`` given, a language switch said in another language (``en français`` to a
    Swedish kiosk) is still recognized.
    """
    order = [lang] if lang in SUPPORTED_LANGUAGES else list(SUPPORTED_LANGUAGES)
    for candidate in order:
        found = _detect(text, candidate)
        if found is not None:
            return found
    if lang in SUPPORTED_LANGUAGES:
        for other in SUPPORTED_LANGUAGES:
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
        intent = _by_words(words, lang, table)
    if intent is None:
        return None
    target = None
    if intent == "language":
        named = [_LANGUAGE_NAMES[lang][w] for w in words if w in _LANGUAGE_NAMES[lang]]
        if named:
            target = named[-1]
        else:
            others = [x for x in SUPPORTED_LANGUAGES if x != lang]
            target = others[0] if len(others) == 1 else None
    return IntentMatch(intent=intent, lang=lang, target_lang=target)


def _fuzzy(core: str, table: _Table) -> Intent | None:
    if len(core) < 5:
        return None
    from rapidfuzz import fuzz, process

    best = process.extractOne(core, table.phrases, scorer=fuzz.ratio, score_cutoff=_FUZZY_MIN)
    return table.phrase_intents[best[2]] if best else None


def _by_words(words: list[str], lang: str, table: _Table) -> Intent | None:
    stop = stopwords(lang)
    scores: dict[Intent, float] = {}
    for word in words:
        key = word_stem(word, lang)
        intents = table.word_intents.get(key)
        if intents is None:
            if word in stop or key in table.neutral:
                continue
            return None  # a word about something else: not a command
        for intent in intents:
            scores[intent] = scores.get(intent, 0.0) + 1.0 / len(intents)
            if (intent, key) in table.single:
                scores[intent] += 1.0
    said = " " + " ".join(word_stem(w, lang) for w in words) + " "
    contained = [i for i, p in enumerate(table.phrase_stems) if f" {p} " in said]
    if contained:  # the longest phrasing said within the utterance (as stems) decides
        return table.phrase_intents[max(contained, key=lambda i: len(table.phrase_stems[i]))]
    if not scores:
        return None
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    tied = [intent for intent, score in ranked if score == ranked[0][1]]
    if len(tied) > 1:  # the words point several ways: the closest phrasing decides
        return _closest(" ".join(words), table, tied)
    return ranked[0][0]


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


@lru_cache(maxsize=8)
def _table(lang: str) -> _Table:
    fillers = tuple(normalize(f, lang) for f in _FILLERS[lang])
    table = _Table(fillers, {}, [], [], [], {}, frozenset(), frozenset())
    stop = stopwords(lang)
    word_intents: dict[str, list[Intent]] = {}
    single: set[tuple[Intent, str]] = set()
    neutral: set[str] = set()
    for intent, phrases in _PHRASES[lang].items():
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
    for word in _NEUTRAL[lang].split():
        key = word_stem(normalize(word, lang), lang)
        if key not in word_intents:
            neutral.add(key)
    for name in _LANGUAGE_NAMES[lang]:
        key = word_stem(normalize(name, lang), lang)
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
    )


def _core_with(text: str, lang: str, fillers: tuple[str, ...]) -> list[str]:
    words = f" {normalize(text, lang)} "
    for filler in fillers:
        words = words.replace(f" {filler} ", " ")
    # a phrase made only of fillers ("hej då") is kept whole
    return words.split() or normalize(text, lang).split()
