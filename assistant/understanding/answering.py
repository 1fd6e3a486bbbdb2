"""The question-answering core: a question as text in, a :class:`Reply` out.

Control phrases (repeat, more, slower ...) are recognized as intents before matching; a
question is matched against the content (:mod:`.matching`, with a sentence encoder the hybrid
decision of :mod:`.hybrid`) and answered with the sentences that best answer it, the rest of
the section kept for "more"; or asked back ("do you mean A or B?") when two sections are
close or the match is uncertain; or declined with the list of topics.

The topics are read a few at a time (:data:`TOPICS_PER_PAGE`), one short sentence each with
its ordinal word ("Första: Orsaker."), then how to hear the rest ("Säg 'fler ämnen' för
resten."): :meth:`QuestionAnswerer.topics_page`. The dialog keeps the position in the list.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from assistant.config import MatchingConfig
from assistant.language_data import Language, is_supported, language
from assistant.understanding.reply import Reply, TopicsPage

if TYPE_CHECKING:
    from pathlib import Path

    from assistant.config import Config
    from assistant.content import Library
    from assistant.understanding.encoder import Encoder
    from assistant.understanding.matching import Match

#: Words a partial transcript needs before it can read as a whole question.
WHOLE_QUESTION_WORDS = 3
#: Hypotheses of one utterance considered at most, and how much each later one is discounted.
MAX_HYPOTHESES = 5
HYPOTHESIS_DISCOUNT = 0.05
#: Sections listed as topics at most (more sections: the documents' titles are listed instead).
MAX_TOPICS = 8
#: Topics read in one breath; "fler ämnen" / "plus de sujets" reads the next ones.
TOPICS_PER_PAGE = 3


class QuestionAnswerer:
    """The core: commands first, then the documents; implements :class:`Answerer`."""

    def __init__(
        self,
        library: Library,
        config: MatchingConfig,
        languages: Sequence[str],
        encoder: Encoder | None = None,
        cache: Path | None = None,
    ) -> None:
        """``encoder``: the sentence encoder for the hybrid decision (None: lexical matching
        only); ``cache``: the folder the documents' vectors are kept in."""
        from assistant.understanding.matching import Matcher

        self.library = library
        self.config = config
        self.languages = tuple(lang for lang in languages if is_supported(lang)) or ("sv",)
        self.matcher = Matcher(library, config, self.languages, encoder, cache)
        self._topics: dict[str, tuple[str, ...]] = {}  # the topics' titles, per language

    def answer(
        self,
        text: str,
        lang: str | None = None,
        word_confidence: Mapping[str, float] | None = None,
    ) -> Reply:
        """Answer one utterance: a command, an answer from the documents, or the topics.

        ``word_confidence``: how sure the recognizer is of each word (lowercase, 0..1; a word
        not in it is sure); a word it may have misheard weighs less as evidence, for or against.
        """
        from assistant.understanding.intents import detect_intent
        from assistant.understanding.language import detect_language, normalize

        given = lang if lang in self.languages else None
        guessed = given or detect_language(text, self.languages)
        command = detect_intent(text, guessed)
        if command is not None and command.lang in self.languages:
            return Reply(
                question=text,
                lang=command.lang,
                intent=command.intent,
                document=None,
                section=None,
                title=None,
                score=0.0,
                answer=self._command_text(command.intent, command.lang),
                more="",
                target_lang=command.target_lang,
            )
        lang = guessed or max(self.languages, key=lambda x: self.matcher.fit(text, x))
        if not normalize(text, lang):
            return self._fallback(text, lang, language(lang).text("no_question"))
        decision = self.matcher.decide(text, lang, word_confidence)
        if decision.outcome == "decline":
            return self._fallback(text, lang, language(lang).text("no_answer"))
        replies = tuple(self._answer_from(text, lang, found) for found in decision.matches)
        if decision.outcome == "answer":
            return replies[0]
        first, second = replies[0], replies[1]
        return Reply(
            question=text,
            lang=lang,
            intent="question",
            document=first.document,
            section=None,
            title=None,
            score=decision.probability,
            answer=language(lang).text(
                "ask_back", first=_bare(first.title), second=_bare(second.title)
            ),
            more="",
            candidates=tuple(r.section for r in replies if r.section is not None),
            offers=replies,
        )

    @staticmethod
    def _answer_from(text: str, lang: str, found: Match) -> Reply:
        return Reply(
            question=text,
            lang=lang,
            intent="question",
            document=found.document.id,
            section=found.section.index,
            title=found.section.title,
            score=found.confidence,
            answer=found.answer,
            more=found.more,
        )

    def answer_any(
        self,
        hypotheses: Sequence[str],
        lang: str | None = None,
        word_confidence: Mapping[str, float] | None = None,
    ) -> Reply:
        """Answer one of a recognizer's hypotheses (best first), choosing hypothesis and section
        together: a command in the best hypothesis is taken as it is; otherwise the hypothesis
        whose answer is the most probably right, each later one discounted by
        :data:`HYPOTHESIS_DISCOUNT`; the best hypothesis when none is answered. Every
        hypothesis' words are weighed by ``word_confidence`` (see :meth:`answer`)."""
        texts = [t for t in hypotheses if t.strip()][:MAX_HYPOTHESES]
        if not texts:
            return self.answer("", lang)
        first = self.answer(texts[0], lang, word_confidence)
        if first.intent != "question" or len(texts) == 1:
            return first
        best, best_score = first, first.score if _answers(first) else 0.0
        for rank, text in enumerate(texts[1:], 1):
            reply = self.answer(text, first.lang, word_confidence)
            score = reply.score - HYPOTHESIS_DISCOUNT * rank
            if reply.intent == "question" and _answers(reply) and score > best_score:
                best, best_score = reply, score
        return best

    def reads_complete(self, text: str, lang: str) -> bool:
        """Whether a transcript so far reads as a whole question: one a section answers, of at
        least :data:`WHOLE_QUESTION_WORDS` words (listening may then end at a shorter silence).

        Commands do not count: a question often starts with a word that alone is a command
        ("comment ...", "et ...", "och ..."); they wait for the full silence."""
        from assistant.understanding.intents import detect_intent
        from assistant.understanding.language import normalize

        if lang not in self.languages or len(text.split()) < WHOLE_QUESTION_WORDS:
            return False
        if detect_intent(text, lang) is not None or not normalize(text, lang):
            return False
        # lexical matching only: this runs on every partial transcript, so it stays cheap
        return self.matcher.match(text, lang) is not None

    def warm_up(self) -> None:
        """Load what the first question of each language would load (lemma tables, word
        frequencies), so the first visitor does not wait for it."""
        for lang in self.languages:
            self.answer(f"{self.help_text(lang)} {self.topics_text(lang)} hund katt chien", lang)

    def fit(self, text: str, lang: str) -> float:
        """How well a transcript fits the documents (and commands) of ``lang``, 0..1."""
        from assistant.understanding.intents import detect_intent

        if detect_intent(text, lang) is not None:
            return 1.0
        return self.matcher.fit(text, lang)

    def topics_text(self, lang: str) -> str:
        """The first page of the topics in ``lang`` (see :meth:`topics_page`)."""
        return self.topics_page(lang, 0).text

    def topics_page(self, lang: str, start: int) -> TopicsPage:
        """The topics from position ``start`` (0-based), :data:`TOPICS_PER_PAGE` of them, in
        ``lang``: the section titles (the documents' titles when there are more than
        :data:`MAX_TOPICS` sections), one sentence each with its ordinal word; the first page
        opens with the introduction, a page that leaves topics ends with how to hear them,
        the last one with the invitation to ask. With no documents in ``lang``, the topics of
        the first other language that has some, introduced by saying the documents are in
        it. Past the end, or with no documents at all, the text is ""."""
        own = self._language(lang)
        other = self._other_language(lang)
        titles = self._titles(other or lang)
        total = len(titles)
        start = max(start, 0)
        if start >= total:
            return TopicsPage("", start, start, total)
        end = min(start + TOPICS_PER_PAGE, total)
        sentences = []
        if start == 0:
            sentences.append(
                own.text("topics_elsewhere", language=self._language_name(own, other))
                if other
                else own.text("topics_intro")
            )
        for n in range(start, end):
            sentences.append(
                own.text("topic_item", ordinal=own.ordinal(n + 1), title=_bare(titles[n]))
            )
        sentences.append(own.text("topics_more" if end < total else "topics_end"))
        return TopicsPage(" ".join(sentences), start, end, total)

    def help_text(self, lang: str) -> str:
        """What a visitor can ask and say, in short sentences: the commands, then the first
        page of the topics."""
        return f"{self._language(lang).text('help')} {self.topics_text(lang)}".strip()

    def _command_text(self, intent: str, lang: str) -> str:
        """What the core says for a command by itself: the help, the first page of the topics
        (without a dialog there is no position in the list), else nothing."""
        if intent == "help":
            return self.help_text(lang)
        if intent == "more_topics":
            return self.topics_text(lang)
        return ""

    def _other_language(self, lang: str) -> str | None:
        """With no documents in ``lang``: the first other language that has some (None when
        ``lang`` has documents, or no language has)."""
        served = self.library.languages()
        if lang in served:
            return None
        return next((code for code in self.languages if code in served), None)

    @staticmethod
    def _language_name(own: Language, other: str | None) -> str:
        """The name of ``other`` in the language ``own``."""
        if other is None:
            return ""
        names = [name for name, code in own.language_names.items() if code == other]
        return names[0] if names else language(other).name

    def _language(self, lang: str) -> Language:
        """The data of ``lang``, or of the first language when ``lang`` is unknown."""
        return language(lang if is_supported(lang) else self.languages[0])

    def _titles(self, lang: str) -> tuple[str, ...]:
        """The topics: the section titles, or with more than :data:`MAX_TOPICS` sections the
        documents' titles. Made once per language."""
        if lang not in self._topics:
            documents = [d for d in self.library.documents if d.lang == lang]
            titles = [s.title for d in documents for s in d.sections]
            if len(titles) > MAX_TOPICS:
                titles = [d.title for d in documents]
            self._topics[lang] = tuple(t for t in titles if _bare(t).strip())
        return self._topics[lang]

    def in_language(self, reply: Reply, lang: str) -> Reply | None:
        """The same section's answer in ``lang`` via the parallel link (None when none)."""
        if reply.document is None or reply.section is None:
            return None
        if reply.lang == lang:
            return reply
        found = self.library.parallel(reply.document, reply.section, lang)
        original = self.library.document(reply.document)
        if found is None or original is None:
            return None
        from assistant.understanding.sentences import split_sentences

        document, section = found
        source = split_sentences(original.sections[reply.section - 1].text)
        target = split_sentences(section.text)
        chosen = [i for i, s in enumerate(source) if s in reply.answer]
        if len(source) != len(target) or not chosen:
            chosen = list(range(min(self.config.answer_sentences, len(target))))
        return Reply(
            question=reply.question,
            lang=lang,
            intent=reply.intent,
            document=document.id,
            section=section.index,
            title=section.title,
            score=reply.score,
            answer=" ".join(s for i, s in enumerate(target) if i in chosen),
            more=" ".join(s for i, s in enumerate(target) if i not in chosen),
        )

    def _fallback(self, text: str, lang: str, why: str) -> Reply:
        return Reply(
            question=text,
            lang=lang,
            intent="question",
            document=None,
            section=None,
            title=None,
            score=0.0,
            answer=f"{why} {self.topics_text(lang)}".strip(),
            more="",
        )


def _answers(reply: Reply) -> bool:
    """Whether a reply answers (or asks back between sections)."""
    return reply.section is not None or bool(reply.candidates)


def _bare(title: str | None) -> str:
    return (title or "").rstrip(".?!")


def answerer_for(library: Library, config: Config) -> QuestionAnswerer:
    """The core as the kiosk and the commands run it: with the configured sentence encoder
    (lexical only when there is none) and its cache folder."""
    from assistant.understanding.encoder import build_encoder

    cache = config.path(config.matching.cache_folder) if config.matching.cache_folder else None
    return QuestionAnswerer(
        library, config.matching, config.languages, build_encoder(config.matching), cache
    )
