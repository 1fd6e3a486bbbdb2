"""Downloads against a hostile HTTP server on 127.0.0.1: every bad response is a clear
ModelError (never an http.client exception), a trickling server meets the overall deadline,
a redirect to ftp:// is refused, a URL without checksum needs --unverified, and a zip bomb is
refused against the free disk space (a small disk is injected)."""

from __future__ import annotations

import hashlib
import io
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.cli import main
from assistant.errors import ModelError
from assistant.speech_in.install import Download, Installer, download
from tests.hostile_http import BEHAVIOURS, HostileServer, hostile_server
from tests.speech_input_support import make_fake_model


@pytest.fixture(scope="module")
def server() -> Iterator[HostileServer]:
    with hostile_server(trickle_s=0.2) as s:
        yield s


@pytest.fixture(scope="module")
def model_zip(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    folder = make_fake_model(tmp_path_factory.mktemp("src") / "vosk-model-small-xx-0.1")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for path in sorted(folder.rglob("*")):
            z.write(path, path.relative_to(folder.parent).as_posix())
    return buf.getvalue()


def fetch(spec: Download, dest: Path) -> ModelError:
    """Run the download on a thread (a hang guard: the old code could wait for ever)."""
    outcome: list[BaseException | None] = []

    def work() -> None:
        try:
            download(spec, dest)
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    worker.join(60)
    assert outcome, "the download still runs"
    error = outcome[0]
    assert isinstance(error, ModelError), repr(error)
    return error


@pytest.mark.parametrize("behaviour", BEHAVIOURS)
def test_every_bad_response_is_a_clear_model_error(
    server: HostileServer, tmp_path: Path, behaviour: str
) -> None:
    spec = Download(server.url(behaviour), md5="0" * 32, timeout_s=5.0, deadline_s=2.0)
    error = fetch(spec, tmp_path / "m.zip")
    expected = {
        "cut-chunked": "download-failed",
        "garbage-status": "download-failed",
        "many-headers": "download-failed",
        "long-header": "download-failed",
        "cut-length": "download-incomplete",
        "trickle": "download-timeout",
        "ftp-redirect": "download-refused",
    }[behaviour]
    assert error.code == expected, error.describe()
    assert spec.url in error.describe()
    assert "Traceback" not in error.describe()


def test_the_deadline_also_bounds_a_server_trickling_its_headers(tmp_path: Path) -> None:
    """The per-read timeout never fires on a byte every 0.2 s; the deadline does, even while
    the client still reads the status line."""
    with hostile_server(trickle_s=0.2) as s:
        original = s.respond

        def trickle_head(kind: str, out: object) -> None:
            if kind != "slow-head":
                return original(kind, out)
            while not s.stopped.wait(0.2):
                out.write(b"H")  # type: ignore[attr-defined]
                out.flush()  # type: ignore[attr-defined]
            return None

        s.respond = trickle_head  # type: ignore[method-assign]
        error = fetch(Download(s.url("slow-head"), deadline_s=1.5), tmp_path / "m.zip")
    assert error.code == "download-timeout"
    assert "1.5 s" in error.message


def test_install_from_a_bad_response_leaves_nothing(server: HostileServer, tmp_path: Path) -> None:
    models = tmp_path / "models"
    installer = Installer(models, deadline_s=2.0)
    for behaviour in BEHAVIOURS:
        with pytest.raises(ModelError):
            installer.install_url(
                Download(server.url(behaviour), md5="0" * 32, deadline_s=2.0), name="m-xx"
            )
    assert sorted(p.name for p in models.iterdir()) == [".install.lock"]


def test_a_url_needs_a_checksum_unless_unverified(
    server: HostileServer, model_zip: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.body = model_zip
    installer = Installer(tmp_path / "models")
    with pytest.raises(ModelError) as err:
        installer.install_url(Download(server.url("file")), name="vosk-model-small-xx-0.1")
    assert err.value.code == "download-unverified" and "--sha256" in err.value.describe()
    sha = hashlib.sha256(model_zip).hexdigest()
    check = installer.install_url(
        Download(server.url("file"), sha256=sha), name="vosk-model-small-xx-0.1"
    )
    assert check.ok
    with pytest.raises(ModelError) as bad:
        installer.install_url(
            Download(server.url("file"), sha256="1" * 64), name="other-xx", lang="xx"
        )
    assert bad.value.code == "download-checksum"
    # The command: refused without a checksum, installed with --unverified (and said so).
    toml = tmp_path / "kiosk.toml"
    toml.write_text(f'[models]\nfolder = "{tmp_path / "cli-models"}"\n')
    url = server.url("file")
    assert main(["--config", str(toml), "models", "install", url, "--lang", "xx"]) == 1
    assert "--unverified" in capsys.readouterr().err
    args = ["--config", str(toml), "models", "install", url, "--lang", "xx", "--unverified"]
    assert main(args) == 0
    assert "unverified" in capsys.readouterr().out
    assert (tmp_path / "cli-models" / "vosk-model-small-xx-0.1" / "am" / "final.mdl").is_file()


def _bomb(size: int) -> bytes:
    """A small zip whose one (honestly declared) entry unpacks to ``size`` bytes of zeros."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z, z.open("bomb/am/x", "w") as f:
        chunk = bytes(1 << 20)
        for _ in range(size // len(chunk)):
            f.write(chunk)
    return buf.getvalue()


def test_a_zip_bomb_is_refused_against_the_free_disk_space(
    server: HostileServer, tmp_path: Path
) -> None:
    bomb = _bomb(64 << 20)
    assert len(bomb) < 1 << 20  # under 1 MB, 64 MB unpacked: far under the 8 GB limit
    server.body = bomb
    models = tmp_path / "models"
    small_disk = Installer(models, free_space=lambda path: 40 << 20, min_free_bytes=4 << 20)
    sha = hashlib.sha256(bomb).hexdigest()
    with pytest.raises(ModelError) as err:
        small_disk.install_url(Download(server.url("file"), sha256=sha), name="b-xx")
    assert err.value.code == "disk-full"
    assert str(models) in err.value.message and "free" in err.value.message
    assert sorted(p.name for p in models.iterdir()) == [".install.lock"]


def test_the_free_space_is_checked_while_unpacking(tmp_path: Path) -> None:
    """Enough room at the start, then the disk fills (another writer): refused on the way."""
    archive = tmp_path / "bomb.zip"
    archive.write_bytes(_bomb(8 << 20))
    from assistant.speech_in.diskspace import SpaceGuard

    free = iter([100 << 20, *([0] * 100)])
    guard = SpaceGuard(tmp_path, lambda path: next(free), 1 << 20, check_every_bytes=1 << 20)
    from assistant.speech_in.copying import unpack_zip

    (tmp_path / "out").mkdir()
    with pytest.raises(ModelError) as err:
        unpack_zip(archive, tmp_path / "out", space=guard)
    assert err.value.code == "disk-full"


def test_a_download_bigger_than_the_disk_is_refused_before_it_starts(
    server: HostileServer, model_zip: bytes, tmp_path: Path
) -> None:
    from assistant.speech_in.diskspace import SpaceGuard

    server.body = model_zip
    guard = SpaceGuard(tmp_path, lambda path: len(model_zip), 1 << 20)
    with pytest.raises(ModelError) as err:
        download(Download(server.url("file")), tmp_path / "m.zip", space=guard)
    assert err.value.code == "disk-full"
    assert server.requests  # it asked, learnt the size, and refused
