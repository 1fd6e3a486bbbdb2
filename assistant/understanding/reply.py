"""What understanding gives back for one utterance: the :class:`Reply`, its :data:`Intent`, a
page of the spoken list of topics (:class:`TopicsPage`), and the one-method :class:`Answerer`
interface the dialog and the kiosk use."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Protocol

from assistant.language_data import Intent


@dataclass(frozen=True)
class TopicsPage:
    """A few topics of the spoken list, one short sentence each, as said in one breath."""

    #: What to say: the introduction (first page only), one sentence per topic, then how to
    #: hear the rest or, after the last topic, the invitation to ask ("" past the end).
    text: str
    #: The position (0-based) of this page's first topic, and of the next page's.
    start: int
    next: int
    #: How many topics the list has.
    total: int

    @property
    def last(self) -> bool:
        """Whether this page ends the list."""
        return self.next >= self.total


@dataclass(frozen=True)
class Reply:
    """What the core makes of one utterance."""

    #: The question as given.
    question: str
    #: Language of the question ("sv", "fr"): given, or detected from the text.
    lang: str
    #: "question" for a question (answered or not), else the control intent.
    intent: Intent
    #: Document id and 1-based section index of the answer; None when nothing answers.
    document: str | None
    section: int | None
    #: Title of the answering section (None when nothing answers).
    title: str | None
    #: Confidence of the match, 0..1 (0 for commands and for no answer).
    score: float
    #: What to say now: the short answer, or the fallback listing the topics.
    answer: str
    #: The rest of the section, read on "more" ("" when there is nothing more).
    more: str
    #: For intent "language": the language asked for.
    target_lang: str | None = None
    #: A question back ("do you mean A or B?"): the 1-based sections offered, best first, all
    #: of ``document`` (``section`` is None then); empty otherwise.
    candidates: tuple[int, ...] = ()
    #: For a question back: the answer of each offered section, in the order offered.
    offers: tuple[Reply, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The reply as JSON-ready data (without the offered answers themselves)."""
        data = asdict(self)
        data.pop("offers")
        data["candidates"] = list(self.candidates)
        return data


class Answerer(Protocol):
    """One-method interface of the core, as the dialog and the kiosk use it."""

    def answer(self, text: str, lang: str | None = None) -> Reply: ...
