"""Röstguiden / Guide vocal: an offline voice assistant for public kiosks."""

from pathlib import Path

__version__ = "0.1.0"

#: The project checkout (where `content/`, `models/` and `run.py` live).
PROJECT_DIR = Path(__file__).resolve().parent.parent
