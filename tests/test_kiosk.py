"""The kiosk loop with recording fakes: every dialog action executed, failures turned into
TurnFailed, the microphone gate, barge-in, end of input, shutdown by signal; its inputs
(keyboard, voice through the real Listener) and start-up decisions."""

from __future__ import annotations

import dataclasses
import io
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant.audio import Pcm
from assistant.config import Config, DialogConfig, config_from_dict
from assistant.errors import ConfigError, ContentError, SpeechError
from assistant.kiosk.dialog import Dialog, DialogState
from assistant.kiosk.events import ButtonPressed, InputBack, TurnFailed, Typed
from assistant.kiosk.inputs import (
    MAX_TYPED_CHARS,
    InputEnded,
    KeyboardInput,
    MicLost,
    PlayStarted,
    VoiceHeard,
    VoiceInput,
    VoiceOnset,
)
from assistant.kiosk.loop import Kiosk, Reload, Shutdown
from assistant.kiosk.setup import ensure_models, load_brain
from assistant.speech_in.listening import Listener
from assistant.speech_in.recognition import Transcript, Utterance, Word
from assistant.speech_in.sources import Block
from tests.test_dialog import QUESTION, FakeBrain
from tests.test_listening import RecordingSegmenter, ScriptedSource


class FakeSpeaker:
    """Records every call; reports speech done at once (or fails on a text)."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self.kiosk: Kiosk | None = None
        self.fail_on: str | None = None
        self.adjust_error: Exception | None = None
        self.closed = False

    def say(self, text: str, lang: str) -> None:
        if self.fail_on is not None and self.fail_on in text:
            raise SpeechError("synthesis-failed", f"cannot say {text!r}")
        self.calls.append(("say", text, lang))
        self._done("completed")

    def stop(self) -> None:
        self.calls.append(("stop",))

    def earcon(self, kind: Any) -> None:
        self.calls.append(("earcon", kind))

    def adjust(self, lang: str, change: Any) -> object:
        if self.adjust_error is not None:
            raise self.adjust_error
        self.calls.append(("adjust", lang, change))
        return None

    def reset(self) -> None:
        self.calls.append(("reset",))

    @property
    def is_speaking(self) -> bool:
        return False

    def close(self) -> None:
        self.closed = True

    def _done(self, status: str) -> None:
        assert self.kiosk is not None
        self.kiosk.speech_ended(type("Outcome", (), {"status": status, "error_code": None})())

    def said(self) -> list[str]:
        return [c[1] for c in self.calls if c[0] == "say"]


class FakeLog:
    def __init__(self) -> None:
        self.lines: list[tuple[str, dict[str, Any]]] = []

    def write(self, name: str, fields: Any) -> None:
        self.lines.append((name, dict(fields)))

    def names(self) -> list[str]:
        return [n for n, _ in self.lines]

    def of(self, name: str) -> list[dict[str, Any]]:
        return [f for n, f in self.lines if n == name]


class FakeVoice:
    def __init__(self) -> None:
        self.stopped = False

    def stop(self, timeout_s: float = 1.0) -> None:
        self.stopped = True


@dataclasses.dataclass
class Rig:
    kiosk: Kiosk
    speaker: FakeSpeaker
    log: FakeLog
    voice: FakeVoice
    printed: list[str]


def rig(*, keyboard_only: bool = False, **dialog: Any) -> Rig:
    config = Config(dialog=dataclasses.replace(DialogConfig(), **dialog))
    speaker, log, voice, printed = FakeSpeaker(), FakeLog(), FakeVoice(), []
    kiosk = Kiosk(
        Dialog(FakeBrain(), config),
        speaker,
        log,
        config,
        voice=voice,
        keyboard_only=keyboard_only,
        on_say=lambda say: printed.append(f"[{say.lang}] {say.text}"),
    )
    speaker.kiosk = kiosk
    return Rig(kiosk, speaker, log, voice, printed)


@pytest.fixture
def running() -> Iterator[tuple[Rig, threading.Thread]]:
    r = rig()
    codes: list[int] = []
    thread = threading.Thread(target=lambda: codes.append(r.kiosk.run()), daemon=True)
    thread.start()
    yield r, thread
    r.kiosk.post(Shutdown("test"))
    thread.join(5)
    assert not thread.is_alive() and codes == [0]


def wait_until(what: Any, timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if what():
            return
        time.sleep(0.01)
    raise AssertionError("condition not reached")


def transcript(text: str, lang: str, confidence: float = 0.9) -> Transcript:
    words = tuple(Word(w, 0.1, 0.5, confidence) for w in text.split())
    return Transcript(text, lang, confidence, words, 1.0)


def test_every_action_is_executed(running: tuple[Rig, threading.Thread]) -> None:
    r, _ = running
    wait_until(lambda: r.kiosk.listening)  # greeted in both languages, then listening
    assert r.printed[:2] == [
        "[sv] Hej! Ställ din fråga på svenska.",
        "[fr] Bonjour ! Posez votre question en français.",
    ]
    assert ("earcon", "listening") in r.speaker.calls
    r.kiosk.post(Typed(QUESTION["sv"]))
    wait_until(lambda: "answer" in r.log.names() and r.kiosk.listening)
    r.kiosk.post(Typed("långsammare"))
    wait_until(lambda: ("adjust", "sv", "slower") in r.speaker.calls)
    r.kiosk.post(Typed(QUESTION["fr"]))
    wait_until(lambda: "first-audio" in r.log.names() or len(r.log.of("turn")) == 3)
    turns = r.log.of("turn")
    assert [t["input"] for t in turns] == ["typed"] * 3
    assert all(t["matching_ms"] >= 0 for t in turns)
    assert r.log.of("voice")[0]["change"] == "slower"
    assert "state" in r.log.names() and "started" in r.log.names()


def test_reset_voices_and_stop_are_executed() -> None:
    r = rig(idle_reset_s=0.3)
    thread = threading.Thread(target=r.kiosk.run, daemon=True)
    thread.start()
    try:
        r.kiosk.post(Typed(QUESTION["sv"]))
        wait_until(lambda: ("reset",) in r.speaker.calls)  # the idle reset
        r.kiosk.post(VoiceOnset())
        r.kiosk.post(ButtonPressed())
    finally:
        r.kiosk.post(Shutdown("test"))
        thread.join(5)
    assert "idle-reset" in r.log.names()
    assert ("stop",) in r.speaker.calls  # shutdown stops speech
    assert r.speaker.closed and r.voice.stopped
    assert r.log.names()[-1] == "kiosk-stopped"


def test_a_failing_action_becomes_turn_failed_and_the_kiosk_goes_on(
    running: tuple[Rig, threading.Thread],
) -> None:
    r, _ = running
    wait_until(lambda: r.kiosk.listening)
    r.speaker.adjust_error = RuntimeError("engine crashed")
    r.kiosk.post(Typed("långsammare"))
    wait_until(lambda: r.log.of("turn-failed"))
    assert r.log.of("turn-failed")[0] == {"stage": "speech", "code": "RuntimeError"}
    assert ("earcon", "error") in r.speaker.calls
    wait_until(lambda: r.kiosk.listening)
    r.speaker.adjust_error = None
    r.kiosk.post(Typed(QUESTION["sv"]))
    wait_until(lambda: r.log.of("answer"))
    assert r.kiosk.failures == 1


def test_failing_recovery_does_not_loop(running: tuple[Rig, threading.Thread]) -> None:
    r, _ = running
    wait_until(lambda: r.kiosk.listening)
    r.speaker.fail_on = ""  # every sentence fails, the apology too
    r.kiosk.post(Typed(QUESTION["sv"]))
    wait_until(lambda: r.log.of("turn-failed"))
    time.sleep(0.3)
    assert len(r.log.of("turn-failed")) == 1
    assert r.log.of("turn-failed")[0]["code"] == "synthesis-failed"


def test_turn_failed_from_an_input_is_handled(running: tuple[Rig, threading.Thread]) -> None:
    r, _ = running
    wait_until(lambda: r.kiosk.listening)
    r.kiosk.post(TurnFailed("recognition", "model-load-failed"))
    wait_until(lambda: r.log.of("turn-failed"))
    assert any("Förlåt" in text for text in r.speaker.said())


def test_utterances_are_heard_only_while_listening() -> None:
    r = rig()
    heard = VoiceHeard(transcript("vad är kramp", "sv"), 10.0, 9.5)
    thread = threading.Thread(target=r.kiosk.run, daemon=True)
    r.kiosk.listening = False
    thread.start()
    try:
        wait_until(lambda: r.kiosk.listening)
        r.kiosk.listening = False  # as if StopListening: dropped
        r.kiosk.post(heard)
        time.sleep(0.2)
        assert not r.log.of("heard")
        r.kiosk.listening = True
        r.kiosk.post(heard)
        wait_until(lambda: r.log.of("heard"))
        # A language the dialog does not speak is answered in the dialog's language.
        r.kiosk.post(VoiceHeard(transcript("학교", "ko"), 12.0, 11.8))
        wait_until(lambda: len(r.log.of("heard")) == 2)
    finally:
        r.kiosk.post(Shutdown("test"))
        thread.join(5)
    assert r.log.of("heard")[0]["lang"] == "sv"
    assert r.log.of("heard")[1]["lang"] == "sv"
    voice_turns = [t for t in r.log.of("turn") if t["input"] == "voice"]
    assert voice_turns[0]["transcript_ms"] == 500


@pytest.mark.parametrize("barge_in", [True, False])
def test_voice_barge_in_follows_the_config(barge_in: bool) -> None:
    r = rig(voice_barge_in=barge_in)
    r.speaker._done = lambda status: None  # type: ignore[method-assign]  # keeps speaking
    thread = threading.Thread(target=r.kiosk.run, daemon=True)
    thread.start()
    try:
        wait_until(lambda: r.kiosk.dialog.state is DialogState.SPEAKING)
        r.kiosk.post(VoiceOnset())
        time.sleep(0.3)
    finally:
        r.kiosk.post(Shutdown("test"))
        thread.join(5)
    assert bool(r.log.of("barge-in")) is barge_in
    stops = r.speaker.calls.count(("stop",))  # StopSpeech on barge-in, and the shutdown's
    assert stops == (2 if barge_in else 1)


def test_end_of_input_in_keyboard_mode_finishes_and_exits() -> None:
    r = rig(keyboard_only=True)
    r.kiosk.post(Typed(QUESTION["fr"]))
    r.kiosk.post(InputEnded())
    assert r.kiosk.run() == 0
    assert r.log.of("answer")[0]["lang"] == "fr"
    assert r.log.names()[-1] == "kiosk-stopped"


def test_end_of_input_in_fallback_keyboard_mode_is_not_success() -> None:
    r = rig(keyboard_only=True)
    r.kiosk._end_of_input_code = 1
    r.kiosk.post(InputEnded())
    assert r.kiosk.run() == 1


def test_microphone_loss_and_return_reach_the_dialog() -> None:
    r = rig()
    r.kiosk.post(MicLost("device-missing", "no input device named 'x'"))
    r.kiosk.post(InputBack())
    r.kiosk.post(PlayStarted(0.0, earcon=True))
    r.kiosk.post(object())  # unknown items are ignored
    r.kiosk.post(Shutdown("test"))
    assert r.kiosk.run() == 0
    assert "input-lost" in r.log.names() and "input-back" in r.log.names()
    assert any("Mikrofonen fungerar inte" in text for text in r.speaker.said())


def test_a_lost_microphone_with_nothing_to_type_on_does_not_offer_typing() -> None:
    r = rig()
    r.kiosk.post(InputEnded())  # standard input is /dev/null (a service)
    r.kiosk.post(MicLost("device-missing", "no input device named 'x'"))
    r.kiosk.post(Shutdown("test"))
    assert r.kiosk.run() == 0
    said = " ".join(r.speaker.said())
    assert "Mikrofonen fungerar inte" in said and "tangentbord" not in said


def test_a_signal_handler_stops_the_loop() -> None:
    r = rig()
    previous = signal.signal(signal.SIGUSR1, lambda *_: r.kiosk.post(Shutdown("SIGUSR1")))
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGUSR1))
    try:
        timer.start()
        start = time.monotonic()
        assert r.kiosk.run() == 0
        assert time.monotonic() - start < 2.0
    finally:
        timer.cancel()
        signal.signal(signal.SIGUSR1, previous)
    assert r.log.of("kiosk-stopped")[0]["reason"] == "SIGUSR1"


# --- inputs -----------------------------------------------------------------------------------
def test_keyboard_lines_button_and_end() -> None:
    got: list[object] = []
    long_line = "x" * (MAX_TYPED_CHARS + 50)
    stream = io.StringIO(f"hej\n\n  \n{long_line}\r\n")
    keyboard = KeyboardInput(stream, got.append)
    keyboard.start()
    wait_until(lambda: got and isinstance(got[-1], InputEnded))
    assert got[:3] == [Typed("hej"), ButtonPressed(), ButtonPressed()]
    assert got[3] == Typed("x" * MAX_TYPED_CHARS)


def test_keyboard_survives_an_undecodable_stream() -> None:
    got: list[object] = []
    stream = io.TextIOWrapper(io.BytesIO(b"ok\n\xff\xfe\n"), encoding="utf-8")
    KeyboardInput(stream, got.append).start()
    wait_until(lambda: got and isinstance(got[-1], InputEnded))


class FakeRecognizer:
    def __init__(self, fail: bool = False) -> None:
        self.fail = fail

    def recognize(self, utterance: Utterance) -> Transcript:
        if self.fail:
            raise SpeechError("boom", "recognizer failed")
        return transcript("hej", "sv")


def scripted_voice(fail: bool = False) -> tuple[VoiceInput, list[object]]:
    loud = Block(np.full(1600, 3000, dtype=np.int16))
    source = ScriptedSource([loud, loud], open_failures=1, fail_after=None)
    listener = Listener(source, RecordingSegmenter(), backoff_s=(0.05,))
    got: list[object] = []
    return VoiceInput(listener, FakeRecognizer(fail), got.append), got


def test_voice_input_through_the_real_listener() -> None:
    voice, got = scripted_voice()
    voice.start()
    try:
        wait_until(lambda: sum(isinstance(g, VoiceHeard) for g in got) == 2)
    finally:
        voice.stop()
    assert isinstance(got[0], MicLost) and got[0].code == "device-missing"
    assert isinstance(got[1], InputBack)
    assert any(isinstance(g, VoiceOnset) for g in got)
    heard = next(g for g in got if isinstance(g, VoiceHeard))
    assert heard.transcript.text == "hej"
    assert heard.speech_end_at_s <= heard.ready_at_s


def test_voice_input_turns_a_recognition_failure_into_turn_failed() -> None:
    voice, got = scripted_voice(fail=True)
    voice.start()
    try:
        wait_until(lambda: any(isinstance(g, TurnFailed) for g in got))
    finally:
        voice.stop()
    failed = next(g for g in got if isinstance(g, TurnFailed))
    assert (failed.stage, failed.code) == ("speech", "boom")


def test_voice_input_stores_audio_only_when_asked(tmp_path: Path) -> None:
    voice, _ = scripted_voice()
    voice._audio_folder = tmp_path / "audio"
    voice._heard(Utterance.of(Pcm(np.zeros(1600, dtype=np.int16), 16000)))
    assert len(list((tmp_path / "audio").glob("*.wav"))) == 1


# --- start-up -------------------------------------------------------------------------------
def test_no_documents_is_fatal_with_one_clear_line(tmp_path: Path) -> None:
    config = config_from_dict({"content": {"folder": str(tmp_path / "none")}})
    with pytest.raises(ContentError) as err:
        load_brain(config)
    assert "nothing to answer from" in err.value.describe()


def test_models_missing_and_not_installable(tmp_path: Path) -> None:
    config = config_from_dict(
        {"models": {"folder": str(tmp_path), "download_url": "http://127.0.0.1:9/vosk"}}
    )
    notices: list[str] = []
    plan = ensure_models(config, install=True, notice=notices.append)
    assert not plan.ok and len(plan.problems) == 2
    assert all("model-missing" in p and "installing it failed" in p for p in plan.problems)
    assert any("installing the speech model" in n for n in notices)
    offline = ensure_models(config, install=False, notice=notices.append)
    assert all("installing" not in p for p in offline.problems)


@pytest.mark.real_vosk
def test_auto_recognition_listens_in_the_languages_it_has(
    tmp_path: Path, ko_model_dir: Path
) -> None:
    # A real model (the Korean test model, serving fr here): each model is loaded and tried.
    from assistant.speech_in.install import Installer

    Installer(tmp_path).install_folder(ko_model_dir, name="vosk-model-small-fr-0.22", lang="fr")
    config = config_from_dict({"models": {"folder": str(tmp_path)}})
    notices: list[str] = []
    plan = ensure_models(config, install=False, notice=notices.append)
    assert plan.ok and plan.languages == ("fr",)
    assert any("'sv'" in n for n in notices)


def test_recognition_language_may_be_any_language_with_a_model() -> None:
    config = config_from_dict(
        {"recognition": {"language": "ko"}, "models": {"languages": {"ko": "ko-model"}}}
    )
    assert config.recognition.language == "ko"
    with pytest.raises(ConfigError):
        config_from_dict({"recognition": {"language": "ko"}})


def test_reload_swaps_the_content_and_a_failed_reload_keeps_the_last_good_one() -> None:
    config = Config()
    loads: list[object] = []
    new_brain = load_brain(config)

    def reload() -> object:
        if loads:
            raise ContentError("bad-front-matter", "doc.md:2: the front matter is not valid")
        loads.append(new_brain)
        return new_brain

    reloaded: list[object] = []
    log = FakeLog()
    dialog = Dialog(FakeBrain(), config)
    kiosk = Kiosk(dialog, FakeSpeaker(), log, config, reload=reload, on_reloaded=reloaded.append)
    thread = threading.Thread(target=kiosk.run, daemon=True)
    thread.start()
    try:
        kiosk.post(Reload())
        wait_until(lambda: "content-reloaded" in log.names())
        assert reloaded == [new_brain]
        assert log.of("content-reloaded")[0]["sections"] == 10
        kiosk.post(Reload())
        wait_until(lambda: "content-reload-failed" in log.names())
        assert log.of("content-reload-failed")[0]["code"] == "bad-front-matter"
        assert reloaded == [new_brain]  # the last good content stays
        kiosk.post(Typed("Vad orsakar muskelspasmer?"))
        wait_until(lambda: "answer" in log.names())
        assert log.of("answer")[0]["section"] == 2  # answered from the reloaded documents
    finally:
        kiosk.post(Shutdown("test"))
        thread.join(5)
