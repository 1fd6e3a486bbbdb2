"""Stopping never hangs: a stuck shutdown step is reported with its stack and left behind, and
the process ends after the kiosk has stopped even when a thread or exit handler blocks."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
import threading

import pytest

from assistant import PROJECT_DIR
from assistant.kiosk.deadline import run_within
from assistant.kiosk.loop import Shutdown
from tests.test_kiosk import rig


def _stuck_forever(release: threading.Event) -> None:
    release.wait()


def test_a_step_that_hangs_is_reported_with_its_stack(caplog: pytest.LogCaptureFixture) -> None:
    release = threading.Event()
    try:
        with caplog.at_level(logging.ERROR, logger="assistant.kiosk.deadline"):
            assert run_within(lambda: _stuck_forever(release), 0.2, "the stuck step") is False
        assert "the stuck step still running" in caplog.text
        assert "_stuck_forever" in caplog.text, "the stack shows where it hangs"
    finally:
        release.set()


def test_a_step_that_fails_counts_as_ended_and_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    def broken() -> None:
        raise OSError("device gone")

    with caplog.at_level(logging.ERROR, logger="assistant.kiosk.deadline"):
        assert run_within(broken, 1.0, "the broken step") is True
    assert "the broken step failed" in caplog.text and "device gone" in caplog.text
    assert run_within(lambda: None, 1.0, "a quick step") is True


def test_the_kiosk_stops_although_closing_the_speech_output_hangs() -> None:
    r = rig()
    release = threading.Event()
    r.speaker.close = lambda: _stuck_forever(release)  # type: ignore[method-assign]
    codes: list[int] = []
    thread = threading.Thread(target=lambda: codes.append(r.kiosk.run()), daemon=True)
    try:
        thread.start()
        r.kiosk.post(Shutdown("test"))
        thread.join(10)
        assert not thread.is_alive() and codes == [0], "run() returned"
        assert r.log.names()[-1] == "kiosk-stopped"
        assert r.voice.stopped, "the steps after a stuck one still ran"
    finally:
        release.set()


def test_the_process_exits_with_its_code_although_a_thread_blocks_the_exit() -> None:
    """A non-daemon thread that never ends would keep Python from exiting: the exit timer ends
    the process with the kiosk's code and every thread's stack on standard error."""
    script = textwrap.dedent(
        """
        import threading
        from assistant.kiosk.deadline import exit_within

        def hold_the_exit():
            threading.Event().wait()

        threading.Thread(target=hold_the_exit, name="holder").start()
        exit_within(0.5, 7)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        check=False,
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 7, done.stderr
    assert "did not exit within 0.5 s" in done.stderr
    assert "hold_the_exit" in done.stderr, "every thread's stack is on standard error"


def test_the_process_ends_at_once_with_its_output_flushed_though_an_exit_handler_blocks() -> None:
    """After the kiosk has closed, the interpreter's teardown is skipped (an exit handler that
    would block for two minutes never runs), and what was logged and printed is not lost."""
    script = textwrap.dedent(
        """
        import atexit, logging, sys, time
        from assistant.kiosk.deadline import exit_now

        atexit.register(time.sleep, 120)
        logging.basicConfig(stream=sys.stderr, level=logging.INFO)
        logging.getLogger("kiosk").info("kiosk-stopped")
        sys.stdout.write("last line without a newline")
        exit_now(5, 3.0)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        check=False,
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 5, done.stderr
    assert done.stdout == "last line without a newline"
    assert "kiosk-stopped" in done.stderr and "did not exit" not in done.stderr
