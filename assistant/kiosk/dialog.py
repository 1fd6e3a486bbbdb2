"""The kiosk's spoken dialog: a state machine with events in and actions out.

No clock, device or thread inside: the kiosk feeds in what happened (:class:`Heard`,
:class:`SpeechDone`, :class:`Elapsed` ...) and executes the actions it gets back, in order
(:class:`Say`, :class:`Earcon`, :class:`StartListening` ...); the events, the actions and
the contract between kiosk and dialog are in :mod:`assistant.kiosk.events`. Time passes only
through :class:`Elapsed`, so every transition is testable without waiting. :meth:`Dialog.handle`
never raises: a failure in a turn (the core's included) becomes the error tone and an apology,
and the dialog goes back to listening.
"""

from __future__ import annotations

import enum
import logging
import math
from collections.abc import Mapping
from typing import Protocol

from assistant.config import Config, KeyAction, VoiceConfig
from assistant.errors import AssistantError
from assistant.kiosk.events import (
    Action,
    AdjustVoice,
    ButtonPressed,
    Earcon,
    Elapsed,
    Event,
    Heard,
    InputBack,
    InputLost,
    KeyPressed,
    LogEvent,
    ResetVoices,
    Say,
    SentenceStarted,
    SpeechDone,
    Started,
    StartListening,
    StopListening,
    StopSpeech,
    TurnFailed,
    Typed,
    VoiceChange,
    VoiceStarted,
)
from assistant.kiosk.navigation import Navigator, Read, Topic, announcement
from assistant.kiosk.texts import TextKey, text, voice_text
from assistant.speech_out.speech_text import number_readings, speech_chunks
from assistant.understanding.reply import Reply, TopicsPage

logger = logging.getLogger(__name__)

#: Consecutive "not understood" turns after which the visitor is offered help instead.
MISSES_BEFORE_HELP = 3
#: Consecutive failed turns after which only the error tone is played (no spoken apology).
FAILURES_BEFORE_SILENT_APOLOGY = 2


class Brain(Protocol):
    """The question-answering core, as the dialog uses it."""

    def answer(self, text: str, lang: str | None = None) -> Reply: ...

    def help_text(self, lang: str) -> str: ...

    def topics_text(self, lang: str) -> str: ...

    def topics_page(self, lang: str, start: int) -> TopicsPage: ...

    def in_language(self, reply: Reply, lang: str) -> Reply | None: ...


class DialogState(enum.Enum):
    STARTING = "starting"  # before Started
    WAITING = "waiting"  # for the button (push-to-talk) or typed input (no microphone)
    LISTENING = "listening"
    SPEAKING = "speaking"


class Dialog:
    """The state machine: :meth:`handle` one event, get the actions to execute."""

    def __init__(self, brain: Brain, config: Config, *, store_transcripts: bool = False) -> None:
        self._brain = brain
        self._config = config
        self._store_transcripts = store_transcripts
        self.state = DialogState.STARTING
        self.lang = config.dialog.default_language
        self._input_ok = True
        self._input_coming = False  # speech input lost but on its way (a model downloads)
        self._mic_open = False
        self._speech_out = False  # the speaker has speech of ours not yet stopped or finished
        self._stale_done = 0  # SpeechDone(interrupted) still to come for speech we stopped
        self._nav = Navigator(getattr(brain, "library", None))  # browsing by keys
        self._speaking: tuple[Say, ...] = ()  # what the speaker was last given, and
        self._played = 0  # how many of its sentences have started playing
        self._forget()

    def replace_brain(self, brain: Brain) -> None:
        """Answer from reloaded content from now on (the conversation goes on)."""
        self._brain = brain
        self._nav = Navigator(getattr(brain, "library", None))

    def _forget(self) -> None:
        self.lang = self._config.dialog.default_language
        self._lang_known = False  # has the visitor spoken a language yet?
        self._last_reply: Reply | None = None
        self._answer_lang = self.lang
        self._more_read = False
        self._offers: tuple[Reply, ...] = ()  # the sections of a question back, best first
        self._topics_at: tuple[str, int] = (self.lang, 0)  # where "fler ämnen" goes on from
        self._last_said: tuple[Say, ...] = self._greeting()
        self._misses = 0
        self._failures = 0
        self._idle_s = 0.0
        self._engaged = False  # anything to forget since the last greeting?
        self._warned = False  # the idle warning was given
        self._nav.reset()
        self._reading = False  # the last thing said by keys is the section at the place
        self._interrupted: tuple[Say, ...] = ()  # the sentences left when speech was stopped
        self._paused: tuple[Say, ...] = ()  # those kept by a pause, for "fortsätt"
        speech = self._config.speech
        self._levels = {
            lang: (voice.rate_wpm, voice.volume)
            for lang in self._config.languages
            for voice in [speech.voices.get(lang, VoiceConfig())]
        }

    # --- entry point -------------------------------------------------------------------------

    def handle(self, event: Event) -> list[Action]:
        """The actions for one event, in the order the kiosk executes them. Never raises."""
        out: list[Action] = []
        try:
            self._dispatch(event, out)
        except Exception as exc:
            stage = exc.stage if isinstance(exc, AssistantError) else "dialog"
            code = exc.code if isinstance(exc, AssistantError) else type(exc).__name__
            logger.exception("dialog: %s failed on %s", stage, type(event).__name__)
            try:
                self._fail(stage, code, out)
            except Exception:
                logger.exception("dialog: recovering from a failed turn failed")
                out.append(Earcon("error"))
        return out

    def _dispatch(self, event: Event, out: list[Action]) -> None:
        match event:
            case Started():
                out.append(LogEvent("started", {"mode": self._config.dialog.mode}))
                self._quiet(out)
                self._forget()
                self._greet(out)
            case Elapsed(seconds=seconds):
                self._elapse(seconds, out)
            case ButtonPressed():
                self._button(out)
            case VoiceStarted():
                self._voice(out)
            case Heard():
                self._heard(event, out)
            case Typed():
                self._typed(event, out)
            case SpeechDone(interrupted=interrupted):
                self._speech_done(interrupted, out)
            case TurnFailed(stage=stage, code=code):
                self._fail(stage, code, out)
            case InputLost(typing=typing, coming=coming):
                self._input_lost(typing, out, coming)
            case InputBack(started=started):
                self._input_back(out, started)
            case KeyPressed(action=action):
                self._key(action, out)
            case SentenceStarted():
                self._played += 1 if self._speech_out else 0
            case _:
                logger.warning("dialog: ignoring unknown event %r", event)

    # --- events ------------------------------------------------------------------------------

    def _elapse(self, seconds: float, out: list[Action]) -> None:
        if not math.isfinite(seconds) or seconds <= 0:
            return
        if self.state in (DialogState.LISTENING, DialogState.WAITING):
            self._idle_s += seconds
        reset_s, warn_s = self._config.dialog.idle_reset_s, self._config.dialog.idle_warning_s
        warn_at = reset_s - warn_s
        if self._engaged and not self._warned and warn_s > 0 < warn_at <= self._idle_s:
            self._warned = True
            self._idle_s = warn_at  # the visitor gets the whole time to answer
            out.append(LogEvent("idle-warning"))
            self._speak_prompt("idle_warning", out)
            return
        if self._idle_s < reset_s:
            return
        self._idle_s = 0.0
        if self._engaged:
            out.append(LogEvent("idle-reset"))
            self._quiet(out)
            self._forget()
            out.append(ResetVoices())
            self._greet(out)

    def _button(self, out: list[Action]) -> None:
        self._engage()
        if self.state is DialogState.SPEAKING:
            out.append(LogEvent("barge-in", {"by": "button"}))
            self._quiet(out)
            self._listen(out, by_button=True)
        elif self.state is DialogState.LISTENING:
            out.append(Earcon("listening"))  # reassure: the kiosk is listening
        elif not self._input_ok:
            self._speak_prompt("speech_input_coming" if self._input_coming else "input_lost", out)
        else:
            self._listen(out, by_button=True)

    def _voice(self, out: list[Action]) -> None:
        if not self._input_ok:
            return
        if self.state is DialogState.SPEAKING:
            self._engage()
            out.append(LogEvent("barge-in", {"by": "voice"}))
            self._quiet(out)
            self._listen(out, tone=False, by_button=True)
        elif self.state is DialogState.LISTENING:
            self._engage()

    def _heard(self, event: Heard, out: list[Action]) -> None:
        # No tone here: whatever was heard, something is said at once, and a tone first would
        # hold the answer back by its length. "stop" has nothing to say: it gets the tone.
        self._engage()
        self._quiet(out)
        confidence = event.confidence if math.isfinite(event.confidence) else 0.0
        lang = event.lang if event.lang in self._config.languages else None
        fields: dict[str, str | int | float | bool | None] = {
            "lang": lang,
            "confidence": round(confidence, 3),
        }
        if self._store_transcripts:
            fields["text"] = event.text
        out.append(LogEvent("heard", fields))
        question = event.text.strip()
        if not question or confidence < self._config.recognition.min_confidence:
            self._not_understood(out)
        else:
            self._turn(question, lang, out, event.alternatives, dict(event.word_confidence))

    def _typed(self, event: Typed, out: list[Action]) -> None:
        self._engage()
        self._quiet(out)
        fields: dict[str, str | int | float | bool | None] = {"chars": len(event.text)}
        if self._store_transcripts:
            fields["text"] = event.text
        out.append(LogEvent("typed", fields))
        question = event.text.strip()
        if question:
            self._turn(question, None, out)
        else:
            self._speak_prompt("typed_empty", out)

    def _speech_done(self, interrupted: bool, out: list[Action]) -> None:
        if interrupted and self._stale_done > 0:
            self._stale_done -= 1  # the report of speech we stopped ourselves
            return
        self._speech_out = False
        if not interrupted:
            self._stale_done = 0  # reports come in order: none of those is still to come
            self._failures = 0
        if self.state is DialogState.SPEAKING:
            self._listen(out)

    def _fail(self, stage: str, code: str, out: list[Action]) -> None:
        self._failures += 1
        out.append(LogEvent("turn-failed", {"stage": stage, "code": code}))
        self._quiet(out)
        out.append(Earcon("error"))
        if stage != "speech" and self._failures <= FAILURES_BEFORE_SILENT_APOLOGY:
            self._speak_prompt("apology", out)
        else:  # speaking is what fails, or keeps failing: the tone alone, then listen
            self._listen(out, tone=False)

    def _input_lost(self, typing: bool, out: list[Action], coming: bool = False) -> None:
        self._input_coming = coming
        if not self._input_ok:
            return
        self._input_ok = False
        out.append(LogEvent("input-lost"))
        if self.state is DialogState.STARTING:
            return
        key: TextKey = "input_lost" if typing else "input_lost_wait"  # no keyboard: no typing
        if coming:
            key = "speech_input_coming" if typing else "speech_input_coming_wait"
        if self.state is DialogState.SPEAKING:  # tell after what is being said
            out.extend(Say(text(key, lang), lang) for lang in self._langs())
        else:
            self._speak_prompt(key, out)

    def _input_back(self, out: list[Action], started: bool = False) -> None:
        if self._input_ok:
            return
        self._input_ok, self._input_coming = True, False
        out.append(LogEvent("input-back"))
        if self.state is DialogState.WAITING:
            self._speak_prompt("speech_input_ready" if started else "input_back", out)

    # --- one turn ----------------------------------------------------------------------------

    def _turn(
        self,
        question: str,
        lang: str | None,
        out: list[Action],
        alternatives: tuple[str, ...] = (),
        word_confidence: Mapping[str, float] | None = None,
    ) -> None:
        choose = getattr(self._brain, "answer_any", None)
        if (alternatives or word_confidence) and callable(choose):
            # the core chooses among the hypotheses and weighs each word by how sure it is
            reply: Reply = choose((question, *alternatives), lang, word_confidence)
        else:
            reply = self._brain.answer(question, lang)
        if lang is None:
            lang = reply.lang if reply.lang in self._config.languages else self.lang
        self._set_lang(lang, out)
        self._misses = 0
        offers, self._offers = self._offers, ()  # a question back holds for one turn
        match reply.intent:
            case "more" if self._paused:  # "fortsätt" / "reprends" after a pause
                self._resume(out)
            case "pause":
                self._pause(out)
            case "question" if reply.offers:
                self._ask_back(reply, out)
            case "question":
                self._answer(reply, out)
            case "yes" | "first" | "second" if offers:
                chosen = 1 if reply.intent == "second" else 0
                if chosen < len(offers):
                    self._answer(offers[chosen], out)
                else:
                    self._not_understood(out)
            case "yes" if self._more_waiting():
                self._more(out)
            case "yes" | "first" | "second":
                self._speak_prompt("ask_question", out)
            case "no" | "stop" if reply.intent == "no" or offers:
                # "nej" to "do you mean A or B?" is heard as stop too: it ends the offer
                self._speak_prompt("ok_ask_again", out)
            case "thanks":
                self._speak_prompt("welcome", out)
            case "repeat":
                self._offers = offers  # a repeated question back still waits for its answer
                self._speak(self._last_said, out)
            case "more":
                self._more(out)
            case "stop":
                if not any(isinstance(a, Earcon) for a in out):
                    out.append(Earcon("stopped"))
                self._listen(out)
            case "help":
                help_text = self._brain.help_text(self.lang).strip() or text("no_help", self.lang)
                self._topics_heard(self.lang)
                self._speak((Say(help_text, self.lang),), out, remember=True)
            case "more_topics":
                self._more_topics(out)
            case "repeat_number":
                self._repeat_number(out)
            case "slower" | "faster" | "louder" | "quieter":
                self._adjust(reply.intent, out)
            case "language":
                self._switch_language(reply.target_lang, out)

    def _answer(self, reply: Reply, out: list[Action], offer: TextKey = "offer_more") -> None:
        lang = self.lang
        self._last_reply = reply
        self._nav.at(reply.document, reply.section)  # Down and Up go on from this section
        self._reading = reply.section is not None
        self._answer_lang = lang
        self._more_read = False
        out.append(
            LogEvent(
                "answer",
                {
                    "lang": lang,
                    "document": reply.document,
                    "section": reply.section,
                    "title": reply.title,
                    "score": round(reply.score, 3),
                },
            )
        )
        answer = reply.answer.strip()
        if reply.document is None or not answer:  # not answered: the first page of the topics
            fallback = f"{text('no_match', lang)} {self._brain.topics_text(lang).strip()}"
            self._topics_heard(lang)
            self._speak((Say(answer or fallback.strip(), lang),), out, remember=True)
            return
        says = [Say(answer, lang)]
        if reply.more.strip():
            says.append(Say(text(offer, lang), lang))
        self._speak(tuple(says), out, remember=True)

    def _ask_back(self, reply: Reply, out: list[Action]) -> None:
        """Ask which of two sections the visitor means; "ja", "den andra" ... picks one."""
        self._offers = reply.offers
        out.append(
            LogEvent(
                "ask-back",
                {"lang": self.lang, "document": reply.document, "sections": len(reply.offers)},
            )
        )
        self._speak((Say(reply.answer, self.lang),), out, remember=True)

    def _more_waiting(self) -> bool:
        """Whether the last answer offered more that has not been read."""
        reply = self._last_reply
        return reply is not None and bool(reply.more.strip()) and not self._more_read

    def _more(self, out: list[Action]) -> None:
        reply = self._last_reply
        if reply is not None and reply.more.strip() and not self._more_read:
            self._more_read = True
            self._speak((Say(reply.more.strip(), self._answer_lang),), out, remember=True)
        else:
            self._speak_prompt("no_more", out)

    def _topics_heard(self, lang: str) -> None:
        """The first page of the topics was said: "fler ämnen" goes on after it."""
        self._topics_at = (lang, self._brain.topics_page(lang, 0).next)

    def _more_topics(self, out: list[Action]) -> None:
        """The next page of the topics; after the last one, that there are no more (the next
        "fler ämnen" starts again from the first)."""
        lang = self.lang
        listed_in, start = self._topics_at
        start = start if listed_in == lang else 0
        page = self._brain.topics_page(lang, start)
        if not page.text.strip():
            self._topics_at = (lang, 0)
            key: TextKey = "no_more_topics" if start > 0 else "no_match"
            self._speak((Say(text(key, lang), lang),), out, remember=True)
            return
        out.append(LogEvent("topics", {"lang": lang, "start": page.start, "total": page.total}))
        self._topics_at = (lang, page.next)
        self._speak((Say(page.text, lang),), out, remember=True)

    def _repeat_number(self, out: list[Action]) -> None:
        """The numbers of the last number-bearing sentence of what was last said, slowly: each
        group of digits its own sentence; or that there was no number."""
        for say in reversed(self._last_said):
            readings = number_readings(say.text, say.lang)
            if readings:
                groups = [group for reading in readings for group in reading]
                spoken = " ".join(f"{g[:1].upper()}{g[1:]}." for g in groups)
                out.append(LogEvent("repeat-number", {"lang": say.lang, "numbers": len(readings)}))
                self._speak((Say(spoken, say.lang),), out)
                return
        self._speak((Say(text("no_number", self.lang), self.lang),), out)

    def _adjust(self, change: VoiceChange, out: list[Action]) -> None:
        speech = self._config.speech
        rate, volume = self._levels.get(self.lang, (VoiceConfig().rate_wpm, VoiceConfig().volume))
        if change == "slower":
            rate = max(speech.min_rate_wpm, rate - speech.rate_step_wpm)
        elif change == "faster":
            rate = min(speech.max_rate_wpm, rate + speech.rate_step_wpm)
        elif change == "louder":
            volume = min(speech.max_volume, round(volume + speech.volume_step, 3))
        else:
            volume = max(speech.min_volume, round(volume - speech.volume_step, 3))
        if (rate, volume) == self._levels.get(self.lang):
            self._speak_prompt(voice_text(change, at_limit=True), out)
            return
        self._levels[self.lang] = (rate, volume)
        out.append(AdjustVoice(self.lang, change))
        self._speak_prompt(voice_text(change, at_limit=False), out)

    def _switch_language(self, target: str | None, out: list[Action]) -> None:
        languages = self._config.languages
        if target not in languages:  # "the other language"
            target = languages[(languages.index(self.lang) + 1) % len(languages)]
        assert target is not None
        self._set_lang(target, out)
        reply = self._last_reply
        if reply is None or reply.document is None:
            self._speak((Say(text("greeting", target), target),), out, remember=True)
            return
        other = self._brain.in_language(reply, target) if reply.lang != target else reply
        if other is not None:
            self._answer(other, out)
        else:
            sentence = f"{text('no_translation', target)} {text('greeting', target)}"
            self._speak((Say(sentence, target),), out, remember=True)

    def _not_understood(self, out: list[Action]) -> None:
        self._misses += 1
        key: TextKey = "not_understood"
        if self._misses >= MISSES_BEFORE_HELP:
            self._misses = 0
            key = "offer_help"
        out.append(LogEvent("not-understood", {"offer_help": key == "offer_help"}))
        self._speak_prompt(key, out)

    # --- building blocks ---------------------------------------------------------------------

    def _greeting(self) -> tuple[Say, ...]:
        return tuple(Say(text("greeting", lang), lang) for lang in self._config.languages)

    def _greet(self, out: list[Action]) -> None:
        self._speak(self._greeting(), out, remember=True)

    def _speak_prompt(self, key: TextKey, out: list[Action]) -> None:
        """A prompt in the visitor's language, or in every language before one is known."""
        languages = (self.lang,) if self._lang_known else self._config.languages
        self._speak(tuple(Say(text(key, lang), lang) for lang in languages), out)

    def _speak(self, says: tuple[Say, ...], out: list[Action], *, remember: bool = False) -> None:
        if not says:
            self._listen(out)
            return
        self._close_mic(out)
        self._set_state(DialogState.SPEAKING, out)
        out.extend(says)
        self._speech_out = True
        self._speaking, self._played, self._interrupted = says, 0, ()
        if remember:
            self._last_said = says
            self._paused = ()  # something new: what was paused is not taken up again

    def _listen(self, out: list[Action], *, tone: bool = True, by_button: bool = False) -> None:
        push_to_talk = self._config.dialog.mode == "push-to-talk"
        if not self._input_ok or (push_to_talk and not by_button):
            self._close_mic(out)
            self._set_state(DialogState.WAITING, out)
            return
        if tone:
            out.append(Earcon("listening"))
        self._set_state(DialogState.LISTENING, out)
        if not self._mic_open:
            self._mic_open = True
            out.append(StartListening())

    def _quiet(self, out: list[Action]) -> None:
        """Stop speaking and listening (a new turn begins)."""
        if self._speech_out:
            self._interrupted = tuple(self._sentences()[max(self._played - 1, 0) :])
            self._speech_out = False
            self._stale_done += 1
            out.append(StopSpeech())
        self._close_mic(out)

    def _close_mic(self, out: list[Action]) -> None:
        if self._mic_open:
            self._mic_open = False
            out.append(StopListening())

    def _set_state(self, state: DialogState, out: list[Action]) -> None:
        if state is not self.state:
            out.append(LogEvent("state", {"from": self.state.value, "to": state.value}))
            self.state = state

    def _set_lang(self, lang: str, out: list[Action]) -> None:
        self._lang_known = True
        if lang != self.lang:
            out.append(LogEvent("language", {"lang": lang}))
            self.lang = lang

    def _engage(self) -> None:
        self._idle_s = 0.0
        self._engaged = True
        self._warned = False

    # --- keys --------------------------------------------------------------------------------

    def _key(self, action: KeyAction, out: list[Action]) -> None:
        """A key of the keypad: any key stops speech, then does what it is for."""
        self._engage()
        out.append(LogEvent("key", {"action": action}))
        if action == "repeat":  # the sentence playing, or the last one said
            sentences = self._sentences()
            playing = min(max(self._played - 1, 0), len(sentences) - 1)
            self._quiet(out)
            if sentences:
                self._speak((sentences[playing if self._interrupted else -1],), out)
            else:
                self._listen(out)
            return
        self._quiet(out)
        self._offers = ()
        match action:
            case "pause":
                self._pause(out)
            case "stop":
                out.append(Earcon("stopped"))
                self._listen(out)
            case "help":
                self._speak(tuple(Say(text("key_help", lang), lang) for lang in self._langs()), out)
            case "language_previous" | "language_next":
                self._key_language(-1 if action == "language_previous" else 1, out)
            case "louder" | "quieter" | "faster" | "slower":
                self._adjust(action, out)
            case "select":
                step = self._nav.select(self.lang)
                if isinstance(step, Read):
                    self._read(step, out)
                else:
                    self._announce(step, out)
            case "back":
                self._reading = False
                topic = self._nav.back()
                if topic is None:
                    self._speak_prompt("nav_top", out)
                else:
                    self._announce(topic, out)
            case "up" | "down":
                self._announce(
                    self._nav.up(self.lang) if action == "up" else self._nav.down(self.lang), out
                )

    def _announce(self, topic: Topic | None, out: list[Action]) -> None:
        """Say where the visitor is now: "Orsaker, 2 av 5"."""
        self._reading = False
        if topic is None:  # no documents in this language
            self._speak_prompt("no_match", out)
            return
        self._set_lang(topic.lang, out)
        fields = {"lang": topic.lang, "document": topic.document, "section": topic.section}
        out.append(LogEvent("topic", {**fields, "position": topic.position, "count": topic.count}))
        self._speak((Say(announcement(topic, topic.lang), topic.lang),), out, remember=True)

    def _read(self, step: Read, out: list[Action]) -> None:
        """Enter on a section: its short answer; Enter again: the rest."""
        last = self._last_reply
        if (
            self._reading
            and last is not None
            and (last.document, last.section)
            == (
                step.document,
                step.section,
            )
        ):
            self._more(out)
            return
        reply = self._nav.reply(step.document, step.section, self._config.matching.answer_sentences)
        if reply is None:
            self._speak_prompt("no_match", out)
            return
        self._set_lang(reply.lang, out)
        self._answer(reply, out, offer="key_offer_more")

    def _key_language(self, step: int, out: list[Action]) -> None:
        """Left / Right: the other language, at the same place when its document has one."""
        languages = self._config.languages
        target = languages[(languages.index(self.lang) + step) % len(languages)]
        if target == self.lang:
            self._listen(out)
        elif self._nav.place is None:
            self._set_lang(target, out)
            self._speak((Say(text("greeting", target), target),), out, remember=True)
        elif self._reading:
            self._switch_language(target, out)  # the same answer, read in the other language
        else:
            topic = self._nav.in_language(target)
            if topic is None:
                self._speak((Say(text("no_translation", target), target),), out)
            else:
                self._announce(topic, out)

    def _pause(self, out: list[Action]) -> None:
        """Pause what was being said (kept for "fortsätt"), or go on with what was paused."""
        if self._paused and not self._interrupted:
            self._resume(out)
            return
        self._paused = self._interrupted or self._paused
        out.append(LogEvent("pause", {"sentences": len(self._paused)}))
        out.append(Earcon("stopped"))
        self._listen(out)

    def _resume(self, out: list[Action]) -> None:
        paused, self._paused = self._paused, ()
        out.append(LogEvent("resume", {"sentences": len(paused)}))
        self._speak(paused, out)

    def _sentences(self) -> list[Say]:
        """What the speaker was last given, sentence by sentence as it speaks it."""
        return [Say(chunk, say.lang) for say in self._speaking for chunk in speech_chunks(say.text)]

    def _langs(self) -> tuple[str, ...]:
        return (self.lang,) if self._lang_known else self._config.languages
