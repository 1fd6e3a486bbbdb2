"""The start-up auto-install never takes the kiosk down: the download runs in the background,
failures are reported and retried, progress goes to the journal as lines, and a SIGHUP while
the kiosk starts is kept for a reload instead of ending it."""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from assistant import PROJECT_DIR
from assistant.config import config_from_dict
from assistant.speech_in.models import CATALOG, CatalogModel, model_for
from tests.hostile_http import hostile_server
from tests.speech_input_support import make_fake_model

NAME = "vosk-model-small-xx-0.1"


def _model_zip(tmp_path: Path) -> bytes:
    folder = make_fake_model(tmp_path / "src" / NAME)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for path in sorted(folder.rglob("*")):
            z.write(path, path.relative_to(folder.parent).as_posix())
    return buf.getvalue()


def test_a_failed_download_is_reported_and_tried_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.kiosk.autoinstall import BackgroundInstall

    body = _model_zip(tmp_path)
    entry = CatalogModel(NAME, "sv", len(body), hashlib.md5(body).hexdigest(), "test")
    monkeypatch.setitem(CATALOG, NAME, entry)
    with hostile_server() as server:
        server.body = body
        config = config_from_dict(
            {
                "models": {
                    "folder": str(tmp_path / "models"),
                    "languages": {"sv": NAME},
                    "download_url": server.base("flaky"),  # the first response is cut short
                    "install_retry_s": 1.0,
                },
                "recognition": {"language": "sv"},
            }
        )
        notices: list[str] = []
        installed: list[str] = []
        install = BackgroundInstall(
            config, [("sv", NAME)], notice=notices.append, installed=installed.append
        )
        install.start()
        assert install.join(60), notices
    assert installed == ["sv"] and install.failures == 1 and not install.pending
    assert any("failed" in n and "cut short" in n for n in notices), notices
    assert any("trying" in n and "again in 1 s" in n for n in notices), notices
    assert model_for(config, "sv").ok


def test_a_models_folder_that_cannot_be_written_is_reported_and_tried_again(
    tmp_path: Path,
) -> None:
    from assistant.kiosk.autoinstall import BackgroundInstall

    (tmp_path / "models").write_text("a file where the folder should be")
    config = config_from_dict(
        {
            "models": {"folder": str(tmp_path / "models"), "install_retry_s": 1.0},
            "recognition": {"language": "sv"},
        }
    )
    notices: list[str] = []
    install = BackgroundInstall(
        config,
        [("sv", "vosk-model-small-sv-rhasspy-0.15")],
        notice=notices.append,
        installed=lambda lang: None,
    )
    install.start()
    assert not install.join(2.5)  # still trying
    install.stop()
    assert install.join(10)
    assert install.failures >= 2 and install.pending
    assert any("models-folder-unwritable" in n for n in notices), notices


def test_progress_in_the_journal_is_lines_every_ten_percent(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from assistant.cli.models import ProgressReport

    report = ProgressReport(bar=False)
    total = 303_504_931
    for done in range(0, total + 1, 1 << 20):
        report(done, total)
    report(total, total)
    err = capsys.readouterr().err
    assert "\r" not in err
    lines = err.splitlines()
    assert [line.split()[1] for line in lines] == [str(p) for p in range(0, 101, 10)]
    assert lines[-1] == "download: 100 % (303.5 of 303.5 MB)"


SIGHUP_AT_START = textwrap.dedent(
    """
    import os, signal, sys
    import assistant.kiosk.setup as setup
    from assistant.cli import main

    class Kiosk:
        posted = []
        def post(self, item):
            self.posted.append(type(item).__name__)
        def run(self, input_lost=False):
            print("posted:", self.posted, flush=True)
            return 0

    def build_kiosk(config, **kwargs):
        os.kill(os.getpid(), signal.SIGHUP)  # systemctl reload while the kiosk starts
        return Kiosk(), False

    setup.build_kiosk = build_kiosk
    sys.exit(main(["--config", sys.argv[1], "--keyboard"]))
    """
)


def test_sighup_during_start_up_becomes_a_reload(tmp_path: Path) -> None:
    toml = tmp_path / "kiosk.toml"
    toml.write_text(f'[content]\nfolder = "{PROJECT_DIR / "content"}"\n')
    run = subprocess.run(
        [sys.executable, "-c", SIGHUP_AT_START, str(toml)],
        cwd=PROJECT_DIR,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, (run.returncode, run.stderr[-2000:])
    assert "posted: ['Reload']" in run.stdout
