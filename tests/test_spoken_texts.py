"""A visitor never hears a shell command: the sentences the kiosk says outside the documents
(assistant/lang/*/texts.toml) and its spoken notice about missing speech input send the
visitor to the staff, and the staff to the log, where the fix is printed with the command."""

from __future__ import annotations

import re

import pytest

from assistant.kiosk.recheck import spoken_notice
from assistant.language_data import language, supported_languages

#: What a command looks like inside a sentence.
COMMAND = re.compile(r"run\.py|python|\.venv|`|(^|\s)--?[a-z]|sudo|systemctl|/bin/")


@pytest.mark.parametrize("lang", supported_languages())
def test_no_sentence_the_kiosk_says_holds_a_command(lang: str) -> None:
    spoken = language(lang).texts
    assert spoken, "the language has its sentences"
    commands = {key: text for key, text in spoken.items() if COMMAND.search(text)}
    assert not commands, f"{lang}: sentences with a command: {commands}"


@pytest.mark.parametrize("codes", [("model-missing",), ("model-broken",), ("device-missing",)])
def test_the_spoken_notice_of_missing_speech_input_holds_no_command(
    codes: tuple[str, ...],
) -> None:
    said = spoken_notice(codes, ("sv", "fr"))
    assert [lang for _text, lang in said] == ["sv", "fr"]
    for text, lang in said:
        assert not COMMAND.search(text), (lang, text)
        assert ("logg" in text) if lang == "sv" else ("journal" in text)
