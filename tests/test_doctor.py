"""Readiness checks on this machine: real content, real espeak-ng voices, the virtual ALSA
microphone and speaker, and the real Korean Vosk model standing in for recognition."""

from __future__ import annotations

import dataclasses
import logging
import shutil
from pathlib import Path
from typing import Any

import pytest

from assistant import PROJECT_DIR
from assistant.config import Config, VoiceConfig, config_from_dict
from assistant.kiosk.doctor import Report, Verdict, check_kiosk, verdict
from tests.virtual_alsa import MIC_NAME, SPEAKER_NAME, VirtualAlsa

pytestmark = [pytest.mark.real_tts, pytest.mark.real_audio]

CHECK_NAMES = [
    "config",
    "content",
    "thesaurus",
    "voices",
    "output",
    "models",
    "microphone",
    "echo",
    "event log",
]


def kiosk_config(tmp_path: Path, **tables: dict[str, Any]) -> Config:
    """A config on the virtual devices, the shipped content, an empty models folder and an
    event log under ``tmp_path``; ``tables`` replace or extend its tables."""
    raw: dict[str, Any] = {
        "audio": {"input_device": MIC_NAME, "output_device": SPEAKER_NAME},
        "content": {"folder": str(PROJECT_DIR / "content")},
        "models": {"folder": str(tmp_path / "models")},
        "logging": {"event_log": str(tmp_path / "logs" / "events.jsonl")},
    }
    for table, values in tables.items():
        raw[table] = {**raw.get(table, {}), **values}
    return config_from_dict(raw)


def korean_recognition(config: Config, ko_model_dir: Path) -> Config:
    """``config`` recognizing Korean with the real Korean model (named by its folder)."""
    models = dataclasses.replace(
        config.models, languages={**config.models.languages, "ko": str(ko_model_dir)}
    )
    recognition = dataclasses.replace(config.recognition, language="ko")
    return dataclasses.replace(config, models=models, recognition=recognition)


def codes(report: Report) -> list[str]:
    return [p.code for p in report.problems]


def test_ready_for_voice_mode(
    virtual_alsa: VirtualAlsa, ko_model_dir: Path, tmp_path: Path
) -> None:
    report = check_kiosk(korean_recognition(kiosk_config(tmp_path), ko_model_dir))
    assert [c.name for c in report.checks] == CHECK_NAMES
    assert report.problems == (), report
    assert report.ok and report.mode == "voice"
    assert all(c.ok for c in report.checks)
    assert SPEAKER_NAME in report.check("output").detail
    assert MIC_NAME in report.check("microphone").detail
    assert "ko model" in report.check("models").detail
    assert "gmq/sv" in report.check("voices").detail and "roa/fr" in report.check("voices").detail
    assert "sv 5, fr 5" in report.check("content").detail
    assert not (tmp_path / "logs").exists()  # the check leaves nothing behind


def test_without_models_the_kiosk_runs_in_keyboard_mode(
    virtual_alsa: VirtualAlsa, tmp_path: Path
) -> None:
    report = check_kiosk(kiosk_config(tmp_path))  # recognition `auto`, no model installed
    assert report.ok and report.mode == "keyboard"
    models = report.check("models")
    assert not models.ok
    assert [p.code for p in models.problems] == ["model-missing", "model-missing"]
    sv, fr = models.problems
    assert not sv.blocking and not fr.blocking
    assert "'sv'" in sv.what and "'fr'" in fr.what
    assert "python run.py models install vosk-model-small-sv-rhasspy-0.15" in sv.fix
    assert "/media/usb/vosk-model-small-fr-0.22.zip" in fr.fix and "folder" in fr.fix
    assert report.check("microphone").ok and report.check("output").ok


def test_auto_with_one_language_installed_still_listens(
    virtual_alsa: VirtualAlsa, ko_model_dir: Path, tmp_path: Path
) -> None:
    """With ``auto``, a language without a model is reported; the one with a model listens."""
    config = kiosk_config(tmp_path, models={"languages": {"sv": str(ko_model_dir)}})
    report = check_kiosk(config)
    assert report.ok and report.mode == "voice"
    models = report.check("models")
    assert models.ok and codes(report) == ["model-missing"]
    assert "'fr'" in models.problems[0].what and "listening with sv" in models.detail


def test_a_broken_model_says_how_to_reinstall(
    virtual_alsa: VirtualAlsa, ko_model_dir: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "models" / "vosk-model-small-ko-broken"
    shutil.copytree(ko_model_dir / "conf", broken / "conf")
    config = kiosk_config(tmp_path)
    report = check_kiosk(korean_recognition(config, broken))
    assert report.mode == "keyboard" and report.ok
    (problem,) = report.problems
    assert problem.code == "model-broken" and "am/final.mdl" in problem.what
    assert "models install --force" in problem.fix


def test_no_microphone_means_keyboard_mode(
    virtual_alsa: VirtualAlsa, ko_model_dir: Path, tmp_path: Path
) -> None:
    config = kiosk_config(tmp_path, audio={"input_device": "no-such-microphone"})
    report = check_kiosk(korean_recognition(config, ko_model_dir))
    assert report.ok and report.mode == "keyboard"
    (problem,) = report.problems
    assert problem.code == "device-missing" and not problem.blocking
    assert MIC_NAME in problem.what  # the devices there are
    assert report.check("models").ok


def test_a_missing_speaker_means_printed_answers_only_and_names_the_devices(
    virtual_alsa: VirtualAlsa, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="assistant.kiosk.doctor"):
        report = check_kiosk(kiosk_config(tmp_path, audio={"output_device": "no-such-speaker"}))
    assert report.ok and not report.speaks  # it serves, by print: not blocking, not ready
    (problem,) = report.check("output").problems
    assert not problem.blocking and problem.code == "device-missing"
    assert "'no-such-speaker'" in problem.what and SPEAKER_NAME in problem.what
    assert "audio.output_device" in problem.fix
    found = verdict(report)
    assert not found.ready
    assert found.line.startswith("NOT READY: no loudspeaker")
    assert "in print only" in found.line
    assert "no-such-speaker" not in caplog.text  # the caller reports it, once


def test_the_verdict_is_ready_only_with_a_speaker(
    virtual_alsa: VirtualAlsa, tmp_path: Path
) -> None:
    report = check_kiosk(kiosk_config(tmp_path), keyboard=True)
    assert report.speaks
    assert verdict(report, keyboard=True) == Verdict(
        True, "READY for keyboard mode (typed questions, spoken answers)."
    )


def test_broken_content_is_blocking_with_file_and_line(
    virtual_alsa: VirtualAlsa, tmp_path: Path
) -> None:
    content = tmp_path / "content"
    content.mkdir()
    shutil.copy(PROJECT_DIR / "content" / "muskelspasmer.sv.md", content)
    bad = content / "broken.md"
    bad.write_text("---\nlang: sv\ntitle: Trasig\ncolour: blå\n---\n\n## Avsnitt\n\nText.\n")
    report = check_kiosk(kiosk_config(tmp_path, content={"folder": str(content)}))
    assert not report.ok
    (problem,) = report.check("content").problems
    assert problem.blocking and problem.code == "bad-front-matter"
    assert f"{bad}:4:" in problem.what


def test_a_language_without_documents_is_reported(
    virtual_alsa: VirtualAlsa, tmp_path: Path
) -> None:
    content = tmp_path / "content"
    content.mkdir()
    shutil.copy(PROJECT_DIR / "content" / "muskelspasmer.sv.md", content)
    report = check_kiosk(kiosk_config(tmp_path, content={"folder": str(content)}), keyboard=True)
    assert report.ok
    (problem,) = report.check("content").problems
    assert problem.code == "content-language-missing" and "'fr'" in problem.what
    assert not problem.blocking


def test_a_missing_voice_is_blocking(virtual_alsa: VirtualAlsa, tmp_path: Path) -> None:
    config = kiosk_config(tmp_path)
    voices = {**config.speech.voices, "fr": VoiceConfig(voice_id="no-such-voice")}
    config = dataclasses.replace(config, speech=dataclasses.replace(config.speech, voices=voices))
    report = check_kiosk(config, keyboard=True)
    assert not report.ok
    (problem,) = report.check("voices").problems
    assert problem.blocking and problem.code == "voice-missing"
    assert "roa/fr" in problem.what  # the voices there are
    assert "speech.voices.fr.voice_id" in problem.fix


def test_an_unwritable_event_log_is_reported_not_blocking(
    virtual_alsa: VirtualAlsa, tmp_path: Path
) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    config = kiosk_config(tmp_path, logging={"event_log": str(tmp_path / "a-file" / "e.jsonl")})
    report = check_kiosk(config, keyboard=True)
    assert report.ok
    (problem,) = report.check("event log").problems
    assert problem.code == "event-log-unwritable" and not problem.blocking
    off = check_kiosk(kiosk_config(tmp_path, logging={"event_log": ""}), keyboard=True)
    assert off.check("event log").ok and "off" in off.check("event log").detail


def test_keyboard_mode_needs_no_model_and_no_microphone(
    virtual_alsa: VirtualAlsa, tmp_path: Path
) -> None:
    config = kiosk_config(tmp_path, audio={"input_device": "no-such-microphone"})
    report = check_kiosk(config, keyboard=True)
    assert report.ok and report.mode == "keyboard" and report.problems == ()
    assert "not needed" in report.check("models").detail


def test_the_kiosks_own_check_tries_a_model_once_for_its_start(
    virtual_alsa: VirtualAlsa, ko_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At the kiosk's start the readiness check tries each model as it will be loaded (its
    managed endpointing conf written first), so loading it after is not a second try in a
    child process; ``run.py doctor`` leaves the folder as it is."""
    from assistant.speech_in import probe
    from assistant.speech_in.models import loadable_model
    from tests.test_model_probe import damaged_copy

    models = tmp_path / "models"
    damaged_copy(ko_model_dir, models / "vosk-model-small-ko-test")
    config = korean_recognition(kiosk_config(tmp_path), models / "vosk-model-small-ko-test")
    conf = models / "vosk-model-small-ko-test" / "conf" / "model.conf"
    before = conf.read_bytes()
    tries: list[Path] = []
    real_run = probe._run

    def counted(path: Path, timeout_s: float) -> tuple[str | None, bool]:
        tries.append(path)
        return real_run(path, timeout_s)

    monkeypatch.setattr(probe, "_run", counted)
    assert check_kiosk(config).ok and conf.read_bytes() == before, "doctor: the folder as it is"
    tries.clear()
    assert check_kiosk(config, starting=True).ok
    loadable_model(config, "ko")  # what the kiosk's start-up does next
    assert len(tries) == 1, tries
