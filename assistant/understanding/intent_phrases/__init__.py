"""The command phrasings, per language: data for :mod:`assistant.understanding.intents`.

Natural ways a visitor says each command (exact phrasings; near misses are matched fuzzily),
the names of the languages for "switch to ...", words that can go with any command, and
politeness and hesitation words dropped before matching. Add a phrasing when visitors use one
the kiosk misses: Swedish in :mod:`.sv`, French in :mod:`.fr`, each one
:class:`~.common.LanguagePhrases`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.understanding.intent_phrases.common import LanguagePhrases
from assistant.understanding.intent_phrases.fr import FRENCH
from assistant.understanding.intent_phrases.sv import SWEDISH

if TYPE_CHECKING:
    from assistant.understanding.reply import Intent

__all__ = ["BY_LANGUAGE", "FILLERS", "LANGUAGE_NAMES", "NEUTRAL", "PHRASES", "LanguagePhrases"]

#: Each language's phrasings, by language code.
BY_LANGUAGE: dict[str, LanguagePhrases] = {"sv": SWEDISH, "fr": FRENCH}

#: The phrasings of each command, by language.
PHRASES: dict[str, dict[Intent, tuple[str, ...]]] = {
    lang: phrases.commands for lang, phrases in BY_LANGUAGE.items()
}

#: Names of the languages, in each language, for "switch to ...".
LANGUAGE_NAMES: dict[str, dict[str, str]] = {
    lang: phrases.language_names for lang, phrases in BY_LANGUAGE.items()
}

#: Words that can go with any command without changing it, by language (see
#: :attr:`LanguagePhrases.neutral`).
NEUTRAL: dict[str, str] = {lang: phrases.neutral for lang, phrases in BY_LANGUAGE.items()}

#: Politeness and hesitation, dropped before matching (multi-word ones first), by language.
FILLERS: dict[str, tuple[str, ...]] = {
    lang: phrases.fillers for lang, phrases in BY_LANGUAGE.items()
}
