"""Installs are atomic and recoverable: one at a time per models folder, leftovers of an
interrupted install cleaned (by the next install and at the kiosk's start), an interrupted
``--force`` keeps the old model, and ``remove`` removes only models."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from assistant import PROJECT_DIR
from assistant.cli import main
from assistant.config import config_from_dict
from assistant.errors import ModelError
from assistant.speech_in.install import Download, Installer
from assistant.speech_in.models import read_marker
from tests.hostile_http import hostile_server, wait_until
from tests.speech_input_support import make_fake_model

NAME = "vosk-model-small-xx-0.1"


@pytest.fixture
def source(tmp_path: Path) -> Path:
    return make_fake_model(tmp_path / "usb" / NAME)


def hidden_dirs(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".") and p.is_dir())


def test_a_second_install_at_the_same_time_says_another_is_running(
    tmp_path: Path, source: Path
) -> None:
    models = tmp_path / "models"
    outcome: list[object] = []
    with hostile_server() as server:
        server.body = b"not even a zip"

        def first() -> None:
            try:
                spec = Download(server.url("hold"), unverified=True)
                Installer(models).install_url(spec, name=NAME)
            except ModelError as exc:
                outcome.append(exc.code)

        worker = threading.Thread(target=first, daemon=True)
        worker.start()
        wait_until("the first install to download", server.held.is_set)
        with pytest.raises(ModelError) as err:
            Installer(models).install_folder(source)
        assert err.value.code == "install-running"
        assert "another install is running" in err.value.message
        with pytest.raises(ModelError) as busy:
            Installer(models).remove(NAME)
        assert busy.value.code == "install-running"
        server.release.set()
        worker.join(30)
    assert outcome == ["archive-invalid"]
    # Once it is over, the next install runs.
    assert Installer(models).install_folder(source).ok
    assert hidden_dirs(models) == []


def test_the_command_says_another_install_is_running(
    tmp_path: Path, source: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import fcntl
    import os

    models = tmp_path / "models"
    models.mkdir()
    toml = tmp_path / "kiosk.toml"
    toml.write_text(f'[models]\nfolder = "{models}"\n')
    fd = os.open(models / ".install.lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        assert main(["--config", str(toml), "models", "install", str(source)]) == 1
    finally:
        os.close(fd)
    err = capsys.readouterr().err
    assert "another install is running" in err and "Traceback" not in err


def _interrupted_state(models: Path, source: Path) -> None:
    """What a crash in the middle of ``--force`` (old way: two renames) and of an unpack
    leave: the old model aside, nothing at its name, half a new model in a hidden folder."""
    installer = Installer(models)
    installer.install_folder(source, lang="xx")
    (models / NAME).rename(models / f".replaced-{NAME}")
    half = models / ".unpack-k3j2" / "unpacked" / NAME / "am"
    half.mkdir(parents=True)
    (half / "final.mdl").write_bytes(b"half")
    (models / ".download-x81").mkdir()
    (models / ".download-x81" / "model.zip").write_bytes(b"PK")


def test_leftovers_are_cleaned_and_an_interrupted_force_restored(
    tmp_path: Path, source: Path
) -> None:
    models = tmp_path / "models"
    _interrupted_state(models, source)
    (models / "operator-notes").mkdir()  # not ours: left alone
    cleaned = Installer(models).clean_leftovers()
    assert sorted(cleaned) == [".download-x81", f".replaced-{NAME}", ".unpack-k3j2"]
    assert hidden_dirs(models) == []
    assert read_marker(models / NAME)["lang"] == "xx"
    assert (models / "operator-notes").is_dir()


def test_the_kiosk_start_cleans_leftovers(tmp_path: Path, source: Path) -> None:
    models = tmp_path / "models"
    from assistant.kiosk.setup import clean_install_leftovers

    _interrupted_state(models, source)
    clean_install_leftovers(config_from_dict({"models": {"folder": str(models)}}))
    assert hidden_dirs(models) == []
    assert (models / NAME / "am" / "final.mdl").read_text() == "am"


CRASH_BETWEEN_RENAMES = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    import assistant.speech_in.install as install

    models, source = Path(sys.argv[1]), Path(sys.argv[2])
    target = models / source.name
    install._exchange = lambda a, b: False  # a file system without an atomic exchange
    real_rename, real_replace = Path.rename, Path.replace

    def crash_on_staged_move(move):
        def moved(self, dest):
            if Path(dest) == target and self.parent.name.startswith("."):
                os._exit(9)  # the power fails between the two renames
            return move(self, dest)
        return moved

    Path.rename = crash_on_staged_move(real_rename)
    Path.replace = crash_on_staged_move(real_replace)
    install.Installer(models).install_folder(source, force=True, lang="xx")
    """
)


def test_a_crash_during_force_keeps_the_old_model(tmp_path: Path, source: Path) -> None:
    models = tmp_path / "models"
    Installer(models).install_folder(source, lang="xx")
    (source / "README").write_text("the new model\n")
    crashed = subprocess.run(
        [sys.executable, "-c", CRASH_BETWEEN_RENAMES, str(models), str(source)],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert crashed.returncode == 9, crashed.stderr
    Installer(models).clean_leftovers()  # as the next install or the kiosk's start does
    assert (models / NAME / "README").read_text() == "fake model for tests\n"
    assert read_marker(models / NAME)["lang"] == "xx"
    assert hidden_dirs(models) == []
    # Without a crash, --force puts the new model in place and leaves nothing behind.
    Installer(models).install_folder(source, lang="xx", force=True)
    assert (models / NAME / "README").read_text() == "the new model\n"
    assert hidden_dirs(models) == []


def test_remove_removes_only_models(
    tmp_path: Path, source: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    models = tmp_path / "models"
    installer = Installer(models)
    installer.install_folder(source)
    photos = models / "photos"
    photos.mkdir()
    (photos / "holiday.jpg").write_bytes(b"jpg")
    (models / "elsewhere").symlink_to(source)
    toml = tmp_path / "kiosk.toml"
    toml.write_text(f'[models]\nfolder = "{models}"\n')
    assert main(["--config", str(toml), "models", "remove", "photos"]) == 1
    assert "is not a Vosk model" in capsys.readouterr().err
    assert (photos / "holiday.jpg").is_file()
    with pytest.raises(ModelError):
        installer.remove("elsewhere")
    assert (source / "am" / "final.mdl").is_file()
    assert main(["--config", str(toml), "models", "remove", NAME]) == 0
    assert not (models / NAME).exists()
    assert hidden_dirs(models) == []
