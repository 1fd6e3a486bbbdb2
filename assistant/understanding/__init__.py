"""Understanding: from a transcript to a :class:`~.reply.Reply`.

Owns the language analysis per language (:mod:`.language`: normalizing, stemming, compounds,
choosing the language of an utterance; its data in ``assistant/lang/<code>/``), the commands
(:mod:`.intents`), lexical matching (:mod:`.matching`), the sentence encoder (:mod:`.encoder`,
engines in :mod:`.encoders`) and the dense index (:mod:`.dense`), the hybrid decision to
answer, ask back or decline (:mod:`.hybrid`: the rejection of out-of-scope questions), and the
answer built from it (:mod:`.answering`, :class:`~.answering.QuestionAnswerer`). What it gives
back is in :mod:`.reply`. Imports only the shared basics at the top of :mod:`assistant`.
"""
