"""Help by ear: the commands in short sentences, one command (or one group of voice changes)
each, so a listener can follow; the first topics come last, one sentence each."""

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
def test_help_is_short_sentences_then_the_first_topics(lang: str) -> None:
    library = load_library(PROJECT_DIR / "content")
    brain = QuestionAnswerer(library, MatchingConfig(), ("sv", "fr"))
    sentences = split_sentences(brain.help_text(lang))
    topics = split_sentences(brain.topics_text(lang))
    commands = sentences[: len(sentences) - len(topics)]
    assert len(commands) >= 5
    assert sentences[len(commands) :] == topics  # the topics last, as their first page
    assert all(len(re.findall(r"\w+", s)) <= MAX_WORDS for s in sentences), sentences
    assert any("fler ämnen" in s or "plus de sujets" in s for s in topics)
    titles = [s.title.rstrip("?") for _, s in library.sections(lang)]
    assert titles[0] in topics[1] and titles[-1] not in " ".join(topics)
