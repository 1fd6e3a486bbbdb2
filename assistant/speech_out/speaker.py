"""The Speaker: answers and earcons queued on one output path, spoken by a worker thread.

``say()`` and ``earcon()`` return at once. The worker cuts a text into sentences
(:mod:`.speech_text`), has the next sentence synthesized while the current one plays, and plays
everything through one :class:`~.playback.Player` (a text's sentences on one output stream
when the player can hold one: ``hold(stop)``). ``stop()`` sets the stop event every queued
item shares, so the playing chunk is cut within one block and the rest is dropped. A synthesis
or playback failure is logged, the error tone plays (when earcons are on) and the worker goes
on with the next item: the kiosk never stops because of speech. When the queue runs empty the
worker calls ``on_idle`` with the :class:`SpeechOutcome` of what was just spoken.

A failure that means the output device is gone (:data:`OUTPUT_LOST_CODES`) is an *outage*, not
a failed sentence: the speaker calls ``on_output`` once with an :class:`OutputChange`, plays
nothing more (each item ends at once, ``output_lost`` in its outcome) and tries no error tone,
until :meth:`Speaker.check_output` finds the device again (the kiosk re-checks on a timer);
then ``on_output`` is called once more. So a missing speaker costs one report, not two error
lines per sentence.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from assistant.audio import Pcm, resample, write_wav
from assistant.config import Config, SpeechConfig
from assistant.errors import AssistantError, SpeechError
from assistant.speech_out.earcons import Earcon, earcon_pcm
from assistant.speech_out.playback import Player, SoundDevicePlayer
from assistant.speech_out.speech_text import speech_chunks
from assistant.speech_out.synthesis import Pyttsx3Synthesizer, Synthesizer
from assistant.speech_out.voices import (
    Change,
    VoiceInfo,
    VoiceSettings,
    adjusted,
    configured_voice,
)

logger = logging.getLogger(__name__)

Status = Literal["completed", "stopped", "failed"]

#: While the next sentence is being synthesized, the stop event is looked at this often.
SYNTH_POLL_S = 0.005

#: Error codes that mean the output device is gone or unusable: an outage of the speaker.
OUTPUT_LOST_CODES = frozenset(
    {
        "device-missing",
        "device-ambiguous",
        "no-output-device",
        "output-unavailable",
        "output-lost",
        "portaudio-missing",
        "portaudio-failed",
    }
)


@dataclass(frozen=True)
class SpeechOutcome:
    """How the speech that just ended went."""

    status: Status
    #: Code of the first error when ``status`` is "failed".
    error_code: str | None = None
    #: A failure that repeats the previous run's (same code) in a run that said nothing new
    #: (only earcons, such as the listening tone after a failed answer): the same loss of the
    #: output, already reported once.
    repeated: bool = False
    #: Nothing (or not everything) reached the loudspeaker because the output device is lost;
    #: the outage itself is reported once, through ``Speaker.on_output``.
    output_lost: bool = False
    #: The first error's line for the operator (``AssistantError.describe()``), when failed.
    message: str = ""

    @property
    def completed(self) -> bool:
        return self.status == "completed"


@dataclass(frozen=True)
class OutputChange:
    """The output device was lost (``lost``: with the error's code and line), or is back."""

    lost: bool
    code: str | None = None
    message: str = ""


@dataclass(frozen=True)
class _Item:
    kind: Literal["say", "earcon"]
    text: str
    lang: str
    generation: int
    stop: threading.Event


class Speaker:
    """Speech and earcons on one output path, on a worker of its own."""

    def __init__(
        self,
        synthesizer: Synthesizer,
        player: Player,
        settings: Mapping[str, VoiceSettings],
        config: SpeechConfig | None = None,
    ) -> None:
        self._synthesizer = synthesizer
        self._player = player
        self._config = config or SpeechConfig()
        self._initial = dict(settings)
        self._settings = dict(settings)
        self._lock = threading.Lock()
        self._items: queue.Queue[_Item | None] = queue.Queue()
        self._stop = threading.Event()
        self._generation = 0
        self._pending = 0
        self._idle = threading.Event()
        self._idle.set()
        self._run_status: Status = "completed"
        self._run_error: str | None = None
        self._run_generation = 0
        self._run_said = False  # the run has a "say" item
        self._last_failure: str | None = None  # error code of the previous run, if it failed
        self._run_message = ""
        self._run_lost = False  # an item of the run was not played: the output is lost
        self._lost: OutputChange | None = None  # the outage in progress
        self._closed = False
        self.on_idle: Callable[[SpeechOutcome], None] | None = None
        #: Called (on the worker, or the thread of :meth:`check_output`) when the output device
        #: is lost and when it is back: once each per outage.
        self.on_output: Callable[[OutputChange], None] | None = None
        self._synth_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="speech-synth")
        self._worker = threading.Thread(target=self._work, name="speech", daemon=True)
        self._worker.start()

    # -- the interface -------------------------------------------------------------------
    def say(self, text: str, lang: str) -> None:
        if lang not in self._settings:
            raise SpeechError(
                "unknown-language",
                f"no voice is set up for {lang!r}; languages: {', '.join(self._settings)}",
            )
        self._put("say", text, lang)

    def earcon(self, kind: Earcon) -> None:
        earcon_pcm(kind)  # an unknown kind fails here, in the caller
        if self._config.earcons:
            self._put("earcon", kind, "")

    def stop(self) -> None:
        with self._lock:
            self._stop.set()
            self._stop = threading.Event()
            self._generation += 1
            if self._pending:
                self._run_status, self._run_error = "stopped", None

    def wait(self, timeout_s: float | None = None) -> bool:
        return self._idle.wait(timeout_s)

    @property
    def is_speaking(self) -> bool:
        return not self._idle.is_set()

    @property
    def outage(self) -> OutputChange | None:
        """The loss of the output device in progress (nothing is played until it is back)."""
        with self._lock:
            return self._lost

    def output_lost(self, error: AssistantError) -> None:
        """The output device is known to be unusable (the start-up check found it so): play
        nothing until :meth:`check_output` finds it. Reported through ``on_output`` once."""
        self._set_lost(error)

    def check_output(self) -> bool:
        """Whether the output works; while it is lost, look for the device again (the
        player's ``check``; a caller refreshes the device list first). Ends the outage when
        the device is found. Call it off the loop: opening a device can take a moment."""
        with self._lock:
            if self._lost is None:
                return True
        check = getattr(self._player, "check", None)
        if not callable(check):
            return False
        try:
            check()
        except AssistantError as exc:
            logger.debug("speech output still unavailable: %s", exc.describe())
            return False
        except Exception:
            logger.debug("checking the speech output failed", exc_info=True)
            return False
        with self._lock:
            if self._lost is None:
                return True
            self._lost = None
            callback = self.on_output
        logger.debug("speech output works again")
        self._report(callback, OutputChange(lost=False))
        return True

    def settings(self, lang: str) -> VoiceSettings:
        with self._lock:
            return self._settings[lang]

    def adjust(self, lang: str, change: Change) -> VoiceSettings:
        with self._lock:
            if lang not in self._settings:
                raise SpeechError("unknown-language", f"no voice is set up for {lang!r}")
            new = adjusted(self._settings[lang], change, self._config)
            self._settings[lang] = new
        logger.info("speech %s: %s -> %d wpm, volume %.2f", lang, change, new.rate_wpm, new.volume)
        return new

    def reset(self) -> None:
        with self._lock:
            self._settings = dict(self._initial)

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self.stop()
        self._items.put(None)
        self._worker.join(timeout=5.0)
        self._synth_pool.shutdown(wait=True, cancel_futures=True)
        for part in (self._synthesizer, self._player):
            close = getattr(part, "close", None)
            if callable(close):
                close()

    # -- the worker ----------------------------------------------------------------------
    def _put(self, kind: Literal["say", "earcon"], text: str, lang: str) -> None:
        with self._lock:
            if self._closed:
                raise SpeechError("speaker-closed", "the speaker was closed")
            self._pending += 1
            self._idle.clear()
            self._items.put(_Item(kind, text, lang, self._generation, self._stop))

    def _work(self) -> None:
        while (item := self._items.get()) is not None:
            status: Status = "stopped"
            error: AssistantError | None = None
            if not item.stop.is_set():
                with self._lock:
                    if item.generation != self._run_generation:
                        self._run_generation = item.generation
                        self._run_status, self._run_error = "completed", None
                        self._run_said, self._run_lost, self._run_message = False, False, ""
                    self._run_said |= item.kind == "say"
                    lost = self._lost
                if lost is not None:  # nothing reaches the loudspeaker: do not even try
                    self._finish(item, "failed", lost.code, lost.message, lost=True)
                    continue
                try:
                    if item.kind == "earcon":
                        self._player.play(earcon_pcm(item.text), item.stop)
                    else:
                        self._speak(item)
                    status = "stopped" if item.stop.is_set() else "completed"
                except AssistantError as exc:
                    status, error = "failed", exc
                    if exc.code in OUTPUT_LOST_CODES:
                        self._set_lost(exc)
                        self._finish(item, status, exc.code, exc.describe(), lost=True)
                        continue
                    logger.error("speech output failed: %s", exc.describe())
                    self._error_tone(item)
                except Exception as exc:  # a bug must not silence the kiosk
                    logger.exception("speech output failed unexpectedly")
                    status = "failed"
                    error = SpeechError(type(exc).__name__, f"{type(exc).__name__}: {exc}")
                    self._error_tone(item)
            code, message = (error.code, error.describe()) if error is not None else (None, "")
            self._finish(item, status, code, message)

    def _set_lost(self, error: AssistantError) -> None:
        with self._lock:
            if self._lost is not None:
                return
            self._lost = OutputChange(lost=True, code=error.code, message=error.describe())
            change, callback = self._lost, self.on_output
        logger.debug("speech output lost: %s", change.message)
        self._report(callback, change)

    @staticmethod
    def _report(callback: Callable[[OutputChange], None] | None, change: OutputChange) -> None:
        if callback is None:
            return
        try:
            callback(change)
        except Exception:
            logger.exception("the on_output callback failed")

    def _finish(
        self,
        item: _Item,
        status: Status,
        code: str | None,
        message: str = "",
        *,
        lost: bool = False,
    ) -> None:
        callback = None
        with self._lock:
            current = item.generation == self._run_generation and not item.stop.is_set()
            if current and status == "failed" and self._run_status == "completed":
                self._run_status, self._run_error, self._run_message = "failed", code, message
            if current and lost:
                self._run_lost = True
            self._pending -= 1
            if self._pending == 0:
                outcome = self._outcome()
                self._run_status, self._run_error = "completed", None
                self._run_said, self._run_lost, self._run_message = False, False, ""
                callback = self.on_idle
                self._idle.set()
        if callback is not None:
            try:
                callback(outcome)
            except Exception:
                logger.exception("the on_idle callback failed")

    def _outcome(self) -> SpeechOutcome:
        """The outcome of the run that just ended (called with the lock held)."""
        status, error = self._run_status, self._run_error
        repeated = status == "failed" and not self._run_said and error == self._last_failure
        if status != "stopped":
            self._last_failure = error if status == "failed" else None
        return SpeechOutcome(status, error, repeated, self._run_lost, self._run_message)

    def _synthesize(self, text: str, lang: str) -> Pcm:
        return self._synthesizer.synthesize(text, self.settings(lang))

    def _speak(self, item: _Item) -> None:
        chunks = speech_chunks(item.text, lang=item.lang)
        if not chunks:
            logger.warning("nothing to say: the %s text is empty or unspeakable", item.lang)
            return
        logger.debug("speaking %d chunk(s) of %s text", len(chunks), item.lang)
        upcoming: Future[Pcm] = self._synth_pool.submit(self._synthesize, chunks[0], item.lang)
        hold = getattr(self._player, "hold", None)  # one output stream for the whole text
        with hold(item.stop) if callable(hold) else contextlib.nullcontext():
            for i in range(len(chunks)):
                pcm = _result(upcoming, item.stop)
                if pcm is None:
                    break
                if i + 1 < len(chunks):
                    upcoming = self._synth_pool.submit(self._synthesize, chunks[i + 1], item.lang)
                try:
                    self._player.play(pcm, item.stop)
                except BaseException:
                    upcoming.cancel()
                    raise
                if item.stop.is_set():
                    break
        upcoming.cancel()

    def _error_tone(self, item: _Item) -> None:
        if not self._config.earcons or item.stop.is_set():
            return
        try:
            self._player.play(earcon_pcm("error"), item.stop)
        except Exception as exc:
            logger.warning("the error tone could not be played either: %s", exc)


def _result(future: Future[Pcm], stop: threading.Event) -> Pcm | None:
    """The synthesized sentence, or None once ``stop`` is set: a stop does not wait for the
    synthesizer (the sentence it is rendering is dropped when done)."""
    while not wait([future], timeout=SYNTH_POLL_S).done:
        if stop.is_set():
            return None
    return None if stop.is_set() else future.result()


# -- building the real speaker ---------------------------------------------------------------
def _voice_settings(config: Config, voices: list[VoiceInfo]) -> dict[str, VoiceSettings]:
    settings = {}
    for lang in config.languages:
        voice = configured_voice(voices, lang, config.speech)
        voice_config = config.speech.voices[lang]
        logger.info("voice for %s: %s", lang, voice.describe())
        settings[lang] = VoiceSettings(voice.id, voice_config.rate_wpm, voice_config.volume)
    return settings


def prepare_speech(config: Config) -> None:
    """Fail fast (SpeechError, AudioError): a voice for every language, an output device."""
    synthesizer = Pyttsx3Synthesizer(config.speech.driver)
    try:
        _voice_settings(config, synthesizer.list_voices())
    finally:
        synthesizer.close()
    SoundDevicePlayer(config.audio.output_device).check()


def build_speaker(config: Config, *, player: Player | None = None) -> Speaker:
    """A Speaker on the real engines: pyttsx3 and sounddevice (or the ``player`` given)."""
    synthesizer = Pyttsx3Synthesizer(config.speech.driver)
    try:
        settings = _voice_settings(config, synthesizer.list_voices())
    except BaseException:
        synthesizer.close()
        raise
    return Speaker(
        synthesizer,
        player or SoundDevicePlayer(config.audio.output_device),
        settings,
        config.speech,
    )


def speak_text(config: Config, text: str, lang: str) -> SpeechOutcome:
    """Speak ``text`` aloud and wait until it has been said (for the CLI)."""
    outcomes: list[SpeechOutcome] = []
    speaker = build_speaker(config)
    speaker.on_idle = outcomes.append
    try:
        speaker.say(text, lang)
        speaker.wait()
    finally:
        with contextlib.suppress(Exception):
            speaker.close()
    return outcomes[-1] if outcomes else SpeechOutcome("stopped")


def render_text(config: Config, text: str, lang: str, path: Path) -> float:
    """Synthesize ``text`` sentence by sentence into one WAV file; its duration in seconds."""
    synthesizer = Pyttsx3Synthesizer(config.speech.driver)
    try:
        settings = _voice_settings(config, synthesizer.list_voices())
        if lang not in settings:
            raise SpeechError("unknown-language", f"no voice is set up for {lang!r}")
        chunks = speech_chunks(text, lang=lang)
        if not chunks:
            raise SpeechError("empty-text", "nothing to say: the text is empty or unspeakable")
        pcms = [synthesizer.synthesize(chunk, settings[lang]) for chunk in chunks]
    finally:
        synthesizer.close()
    rate_hz = pcms[0].rate_hz
    samples = np.concatenate([resample(p.samples, p.rate_hz, rate_hz) for p in pcms])
    pcm = Pcm(samples, rate_hz)
    write_wav(path, pcm)
    return pcm.duration_s
