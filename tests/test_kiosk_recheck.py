"""A kiosk without speech input: when it stays up (nobody can type), what it says once, the
re-checks from the timer, and listening as soon as a check succeeds; with recording fakes."""

from __future__ import annotations

import io
import os
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.config import Config, RecognitionConfig
from assistant.kiosk.dialog import Dialog
from assistant.kiosk.events import Typed
from assistant.kiosk.inputs import InputEnded
from assistant.kiosk.loop import Kiosk, Shutdown
from assistant.kiosk.recheck import (
    CheckResult,
    SpeechInputReady,
    SpeechInputWatch,
    StdinKind,
    spoken_notice,
    stdin_kind,
    unattended,
)
from assistant.kiosk.setup import ensure_models
from tests.test_dialog import QUESTION, FakeBrain
from tests.test_kiosk import FakeLog, FakeSpeaker, FakeVoice, wait_until

MISSING = ("model error [model-missing]: no Vosk model for language 'sv' in /m",)
INTERVAL_S = 0.05


# --- the decision ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kind", "ended", "lines", "expected"),
    [
        ("none", False, 0, True),  # no standard input at all
        ("stream", True, 0, True),  # /dev/null under systemd: ended before any line
        ("stream", False, 0, False),  # an open pipe: someone may still type
        ("stream", True, 2, False),  # a pipe of questions that ended: the scripted case
        ("terminal", True, 0, False),  # Ctrl-D on a terminal: the operator's choice
        ("terminal", False, 0, False),
    ],
)
def test_who_can_type(kind: StdinKind, ended: bool, lines: int, expected: bool) -> None:
    assert unattended(kind, ended=ended, lines_typed=lines) is expected


def test_kinds_of_standard_input(tmp_path: Path) -> None:
    assert stdin_kind(None) == "none"
    assert stdin_kind(io.StringIO("a question\n")) == "stream"
    with open(os.devnull, encoding="utf-8") as null:
        assert stdin_kind(null) == "stream"
    closed = (tmp_path / "f").open("w", encoding="utf-8")
    closed.close()
    assert stdin_kind(closed) == "none"
    main, other = os.openpty()
    try:
        with os.fdopen(main, encoding="utf-8", closefd=False) as terminal:
            assert stdin_kind(terminal) == "terminal"
    finally:
        os.close(main)
        os.close(other)


def test_spoken_notice_says_what_is_missing_in_each_language() -> None:
    said = spoken_notice(("model-missing",), ("sv", "fr", "ko"))
    assert [lang for _, lang in said] == ["sv", "fr"]  # no text for other languages
    assert "ingen talmodell" in said[0][0] and "aucun modèle" in said[1][0]
    assert not [text for text, _ in said if "run.py" in text], "a visitor hears no command"
    broken = spoken_notice(("model-missing", "model-broken"), ("sv",))
    assert "går inte att använda" in broken[0][0]


#: The spoken notice of a missing model, in Swedish or in French.
NO_MODEL_SAID = re.compile("ingen talmodell|aucun modèle")


# --- the kiosk with a watch --------------------------------------------------------------------
class Attempts:
    """Fails ``failures`` times (the model still missing), then starts a fake speech input."""

    def __init__(self, failures: int, *, hold: threading.Event | None = None) -> None:
        self.failures = failures
        self.calls = 0
        self.hold = hold
        self.voice = FakeVoice()

    def __call__(self) -> CheckResult:
        self.calls += 1
        if self.hold is not None:
            self.hold.wait(5)
        if self.calls <= self.failures:
            return CheckResult(problems=MISSING, codes=("model-missing",))
        return CheckResult(self.voice, ("sv",))


class Run:
    def __init__(self, attempts: Attempts, stdin: StdinKind) -> None:
        config = Config(recognition=RecognitionConfig(recheck_interval_s=INTERVAL_S))
        self.speaker, self.log, self.notices = FakeSpeaker(), FakeLog(), list[str]()
        self.watch = SpeechInputWatch(
            attempts,
            interval_s=INTERVAL_S,
            stdin=stdin,
            problems=MISSING,
            codes=("model-missing",),
        )
        self.kiosk = Kiosk(
            Dialog(FakeBrain(), config),
            self.speaker,
            self.log,
            config,
            keyboard_only=True,
            end_of_input_code=1,
            on_notice=self.notices.append,
            speech_watch=self.watch,
        )
        self.speaker.kiosk = self.kiosk
        self.codes: list[int] = []
        self.thread = threading.Thread(
            target=lambda: self.codes.append(self.kiosk.run(input_lost=True)), daemon=True
        )

    def start(self) -> Run:
        self.thread.start()
        return self

    def stop(self) -> int:
        self.kiosk.post(Shutdown("test"))
        self.thread.join(5)
        assert not self.thread.is_alive()
        return self.codes[0]

    def notice_lines(self, part: str) -> list[str]:
        return [n for n in self.notices if part in n]


@pytest.fixture
def runs() -> Iterator[list[Run]]:
    started: list[Run] = []
    yield started
    for run in started:
        if run.thread.is_alive():
            run.stop()


def test_nobody_can_type_it_stays_up_says_once_and_listens_when_a_check_succeeds(
    runs: list[Run],
) -> None:
    attempts = Attempts(failures=3)
    run = Run(attempts, "stream")
    runs.append(run.start())
    run.kiosk.post(InputEnded())  # /dev/null: the end at once
    wait_until(lambda: run.log.of("speech-input-started"), timeout_s=10)
    assert attempts.calls == 4 and run.thread.is_alive()
    waiting = run.notice_lines("no speech input and no typed input")
    assert len(waiting) == 1 and "model-missing" in waiting[0], run.notices
    assert run.log.of("speech-input-waiting") == [{"codes": ["model-missing"]}]
    spoken = [text for text in run.speaker.said() if NO_MODEL_SAID.search(text)]
    assert len(spoken) == 2  # once, in Swedish and in French
    wait_until(lambda: run.kiosk.listening)  # "the microphone works again", then listening
    assert run.log.of("speech-input-started") == [{"languages": ["sv"]}]
    assert run.notice_lines("speech input works now (sv): listening")
    time.sleep(5 * INTERVAL_S)
    assert attempts.calls == 4, "no more checks once listening"
    assert run.stop() == 0
    assert attempts.voice.stopped, "the kiosk stops the speech input it was handed"


def test_a_pipe_of_questions_that_ends_still_ends_the_kiosk(runs: list[Run]) -> None:
    attempts = Attempts(failures=1000)
    run = Run(attempts, "stream")
    run.kiosk.post(Typed(QUESTION["sv"]))
    run.kiosk.post(InputEnded())
    runs.append(run.start())
    run.thread.join(10)
    assert run.codes == [1]
    assert not run.notice_lines("no speech input and no typed input")
    assert not [t for t in run.speaker.said() if NO_MODEL_SAID.search(t)]


def test_no_standard_input_at_all_stays_up_from_the_start(runs: list[Run]) -> None:
    attempts = Attempts(failures=1000)
    run = Run(attempts, "none")
    runs.append(run.start())
    wait_until(lambda: attempts.calls >= 3)
    assert run.thread.is_alive()
    assert len(run.notice_lines("no speech input and no typed input")) == 1
    assert run.stop() == 0


def test_an_open_pipe_is_served_and_checked_without_the_unattended_notice(
    runs: list[Run],
) -> None:
    attempts = Attempts(failures=1000)
    run = Run(attempts, "stream")
    runs.append(run.start())
    run.kiosk.post(Typed(QUESTION["fr"]))
    wait_until(lambda: attempts.calls >= 2 and run.log.of("answer"))
    assert not run.notice_lines("no speech input and no typed input")
    assert run.stop() == 0


def test_one_check_at_a_time_and_none_after_stop() -> None:
    hold = threading.Event()
    attempts = Attempts(failures=0, hold=hold)
    posted: list[object] = []
    watch = SpeechInputWatch(
        attempts, interval_s=60, stdin="stream", problems=MISSING, codes=("model-missing",)
    )
    assert watch.check(posted.append) is True
    assert watch.check(posted.append) is False  # the first still runs
    watch.stop()  # the kiosk stopped while the model was loading
    hold.set()
    wait_until(lambda: attempts.voice.stopped)
    assert posted == [] and attempts.calls == 1
    assert watch.check(posted.append) is False


def test_a_failing_check_does_not_end_the_checks() -> None:
    calls: list[int] = []

    def attempt() -> CheckResult:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("a bug in one check")
        return CheckResult(FakeVoice(), ("sv",))

    posted: list[Any] = []
    watch = SpeechInputWatch(attempt, interval_s=60, stdin="none", problems=(), codes=())
    assert watch.check(posted.append)
    wait_until(lambda: watch.check(posted.append))
    wait_until(lambda: posted)
    assert isinstance(posted[0], SpeechInputReady) and len(calls) == 2


def test_the_timer_posts_rechecks_until_stopped() -> None:
    posted: list[object] = []
    watch = SpeechInputWatch(
        Attempts(0), interval_s=INTERVAL_S, stdin="none", problems=(), codes=()
    )
    watch.start(posted.append)
    wait_until(lambda: len(posted) >= 3)
    watch.stop()
    time.sleep(3 * INTERVAL_S)
    count = len(posted)
    time.sleep(3 * INTERVAL_S)
    assert len(posted) == count


def test_missing_models_are_reported_with_their_codes(tmp_path: Path) -> None:
    """The real model lookup: an empty models folder gives model-missing for each language."""
    from assistant.config import config_from_dict

    config = config_from_dict({"models": {"folder": str(tmp_path), "auto_install": False}})
    plan = ensure_models(config, install=False, notice=lambda line: None)
    assert not plan.ok and plan.codes == ("model-missing", "model-missing")
    assert all("models install" in line for line in plan.problems)
