"""Röstguiden / Guide vocal: an offline voice assistant for public kiosks.

One subpackage per stage of a turn, in the order a turn runs: :mod:`.speech_in` (microphone
to transcript), :mod:`.understanding` (transcript to reply), :mod:`.speech_out` (reply to
sound); :mod:`.kiosk` wires them into the running kiosk and :mod:`.cli` is the command line.
The basics they share sit here: :mod:`.config`, :mod:`.errors`, :mod:`.audio` (PCM and
devices), :mod:`.content` (the documents) and :mod:`.language_data` (the languages). A layer
imports only layers below it (``tests/test_architecture.py``).
"""

from pathlib import Path

__version__ = "0.1.0"

#: The project checkout (where `content/`, `models/` and `run.py` live).
PROJECT_DIR = Path(__file__).resolve().parent.parent
