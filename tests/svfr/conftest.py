"""The opt-in tier's shared fixture: the project's config, or a skip naming what is missing."""

from __future__ import annotations

import pytest

from assistant.config import Config, load_config
from assistant.errors import ModelError
from assistant.speech_in.models import model_for


@pytest.fixture(scope="session")
def config() -> Config:
    config = load_config()
    missing = []
    for lang in ("sv", "fr"):
        try:
            model_for(config, lang)
        except ModelError as exc:
            missing.append(f"{lang}: {exc.message}")
    if missing:
        pytest.skip(
            "the Swedish and French Vosk models are not installed in models/ "
            f"({'; '.join(missing)}); install them with `python run.py models install`"
        )
    return config
