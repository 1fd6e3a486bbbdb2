"""Faults met by the real program listening on the virtual microphone with the real Korean
Vosk model: the microphone vanishing in the middle of an utterance and coming back, and the
model folder deleted or corrupted while the kiosk runs (and at its next start)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from assistant.speech_in.install import Installer
from tests.e2e.kiosk_process import KioskProcess
from tests.reliability.voice_session import VoiceSession, voice_toml
from tests.speech_input_support import KO_MODEL_NAME, KO_WORDS, ko_pcm
from tests.virtual_alsa import VirtualAlsa

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.real_audio,
    pytest.mark.real_vosk,
    pytest.mark.real_tts,
    pytest.mark.slow,
]


#: Files of the model replaced by random bytes (the acoustic model and the graph: the files
#: Kaldi reads as binary, where a damaged file must not crash the program).
CORRUPTED = ("am/final.mdl", "graph/HCLr.fst", "graph/Gr.fst")


@pytest.fixture
def alsa(tmp_path: Path) -> Iterator[VirtualAlsa]:
    devices = VirtualAlsa(tmp_path / "alsa")
    yield devices
    devices.close()


def own_model(ko_model_dir: Path, folder: Path) -> Path:
    """The Korean model installed in a models folder of this test alone (hard links)."""
    Installer(folder).install_folder(ko_model_dir, name=KO_MODEL_NAME, lang="ko")
    return folder / KO_MODEL_NAME


def test_microphone_vanishing_mid_utterance_drops_it_and_listens_again_when_back(
    alsa: VirtualAlsa, ko_model_dir: Path, tmp_path: Path
) -> None:
    toml, log = voice_toml(tmp_path, ko_model_dir)
    session = VoiceSession(toml, log, alsa)
    kiosk = session.process
    try:
        session.wait_listening()
        session.turn(wait_answer=False)  # the microphone works; the answer is playing
        long = np.concatenate([ko_pcm(w, alsa.mic_rate_hz).samples for w in KO_WORDS * 2])
        start = len(kiosk.records())
        alsa.play_into_mic(long)
        kiosk.event("barge-in", after=start, by="voice", timeout_s=20)  # speech started
        alsa.unplug_mic()
        try:
            lost = kiosk.event("input-lost", after=start, timeout_s=20)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{kiosk.tail()}") from None
        assert kiosk.record("mic-lost", after=start)["code"]
        alsa.replug_mic()
        back = kiosk.event("input-back", after=lost, timeout_s=30)
        # Nothing half-heard was answered while the microphone was gone.
        between = kiosk.records()[lost:back]
        assert not [r for r in between if r["event"] == "turn"], between
        kiosk.event("state", after=back, to="listening", timeout_s=30)
        alsa.wait_mic_idle(30)  # the rest of the long utterance, once the microphone is back
        after = session.turn(wait_answer=False)  # a whole utterance: heard and answered aloud
        assert after.fields["input"] == "voice" and after.latency_ms > 0
        code, took_s = session.close()
    finally:
        alsa.replug_mic()
        kiosk.kill()
    assert code == 0 and took_s < 2.0, kiosk.tail()
    assert "Traceback" not in kiosk.tail()


@pytest.mark.parametrize("damage", ["deleted", "corrupted"])
def test_model_folder_damaged_while_running_keeps_serving_and_next_start_types(
    alsa: VirtualAlsa, ko_model_dir: Path, tmp_path: Path, damage: str
) -> None:
    models = tmp_path / "models"
    model = own_model(ko_model_dir, models)
    toml, log = voice_toml(tmp_path, ko_model_dir, models_folder=models)
    session = VoiceSession(toml, log, alsa)
    try:
        session.wait_listening()
        session.turn()
        if damage == "deleted":
            shutil.rmtree(model)
        else:  # replaced, never written through: the files are hard links to the package's
            for name in CORRUPTED:
                path = model / name
                if path.exists():
                    path.unlink()
                    path.write_bytes(np.random.default_rng(1).bytes(4096))
        # The loaded model keeps serving this run.
        for _ in range(2):
            assert session.turn().answer_ms is not None
        code, _ = session.close()
    finally:
        session.process.kill()
    assert code == 0, session.process.tail()
    # The next start: speech input impossible, said once, typed questions served.
    toml, log = voice_toml(
        tmp_path, ko_model_dir, models_folder=models, event_log=tmp_path / "again.jsonl"
    )
    again = KioskProcess(toml, log, alsa)
    try:
        again.event("kiosk-started", timeout_s=60)
        assert again.last["keyboard_only"] is True
        asked = again.type_line("Vad är kramp?")
        again.event("answer", after=asked)
        code, _ = again.terminate()
    finally:
        again.kill()
        for reader in again._readers:  # everything it wrote to standard error, read
            reader.join(5)
    assert code == 0, again.tail()
    assert any("speech input is impossible" in line for line in again.stderr), again.stderr
    assert "Traceback" not in again.tail()
