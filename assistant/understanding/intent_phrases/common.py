"""What each language gives :mod:`assistant.understanding.intent_phrases`: one "
":class:`LanguagePhrases`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant.understanding.reply import Intent


@dataclass(frozen=True)
class LanguagePhrases:
    """The command phrasings of one language, and the words around them."""

    #: Natural ways a visitor says each command (exact phrasings; near misses are matched
    #: fuzzily).
    commands: dict[Intent, tuple[str, ...]]
    #: Names of the languages, in this language, for "switch to ...": name -> language code.
    language_names: dict[str, str]
    #: Words that can go with any command without changing it (who speaks, reading and
    #: speaking verbs, degree, preference), separated by spaces: "vous pouvez LIRE plus vite",
    #: "det är ALLDELES för starkt". A word about a subject ("orsaker", "spasmes") still makes
    #: the utterance a question.
    neutral: str
    #: Politeness and hesitation, dropped before matching (multi-word ones first).
    fillers: tuple[str, ...]
