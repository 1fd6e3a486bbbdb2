"""Every sentence the kiosk says outside of answers, in Swedish and French.

Answers, help and topic lists come from the content (the question-answering core); these are
the dialog's own prompts: greeting, "not understood", confirmations, apologies. Each sentence
is short, so a visitor hears what happened before deciding what to say next.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

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
    "now_slower",
    "now_faster",
    "now_louder",
    "now_quieter",
    "limit_slower",
    "limit_faster",
    "limit_louder",
    "limit_quieter",
]

#: Language used for a sentence that has no text in the language asked for.
FALLBACK_LANGUAGE = "sv"

TEXTS: Mapping[TextKey, Mapping[str, str]] = {
    "greeting": {
        "sv": "Hej! Ställ din fråga på svenska.",
        "fr": "Bonjour ! Posez votre question en français.",
    },
    "offer_more": {
        "sv": "Vill du höra mer? Säg 'mer'.",
        "fr": "Voulez-vous en savoir plus ? Dites « plus ».",
    },
    "no_more": {
        "sv": "Det finns inget mer om det. Ställ gärna en ny fråga.",
        "fr": "Il n'y a rien de plus à ce sujet. Posez une autre question si vous voulez.",
    },
    "not_understood": {
        "sv": "Jag hörde inte riktigt, kan du säga det igen?",
        "fr": "Je n'ai pas bien entendu, pouvez-vous répéter ?",
    },
    "offer_help": {
        "sv": "Jag förstår dig tyvärr inte. Säg 'hjälp' så berättar jag vad du kan fråga om.",
        "fr": "Je ne vous comprends pas, désolé. Dites « aide » pour savoir ce que vous "
        "pouvez demander.",
    },
    "typed_empty": {
        "sv": "Skriv din fråga och tryck på Enter.",
        "fr": "Tapez votre question puis appuyez sur Entrée.",
    },
    "no_match": {
        "sv": "Det kan jag tyvärr inte svara på.",
        "fr": "Je ne peux malheureusement pas répondre à cela.",
    },
    "no_help": {
        "sv": "Ställ en fråga om innehållet, eller säg 'upprepa', 'mer', 'sluta', "
        "'långsammare', 'snabbare', 'högre' eller 'tystare'.",
        "fr": "Posez une question sur le contenu, ou dites « répète », « plus », « stop », "
        "« moins vite », « plus vite », « plus fort » ou « moins fort ».",
    },
    "no_translation": {
        "sv": "Det svaret finns inte på svenska.",
        "fr": "Cette réponse n'existe pas en français.",
    },
    "apology": {
        "sv": "Förlåt, något gick fel. Försök igen.",
        "fr": "Désolé, un problème est survenu. Veuillez réessayer.",
    },
    "input_lost": {
        "sv": "Mikrofonen fungerar inte just nu. Du kan skriva din fråga på tangentbordet.",
        "fr": "Le microphone ne fonctionne pas pour le moment. Vous pouvez taper votre "
        "question au clavier.",
    },
    "input_lost_wait": {
        "sv": "Mikrofonen fungerar inte just nu. Försök igen om en liten stund.",
        "fr": "Le microphone ne fonctionne pas pour le moment. Réessayez dans un petit moment.",
    },
    "input_back": {
        "sv": "Mikrofonen fungerar igen.",
        "fr": "Le microphone fonctionne de nouveau.",
    },
    "now_slower": {"sv": "Nu talar jag långsammare.", "fr": "Je parle maintenant plus lentement."},
    "now_faster": {"sv": "Nu talar jag snabbare.", "fr": "Je parle maintenant plus vite."},
    "now_louder": {"sv": "Nu talar jag högre.", "fr": "Je parle maintenant plus fort."},
    "now_quieter": {"sv": "Nu talar jag tystare.", "fr": "Je parle maintenant moins fort."},
    "limit_slower": {
        "sv": "Långsammare än så här kan jag inte tala.",
        "fr": "Je ne peux pas parler plus lentement.",
    },
    "limit_faster": {
        "sv": "Snabbare än så här kan jag inte tala.",
        "fr": "Je ne peux pas parler plus vite.",
    },
    "limit_louder": {
        "sv": "Högre än så här kan jag inte tala.",
        "fr": "Je ne peux pas parler plus fort.",
    },
    "limit_quieter": {
        "sv": "Tystare än så här kan jag inte tala.",
        "fr": "Je ne peux pas parler moins fort.",
    },
}


def text(key: TextKey, lang: str) -> str:
    """The sentence ``key`` in ``lang``, or in :data:`FALLBACK_LANGUAGE` when it has none."""
    sentences = TEXTS[key]
    return sentences.get(lang) or sentences[FALLBACK_LANGUAGE]


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
    """True when every sentence exists in ``lang``."""
    return all(lang in sentences for sentences in TEXTS.values())
