"""Entry point: `python run.py [command] ...` (no command starts the kiosk).

Output piped into a command that stops reading early (``run.py say --list-voices | head``)
ends quietly, as Python's documentation on SIGPIPE recommends: the rest of the output goes to
/dev/null and the exit status is 1, without a traceback.
"""

import os
import sys

from assistant.cli import main


def run() -> int:
    try:
        code = main()
        sys.stdout.flush()  # a broken pipe shows here, inside the try, not at exit
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # Python flushes stdout again at exit
        return 1
    return code


if __name__ == "__main__":
    raise SystemExit(run())
