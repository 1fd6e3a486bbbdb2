"""Text prepared for speech: cleaned, bounded, and cut into sentence-sized chunks.

Answers are spoken chunk by chunk so that the first words play while the rest is synthesized.
A chunk is a sentence; a sentence longer than :data:`MAX_CHUNK_CHARS` is cut at a comma or
semicolon, else at a space, so no single synthesis call runs long.

Cleaning makes the text fit to be heard: terminal escape sequences and control characters are
dropped (espeak would spell some of them), Markdown markup is removed
(:func:`assistant.markup.plain_text`: a link is read as its text), web and e-mail addresses
are read the way a listener can write them down ("www punkt exempel punkt se": the words for
the dot, the at sign, the slash ... are the language's ``[symbols]`` in ``texts.toml``), what
is left of markup characters (``*``, ``_``, brackets, backquotes) becomes a pause, whitespace
is collapsed, and text beyond :data:`MAX_TEXT_CHARS` is left out with a warning.

Numbers a listener writes down are read so they can be: phone numbers ("08-123 45 67",
"+46 8 123 45 67", "01 23 45 67 89"), postal codes ("114 55 Stockholm", "75001 Paris") and a
number of five digits or more after a cue word ("kod 47110", "dossier 123456") digit by digit
in their groups, with a pause (a comma) between groups ("noll åtta, ett två tre, fyra fem,
sex sju"); clock times ("14.30", "14h30", "kl. 9–17") with the language's time formats ("14
och 30", "klockan 9 till 17"). A plain quantity ("3 veckor", "1200 euros", "10 000 kronor")
stays a number. The words and formats are the language's ``[numbers]`` in ``texts.toml``;
:func:`number_readings` gives the numbers of a text's last sentence that has any (the
dialog's "upprepa numret").
"""

from __future__ import annotations

import logging
import re
import unicodedata

from assistant.errors import ConfigError
from assistant.language_data import Numbers, language
from assistant.markup import plain_text

logger = logging.getLogger(__name__)

#: Longest text spoken in one go (about an hour of speech); the rest is left out.
MAX_TEXT_CHARS = 50_000
#: Longest chunk handed to the synthesizer in one call.
MAX_CHUNK_CHARS = 240

# A sentence ends at . ! ? … (with closing quotes or brackets) followed by space and a capital,
# a digit or an opening quote, so "t.ex. ceci" and "M. Dupont" stay whole more often than not.
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'»«”)\]]*\s+(?=[«»“”\"'(\[]?[A-ZÅÄÖÉÈÊÀÂÎÔÛÇ0-9])")
_SOFT_BREAK = re.compile(r"(?<=[,;:–—])\s+")

#: Terminal escape sequences (CSI, OSC, two-character ESC sequences, the 8-bit CSI).
_ANSI = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[ -~]?|\x9b[0-?]*[ -/]*[@-~]?"
)
#: Web addresses (with a scheme or ``www.``), e-mail addresses, and bare domain names
#: (``1177.se``: labels of two characters or more, lowercase, ending in 2 to 6 letters).
_URL = re.compile(r"(?<![\w@/])(?:[A-Za-z][A-Za-z0-9+.-]*://|www\.)[^\s<>\"«»“”]+")
_EMAIL = re.compile(r"(?<![\w.+-])[\w+-]+(?:\.[\w+-]+)*@[\w-]+(?:\.[\w-]+)+")
_DOMAIN = re.compile(
    r"(?<![\w@/.-])(?:[a-z0-9][a-z0-9-]+\.)+[a-z]{2,6}(?:/[^\s<>\"«»“”]*)?(?![\w@-])"
)
_TRAILING = re.compile(r"[.,;:!?)\]}»”'\"]+$")
_SCHEME_PREFIX = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.-]*://|mailto:)")
_SEPARATOR = re.compile(r"([./@:_-])")
_SYMBOL_OF = {".": "dot", "/": "slash", "@": "at", ":": "colon", "_": "underscore", "-": "dash"}
#: Markup characters left after plain_text, and what could read as an address: pauses.
_LEFTOVER = re.compile(r"[*_\[\]`|\\]|:/+|\]\(|(?<!\S)#+(?!\S)")


def clean_text(text: str, lang: str | None = None) -> str:
    """Text fit to be heard (see the module's description), at most MAX_TEXT_CHARS long.

    ``lang`` chooses the words addresses are read with (without it their separators are
    pauses)."""
    kept = "".join(
        " " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch
        for ch in unicodedata.normalize("NFC", _ANSI.sub(" ", text))
        if unicodedata.category(ch) not in ("Cf", "Cs", "Co", "Cn")
    )
    spoken = _spoken_numbers(_spoken_addresses(plain_text(kept), _symbols(lang)), _numbers(lang))
    while True:
        calmer = _LEFTOVER.sub(" ", spoken)
        if calmer == spoken:
            break
        spoken = calmer
    cleaned = " ".join(spoken.split())
    if len(cleaned) > MAX_TEXT_CHARS:
        logger.warning(
            "text of %d characters: only the first %d are spoken", len(cleaned), MAX_TEXT_CHARS
        )
        cleaned = cleaned[:MAX_TEXT_CHARS].rsplit(" ", 1)[0]
    return cleaned


def _symbols(lang: str | None) -> dict[str, str]:
    """The words for an address's separators in ``lang`` (none for no or an unknown language)."""
    if lang is None:
        return {}
    try:
        return dict(language(lang).symbols)
    except ConfigError as exc:
        logger.warning("addresses are read without words for their symbols: %s", exc.message)
        return {}


def _numbers(lang: str | None) -> Numbers | None:
    """How ``lang`` reads numbers (None for no or an unknown language: numbers stay as they
    are)."""
    if lang is None:
        return None
    try:
        return language(lang).numbers
    except ConfigError as exc:
        logger.warning("numbers are read as they are written: %s", exc.message)
        return None


#: A digit string with its separators (spaces, hyphens), maybe after a "+".
_DIGITS = r"\+?\d+(?:(?:[ \u00a0]|[ \u00a0]?[-‐‑][ \u00a0]?)\d+)*"
_DASH = r"\s?[-–—]\s?"
#: Nothing that continues a number or a word on either side.
_BEFORE = r"(?<![\w+.,:/-])"
_AFTER = r"(?![\w@/]|[.,:][\w])"
#: Digits a phone number has at least; after a cue word ("kod 47110"), digits a code has.
_PHONE_DIGITS = 6
_CUED_DIGITS = 5


def _number_pattern(numbers: Numbers) -> re.Pattern[str]:
    """One pattern for everything ``numbers`` reads specially, by named group: a clock word
    and its time or range, a range of times, a time, a cue word and its number, a postal code
    before a place name, a digit string (a phone number, or a quantity left as it is)."""
    marks = "".join(re.escape(m) for m in numbers.marks)
    letters = "".join(re.escape(m) for m in numbers.marks if m.isalpha())
    minutes = rf"(?:\s?[{marks}]\s?[0-5]\d)"
    hours = r"(?:[01]?\d|2[0-3])"
    time = rf"{hours}(?:{minutes}|\s?[{letters}](?!\w))" if letters else rf"{hours}{minutes}"
    loose = rf"{hours}{minutes}?(?:\s?[{letters}](?!\w))?" if letters else rf"{hours}{minutes}?"
    clock = "|".join(re.escape(w) for w in sorted(numbers.clock, key=len, reverse=True))
    cues = "|".join(re.escape(w) for w in sorted(numbers.cues, key=len, reverse=True))
    parts = []
    if clock:
        parts.append(
            rf"(?P<clock>(?<!\w)(?i:{clock})(?!\w)\.?)\s*(?P<cstart>{loose})"
            rf"(?:{_DASH}(?P<cend>{loose}))?{_AFTER}"
        )
    parts.append(rf"{_BEFORE}(?P<rstart>{time}){_DASH}(?P<rend>{time}){_AFTER}")
    parts.append(rf"{_BEFORE}(?P<time>{time}){_AFTER}")
    if cues:
        parts.append(
            rf"(?P<cue>(?<!\w)(?i:{cues})(?!\w)[:.]?\s+(?i:(?:nr|no|n°|le)\.?\s*)?)"
            rf"(?P<cued>{_DIGITS}){_AFTER}"
        )
    parts.append(rf"{_BEFORE}(?P<postal>\d{{3}}[ \u00a0]\d{{2}}|\d{{5}})(?=[ \u00a0]\p{{Lu}})")
    parts.append(rf"{_BEFORE}(?P<digits>{_DIGITS}){_AFTER}")
    return re.compile("|".join(parts).replace(r"\p{Lu}", "[A-ZÅÄÖÉÈÊÀÂÎÔÛÇÜ]"))


_patterns: dict[int, tuple[Numbers, re.Pattern[str]]] = {}


def _pattern_of(numbers: Numbers) -> re.Pattern[str]:
    """The pattern of ``numbers``, made once (each language's data is loaded once)."""
    found = _patterns.get(id(numbers))
    if found is None or found[0] is not numbers:
        found = _patterns[id(numbers)] = (numbers, _number_pattern(numbers))
    return found[1]


def _groups(digit_string: str) -> list[str]:
    """The groups of a digit string as written ("08-123 45 67": 08, 123, 45, 67); a long one
    written without separators in groups of three, the last ones of two ("0612345678":
    061, 234, 56, 78)."""
    written = [g for g in re.split(r"[^\d+]+", digit_string) if g]
    out: list[str] = []
    for group in written:
        plus, digits = group[:1] == "+", group.lstrip("+")
        pieces = []
        while len(digits) > 4:
            pieces.append(digits[:3])
            digits = digits[3:]
        pieces.extend([digits[:2], digits[2:]] if len(digits) == 4 and pieces else [digits])
        if plus:
            pieces[0] = "+" + pieces[0]
        out.extend(p for p in pieces if p)
    return out


def _is_phone(digit_string: str) -> bool:
    """Whether a digit string is a phone number or a code rather than a quantity: it starts
    with "+" or "0" and has at least :data:`_PHONE_DIGITS` digits, or it is three groups or
    more of two to four digits that are not thousands ("123 45 67", not "1 000 000")."""
    digits = re.sub(r"\D", "", digit_string)
    if len(digits) < _PHONE_DIGITS:
        return False
    if digit_string.startswith(("+", "0")):
        return True
    groups = re.split(r"[^\d]+", digit_string)
    if len(groups) < 3 or not all(2 <= len(g) <= 4 for g in groups):
        return False
    thousands = len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])
    return not thousands and not re.search(r"[-‐‑]", digit_string)


def _read_digits(groups: list[str], numbers: Numbers) -> list[str]:
    """Each group as its digits' words: "+46" -> "plus fyra sex"."""
    words = []
    for group in groups:
        said = [numbers.plus] if group.startswith("+") else []
        said.extend(numbers.digits[int(d)] for d in group if d.isdigit())
        words.append(" ".join(said))
    return words


def _read_time(written: str, numbers: Numbers) -> str:
    """A clock time with the language's formats: "14.30" -> "14 och 30", "9h" -> "9 heures"."""
    found = re.match(r"(\d{1,2})\D*?(\d{2})?\D*$", written.strip())
    if found is None:
        return written
    hours, minutes = int(found.group(1)), found.group(2)
    if minutes is None or int(minutes) == 0:
        return numbers.hour.format(hours=hours)
    return numbers.time.format(hours=hours, minutes=int(minutes))


def _readings(match: re.Match[str], numbers: Numbers) -> tuple[str, list[str]] | None:
    """What one match is read as (the text to say, and its groups for a slow repeat), or None
    for a number left as it is."""
    found = match.groupdict()
    if found.get("clock"):
        start, end = match.group("cstart"), match.group("cend")
        written = match.group("clock")
        word = numbers.clock.get(written.casefold()) or numbers.clock.get(
            written.casefold().rstrip("."), ""
        )
        if written[:1].isupper():  # at the start of a sentence: "Kl. 9" -> "Klockan 9"
            word = word[:1].upper() + word[1:]
        times = (
            numbers.range.format(start=_read_time(start, numbers), end=_read_time(end, numbers))
            if end
            else _read_time(start, numbers)
        )
        said = f"{word} {times}".strip()
        return said, [said]
    if found.get("rstart"):
        start = _read_time(match.group("rstart"), numbers)
        end = _read_time(match.group("rend"), numbers)
        said = numbers.range.format(start=start, end=end)
        return said, [said]
    if found.get("time"):
        said = _read_time(match.group("time"), numbers)
        return said, [said]
    if found.get("cue"):
        cued = match.group("cued")
        if len(re.sub(r"\D", "", cued)) < _CUED_DIGITS and not cued.startswith(("0", "+")):
            return None  # a short number ("ring 1177", "112") is known by its spoken name
        groups = _read_digits(_groups(cued), numbers)
        return f"{match.group('cue')}{', '.join(groups)}", groups
    if found.get("postal"):
        groups = _read_digits(_groups(match.group("postal")), numbers)
        return ", ".join(groups), groups
    written = match.group("digits")
    if not _is_phone(written):
        return None
    groups = _read_digits(_groups(written), numbers)
    return ", ".join(groups), groups


def _spoken_numbers(text: str, numbers: Numbers | None) -> str:
    """Phone numbers, codes and clock times in ``text`` as they are read (see the module)."""
    if numbers is None or not any(ch.isdigit() for ch in text):
        return text

    def say(match: re.Match[str]) -> str:
        found = _readings(match, numbers)
        return match.group(0) if found is None else found[0]

    return _pattern_of(numbers).sub(say, text)


def number_readings(text: str, lang: str) -> list[list[str]]:
    """The phone numbers, codes and clock times of the last sentence of ``text`` that has any,
    each as its groups as read ("noll åtta", "ett två tre" ...); [] when there is none."""
    numbers = _numbers(lang)
    if numbers is None or not any(ch.isdigit() for ch in text):
        return []
    plain = " ".join(plain_text(text).split())
    ends = [m.start() for m in _SENTENCE_END.finditer(plain)]
    by_sentence: dict[int, list[list[str]]] = {}
    for match in _pattern_of(numbers).finditer(plain):
        found = _readings(match, numbers)
        if found is not None:
            sentence = sum(end < match.start() for end in ends)
            by_sentence.setdefault(sentence, []).append(found[1])
    return by_sentence[max(by_sentence)] if by_sentence else []


def _spoken_addresses(text: str, symbols: dict[str, str]) -> str:
    """Every web and e-mail address in ``text`` as words: "www punkt exempel punkt se"."""

    def say(match: re.Match[str]) -> str:
        address = match.group(0)
        trailing = _TRAILING.search(address)
        tail = trailing.group(0) if trailing else ""
        address = address[: len(address) - len(tail)]
        address = _SCHEME_PREFIX.sub("", address).rstrip("/")
        words = []
        for part in _SEPARATOR.split(address):
            if part in _SYMBOL_OF:
                words.append(symbols.get(_SYMBOL_OF[part], ""))
            else:
                words.append(re.sub(r"[^\w]+", " ", part))
        spoken = " ".join(w for w in words if w.strip())
        return f"{spoken}{tail.replace(':', '')}" if spoken else tail

    for pattern in (_URL, _EMAIL, _DOMAIN):
        text = pattern.sub(say, text)
    return text


def _cut(piece: str, limit: int) -> list[str]:
    """Cut one over-long sentence at soft breaks, then at spaces, then anywhere."""
    if len(piece) <= limit:
        return [piece]
    out: list[str] = []
    current = ""
    for part in _SOFT_BREAK.split(piece):
        for whole in part.split(" ") if len(part) > limit else [part]:
            word = whole
            while len(word) > limit:
                if current:
                    out.append(current)
                    current = ""
                out.append(word[:limit])
                word = word[limit:]
            sep = " " if current else ""
            if len(current) + len(sep) + len(word) > limit:
                out.append(current)
                current = word
            else:
                current += sep + word
    if current:
        out.append(current)
    return [chunk for chunk in out if chunk]


def speech_chunks(
    text: str, max_chars: int = MAX_CHUNK_CHARS, *, lang: str | None = None
) -> list[str]:
    """The cleaned text as a list of chunks to synthesize one after the other; ``lang``: the
    language it is spoken in (the words addresses are read with)."""
    cleaned = clean_text(text, lang)
    if not cleaned:
        return []
    chunks: list[str] = []
    for sentence in _SENTENCE_END.split(cleaned):
        if sentence.strip():
            chunks.extend(_cut(sentence.strip(), max_chars))
    return chunks
