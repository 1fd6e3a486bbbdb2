"""`run.py` under a Python without the project's packages: one line naming the missing module
and the set-up command, exit 1, no traceback.

The Python here is the real one, with its site-packages taken away (``-S``, "the system's
python3 without numpy") or replaced by a copy of the virtual environment's packages without
the audio ones (links, so nothing is installed or removed)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path
from types import ModuleType

import pytest

from assistant import PROJECT_DIR

QUESTION = "Vad orsakar muskelspasmer?"


def _run_py() -> ModuleType:
    spec = importlib.util.spec_from_file_location("run_entry", PROJECT_DIR / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run(args: list[str], *, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-S", "run.py", *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=PROJECT_DIR,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
    )


def _assert_one_line(result: subprocess.CompletedProcess[str], module: str) -> None:
    assert result.returncode == 1, result
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert f"'{module}' is missing" in lines[0], lines[0]
    assert "bash scripts/kiosk.sh" in lines[0], lines[0]
    assert result.stdout == ""


@pytest.mark.parametrize(
    "args", [["--help"], ["ask", QUESTION], ["ask", "--json", "-"], ["--keyboard"], ["doctor"]]
)
def test_without_any_package_one_line_names_numpy_and_the_setup(args: list[str]) -> None:
    _assert_one_line(_run(args, env={"PYTHONPATH": ""}), "numpy")


@pytest.fixture(scope="module")
def packages_without_audio(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The virtual environment's packages, linked one by one, without sounddevice."""
    site = Path(sysconfig.get_paths()["purelib"])
    folder = tmp_path_factory.mktemp("site")
    for entry in site.iterdir():
        if not entry.name.lower().startswith(("sounddevice", "_sounddevice")):
            (folder / entry.name).symlink_to(entry)
    return folder


def test_without_an_extra_one_line_names_it(packages_without_audio: Path) -> None:
    result = _run(["devices"], env={"PYTHONPATH": str(packages_without_audio)})
    _assert_one_line(result, "sounddevice")


def test_the_required_modules_are_the_dependencies_of_pyproject() -> None:
    """REQUIRED follows pyproject.toml (a dependency added there is looked for too), and each
    of them is importable here."""
    run_py = _run_py()
    deps = tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text())["project"]["dependencies"]
    assert len(run_py.REQUIRED) == len(deps)
    for name in run_py.REQUIRED:
        assert importlib.util.find_spec(name) is not None, name
    assert run_py.first_missing() is None


def test_a_missing_module_of_the_project_itself_is_not_a_setup_problem() -> None:
    run_py = _run_py()
    assert run_py.missing_dependency(ModuleNotFoundError(name="assistant.nothing")) is None
    assert run_py.missing_dependency(ModuleNotFoundError(name=None)) is None
    line = run_py.missing_dependency(ModuleNotFoundError(name="vosk.x"))
    assert line is not None and "'vosk'" in line
