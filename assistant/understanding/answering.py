"""The question-answering core: a question as text in, a :class:`Reply` out.

Control phrases (repeat, more, slower ...) are recognized as intents before matching; a
question is matched against the content (:mod:`.matching`, with a sentence encoder the hybrid
decision of :mod:`.hybrid`) and answered with the sentences that best answer it, the rest of
the section kept for "more"; or asked back ("do you mean A or B?") when two sections are
close or the match is uncertain; or declined with the list of topics.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from assistant.config import MatchingConfig
from assistant.language_data import Language, is_supported, language
from assistant.understanding.reply import Reply

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
#: Topics read out in a list at most (more sections: the documents' titles are read instead).
MAX_TOPICS = 8


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
        self._topics: dict[str, str] = {}  # the spoken list of topics, per language

    def answer(self, text: str, lang: str | None = None) -> Reply:
        """Answer one utterance: a command, an answer from the documents, or the topics."""
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
                answer=self.help_text(command.lang) if command.intent == "help" else "",
                more="",
                target_lang=command.target_lang,
            )
        lang = guessed or max(self.languages, key=lambda x: self.matcher.fit(text, x))
        if not normalize(text, lang):
            return self._fallback(text, lang, language(lang).text("no_question"))
        decision = self.matcher.decide(text, lang)
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

    def answer_any(self, hypotheses: Sequence[str], lang: str | None = None) -> Reply:
        """Answer one of a recognizer's hypotheses (best first), choosing hypothesis and section
        together: a command in the best hypothesis is taken as it is; otherwise the hypothesis
        whose answer is the most probably right, each later one discounted by
        :data:`HYPOTHESIS_DISCOUNT`; the best hypothesis when none is answered."""
        texts = [t for t in hypotheses if t.strip()][:MAX_HYPOTHESES]
        if not texts:
            return self.answer("", lang)
        first = self.answer(texts[0], lang)
        if first.intent != "question" or len(texts) == 1:
            return first
        best, best_score = first, first.score if _answers(first) else 0.0
        for rank, text in enumerate(texts[1:], 1):
            reply = self.answer(text, first.lang)
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
        """What the kiosk can talk about, from the section titles, in ``lang``; with no
        documents in ``lang``, the topics of another language's, saying they are in it."""
        elsewhere = self._topics_elsewhere(lang)
        if elsewhere:
            return elsewhere
        return self._language(lang).text("topics_list", topics=self._topic_list(lang))

    def help_text(self, lang: str) -> str:
        """What a visitor can ask and say, short enough to be spoken."""
        elsewhere = self._topics_elsewhere(lang)
        if elsewhere:
            return elsewhere
        return self._language(lang).text("help", topics=self._topic_list(lang))

    def _topics_elsewhere(self, lang: str) -> str:
        """With no documents in ``lang``: in ``lang``, that the documents are in the first
        other language that has some, and their topics ("" when ``lang`` has documents)."""
        served = self.library.languages()
        other = next((code for code in self.languages if code in served), None)
        if lang in served or other is None:
            return ""
        own = self._language(lang)
        names = [name for name, code in own.language_names.items() if code == other]
        name = names[0] if names else language(other).name
        return own.text("topics_elsewhere", language=name, topics=self._topic_list(other))

    def _language(self, lang: str) -> Language:
        """The data of ``lang``, or of the first language when ``lang`` is unknown."""
        return language(lang if is_supported(lang) else self.languages[0])

    def _topic_list(self, lang: str) -> str:
        """The section titles, or with more than :data:`MAX_TOPICS` sections the documents'
        titles (the first :data:`MAX_TOPICS`): a list a visitor can listen to. Made once."""
        if lang not in self._topics:
            and_word = self._language(lang).text("and")
            documents = [d for d in self.library.documents if d.lang == lang]
            titles = [s.title for d in documents for s in d.sections]
            if len(titles) > MAX_TOPICS:
                titles = [d.title for d in documents][:MAX_TOPICS]
            self._topics[lang] = _join(titles, and_word)
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
            answer=f"{why} {self.topics_text(lang)}",
            more="",
        )


def _answers(reply: Reply) -> bool:
    """Whether a reply answers (or asks back between sections)."""
    return reply.section is not None or bool(reply.candidates)


def _bare(title: str | None) -> str:
    return (title or "").rstrip(".?!")


def _join(items: Sequence[str], and_word: str) -> str:
    items = [i.rstrip(".?!") for i in items]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {and_word} {items[-1]}"


def answerer_for(library: Library, config: Config) -> QuestionAnswerer:
    """The core as the kiosk and the commands run it: with the configured sentence encoder
    (lexical only when there is none) and its cache folder."""
    from assistant.understanding.encoder import build_encoder

    cache = config.path(config.matching.cache_folder) if config.matching.cache_folder else None
    return QuestionAnswerer(
        library, config.matching, config.languages, build_encoder(config.matching), cache
    )
