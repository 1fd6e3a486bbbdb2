"""The missing speech models, downloaded in the background while the kiosk already serves.

At the first start of a kiosk no model is installed yet and the download takes minutes. The
kiosk does not wait for it: it greets and serves typed questions while a thread downloads the
missing catalog models, one after the other. Any failure (no network, a cut or malformed
response, a server too slow for ``models.download_deadline_s``, a full disk, another install
running) is reported and tried again after ``models.install_retry_s``; nothing the download
does can end the kiosk. Each installed model is announced to ``installed`` (the kiosk checks
its speech input again and starts listening); a round of attempts that left a model missing is
announced to ``delayed`` (the visitor is no longer told speech input comes shortly).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any

from assistant.config import Config
from assistant.errors import AssistantError, ModelError

logger = logging.getLogger(__name__)

Notice = Callable[[str], None]


class BackgroundInstall:
    """Installs ``missing`` (language, catalog name) pairs on a thread until all are in."""

    def __init__(
        self,
        config: Config,
        missing: Sequence[tuple[str, str]],
        *,
        notice: Notice,
        installed: Callable[[str], None],
        delayed: Callable[[], None] | None = None,
        progress: Any = None,
    ) -> None:
        self.config = config
        self.pending = list(missing)
        self.failures = 0
        self._notice = notice
        self._installed = installed
        self._delayed = delayed
        self._progress = progress
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="model-install", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """No more attempts (a download under way ends with the process)."""
        self._stop.set()

    def join(self, timeout_s: float) -> bool:
        """Wait for the thread (tests); True when it has ended."""
        self._thread.join(timeout_s)
        return not self._thread.is_alive()

    def _run(self) -> None:
        retry_s = self.config.models.install_retry_s
        while self.pending and not self._stop.is_set():
            for lang, name in list(self.pending):
                if self._stop.is_set():
                    return
                if self._install(lang, name):
                    self.pending.remove((lang, name))
                    try:
                        self._installed(lang)
                    except Exception:  # the kiosk's own re-check still finds the model
                        logger.exception("announcing the speech model %s", name)
                else:
                    self.failures += 1
            if self.pending:
                names = ", ".join(name for _, name in self.pending)
                self._notice(f"speech model install: trying {names} again in {retry_s:g} s")
                if self._delayed is not None:
                    self._delayed()
                self._stop.wait(retry_s)

    def _install(self, lang: str, name: str) -> bool:
        """One attempt; True when ``lang`` has a usable model now."""
        from assistant.speech_in.install import Installer
        from assistant.speech_in.models import model_for, models_folder

        try:
            model_for(self.config, lang)
            return True  # installed meanwhile (the operator, by hand)
        except ModelError:
            pass
        self._notice(f"downloading the speech model {name} for {lang} in the background ...")
        models = self.config.models
        try:
            Installer(
                models_folder(self.config),
                progress=self._progress,
                deadline_s=models.download_deadline_s,
            ).install_catalog(name, models.download_url)
            model_for(self.config, lang)
        except AssistantError as exc:
            self._notice(f"installing the speech model {name} failed: {exc.describe()}")
            return False
        except Exception as exc:  # whatever it is, the kiosk serves on
            logger.exception("installing the speech model %s", name)
            self._notice(f"installing the speech model {name} failed: {type(exc).__name__}")
            return False
        self._notice(f"installed the speech model {name} for {lang}")
        return True
