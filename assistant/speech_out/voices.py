"""Voice choice by language across pyttsx3 drivers, and the per-language voice settings.

Each driver reports a voice's languages its own way: espeak-ng gives codes such as ``sv`` or
``fr-fr`` (with ids like ``gmq/sv``), macOS gives locales such as ``sv_SE``, SAPI gives
``sv-SE`` or a hexadecimal language id (``41d``). :func:`language_of` reduces all of them to
the primary language subtag, and :func:`choose_voice` picks the voice for a language: a pinned
id when the operator gave one, else the voice whose language is exactly the language (``sv``)
or its main region (``fr-fr``), else any voice of that language.
"""

from __future__ import annotations

import locale
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from assistant.config import SpeechConfig
from assistant.errors import SpeechError

Change = Literal["slower", "faster", "louder", "quieter"]

#: The region preferred among a language's variants (``fr-fr`` before ``fr-be``).
_MAIN_REGION = {"sv": "se", "fr": "fr"}

#: Language names that identify a voice whose driver reports no language (SAPI voices by name).
_LANGUAGE_NAMES = {
    "sv": ("swedish", "svenska"),
    "fr": ("french", "français", "francais"),
}


@dataclass(frozen=True)
class VoiceInfo:
    """A voice as the driver lists it."""

    id: str
    name: str
    #: Language tags as the driver reports them (``sv``, ``fr-fr``, ``sv_SE``, ``41d`` ...).
    languages: tuple[str, ...] = ()

    @property
    def primary_languages(self) -> tuple[str, ...]:
        return tuple(lang for tag in self.languages if (lang := language_of(tag)))

    def describe(self) -> str:
        langs = ",".join(self.languages) or "?"
        return f"{self.id} ({self.name}; {langs})"


@dataclass(frozen=True)
class VoiceSettings:
    """How one language is spoken: the voice, its rate and its volume (a gain on the audio)."""

    voice_id: str
    rate_wpm: int
    volume: float


def language_of(tag: str | bytes) -> str:
    """Primary language subtag of a driver's language tag, lowercase; "" when unknown."""
    if isinstance(tag, bytes):
        tag = tag.decode("utf-8", errors="ignore")
    tag = tag.strip().lstrip("\x00\x01\x02\x03\x04\x05").strip()
    if not tag:
        return ""
    if re.fullmatch(r"(0x)?[0-9a-fA-F]{3,4}", tag) and not tag.isalpha():
        # A SAPI language id (LCID), e.g. 41d (Swedish) or 40c (French).
        name = locale.windows_locale.get(int(tag, 16), "")
        return name.split("_")[0].lower()
    primary = re.split(r"[-_.@\s]", tag, maxsplit=1)[0].lower()
    return primary if primary.isalpha() and 2 <= len(primary) <= 3 else ""


def _rank(voice: VoiceInfo, lang: str) -> int | None:
    """Lower is better; None when the voice does not speak ``lang``."""
    for tag in voice.languages:
        if language_of(tag) != lang:
            continue
        normalized = tag.strip().lower().replace("_", "-")
        if normalized in (lang, f"{lang}-{_MAIN_REGION.get(lang, lang)}"):
            return 0
        return 1
    name = voice.name.casefold()
    if any(word in name for word in _LANGUAGE_NAMES.get(lang, ())):
        return 2
    if voice.id.lower().rsplit("/", 1)[-1] == lang:
        return 2
    return None


def choose_voice(voices: Sequence[VoiceInfo], lang: str, pinned_id: str = "") -> VoiceInfo:
    """The voice for ``lang``: the pinned one, else the best match by language.

    No such voice is a :class:`SpeechError` (``voice-missing`` or ``no-voice``) that lists
    the voices there are.
    """
    listing = "; ".join(v.describe() for v in voices) or "none"
    if pinned_id:
        for voice in voices:
            if pinned_id in (voice.id, voice.name):
                return voice
        raise SpeechError(
            "voice-missing",
            f"the voice {pinned_id!r} pinned for {lang!r} does not exist; voices: {listing}",
            fix=f"set speech.voices.{lang}.voice_id to one of the ids listed, or empty",
        )
    ranked = [(rank, i, v) for i, v in enumerate(voices) if (rank := _rank(v, lang)) is not None]
    if not ranked:
        raise SpeechError(
            "no-voice",
            f"no speech voice for language {lang!r}; voices: {listing}",
            fix="install espeak-ng (apt-get install espeak-ng) or a system voice for it, "
            f"or pin one in speech.voices.{lang}.voice_id",
        )
    return min(ranked, key=lambda item: (item[0], item[1]))[2]


def configured_voice(voices: Sequence[VoiceInfo], lang: str, config: SpeechConfig) -> VoiceInfo:
    """The voice ``speech.voices.<lang>`` asks for (:func:`choose_voice`); a language with no
    such table is a :class:`SpeechError` (``no-voice-config``)."""
    voice_config = config.voices.get(lang)
    if voice_config is None:
        raise SpeechError(
            "no-voice-config",
            f"speech.voices has no entry for the language {lang!r}",
            fix=f"add a [speech.voices.{lang}] table (see kiosk.example.toml)",
        )
    return choose_voice(voices, lang, voice_config.voice_id)


def adjusted(settings: VoiceSettings, change: Change, config: SpeechConfig) -> VoiceSettings:
    """``settings`` one step slower/faster/louder/quieter, kept within the configured bounds."""
    if change in ("slower", "faster"):
        step = config.rate_step_wpm if change == "faster" else -config.rate_step_wpm
        rate = min(config.max_rate_wpm, max(config.min_rate_wpm, settings.rate_wpm + step))
        return replace(settings, rate_wpm=rate)
    step_v = config.volume_step if change == "louder" else -config.volume_step
    volume = min(config.max_volume, max(config.min_volume, settings.volume + step_v))
    return replace(settings, volume=round(volume, 3))
