"""Understanding: from a transcript to a :class:`~.reply.Reply`.

Owns the language analysis per language (:mod:`.language`: normalizing, stemming, compounds,
choosing the language of an utterance), the commands and their phrasings (:mod:`.intents`,
:mod:`.intent_phrases`, :mod:`.intent_rules`), matching a question to a section
(:mod:`.matching`: ranking, and the rejection of out-of-scope questions) and the answer built
from it (:mod:`.answering`, :class:`~.answering.QuestionAnswerer`). What it gives back is in
:mod:`.reply`. Imports only the shared basics at the top of :mod:`assistant`.
"""
