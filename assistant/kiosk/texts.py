"""The dialog's own sentences: greeting, "not understood", confirmations, apologies.

The sentences themselves are data, one table per language with every sentence the kiosk says
outside of the documents (``assistant/lang/<code>/texts.toml``, read by
:mod:`assistant.language_data`); this module names the dialog's keys. Each sentence is short,
so a visitor hears what happened before deciding what to say next.
"""

from __future__ import annotations

from typing import Literal

from assistant.language_data import is_supported, language

TextKey = Literal[
    "greeting",
    "offer_more",
    "no_more",
    "not_understood",
    "offer_help",
    "typed_empty",
    "no_match",
    "no_help",
    "no_translation",
    "apology",
    "input_lost",
    "input_lost_wait",
    "input_back",
    "speech_input_coming",
    "speech_input_coming_wait",
    "speech_input_ready",
    "now_slower",
    "now_faster",
    "now_louder",
    "now_quieter",
    "limit_slower",
    "limit_faster",
    "limit_louder",
    "limit_quieter",
    "ask_question",
    "ok_ask_again",
    "welcome",
    "idle_warning",
    "key_offer_more",
    "key_help",
    "nav_top",
    "no_more_topics",
    "no_number",
]

#: Language used for a sentence that has no text in the language asked for.
FALLBACK_LANGUAGE = "sv"


def text(key: TextKey, lang: str) -> str:
    """The sentence ``key`` in ``lang``, or in :data:`FALLBACK_LANGUAGE` when it has none."""
    return language(lang if is_supported(lang) else FALLBACK_LANGUAGE).text(key)


def voice_text(change: str, *, at_limit: bool) -> TextKey:
    """The key of the confirmation of a voice change, or of "cannot go further"."""
    keys: dict[str, tuple[TextKey, TextKey]] = {
        "slower": ("now_slower", "limit_slower"),
        "faster": ("now_faster", "limit_faster"),
        "louder": ("now_louder", "limit_louder"),
        "quieter": ("now_quieter", "limit_quieter"),
    }
    return keys[change][at_limit]


def has_language(lang: str) -> bool:
    """True when every sentence exists in ``lang`` (every known language has them all)."""
    return is_supported(lang)
