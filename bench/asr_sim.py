"""A simulated speech recognizer: typed questions in, Vosk-like text out, at a chosen WER.

Used to measure how the question matcher copes with recognition errors without recording audio.

What it models:

- Vosk's output form: lowercase words, no punctuation (French elisions and hyphenated words are
  kept joined, "l'eau", "peut-être"), digits spelled out as words (num2words; "14.30" becomes
  "fjorton trettio" in Swedish, "14h30" becomes "quatorze heures trente" in French).
- Word errors, about ``wer`` x number of words per sentence (each word is wrong with probability
  ``wer``): substitution by a sound-alike word of the vocabulary (most errors; closeness is the
  normalized Levenshtein distance between espeak-ng phoneme strings, chosen at random among the
  3 closest), deletion (mostly of short words), insertion of a short word (rare), and for
  Swedish a compound split ("vårdcentral" -> "vård central", 2 edits) or a join of adjacent
  words into a vocabulary word ("till baka" -> "tillbaka", 2 edits). A correct word separates
  errors that change the word count, so the measured WER is the number of edits made.

What it does not model: acoustics, voices, noise and accents; the recognizer's language model
(errors do not depend on the neighbouring words, and a substitution may be ungrammatical);
bursts of errors, truncated or missed utterances, endpointing; Vosk's own number formatting;
out-of-vocabulary words other than by what ``vocabulary`` leaves out.

Usage: ``.venv/bin/python bench/asr_sim.py --lang sv --wer 0.15 --seed 1 < questions.txt``
"""

from __future__ import annotations

import argparse
import logging
import random
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from num2words import num2words
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

log = logging.getLogger(__name__)

LANGS = ("sv", "fr")
#: Relative frequency of the kinds of error; "split" and "join" are Swedish only.
WEIGHTS = {"sub": 0.62, "del": 0.2, "ins": 0.06, "split": 0.08, "join": 0.04}
#: Inserted words when the vocabulary has no short words.
FILLERS = {"sv": ("och", "en", "att", "i", "det", "så"), "fr": ("et", "le", "de", "la", "un", "à")}
_PERCENT = {"sv": "procent", "fr": "pour cent"}
_NUMBER = re.compile(  # an integer, then a time's minutes, decimals, or an ordinal's suffix
    r"(?P<int>\d+)"
    r"(?:(?P<sep>[.:hH])(?P<min>\d{2})(?!\d)|,(?P<dec>\d+)|(?P<suf>:[ae]|ème|er|re|e|h)\b)?"
)
_WORD = {"sv": re.compile(r"[^\W\d_]+"), "fr": re.compile(r"[^\W\d_]+(?:['-][^\W\d_]+)*")}
#: espeak-ng marks left out of phoneme strings: stress, pauses, syllable and word boundaries.
_MARKS = str.maketrans("", "", "',_!- ")
_PHONEMES: dict[tuple[str, str], str] = {}
_WARNED: set[str] = set()


def _check(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"unsupported language {lang!r} (expected one of {LANGS})")
    return lang


def _cardinal(n: int, lang: str) -> str:
    words: str = num2words(n, lang=lang)
    return words.replace("ttt", "tt")  # num2words writes "etttusen"


def _spell_number(m: re.Match[str], lang: str) -> str:
    n, suffix, minutes = int(m["int"]), m["suf"] or "", int(m["min"] or 99)
    words = _cardinal(n, lang)
    hours = "une heure" if n == 1 else f"{words} heures"
    if minutes < 60 and n <= 24 and (lang == "sv" or m["sep"] in ":hH"):  # 14.30, 14:30, 14h30
        words = hours if lang == "fr" else words
        words += f" {_cardinal(minutes, lang)}" if minutes else ""
    elif m["dec"] is not None or m["min"] is not None:
        words = num2words(float(f"{n}.{m['dec'] or m['min']}"), lang=lang)
    elif suffix in {"sv": (":a", ":e"), "fr": ("er", "re", "e", "ème")}[lang]:
        words = num2words(n, lang=lang, to="ordinal")
    else:
        words = hours if lang == "fr" and suffix == "h" else f"{words} {suffix}"
    return f" {words} "


def normalize(text: str, lang: str) -> list[str]:
    """The words a recognizer would write for ``text``: lowercase, no punctuation, numbers
    spelled out."""
    _check(lang)
    text = text.replace("’", "'").replace("%", f" {_PERCENT[lang]} ")
    text = _NUMBER.sub(lambda m: _spell_number(m, lang), text)
    return _WORD[lang].findall(text.lower())


def _warn_once(message: str) -> None:
    if message not in _WARNED:
        _WARNED.add(message)
        log.warning(message)


def phonemes(words: Iterable[str], lang: str) -> dict[str, str]:
    """espeak-ng phoneme strings of ``words`` (without stress and pause marks), from one
    espeak-ng run for the words not yet cached; the spelling if espeak-ng is missing."""
    wanted = set(words)
    missing = sorted(w for w in wanted if (lang, w) not in _PHONEMES)
    exe = shutil.which("espeak-ng")
    if missing and exe is None:
        _warn_once("espeak-ng not found: sound-alikes fall back to spelling distance")
    elif missing and exe is not None:
        command, lines_in = [exe, "-q", "-x", "-v", lang], "\n".join(missing) + "\n"
        run = subprocess.run(command, input=lines_in, capture_output=True, text=True, check=False)
        lines = run.stdout.splitlines()
        if run.returncode != 0 or len(lines) != len(missing):
            _warn_once(f"espeak-ng failed for {lang!r}: sound-alikes fall back to spelling")
        else:
            for word, line in zip(missing, lines, strict=True):
                _PHONEMES[lang, word] = line.translate(_MARKS) or word
    return {w: _PHONEMES.get((lang, w), w) for w in wanted}


def sound_alikes(word: str, lang: str, vocabulary: Sequence[str], n: int = 3) -> list[str]:
    """The ``n`` words of ``vocabulary`` (other than ``word``) that sound closest to ``word``,
    closest first."""
    candidates = [w for w in dict.fromkeys(vocabulary) if w != word]
    sounds = phonemes([word, *candidates], lang)
    choices = [sounds[w] for w in candidates]
    best = process.extract(sounds[word], choices, scorer=Levenshtein.normalized_distance, limit=n)
    return [candidates[index] for _, _, index in best]


def _splits(word: str, known: set[str]) -> list[list[str]]:
    """Ways to write a Swedish compound as two vocabulary words of 3 letters or more."""
    parts = [[word[:k], word[k:]] for k in range(3, len(word) - 2)]
    return [pair for pair in parts if pair[0] in known and pair[1] in known]


def simulate(
    text: str, lang: str, wer: float, rng: random.Random, vocabulary: Sequence[str]
) -> str:
    """Recognizer-like text for ``text``: normalized (see :func:`normalize`), then with word
    errors at about the word error rate ``wer`` (none when ``wer`` is 0). Deterministic for the
    state of ``rng``."""
    words = normalize(text, lang)
    if wer <= 0 or not words:
        return " ".join(words)
    budget = sum(rng.random() < wer for _ in words)
    slots = [[w] for w in words]  # what the recognizer writes for each word
    free = set(range(len(words)))  # words not changed and not kept as a correct neighbour
    known = set(vocabulary)
    kinds = [k for k in WEIGHTS if lang == "sv" or k not in ("split", "join")]

    def apart(*positions: int) -> bool:  # the positions and their neighbours are untouched
        span = range(min(positions) - 1, max(positions) + 2)
        return all(i in free for i in span if 0 <= i < len(words))

    def claim(*positions: int, neighbours: bool = True) -> None:
        low, high = min(positions), max(positions)
        free.difference_update(range(low - 1, high + 2) if neighbours else positions)

    def apply(kind: str) -> int:  # the number of edits made, 0 if this error cannot be made
        order = sorted(free)
        if kind == "sub":
            i = rng.choice(order)
            alternatives = sound_alikes(words[i], lang, vocabulary)
            if not alternatives:
                return 0
            slots[i] = [rng.choice(alternatives)]
            claim(i, neighbours=False)
            return 1
        if kind == "del":
            pool = [i for i in order if apart(i)]
            short = [i for i in pool if len(words[i]) <= 3]
            pool = short if short and rng.random() < 0.8 else pool
            if not pool:
                return 0
            i = rng.choice(pool)
            slots[i] = []
            claim(i)
            return 1
        if kind == "ins":
            gaps = [i for i in order if i + 1 == len(words) or i + 1 in free]
            if not gaps:
                return 0
            i = rng.choice(gaps)
            fillers = [w for w in vocabulary if len(w) <= 3][:40] or list(FILLERS[lang])
            slots[i] = [words[i], rng.choice(fillers)]
            claim(i, min(i + 1, len(words) - 1), neighbours=False)
            return 1
        if budget < 2:
            return 0
        if kind == "split":
            compounds = [(i, p) for i in order if apart(i) and (p := _splits(words[i], known))]
            if not compounds:
                return 0
            i, parts = rng.choice(compounds)
            slots[i] = rng.choice(parts)
            claim(i)
            return 2
        pairs = [i for i in order if apart(i, i + 1) and i + 1 < len(words)]
        pairs = [i for i in pairs if words[i] + words[i + 1] in known]
        if not pairs:
            return 0
        i = rng.choice(pairs)
        slots[i], slots[i + 1] = [words[i] + words[i + 1]], []
        claim(i, i + 1)
        return 2

    while budget > 0 and free:
        kind = rng.choices(kinds, weights=[WEIGHTS[k] for k in kinds])[0]
        made = apply(kind) or apply("sub") or apply("del")
        if not made:
            break  # nothing left that can be substituted or deleted
        budget -= made
    return " ".join(w for slot in slots for w in slot)


def default_vocabulary(lang: str, size: int = 20000) -> list[str]:
    """The ``size`` most frequent words of the language (wordfreq), alphabetic ones only."""
    import wordfreq

    return [w for w in wordfreq.top_n_list(_check(lang), size) if w.isalpha()]


def word_error_rate(reference: str, hypothesis: str) -> float:
    """Word-level Levenshtein distance over the number of reference words."""
    ref, hyp = reference.split(), hypothesis.split()
    if not ref:
        return 0.0 if not hyp else 1.0
    return Levenshtein.distance(ref, hyp) / len(ref)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Turn typed lines (stdin) into recognizer text.")
    parser.add_argument("--lang", choices=LANGS, required=True)
    parser.add_argument("--wer", type=float, default=0.15, help="target word error rate")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--vocabulary-size", type=int, default=20000)
    parser.add_argument("--vocabulary-file", type=Path, help="a text whose words to add")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    vocabulary = default_vocabulary(args.lang, args.vocabulary_size)
    if args.vocabulary_file is not None:
        extra = normalize(args.vocabulary_file.read_text(encoding="utf-8"), args.lang)
        vocabulary = list(dict.fromkeys([*vocabulary, *extra]))
    rng = random.Random(args.seed)
    for line in sys.stdin:
        print(simulate(line.rstrip("\n"), args.lang, args.wer, rng, vocabulary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
