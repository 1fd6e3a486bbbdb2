"""The real kiosk program as a service manager runs it: standard input is /dev/null and the
models folder is empty. It stays up, says what is missing, checks again and again, reloads on
SIGHUP, starts listening once the (Korean test) model is installed, and exits 0 on SIGTERM."""

from __future__ import annotations

import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from assistant import PROJECT_DIR
from assistant.speech_in.install import Installer
from tests.e2e.kiosk_process import KioskProcess, voiced_s
from tests.speech_input_support import KO_MODEL_NAME, ko_pcm
from tests.virtual_alsa import MIC_NAME, SPEAKER_NAME, VirtualAlsa

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.real_audio,
    pytest.mark.real_vosk,
    pytest.mark.real_tts,
    pytest.mark.slow,
]

RECHECK_S = 0.5


class UnattendedKiosk(KioskProcess):
    """``run.py --config TOML`` with standard input on /dev/null, as under systemd."""

    def __init__(self, toml: Path, event_log: Path, alsa: VirtualAlsa, *args: str) -> None:
        super().__init__(toml, event_log, alsa, *args, stdin=subprocess.DEVNULL)

    def wait_stderr(self, part: str, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if any(part in line for line in self.stderr):
                return
            if self.child.poll() is not None:
                raise AssertionError(f"the kiosk exited waiting for {part!r}: {self.tail()}")
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {part!r}: {self.tail()}")


def unattended_toml(folder: Path, models: Path) -> tuple[Path, Path]:
    event_log = folder / "events.jsonl"
    toml = folder / "kiosk.toml"
    toml.write_text(
        f'[content]\nfolder = "{PROJECT_DIR / "content"}"\n'
        f'[audio]\ninput_device = "{MIC_NAME}"\noutput_device = "{SPEAKER_NAME}"\n'
        "block_s = 0.1\n"
        '[recognition]\nlanguage = "ko"\nendpoint_silence_s = 0.5\nmax_utterance_s = 6.0\n'
        f"recheck_interval_s = {RECHECK_S}\n"
        f'[models]\nfolder = "{models}"\nauto_install = false\n'
        f'[models.languages]\nko = "{KO_MODEL_NAME}"\n'
        '[dialog]\nmode = "hands-free"\n'
        f'[logging]\nlevel = "DEBUG"\nevent_log = "{event_log}"\n',
        encoding="utf-8",
    )
    return toml, event_log


def test_without_model_and_stdin_it_stays_up_and_listens_once_a_model_is_installed(
    virtual_alsa: VirtualAlsa, ko_model_dir: Path, tmp_path: Path
) -> None:
    models = tmp_path / "models"
    models.mkdir()
    toml, event_log = unattended_toml(tmp_path, models)
    ko_pcm("안녕하세요")  # rendered before the clock starts
    virtual_alsa.clear_speaker()
    kiosk = UnattendedKiosk(toml, event_log, virtual_alsa)
    try:
        kiosk.record("speech-input-waiting", timeout_s=60)
        assert kiosk.last["codes"] == ["model-missing"]
        # It keeps running past several re-checks (standard input ended long ago).
        kiosk.wait_stderr("speech input still impossible (check 4)", timeout_s=60)
        assert kiosk.child.poll() is None
        # Said aloud, once, through the speaker (and printed for a braille display).
        spoken = [line for line in kiosk.stdout if re.search("ingen talmodell|aucun modèle", line)]
        assert [line[:5] for line in spoken] == ["[sv] ", "[fr] "], kiosk.stdout
        assert not [line for line in spoken if "run.py" in line], "a visitor hears no command"
        # SIGHUP still reloads the content.
        start = len(kiosk.records())
        kiosk.child.send_signal(signal.SIGHUP)
        kiosk.event("content-reloaded", after=start, timeout_s=60)
        # The operator installs the model: the kiosk listens, without a restart.
        Installer(models).install_folder(ko_model_dir, name=KO_MODEL_NAME, lang="ko")
        ready = kiosk.event("speech-input-started", timeout_s=60)
        kiosk.event("state", to="listening", after=ready, timeout_s=60)
        start = len(kiosk.records())
        virtual_alsa.play_into_mic(
            ko_pcm("안녕하세요", rate_hz=virtual_alsa.mic_rate_hz).samples, silence_after_s=1.0
        )
        kiosk.event("heard", after=start, timeout_s=60)
        assert voiced_s(virtual_alsa.speaker_samples(), virtual_alsa.speaker_rate_hz) > 1.0
        code, exit_s = kiosk.terminate()
    finally:
        kiosk.kill()
        for reader in kiosk._readers:
            reader.join(5)
    assert code == 0 and exit_s < 2.0, (code, exit_s, kiosk.tail())
    err = "\n".join(kiosk.stderr)
    # Printed once (and logged once, with a timestamp).
    waiting = [line for line in kiosk.stderr if line.startswith("no speech input and no typed")]
    assert len(waiting) == 1 and "model-missing" in waiting[0], err[-3000:]
    assert f"run.py --config {toml} models install" in waiting[0], "the fix for this config"
    assert "speech input works now (ko): listening" in err
    assert "nothing left to listen to" not in err
    assert "Traceback" not in err
