"""Help by ear: the commands in short sentences, one command (or one group of voice changes)
each, so a listener can follow; the topics come last."""

from __future__ import annotations

import re

import pytest

from assistant import PROJECT_DIR
from assistant.config import MatchingConfig
from assistant.content import load_library
from assistant.understanding.answering import QuestionAnswerer
from assistant.understanding.sentences import split_sentences

#: Words a spoken sentence of the help may have at most (the list of topics aside).
MAX_WORDS = 14


@pytest.mark.parametrize("lang", ["sv", "fr"])
def test_help_is_short_sentences_then_the_topics(lang: str) -> None:
    library = load_library(PROJECT_DIR / "content")
    brain = QuestionAnswerer(library, MatchingConfig(), ("sv", "fr"))
    sentences = split_sentences(brain.help_text(lang))
    *commands, topics = sentences
    assert len(commands) >= 5
    assert all(len(re.findall(r"\w+", s)) <= MAX_WORDS for s in commands), commands
    titles = [s.title.rstrip("?") for _, s in library.sections(lang)]
    assert all(title in topics for title in titles)
