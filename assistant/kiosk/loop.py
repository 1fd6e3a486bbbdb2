"""The kiosk: one loop thread owns the dialog, feeds it what happened, executes its actions.

Everything that happens elsewhere (a typed line, the start of speech, a transcript, the speaker
falling silent, the microphone vanishing, SIGTERM) arrives as one item on one queue. The loop
feeds the dialog ``Elapsed`` from the monotonic clock (the only clock; the dialog has none),
turns each item into a dialog event, executes the actions it gets back in order and writes
the event log with the timings of each turn. An exception while executing a turn's actions is
logged with its stage and becomes ``TurnFailed`` (the error tone and an apology), once: the
kiosk never exits on a bad turn and never loops on a failure. A lost loudspeaker is an outage,
not a failed turn: the kiosk logs it once and its end once, goes on serving with the answers
printed (``on_say``), and looks for the device again (:mod:`assistant.kiosk.output_watch`);
``first-audio`` is logged only for audio that reached the device. Building the kiosk from the
configuration is in :mod:`assistant.kiosk.setup`; what arrives in the mailbox is in
:mod:`assistant.kiosk.inputs` and :mod:`assistant.kiosk.items`.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from assistant.config import Config
from assistant.errors import AssistantError
from assistant.kiosk.deadline import run_within
from assistant.kiosk.dialog import Dialog, DialogState
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
    VoiceStarted,
)
from assistant.kiosk.inputs import InputEnded, MicLost, PlayStarted, VoiceHeard, VoiceOnset
from assistant.kiosk.items import (
    ContentFailed,
    ContentLoaded,
    EventSink,
    Reload,
    Shutdown,
    SpeakerEngine,
    SpeechEnded,
    SpeechInputDelayed,
    Stoppable,
)
from assistant.kiosk.output_watch import OutputChanged, OutputRecheck, OutputWatch
from assistant.kiosk.recheck import (
    Recheck,
    SpeechInputReady,
    SpeechInputWatch,
    spoken_notice,
    unattended,
)

__all__ = ["Kiosk", "Reload", "Shutdown", "SpeechEnded"]

logger = logging.getLogger(__name__)

#: The loop wakes at least this often to feed ``Elapsed`` (idle reset) and check for the end.
TICK_S = 0.1
#: Stopping (speech, microphone, speech output) ends within this, whatever hangs; a stuck
#: step still gets :data:`STOP_STEP_MIN_S` so the later ones are tried.
STOP_BUDGET_S = 3.0
STOP_STEP_MIN_S = 0.2


class Kiosk:
    """The loop. Call :meth:`post` from any thread; :meth:`run` on the loop thread."""

    def __init__(
        self,
        dialog: Dialog,
        speaker: SpeakerEngine,
        events: EventSink,
        config: Config,
        *,
        voice: Stoppable | None = None,
        keyboard_only: bool = False,
        end_of_input_code: int = 0,
        on_say: Callable[[Say], None] | None = None,
        on_notice: Callable[[str], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        reload: Callable[[], Any] | None = None,
        on_reloaded: Callable[[Any], None] | None = None,
        speech_watch: SpeechInputWatch | None = None,
        output_watch: OutputWatch | None = None,
        speech_coming: bool = False,
    ) -> None:
        self.dialog = dialog
        self._speaker = speaker
        self._events = events
        self._config = config
        self._voice = voice
        self._keyboard_only = keyboard_only
        self._end_of_input_code = end_of_input_code
        self._on_say = on_say
        self._on_notice = on_notice
        self._clock = clock
        self._reload = reload
        self._on_reloaded = on_reloaded
        self._reloading = False
        self._watch = speech_watch  # speech input impossible: re-checks until it works
        self._output_watch = output_watch  # the loudspeaker lost: re-checks until it is back
        self._output_lost = False
        self._speech_coming = speech_coming  # speech input impossible, a model downloading
        self._lines_typed = 0
        self._unattended = False  # nobody can type either: the kiosk stays up
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self.listening = False  # the gate: utterances become Heard only while open
        self._input_ended = False
        self._turn_start: float | None = None  # end of the visitor's speech or typed line
        self._turn_kind = ""
        self.turns = 0
        self.failures = 0

    # --- feeding the loop --------------------------------------------------------------------
    def post(self, item: object) -> None:
        """Queue an item for the loop (thread-safe, reentrant: fine in a signal handler)."""
        self._queue.put(item)

    def speech_ended(self, outcome: Any) -> None:
        """The speaker's ``on_idle`` callback."""
        code, repeated = getattr(outcome, "error_code", None), getattr(outcome, "repeated", False)
        self.post(SpeechEnded(str(outcome.status), code, bool(repeated)))

    def play_started(self, started: PlayStarted) -> None:
        self.post(started)

    def output_changed(self, change: Any) -> None:
        """The speaker's ``on_output`` callback: its output device was lost, or is back."""
        code, message = getattr(change, "code", None), getattr(change, "message", "")
        self.post(OutputChanged(bool(change.lost), code, message))

    # --- the loop ----------------------------------------------------------------------------
    def run(self, *, input_lost: bool = False) -> int:
        """Serve until :class:`Shutdown` (exit code 0), or the end of typed input in keyboard
        mode (``end_of_input_code``: 0 when keyboard mode was asked for; not 0 when it is a
        fallback, so that a service manager restarts the kiosk)."""
        self._log("kiosk-started", {"keyboard_only": self._keyboard_only})
        outage = getattr(self._speaker, "outage", None)
        if outage is not None:  # known at start-up, and said there
            self._speech_output_lost(outage.code, outage.message, at_start=True)
        self._handle(Started())
        if input_lost:
            self._handle(InputLost(coming=self._speech_coming))
        if self._watch is not None:
            self._watch.start(self.post)
            self._check_attended()
        last = self._clock()
        reason = "end of input"
        while True:
            try:
                item: object | None = self._queue.get(timeout=TICK_S)
            except queue.Empty:
                item = None
            now = self._clock()
            if now > last:
                self._handle(Elapsed(now - last))
            last = now
            if isinstance(item, Shutdown):
                reason = item.reason
                break
            if item is not None:
                self._take(item)
            if self._finished():
                break
        self._close(reason)
        if reason == "end of input" and self._end_of_input_code:
            self._notice("no speech input, and standard input ended: nothing left to listen to")
            return self._end_of_input_code
        return 0

    def _finished(self) -> bool:
        """Typed input ended in keyboard mode and everything has been said."""
        return (
            self._input_ended
            and self._keyboard_only
            and not self._unattended
            and self.dialog.state is not DialogState.SPEAKING
            and not self._speaker.is_speaking
        )

    def _take(self, item: object) -> None:
        if isinstance(item, Typed | ButtonPressed | KeyPressed):
            self._lines_typed += 1
        if isinstance(item, PlayStarted) and not item.earcon:
            self._handle(SentenceStarted())  # the dialog follows which sentence is playing
        match item:
            case VoiceOnset():
                barge = self.dialog.state is DialogState.SPEAKING
                if not barge or self._config.dialog.voice_barge_in:
                    self._handle(VoiceStarted())
            case VoiceHeard():
                self._heard(item)
            case Typed():
                self._turn_start = self._clock()
                self._turn_kind = "typed"
                self._turn(item)
            case SpeechEnded(status=status, error_code=code, repeated=repeated):
                # the speaker logged and toned a failure; an outage is logged on its own, once
                if status == "failed" and not repeated and not self._output_lost:
                    self._log("speech-failed", {"code": code})
                self._handle(SpeechDone(interrupted=status == "stopped"))
            case PlayStarted(at_s=at_s, earcon=False) if (
                self._turn_start is not None and at_s >= self._turn_start
            ):
                ms = round((at_s - self._turn_start) * 1000)
                self._log("first-audio", {"input": self._turn_kind, "latency_ms": ms})
                self._turn_start = None
            case PlayStarted():
                pass
            case OutputChanged(lost=True, code=code, message=message):
                self._speech_output_lost(code, message)
            case OutputChanged(lost=False):
                self._speech_output_back()
            case OutputRecheck() if self._output_watch is not None:
                self._output_watch.check()
            case MicLost(code=code, message=message):
                typing = not self._input_ended
                also = "typed input works" if typing else "nothing to type on either"
                self._notice(f"microphone unavailable ({code}): {message}; {also}")
                self._log("mic-lost", {"code": code})
                self._handle(InputLost(typing=typing))
            case Reload():
                self._start_reload()
            case ContentLoaded(brain=brain, sections=sections):
                self._reloading = False
                self.dialog.replace_brain(brain)
                if self._on_reloaded is not None:
                    self._on_reloaded(brain)
                self._log("content-reloaded", {"sections": sections})
            case ContentFailed(code=code, message=message):
                self._reloading = False
                self._notice(f"content not reloaded, the last good content stays: {message}")
                self._log("content-reload-failed", {"code": code})
            case InputEnded():
                self._input_ended = True
                self._log("input-ended", {})
                self._check_attended()
            case Recheck() if self._watch is not None:
                self._watch.check(self.post)
            case SpeechInputReady():
                self._speech_ready(item)
            case SpeechInputDelayed() if self._speech_coming:
                self._speech_coming = False
                if self._keyboard_only:  # not "shortly" any more
                    self._handle(InputLost(typing=not self._input_ended))
            case SpeechInputDelayed():
                pass
            case ButtonPressed() | KeyPressed() | InputBack() | InputLost() | SpeechDone():
                self._handle(item)
            case TurnFailed():
                self._handle(item)
            case _:
                logger.warning("kiosk: ignoring unknown item %r", item)

    def _start_reload(self) -> None:
        """Build the new content off the loop (it takes about a second); the loop goes on."""
        if self._reload is None or self._reloading:
            return
        self._reloading = True
        reload = self._reload

        def work() -> None:
            try:
                brain = reload()
                sections = sum(len(d.sections) for d in brain.library.documents)
                self.post(ContentLoaded(brain, sections))
            except AssistantError as exc:
                self.post(ContentFailed(exc.code, exc.describe()))
            except Exception as exc:  # a bug in loading must not leave the kiosk reloading
                logger.exception("content reload failed")
                self.post(ContentFailed(type(exc).__name__, str(exc)))

        threading.Thread(target=work, name="content-reload", daemon=True).start()

    def _heard(self, item: VoiceHeard) -> None:
        transcript = item.transcript
        if not self.listening:
            logger.debug("an utterance while not listening was dropped")
            return
        # A language the dialog does not speak (a model standing in) is answered in the
        # dialog's current language.
        lang = transcript.lang if transcript.lang in self._config.languages else self.dialog.lang
        self._turn_start = item.speech_end_at_s
        self._turn_kind = "voice"
        transcript_ms = round((item.ready_at_s - item.speech_end_at_s) * 1000)
        recognition_ms = round(item.recognition_s * 1000)
        event = Heard(
            transcript.text,
            lang,
            transcript.confidence,
            transcript.alternatives,
            transcript.word_confidence,
        )
        self._turn(event, transcript_ms, recognition_ms)

    def _turn(
        self,
        event: Heard | Typed,
        transcript_ms: int | None = None,
        recognition_ms: int | None = None,
    ) -> None:
        start = self._clock()
        self._handle(event)
        fields: dict[str, Any] = {
            "input": self._turn_kind,
            "lang": self.dialog.lang,
            "state": self.dialog.state.value,
            "matching_ms": round((self._clock() - start) * 1000),
        }
        if transcript_ms is not None:
            fields["transcript_ms"] = transcript_ms
        if recognition_ms is not None:
            fields["recognition_ms"] = recognition_ms
        self.turns += 1
        self._log("turn", fields)

    # --- speech input that was impossible ----------------------------------------------------
    def _check_attended(self) -> None:
        """Nobody can type and nothing listens: stay up, say once what is missing and how to
        fix it (printed, logged, spoken), and keep re-checking."""
        watch = self._watch
        if watch is None or self._unattended or not self._keyboard_only:
            return
        if not unattended(watch.stdin, ended=self._input_ended, lines_typed=self._lines_typed):
            return
        self._unattended = True
        missing = "; ".join(watch.problems) or "speech input"
        self._notice(
            f"no speech input and no typed input: staying up, checking again every "
            f"{watch.interval_s:g} s for: {missing}"
        )
        self._log("speech-input-waiting", {"codes": list(watch.codes)})
        says = spoken_notice(watch.codes, self._config.languages, coming=self._speech_coming)
        self._execute([Say(text, lang) for text, lang in says])

    def _speech_ready(self, item: SpeechInputReady) -> None:
        """A re-check found speech input working: listen from now on, without a restart."""
        self._voice = item.speech
        self._keyboard_only = False
        self._unattended = False
        self._speech_coming = False
        self._notice(f"speech input works now ({', '.join(item.languages)}): listening")
        self._log("speech-input-started", {"languages": list(item.languages)})
        self._handle(InputBack(started=True))

    # --- the loudspeaker lost and back --------------------------------------------------------
    def _speech_output_lost(
        self, code: str | None, message: str, *, at_start: bool = False
    ) -> None:
        """Once per outage: the event log, one line for the operator (at start-up the
        readiness report said it already), and the re-checks."""
        if self._output_lost:
            return
        self._output_lost = True
        self._turn_start = None  # nothing is heard: no first-audio for this turn
        watch = self._output_watch
        every = f"looking for it every {watch.interval_s:g} s" if watch else "not looking for it"
        if not at_start:
            self._notice(
                f"speech output lost ({code}): {message}; answers are printed only, {every}"
            )
        self._log("speech-output-lost", {"code": code, "at_start": at_start})
        if watch is not None:
            watch.start(self.post)

    def _speech_output_back(self) -> None:
        if not self._output_lost:
            return
        self._output_lost = False
        if self._output_watch is not None:
            self._output_watch.pause()
        self._notice("speech output works again: answers are spoken and printed")
        self._log("speech-output-back", {})

    # --- executing actions -------------------------------------------------------------------
    def _handle(self, event: Event) -> None:
        actions = self.dialog.handle(event)
        failed = self._execute(actions)
        if failed is None:
            return
        stage, code = failed
        self.failures += 1
        recovery = self.dialog.handle(TurnFailed(stage, code))
        if self._execute(recovery) is not None:  # recovering failed too: no loop, go on
            logger.error("kiosk: recovering from a failed turn failed as well")

    def _execute(self, actions: list[Action]) -> tuple[str, str] | None:
        """Execute every action; the stage and code of the first that failed."""
        failed: tuple[str, str] | None = None
        for action in actions:
            try:
                self._do(action)
            except AssistantError as exc:
                logger.error("kiosk: %s failed: %s", type(action).__name__, exc.describe())
                failed = failed or (exc.stage, exc.code)
            except Exception as exc:
                logger.exception("kiosk: %s failed unexpectedly", type(action).__name__)
                failed = failed or (_stage(action), type(exc).__name__)
        return failed

    def _do(self, action: Action) -> None:
        match action:
            case Say(text=text, lang=lang):
                if self._on_say is not None:
                    self._on_say(action)
                self._speaker.say(text, lang)
            case StopSpeech():
                self._speaker.stop()
            case Earcon(kind=kind):
                self._speaker.earcon(kind)
            case StartListening():
                self.listening = True
            case StopListening():
                self.listening = False
            case AdjustVoice(lang=lang, change=change):
                now = self._speaker.adjust(lang, change)
                fields = {"lang": lang, "change": change}
                for name in ("rate_wpm", "volume"):
                    if isinstance(getattr(now, name, None), int | float):
                        fields[name] = getattr(now, name)
                self._log("voice", fields)
            case ResetVoices():
                self._speaker.reset()
            case LogEvent(name=name, fields=fields):
                self._log(name, fields)

    # --- helpers -----------------------------------------------------------------------------
    def _log(self, name: str, fields: Mapping[str, Any]) -> None:
        try:
            self._events.write(name, fields)
        except Exception:  # the event log never takes the kiosk down
            logger.exception("event log write failed")

    def _notice(self, line: str) -> None:
        """For the operator: to ``on_notice`` (the command prints it), else the log; once."""
        if self._on_notice is not None:
            self._on_notice(line)
        else:
            logger.warning("%s", line)

    def _close(self, reason: str) -> None:
        """Each step within its share of :data:`STOP_BUDGET_S`: a stuck device or engine is
        reported with its stack and left behind, and the kiosk still stops."""
        logger.info("kiosk stopping: %s", reason)
        steps: list[tuple[str, Callable[[], object]]] = []
        if self._watch is not None:
            steps.append(("the re-checks", self._watch.stop))
        if self._output_watch is not None:
            steps.append(("the speech output re-checks", self._output_watch.close))
        steps += [
            ("stopping speech", self._speaker.stop),
            ("stopping the microphone", self._stop_voice),
            ("closing the speech output", self._speaker.close),
        ]
        deadline = time.monotonic() + STOP_BUDGET_S
        for what, step in steps:
            left_s = max(STOP_STEP_MIN_S, deadline - time.monotonic())
            run_within(step, left_s, f"kiosk shutdown: {what}")
        self._log("kiosk-stopped", {"reason": reason, "turns": self.turns})

    def _stop_voice(self) -> None:
        if self._voice is not None:
            self._voice.stop(0.5)


def _stage(action: Action) -> str:
    if isinstance(action, Say | StopSpeech | Earcon | AdjustVoice | ResetVoices):
        return "speech"
    if isinstance(action, StartListening | StopListening):
        return "recognition"
    return "kiosk"
