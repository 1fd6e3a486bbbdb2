"""Installing a model from a folder (a USB stick): regular files and folders only, copied,
never linked or followed, with plain permissions; links, loops, FIFOs, device nodes and
unreadable files are refused with a message naming the path."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.errors import ModelError
from assistant.speech_in.install import Installer
from assistant.speech_in.models import read_marker
from tests.speech_input_support import make_fake_model

NAME = "vosk-model-small-xx-0.1"


@pytest.fixture
def source(tmp_path: Path) -> Path:
    return make_fake_model(tmp_path / "usb" / NAME)


@pytest.fixture
def installer(tmp_path: Path) -> Installer:
    return Installer(tmp_path / "models")


def hidden_dirs(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".") and p.is_dir())


def refused(installer: Installer, source: Path, part: str) -> ModelError:
    with pytest.raises(ModelError) as err:
        installer.install_folder(source)
    assert err.value.code == "model-copy-refused", err.value.describe()
    assert part in err.value.message, err.value.message
    assert not (installer.folder / NAME).exists()
    assert hidden_dirs(installer.folder) == []
    return err.value


def test_two_links_to_the_parent_are_refused_not_copied_for_ever(
    installer: Installer, source: Path
) -> None:
    (source / "am" / "up").symlink_to("..")
    (source / "conf" / "up").symlink_to("..")
    error = refused(installer, source, str(source / "am" / "up"))
    assert "is a link" in error.message


def test_a_link_inside_the_model_is_refused(installer: Installer, source: Path) -> None:
    (source / "am" / "final.mdl").unlink()
    (source / "am" / "final.mdl").symlink_to(source / "README")
    refused(installer, source, "am/final.mdl")


def test_a_fifo_is_refused_and_nothing_hangs(installer: Installer, source: Path) -> None:
    os.mkfifo(source / "conf" / "model.conf.orig")
    error = refused(installer, source, "conf/model.conf.orig")
    assert "FIFO" in error.message


def test_a_device_node_is_refused(installer: Installer, source: Path) -> None:
    try:
        os.mknod(source / "am" / "zero", stat.S_IFCHR | 0o600, os.makedev(1, 5))
    except (PermissionError, OSError) as exc:
        pytest.skip(f"cannot make a device node here: {exc}")
    error = refused(installer, source, "am/zero")
    assert "device" in error.message


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_an_unreadable_file_is_named(installer: Installer, source: Path) -> None:
    (source / "am" / "final.mdl").chmod(0)
    with pytest.raises(ModelError) as err:
        installer.install_folder(source)
    assert "am/final.mdl" in err.value.message
    assert hidden_dirs(installer.folder) == []


def test_files_are_copies_with_plain_permissions(installer: Installer, source: Path) -> None:
    (source / "am" / "final.mdl").chmod(0o4777)
    (source / "graph").chmod(0o777)
    check = installer.install_folder(source)
    assert check.ok
    for path in [check.path, *check.path.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        allowed = 0o755 if path.is_dir() else 0o644
        assert mode & ~allowed == 0, f"{path}: {oct(mode)}"
        if path.is_file():
            twin = source / path.relative_to(check.path)
            if twin.exists():
                assert path.stat().st_ino != twin.stat().st_ino, f"{path} is a hard link"
    # The source's owner cannot change the installed model afterwards.
    (source / "am" / "final.mdl").write_text("changed on the stick")
    assert (check.path / "am" / "final.mdl").read_text() == "am"


def test_installing_a_copy_under_another_language_leaves_the_original(
    installer: Installer, source: Path
) -> None:
    first = installer.install_folder(source, name="vosk-model-small-sv-x", lang="sv")
    second = installer.install_folder(first.path, name="copy-fr", lang="fr")
    assert read_marker(first.path)["lang"] == "sv"
    assert read_marker(second.path)["lang"] == "fr"


def test_a_link_swapped_in_during_the_copy_never_brings_its_target(
    installer: Installer, source: Path, tmp_path: Path
) -> None:
    """A thread keeps replacing a model file by a link to a secret file while the model is
    installed again and again: every install is refused or holds the file's own content."""
    secret = tmp_path / "secret"
    secret.write_text("root only")
    secret.chmod(0o600)
    victim = source / "ivector" / "final.ie"
    stop = threading.Event()

    def swap() -> None:
        while not stop.is_set():
            link = victim.with_name("swap")
            link.symlink_to(secret)
            link.replace(victim)
            plain = victim.with_name("plain")
            plain.write_text("ie")
            plain.replace(victim)

    swapper = threading.Thread(target=swap, daemon=True)
    swapper.start()
    outcomes: set[str] = set()
    try:
        for i in range(150):
            try:
                check = installer.install_folder(source, name=f"m{i}-xx", lang="xx")
            except ModelError as exc:
                # Refused, or a file vanished under the copy: never the secret.
                assert exc.code in {"model-copy-refused", "model-copy-failed"}, exc.describe()
                outcomes.add("refused")
                continue
            outcomes.add("installed")
            content = (check.path / "ivector" / "final.ie").read_text()
            assert content == "ie", f"install {i} copied the link's target"
    finally:
        stop.set()
        swapper.join(10)
    assert "installed" in outcomes
    assert hidden_dirs(installer.folder) == []


ENTRY = st.sampled_from(["file", "dir", "link", "fifo"])


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(st.sampled_from(["am", "conf", "graph", "ivector"]), ENTRY), max_size=6))
def test_random_trees_install_exactly_when_all_is_regular(
    tmp_path_factory: pytest.TempPathFactory, extra: list[tuple[str, str]]
) -> None:
    root = tmp_path_factory.mktemp("tree")
    source = make_fake_model(root / "usb" / NAME)
    for i, (where, kind) in enumerate(extra):
        path = source / where / f"extra{i}"
        if kind == "file":
            path.write_bytes(bytes([i]) * (i * 100))
        elif kind == "dir":
            (path / "inner").mkdir(parents=True)
            (path / "inner" / "f").write_text(str(i))
        elif kind == "link":
            path.symlink_to("../am/final.mdl")
        else:
            os.mkfifo(path)
    installer = Installer(root / "models")
    bad = any(kind in ("link", "fifo") for _, kind in extra)
    if bad:
        with pytest.raises(ModelError) as err:
            installer.install_folder(source)
        assert err.value.code == "model-copy-refused"
        assert not (installer.folder / NAME).exists()
    else:
        check = installer.install_folder(source)
        copied = {p.relative_to(check.path): p for p in check.path.rglob("*") if p.is_file()}
        original = {p.relative_to(source): p for p in source.rglob("*") if p.is_file()}
        assert set(copied) - set(original) == {Path(".rostguiden-model.json")}
        assert all(copied[rel].read_bytes() == p.read_bytes() for rel, p in original.items())
    assert hidden_dirs(installer.folder) == []
