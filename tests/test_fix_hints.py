"""Fix hints are commands for this kiosk: its Python and, when it was given one, its
``--config FILE`` (the command then acts on the same models and documents)."""

from __future__ import annotations

import dataclasses
import shlex
import sys
from pathlib import Path

import pytest

from assistant import PROJECT_DIR
from assistant.config import Config, load_config
from assistant.kiosk.doctor import check_kiosk


def _python() -> str:
    python = Path(sys.executable)
    return shlex.quote(
        str(python.relative_to(PROJECT_DIR)) if python.is_relative_to(PROJECT_DIR) else str(python)
    )


def test_commands_in_a_hint_carry_the_config_and_stay_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(PROJECT_DIR)
    config = dataclasses.replace(Config(), config_file=Path("/etc/rostguiden/kiosk.toml"))
    hint = "run: python run.py models install x, then `python run.py doctor`; see myrun.py"
    shown = config.runnable(hint)
    prefix = f"{_python()} run.py --config /etc/rostguiden/kiosk.toml"
    assert shown == f"run: {prefix} models install x, then `{prefix} doctor`; see myrun.py"
    assert config.runnable(shown) == shown, "a hint shown once is not changed again"
    assert Config().runnable(hint).startswith(f"run: {_python()} run.py models install x")


def test_the_doctor_prints_the_model_install_for_this_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(PROJECT_DIR)
    models = tmp_path / "models"
    models.mkdir()
    toml = tmp_path / "kiosk.toml"
    toml.write_text(
        f'[content]\nfolder = "{PROJECT_DIR / "content"}"\n'
        f'[models]\nfolder = "{models}"\nauto_install = false\n[logging]\nevent_log = ""\n',
        encoding="utf-8",
    )
    report = check_kiosk(load_config(toml))
    fixes = [p.fix for p in report.problems if p.code == "model-missing"]
    assert fixes, report
    for fix in fixes:
        assert f"{_python()} run.py --config {toml} models install" in fix
        assert "python run.py models" not in fix, "every command in it is rendered"
