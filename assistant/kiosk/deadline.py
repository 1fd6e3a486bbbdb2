"""Steps that must end in time: stopping the kiosk never hangs on a stuck device or engine.

A service manager kills a kiosk that does not stop within its stop timeout, and a visitor waits
on a kiosk that does not restart. Each shutdown step runs on a daemon thread for at most its
share of the budget; a step still running after it is reported with its stack and left behind
(the process is about to exit). After the loop has closed, :func:`exit_within` bounds the rest of
the exit the same way, and :func:`exit_now` skips the interpreter's teardown altogether.
"""

from __future__ import annotations

import contextlib
import faulthandler
import logging
import os
import sys
import threading
import traceback
from collections.abc import Callable
from typing import NoReturn

logger = logging.getLogger(__name__)


def run_within(step: Callable[[], object], timeout_s: float, what: str) -> bool:
    """Run ``step`` on its own thread; True when it ended (raising counts as ended, and is
    logged) within ``timeout_s``, False when it is still running (its stack is logged)."""
    failure: list[BaseException] = []

    def body() -> None:
        try:
            step()
        except BaseException as exc:  # reported below, on the caller's thread
            failure.append(exc)

    thread = threading.Thread(target=body, name=f"stop-{what}", daemon=True)
    thread.start()
    thread.join(max(0.0, timeout_s))
    if thread.is_alive():
        frame = sys._current_frames().get(thread.ident or -1)
        stack = "".join(traceback.format_stack(frame)) if frame is not None else "(no stack)\n"
        logger.error(
            "%s still running after %.1f s; going on without it:\n%s", what, timeout_s, stack
        )
        return False
    if failure:
        exc = failure[0]
        logger.error("%s failed: %s", what, "".join(traceback.format_exception(exc)).rstrip())
    return True


def exit_within(timeout_s: float, code: int) -> threading.Timer:
    """Arm a timer that ends the process with ``code`` if it is still alive after ``timeout_s``
    (every thread's stack goes to standard error first). The timer is a daemon: a normal exit
    does not wait for it."""

    def expire() -> None:
        logger.error(
            "the kiosk did not exit within %.1f s of stopping; every thread's stack:", timeout_s
        )
        for handler in logging.getLogger().handlers:
            handler.flush()
        faulthandler.dump_traceback(file=sys.stderr, all_threads=True)
        sys.stderr.flush()
        os._exit(code)

    timer = threading.Timer(timeout_s, expire)
    timer.daemon = True
    timer.start()
    return timer


def exit_now(code: int, flush_within_s: float) -> NoReturn:
    """End the process with ``code`` once the kiosk has closed: the logs and standard streams
    are flushed, then the process ends without the interpreter's teardown.

    That teardown frees the models object by object, runs the audio library's exit handler
    (which shuts PortAudio down, and waits on a stream a still-busy decoder thread holds) and
    joins worker threads: seconds on a loaded machine, past a service manager's patience. The
    system frees the memory and closes the devices at once. A flush that blocks (a full pipe)
    still ends within ``flush_within_s`` (:func:`exit_within`)."""
    exit_within(flush_within_s, code)
    logging.shutdown()  # flushes and closes every handler
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:
            with contextlib.suppress(OSError, ValueError):  # closed or broken: nothing to say
                stream.flush()
    os._exit(code)
