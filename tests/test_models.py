"""Model manager: layout checks, safe installs (folder, zip, download from loopback), removal."""

from __future__ import annotations

import hashlib
import http.server
import os
import stat
import threading
import zipfile
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

from assistant.cli import main
from assistant.errors import ModelError
from assistant.speech_in.install import Download, Installer, unpack_zip
from assistant.speech_in.models import (
    CATALOG,
    apply_endpointing,
    check_model,
    lang_from_name,
    model_for,
)
from tests.speech_input_support import config_for, make_fake_model


def zip_folder(folder: Path, dest: Path, *, prefix: str = "") -> Path:
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_STORED) as z:
        for path in sorted(folder.rglob("*")):
            z.write(path, prefix + str(path.relative_to(folder)))
    return dest


@pytest.fixture
def fake_model(tmp_path: Path) -> Path:
    return make_fake_model(tmp_path / "src" / "vosk-model-small-xx-0.1")


@pytest.fixture
def installer(tmp_path: Path) -> Installer:
    return Installer(tmp_path / "models")


@pytest.fixture(scope="module")
def http_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """A loopback HTTP server serving a folder: (folder, base URL)."""
    root = tmp_path_factory.mktemp("www")
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def leftovers(folder: Path) -> list[str]:
    """Hidden entries an install left (the lock file stays: it is the lock)."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".") and p.is_dir())


# -- layout -----------------------------------------------------------------------------------
def test_catalog_has_the_recommended_models() -> None:
    sv, fr = CATALOG["vosk-model-small-sv-rhasspy-0.15"], CATALOG["vosk-model-small-fr-0.22"]
    assert (sv.lang, sv.size_bytes, sv.md5) == (
        "sv",
        303_504_931,
        "5ae431c65fe8636692118792daa22ecc",
    )
    assert (fr.lang, fr.size_bytes, fr.md5) == (
        "fr",
        42_233_323,
        "8873b1234503f6edd55f54bfff31cf3e",
    )
    assert fr.url("https://x/models/") == "https://x/models/vosk-model-small-fr-0.22.zip"


@pytest.mark.parametrize(
    ("name", "lang"),
    [
        ("vosk-model-small-sv-rhasspy-0.15", "sv"),
        ("vosk-model-fr-0.22", "fr"),
        ("vosk-model-small-ko-0.22", "ko"),
        ("model", None),
    ],
)
def test_language_from_name(name: str, lang: str | None) -> None:
    assert lang_from_name(name) == lang


def test_check_model_tells_lookahead_from_static(tmp_path: Path) -> None:
    look = check_model(make_fake_model(tmp_path / "vosk-model-small-fr-x"))
    static = check_model(make_fake_model(tmp_path / "vosk-model-fr-x", lookahead=False))
    assert look.ok and look.supports_vocabulary and look.lang == "fr"
    assert static.ok and not static.supports_vocabulary


@pytest.mark.parametrize("broken", ["am/final.mdl", "conf/model.conf", "ivector/final.ie"])
def test_check_model_reports_missing_or_empty_parts(fake_model: Path, broken: str) -> None:
    (fake_model / broken).write_bytes(b"")
    check = check_model(fake_model)
    assert not check.ok and any(broken in p for p in check.problems)


def test_check_model_needs_a_graph(fake_model: Path) -> None:
    (fake_model / "graph" / "Gr.fst").unlink()
    assert any("graph" in p for p in check_model(fake_model).problems)


# -- installs ---------------------------------------------------------------------------------
def test_install_from_folder(installer: Installer, fake_model: Path) -> None:
    check = installer.install_folder(fake_model)
    assert check.ok and check.lang == "xx" and check.path == installer.folder / fake_model.name
    assert leftovers(installer.folder) == []
    with pytest.raises(ModelError) as err:
        installer.install_folder(fake_model)
    assert err.value.code == "model-exists"
    (fake_model / "README").write_text("new\n")
    replaced = installer.install_folder(fake_model, force=True)
    assert (replaced.path / "README").read_text() == "new\n"
    assert leftovers(installer.folder) == []


def test_install_needs_a_language(installer: Installer, tmp_path: Path) -> None:
    src = make_fake_model(tmp_path / "model")
    with pytest.raises(ModelError) as err:
        installer.install_folder(src)
    assert err.value.code == "model-language-unknown"
    assert installer.install_folder(src, name="m", lang="ko").lang == "ko"


def test_install_refuses_a_broken_folder(installer: Installer, fake_model: Path) -> None:
    (fake_model / "am" / "final.mdl").unlink()
    with pytest.raises(ModelError) as err:
        installer.install_folder(fake_model)
    assert err.value.code == "model-broken"
    assert not (installer.folder / fake_model.name).exists()


def test_install_refuses_links_out_of_the_folder(installer: Installer, fake_model: Path) -> None:
    os.symlink("/etc/passwd", fake_model / "conf" / "extra")
    with pytest.raises(ModelError) as err:
        installer.install_folder(fake_model)
    assert err.value.code == "model-copy-refused" and "conf/extra" in err.value.message


@pytest.mark.parametrize("prefix", ["", "vosk-model-small-xx-0.1/"])
def test_install_from_zip(
    installer: Installer, fake_model: Path, tmp_path: Path, prefix: str
) -> None:
    archive = zip_folder(fake_model, tmp_path / "vosk-model-small-xx-0.1.zip", prefix=prefix)
    check = installer.install_zip(archive)
    assert check.ok and check.name == "vosk-model-small-xx-0.1"
    assert (check.path / "am" / "final.mdl").read_text() == "am"
    assert leftovers(installer.folder) == []


def _evil_zip(path: Path, name: str, *, link: bool = False) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        info = zipfile.ZipInfo(name)
        if link:
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
        z.writestr(info, "/etc/passwd" if link else "x")
    return path


@pytest.mark.parametrize(
    ("entry", "link"),
    [("../escape.txt", False), ("/abs.txt", False), ("a/../../b", False), ("am/lnk", True)],
)
def test_unsafe_archives_are_refused(tmp_path: Path, entry: str, link: bool) -> None:
    target = tmp_path / "out"
    target.mkdir()
    with pytest.raises(ModelError) as err:
        unpack_zip(_evil_zip(tmp_path / "evil.zip", entry, link=link), target)
    assert err.value.code == "archive-unsafe"
    assert not (tmp_path / "escape.txt").exists() and not list(target.rglob("lnk"))


def test_archive_size_limit(tmp_path: Path, fake_model: Path) -> None:
    archive = zip_folder(fake_model, tmp_path / "m.zip")
    with pytest.raises(ModelError) as err:
        unpack_zip(archive, tmp_path, max_bytes=10)
    assert err.value.code == "archive-unsafe"


def test_truncated_and_missing_zips(installer: Installer, fake_model: Path, tmp_path: Path) -> None:
    archive = zip_folder(fake_model, tmp_path / "vosk-model-small-xx-0.1.zip")
    archive.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(ModelError) as err:
        installer.install_zip(archive)
    assert err.value.code == "archive-invalid"
    with pytest.raises(ModelError) as err:
        installer.install_zip(tmp_path / "nope.zip")
    assert err.value.code == "archive-missing"
    assert leftovers(installer.folder) == []


# -- download ---------------------------------------------------------------------------------
def test_download_checks_size_and_md5(
    installer: Installer, fake_model: Path, http_root: tuple[Path, str]
) -> None:
    root, base = http_root
    archive = zip_folder(fake_model, root / "vosk-model-small-xx-0.1.zip")
    data = archive.read_bytes()
    md5 = hashlib.md5(data).hexdigest()
    seen: list[int] = []
    installer.progress = lambda done, total: seen.append(done)
    url = f"{base}/{archive.name}"
    bad_md5 = Download(url, len(data), "0" * 32)
    with pytest.raises(ModelError) as err:
        installer.install_url(bad_md5, name="m1")
    assert err.value.code == "download-checksum"
    with pytest.raises(ModelError) as err:
        installer.install_url(Download(url, len(data) + 1, md5), name="m1")
    assert err.value.code == "download-size"
    assert leftovers(installer.folder) == [] and not (installer.folder / "m1").exists()
    check = installer.install_url(Download(url, len(data), md5), name="vosk-model-small-xx-0.1")
    assert check.ok and seen[-1] == len(data)


def test_download_failures_are_clear(installer: Installer, http_root: tuple[Path, str]) -> None:
    _, base = http_root
    with pytest.raises(ModelError) as err:
        installer.install_url(Download(f"{base}/missing.zip", md5="0" * 32), name="vosk-model-xx")
    assert err.value.code == "download-failed"
    # The catalog model is fetched from the configured base URL and checked against its size.
    (http_root[0] / "vosk-model-small-fr-0.22.zip").write_bytes(b"not the model")
    with pytest.raises(ModelError) as err:
        installer.install_catalog("vosk-model-small-fr-0.22", base)
    assert err.value.code == "download-size"


# -- endpointing, lookup, removal --------------------------------------------------------------
def test_managed_endpointing_conf(installer: Installer, fake_model: Path) -> None:
    check = installer.install_folder(fake_model)
    conf = check.path / "conf" / "model.conf"
    assert apply_endpointing(check.path, 0.6, 12.0)
    text = conf.read_text()
    assert "--endpoint.rule2.min-trailing-silence=0.60" in text and "--beam=10.0" in text
    assert text.count("rule2") == 1
    assert not apply_endpointing(check.path, 0.6, 12.0)
    assert apply_endpointing(check.path, 1.0, 12.0)
    assert "rule2.min-trailing-silence=1.00" in conf.read_text()
    # The source folder (hard-linked at install) keeps its own file.
    assert (fake_model / "conf" / "model.conf").read_text().count("0.5") == 1
    assert (check.path / "conf" / "model.conf.orig").read_text() == (
        fake_model / "conf" / "model.conf"
    ).read_text()


def test_model_for_language(tmp_path: Path, fake_model: Path) -> None:
    config = config_for(tmp_path / "models", {"xx": "vosk-model-small-xx-0.1"})
    with pytest.raises(ModelError) as err:
        model_for(config, "xx")
    assert err.value.code == "model-missing"
    Installer(tmp_path / "models").install_folder(fake_model)
    assert model_for(config, "xx").name == "vosk-model-small-xx-0.1"
    (tmp_path / "models" / fake_model.name / "am" / "final.mdl").unlink()
    with pytest.raises(ModelError) as err:
        model_for(config, "xx")
    assert err.value.code == "model-broken"


def test_remove(installer: Installer, fake_model: Path) -> None:
    installer.install_folder(fake_model)
    installer.remove(fake_model.name)
    assert not (installer.folder / fake_model.name).exists()
    for name in ("nothing", "../x", ".hidden"):
        with pytest.raises(ModelError):
            installer.remove(name)


# -- command line -----------------------------------------------------------------------------
def test_models_command(
    tmp_path: Path, fake_model: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'languages = ["xx"]\n[dialog]\ndefault_language = "xx"\n'
        f'[models]\nfolder = "{tmp_path / "models"}"\n'
        f'[models.languages]\nxx = "{fake_model.name}"\n'
    )
    assert main(["--config", str(config), "models", "install", str(fake_model)]) == 0
    assert main(["--config", str(config), "models", "list"]) == 0
    out = capsys.readouterr().out
    assert "vocabulary can be restricted" in out and "used for xx" in out
    assert "vosk-model-small-fr-0.22" in out
    assert main(["--config", str(config), "models", "verify"]) == 0
    (tmp_path / "models" / fake_model.name / "am" / "final.mdl").unlink()
    assert main(["--config", str(config), "models", "verify"]) == 1
    assert "BROKEN" in capsys.readouterr().out
    assert main(["--config", str(config), "models", "remove", fake_model.name]) == 0
    assert main(["--config", str(config), "models", "install", str(tmp_path / "nothing")]) == 1
    assert "model-unknown" in capsys.readouterr().err


def test_models_command_downloads_with_checks(
    tmp_path: Path,
    fake_model: Path,
    http_root: tuple[Path, str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    root, base = http_root
    archive = zip_folder(fake_model, root / "vosk-model-small-yy-0.2.zip")
    md5 = hashlib.md5(archive.read_bytes()).hexdigest()
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[models]\nfolder = "{tmp_path / "models"}"\n')
    cmd = ["--config", str(config), "models", "install", f"{base}/{archive.name}"]
    assert main([*cmd, "--md5", "f" * 32]) == 1
    assert "download-checksum" in capsys.readouterr().err
    assert main([*cmd, "--md5", md5, "--size", str(archive.stat().st_size)]) == 0
    captured = capsys.readouterr()
    assert "installed vosk-model-small-yy-0.2 (yy)" in captured.out
    assert "MB" in captured.err  # the progress bar
    assert check_model(tmp_path / "models" / "vosk-model-small-yy-0.2").ok
