"""The command phrasings: one module per language, complete for every command."""

from __future__ import annotations

from typing import get_args

import pytest

from assistant.language_data import SUPPORTED_LANGUAGES
from assistant.understanding.intent_phrases import BY_LANGUAGE, LanguagePhrases
from assistant.understanding.reply import Intent

COMMANDS = [intent for intent in get_args(Intent) if intent != "question"]


def test_every_supported_language_has_phrasings() -> None:
    assert set(BY_LANGUAGE) == set(SUPPORTED_LANGUAGES)
    assert all(isinstance(phrases, LanguagePhrases) for phrases in BY_LANGUAGE.values())


@pytest.mark.parametrize("lang", SUPPORTED_LANGUAGES)
def test_every_command_has_phrasings(lang: str) -> None:
    commands = BY_LANGUAGE[lang].commands
    assert sorted(commands) == sorted(COMMANDS)
    for intent, phrasings in commands.items():
        assert phrasings, intent
        assert all(p.strip() and p == p.strip() for p in phrasings), intent


@pytest.mark.parametrize("lang", SUPPORTED_LANGUAGES)
def test_every_language_can_be_named(lang: str) -> None:
    assert set(BY_LANGUAGE[lang].language_names.values()) == set(SUPPORTED_LANGUAGES)
