"""Commands as verb/object patterns, per language: data for :mod:`assistant.understanding.intents`.

Beyond the phrasings of :mod:`assistant.understanding.intent_phrases`, visitors combine a verb with
what it
acts on in many ways ("sänk rösten", "dra ner ljudet", "baissez un peu la voix"). A rule is
groups of words separated by ``+``; an utterance follows the rule when it says a word of every
group (in any inflection, in any order) and nothing about a subject. When several rules fit,
the one with the most groups decides ("dra ner tempot" is slower, "dra ner ljudet" quieter).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant.understanding.reply import Intent

_SV_SOUND = "röst rösten ljud ljudet volym volymen"
_SV_PACE = "tempo tempot takt takten fart farten hastighet hastigheten"
_FR_SOUND = "son voix volume"
_FR_PACE = "vitesse rythme débit cadence"

RULES: dict[str, tuple[tuple[Intent, str], ...]] = {
    "sv": (
        ("repeat", "säg säga läs läsa ta kör spela + igen om"),
        ("repeat", "uppfattade förstod fattade missade hann + inte"),
        ("repeat", "vad + sa sade"),
        ("more", "berätta säg läs fortsätt + till vidare mer resten"),
        ("more", "finns + mer"),
        ("stop", "sluta slutar stoppa avbryt + läsa prata tala"),
        ("stop", "räcker räcka nog + det"),
        ("help", "vad vilka vilken vilket + fråga frågor frågar ställa svara svarar svar"),
        ("help", "hur + funkar funka fungerar fungera använder använda används sköter"),
        ("help", "vet förstår + inte + fråga säga göra använda"),
        ("slower", "hänger hinner orkar + inte + med"),
        ("slower", f"dra sänk sänka minska + {_SV_PACE}"),
        ("slower", "går + fort snabbt"),
        ("faster", f"öka höj höja snabba + {_SV_PACE}"),
        ("faster", "går + långsamt sakta trögt"),
        ("louder", f"höj höja höjer öka ökar + {_SV_SOUND}"),
        ("louder", "skruva vrid vrida dra + upp"),
        ("louder", "hör hörs + dåligt inget ingenting knappt"),
        ("quieter", f"sänk sänka sänker minska minskar dämpa dämpar + {_SV_SOUND}"),
        ("quieter", "skruva vrid vrida dra + ner ned"),
        ("language", "byt byta ta + franska svenska"),
    ),
    "fr": (
        ("repeat", "redire répéter relire reprendre recommencer + fois début"),
        ("repeat", "compris entendu saisi raté manqué loupé + pas"),
        ("repeat", "quoi + dit dites"),
        ("more", "continuer poursuivre lire raconter dire + suite reste plus davantage"),
        ("more", "autre + chose"),
        ("stop", "arrêter stopper cesser + lire parler"),
        ("stop", "suffit assez + ça c est"),
        ("help", "quoi que qu quel quels quelle quelles + question questions demander poser"),
        ("help", "comment + marche marcher fonctionne fonctionner utiliser utilise sert servir"),
        ("help", "sais sait + pas + demander dire faire utiliser"),
        ("slower", "suivre suis + pas mal plus"),
        ("slower", f"baisser diminuer réduire ralentir + {_FR_PACE}"),
        ("slower", "allez lisez parlez + vite rapidement + trop"),
        ("faster", f"augmenter accélérer + {_FR_PACE}"),
        ("faster", "allez lisez parlez + lentement lent + trop"),
        ("louder", f"monter montez augmenter hausser élever remonter + {_FR_SOUND}"),
        ("louder", "entends entend entendre + rien mal pas"),
        ("quieter", f"baisser baissez diminuer réduire + {_FR_SOUND}"),
        ("quieter", "criez crier hurler + pas trop"),
        ("language", "passer passons mettre traduire + suédois français"),
    ),
}
