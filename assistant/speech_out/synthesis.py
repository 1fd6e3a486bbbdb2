"""Speech synthesis with pyttsx3, rendered to in-memory audio instead of the driver's player.

pyttsx3 engines are not thread-safe, and on Linux ``runAndWait`` can hang or refuse a second
call after an error. So one thread owns the engine: every call is handed to it and answered
through a future. A call that raises drops the engine (it is rebuilt on the next call); a call
that does not return in time abandons that thread and starts a fresh one. Each chunk is saved
to a temporary WAV (``save_to_file``), read back as :class:`Pcm` and deleted. Volume is
applied as a gain on the samples (drivers disagree on what their volume means); the rate goes
to the engine's ``rate`` property. The espeak driver prints "Audio saved to ..." on stdout,
which would corrupt ``ask --json``; the driver modules' ``print`` is routed to the debug log.
"""

from __future__ import annotations

import atexit
import gc
import importlib
import logging
import queue
import shutil
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Any, Protocol, TypeVar

import numpy as np

from assistant.audio import Pcm, read_wav
from assistant.errors import AssistantError, SpeechError
from assistant.speech_out.voices import VoiceInfo, VoiceSettings

logger = logging.getLogger(__name__)

T = TypeVar("T")
_Requests = queue.Queue[tuple[Callable[[Any], Any], "Future[Any]"] | None]

#: Longest wait for one chunk (at most a few hundred characters) before the engine is replaced.
DEFAULT_TIMEOUT_S = 15.0
#: Renderings tried again when the engine writes an empty file.
EMPTY_RETRIES = 2


class Synthesizer(Protocol):
    """Turns one chunk of text into audio."""

    def synthesize(self, text: str, settings: VoiceSettings) -> Pcm: ...


def apply_gain(pcm: Pcm, volume: float) -> Pcm:
    """The audio scaled by ``volume`` (0..1)."""
    if volume >= 1.0:
        return pcm
    scaled = np.rint(pcm.samples.astype(np.float32) * max(0.0, volume)).astype(np.int16)
    return Pcm(scaled, pcm.rate_hz)


def _quiet_driver_prints(driver_name: str) -> None:
    """Route ``print`` in the pyttsx3 driver module to the debug log (keeps stdout clean)."""
    module = importlib.import_module(f"pyttsx3.drivers.{driver_name}")

    def to_log(*args: object, **_kwargs: object) -> None:
        logger.debug("pyttsx3 %s: %s", driver_name, " ".join(str(a) for a in args))

    module.print = to_log  # type: ignore[attr-defined]


class _EngineHost:
    """One thread owning one pyttsx3 engine of a driver; calls are handed to it."""

    def __init__(self, driver: str | None) -> None:
        self.driver = driver
        self.engines_built = 0
        self._lock = threading.Lock()
        self._requests: _Requests | None = None
        self._thread: threading.Thread | None = None

    def call(self, fn: Callable[[Any], T], timeout_s: float) -> T:
        future: Future[T] = Future()
        with self._lock:
            if self._requests is None:
                self._requests = queue.Queue()
                self._thread = threading.Thread(
                    target=self._serve, args=(self._requests,), name="tts-engine", daemon=True
                )
                self._thread.start()
            requests = self._requests
            requests.put((fn, future))
        try:
            return future.result(timeout=timeout_s)
        except FutureTimeout:
            with self._lock:
                if self._requests is requests:
                    self._requests = None  # the next call starts a fresh thread and engine
            requests.put(None)
            logger.error("speech engine did not answer in %.1f s: replacing it", timeout_s)
            raise SpeechError(
                "synthesis-timeout", f"the speech engine hung for {timeout_s:.1f} s"
            ) from None
        except AssistantError:
            raise
        except Exception as exc:
            raise SpeechError(
                "synthesis-failed", f"the speech engine failed: {type(exc).__name__}: {exc}"
            ) from exc

    def shutdown(self, timeout_s: float) -> None:
        """Stop the engine thread (its engine is retired)."""
        with self._lock:
            requests, thread = self._requests, self._thread
            self._requests = self._thread = None
        if requests is not None:
            requests.put(None)
        if thread is not None:
            thread.join(timeout_s)

    def _new_engine(self) -> Any:
        try:
            import pyttsx3
        except ImportError:
            raise SpeechError(
                "pyttsx3-missing",
                "pyttsx3 is not installed",
                fix="pip install 'rostguiden[speech]'",
            ) from None
        try:
            engine = pyttsx3.Engine(self.driver)
        except Exception as exc:
            raise SpeechError(
                "engine-unavailable",
                f"the speech engine {self.driver or '(default)'} did not start: {exc}",
                fix="install espeak-ng (apt-get install espeak-ng), or set speech.driver",
            ) from None
        _quiet_driver_prints(engine.driver_name)
        # The first runAndWait of a fresh engine runs its queued commands out of order (the
        # file is not written): one empty loop first leaves the engine in its steady state.
        engine.runAndWait()
        self.engines_built += 1
        logger.debug("speech engine %s ready (#%d)", engine.driver_name, self.engines_built)
        return engine

    def _serve(self, requests: _Requests) -> None:
        engine: Any = None
        while (request := requests.get()) is not None:
            fn, future = request
            if not future.set_running_or_notify_cancel():
                continue
            try:
                if engine is None:
                    engine = self._new_engine()
                future.set_result(fn(engine))
            except BaseException as exc:
                future.set_exception(exc)
                if engine is not None:
                    # An engine that raised may be stuck mid-loop: build a fresh one next time.
                    logger.warning("speech engine error (%s): rebuilding the engine", exc)
                    _RETIRED.append(engine)
                    engine = None
        if engine is not None:
            _RETIRED.append(engine)


#: Engines taken out of service. They are kept, not destroyed: destroying an espeak driver
#: clears the process-wide synthesis callback, which would silence the engine that replaced it.
_RETIRED: list[Any] = []
_HOSTS: dict[str | None, _EngineHost] = {}
_HOSTS_LOCK = threading.Lock()


@atexit.register
def _release_engines() -> None:
    """Destroy the engines while the interpreter is whole: pyttsx3's own finalizer fails when
    it runs during interpreter shutdown and prints a traceback."""
    with _HOSTS_LOCK:
        hosts = list(_HOSTS.values())
    for host in hosts:
        host.shutdown(1.0)
    _RETIRED.clear()
    gc.collect()


def _host(driver: str | None) -> _EngineHost:
    """The one host of ``driver``: the default (None) and its name are the same driver."""
    if driver is None:
        try:
            from pyttsx3.engine import default_engine_by_sys_platform

            driver = default_engine_by_sys_platform()
        except ImportError:  # no pyttsx3: the host's first call says so
            pass
    with _HOSTS_LOCK:
        if driver not in _HOSTS:
            _HOSTS[driver] = _EngineHost(driver)
        return _HOSTS[driver]


class Pyttsx3Synthesizer:
    """Synthesis with pyttsx3; safe to call from any thread.

    All synthesizers of one driver share one engine on one thread (espeak-ng allows a single
    engine per process: a second one would take over the first one's audio callback).
    """

    def __init__(self, driver: str = "", *, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        self._host = _host(driver or None)
        self._timeout_s = timeout_s
        self._folder = Path(tempfile.mkdtemp(prefix="rostguiden-tts-"))
        self._lock = threading.Lock()
        self._count = 0
        self._closed = False

    @property
    def engines_built(self) -> int:
        """How many engines this driver's host has built (more than one after a rebuild)."""
        return self._host.engines_built

    def list_voices(self) -> list[VoiceInfo]:
        def voices(engine: Any) -> list[VoiceInfo]:
            return [
                VoiceInfo(
                    id=str(v.id),
                    name=str(v.name or v.id),
                    languages=tuple(
                        lang.decode("utf-8", "ignore") if isinstance(lang, bytes) else str(lang)
                        for lang in (v.languages or [])
                    ),
                )
                for v in engine.getProperty("voices")
            ]

        return self.call(voices)

    def current_voice_id(self) -> str:
        """The voice the engine is set to now (after a synthesis: the voice it used)."""
        return str(self.call(lambda engine: engine.getProperty("voice")))

    def synthesize(self, text: str, settings: VoiceSettings) -> Pcm:
        if not text.strip():
            raise SpeechError("empty-text", "nothing to synthesize: the text is empty")
        with self._lock:
            if self._closed:
                raise SpeechError("synthesizer-closed", "the speech synthesizer was closed")
            self._count += 1
            path = self._folder / f"chunk-{self._count}.wav"

        def render(engine: Any) -> Pcm:
            try:
                # Temporary folders may be cleaned while a kiosk runs for weeks.
                self._folder.mkdir(parents=True, exist_ok=True)
                engine.setProperty("voice", settings.voice_id)
                # pyttsx3 2.99's espeak driver drops the first rate set after a voice change
                # (measured: the audio keeps the old rate); the second one takes effect.
                engine.setProperty("rate", settings.rate_wpm)
                engine.setProperty("rate", settings.rate_wpm)
                # pyttsx3's espeak driver now and then ends an utterance before any audio
                # arrived and writes an empty file (seen about once in 50 calls): try again.
                for _ in range(EMPTY_RETRIES + 1):
                    engine.save_to_file(text, str(path))
                    engine.runAndWait()
                    if path.is_file():
                        pcm = read_wav(path)
                        if len(pcm.samples):
                            return pcm
                    logger.debug("the speech engine produced no audio; trying again")
                raise SpeechError("synthesis-failed", "the speech engine produced no audio")
            finally:
                path.unlink(missing_ok=True)

        pcm = self.call(render)
        return apply_gain(pcm, settings.volume)

    def call(self, fn: Callable[[Any], T], timeout_s: float | None = None) -> T:
        """Run ``fn(engine)`` on the engine's thread; SpeechError when it fails or hangs."""
        return self._host.call(fn, self._timeout_s if timeout_s is None else timeout_s)

    def close(self) -> None:
        with self._lock:
            self._closed = True
        shutil.rmtree(self._folder, ignore_errors=True)
