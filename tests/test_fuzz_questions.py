"""Random Unicode as questions: the core never raises and always has something to say.

``QuestionAnswerer.answer`` on arbitrary text (any language given or none) returns a
:class:`Reply`; a question (answered or not) always has a non-empty answer to speak; a command
(repeat, more ...) has a known intent. ``run.py ask --json -`` answers every random line.
"""

from __future__ import annotations

import json
import subprocess
import sys
import typing

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from assistant import PROJECT_DIR
from assistant.config import MatchingConfig
from assistant.content import load_library
from assistant.understanding.answering import QuestionAnswerer
from assistant.understanding.reply import Intent, Reply

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
INTENTS = set(typing.get_args(Intent))
#: Text that looks like questions: words of the documents mixed with any characters.
_WORDS = st.sampled_from(
    ["muskelspasmer", "crampes", "vad", "quand", "läkare", "médecin", "mer", "encore", "3", "½"]
)
QUESTIONS = st.one_of(
    st.text(max_size=200),
    st.lists(st.one_of(_WORDS, st.text(max_size=8)), max_size=30).map(" ".join),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=2000),
)


@pytest.fixture(scope="module")
def answerer() -> QuestionAnswerer:
    library = load_library(PROJECT_DIR / "content")
    return QuestionAnswerer(library, MatchingConfig(), ["sv", "fr"])


def check_reply(reply: Reply, text: str) -> None:
    assert isinstance(reply, Reply)
    assert reply.question == text and reply.lang in ("sv", "fr")
    assert reply.intent in INTENTS
    assert 0.0 <= reply.score <= 1.0
    if reply.intent in ("question", "help"):
        assert reply.answer.strip(), reply
    if reply.section is not None:
        assert reply.document is not None and reply.title


@FUZZ
@given(text=QUESTIONS, lang=st.sampled_from([None, "sv", "fr", "de", ""]))
@example(text="\x00" * 50, lang=None)
@example(text="\ud7ff\U0010ffff" * 20, lang="sv")
@example(text="1" * 400, lang="fr")
@example(text="muskelspasmer " * 500, lang=None)
def test_random_unicode_questions(answerer: QuestionAnswerer, text: str, lang: str | None) -> None:
    check_reply(answerer.answer(text, lang), text)


@FUZZ
@given(text=QUESTIONS)
def test_fit_is_a_share(answerer: QuestionAnswerer, text: str) -> None:
    for lang in ("sv", "fr"):
        assert 0.0 <= answerer.fit(text, lang) <= 1.0


@pytest.mark.e2e
def test_ask_command_answers_every_random_line() -> None:
    """``run.py ask --json -`` with random lines: one JSON reply per line, exit 0."""
    lines = [
        "",
        "   ",
        "?!.,;",
        "\u200b\u200d\ufeff",
        "ﷺ𒐫𒐪 ﷽",
        "Vad orsakar muskelspasmer?",
        "quand consulter",
        "x" * 5000,
        "🙂" * 300,
        "\t\\0 NULL ' OR 1=1 --",
        "١٢٣ ٤٥٦",
        "mer",
    ]
    out = subprocess.run(
        [sys.executable, "run.py", "ask", "--json", "-"],
        cwd=PROJECT_DIR,
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    replies = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["question"] for r in replies] == lines
    for r in replies:
        assert r["intent"] in INTENTS
        if r["intent"] == "question":
            assert r["answer"].strip(), r
