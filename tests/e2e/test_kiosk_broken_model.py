"""The real kiosk program whose only Vosk model is broken: a value in its conf that aborts
Kaldi, or a damaged graph file that crashes it (only the child-process probe can tell). It
greets, says once in both languages that the microphone is unavailable, answers a typed
question, keeps running, and ends with SIGTERM cleanly: never an abort (exit 134)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from assistant import PROJECT_DIR
from tests.e2e.kiosk_process import KioskProcess
from tests.speech_input_support import KO_MODEL_NAME
from tests.test_model_probe import damaged_copy, set_option
from tests.virtual_alsa import MIC_NAME, SPEAKER_NAME, VirtualAlsa

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.real_audio,
    pytest.mark.real_vosk,
    pytest.mark.real_tts,
    pytest.mark.slow,
]

DAMAGE: dict[str, tuple[str, Callable[[bytes], bytes], str]] = {
    "frame-subsampling-factor-0": (
        "conf/model.conf",
        set_option("--frame-subsampling-factor", "0"),
        "model-broken",
    ),
    "sample-frequency-nan": (
        "conf/mfcc.conf",
        set_option("--sample-frequency", "nan"),
        "model-broken",
    ),
    "graph-crashes-kaldi": (
        "graph/disambig_tid.int",
        lambda _: b"99999999\n",
        "model-load-failed",
    ),
}


def broken_toml(folder: Path, models: Path) -> tuple[Path, Path]:
    event_log = folder / "events.jsonl"
    toml = folder / "kiosk.toml"
    toml.write_text(
        f'[content]\nfolder = "{PROJECT_DIR / "content"}"\n'
        f'[audio]\ninput_device = "{MIC_NAME}"\noutput_device = "{SPEAKER_NAME}"\n'
        '[recognition]\nlanguage = "ko"\nendpoint_silence_s = 0.5\nmax_utterance_s = 6.0\n'
        "recheck_interval_s = 0.5\n"
        f'[models]\nfolder = "{models}"\nauto_install = false\n'
        f'[models.languages]\nko = "{KO_MODEL_NAME}"\n'
        '[dialog]\nmode = "hands-free"\n'
        "[speech.voices.sv]\nrate_wpm = 250\n[speech.voices.fr]\nrate_wpm = 250\n"
        f'[logging]\nlevel = "INFO"\nevent_log = "{event_log}"\n',
        encoding="utf-8",
    )
    return toml, event_log


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_kiosk_whose_only_model_is_broken_greets_says_why_and_answers_typed_questions(
    virtual_alsa: VirtualAlsa, ko_model_dir: Path, tmp_path: Path, damage: str
) -> None:
    rel, edit, code = DAMAGE[damage]
    models = tmp_path / "models"
    models.mkdir()
    damaged_copy(ko_model_dir, models / KO_MODEL_NAME, {rel: edit})
    toml, event_log = broken_toml(tmp_path, models)
    virtual_alsa.clear_speaker()
    kiosk = KioskProcess(toml, event_log, virtual_alsa)
    try:
        lost = kiosk.event("input-lost", timeout_s=120)
        # Said in both languages (typing now would stop it), then the kiosk waits.
        kiosk.wait_for(
            "the end of the notice",
            lambda r: r["event"] == "state" and r.get("from") == "speaking",
            after=lost,
            timeout_s=60,
        )
        start = kiosk.type_line("Vad orsakar muskelspasmer?")
        answer = kiosk.record("answer", after=start, timeout_s=60)
        assert answer["lang"] == "sv" and answer["section"] is not None
        kiosk.event("first-audio", after=start, input="typed", timeout_s=60)
        assert kiosk.child.poll() is None, kiosk.tail()
        exit_code, _ = kiosk.terminate(30)
    finally:
        kiosk.kill()
        for reader in kiosk._readers:
            reader.join(5)
    err = "\n".join(kiosk.stderr)
    assert exit_code == 0, (exit_code, err[-3000:])
    assert "Traceback" not in err and "ASSERTION_FAILED" not in err.split("Vosk crashed")[0]
    assert code in err and "serving typed questions" in err, err[-3000:]
    out = kiosk.stdout
    assert out[:2] == [
        "[sv] Hej! Ställ din fråga på svenska.",
        "[fr] Bonjour ! Posez votre question en français.",
    ], out
    unavailable = [line for line in out if "microphone" in line.lower() or "Mikrofonen" in line]
    assert [line[:5] for line in unavailable] == ["[sv] ", "[fr] "], out
