"""The real kiosk program at its first start, with the model download pointed at a hostile
server: it greets, answers a typed question and keeps running while the download fails (a cut
response) or crawls (a server trickling a byte at a time), says so, and stops cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import PROJECT_DIR
from tests.e2e.kiosk_process import KioskProcess
from tests.hostile_http import HostileServer, hostile_server, wait_until
from tests.virtual_alsa import MIC_NAME, SPEAKER_NAME, VirtualAlsa

pytestmark = [pytest.mark.e2e, pytest.mark.real_tts, pytest.mark.real_audio, pytest.mark.slow]


@pytest.fixture(scope="module")
def server() -> object:
    with hostile_server(trickle_s=0.5) as s:
        yield s


def first_boot_toml(folder: Path, download_url: str) -> tuple[Path, Path]:
    event_log = folder / "logs" / "events.jsonl"
    toml = folder / "kiosk.toml"
    toml.write_text(
        f'[content]\nfolder = "{PROJECT_DIR / "content"}"\n'
        f'[audio]\ninput_device = "{MIC_NAME}"\noutput_device = "{SPEAKER_NAME}"\n'
        f'[models]\nfolder = "{folder / "models"}"\nauto_install = true\n'
        f'download_url = "{download_url}"\ndownload_deadline_s = 10.0\ninstall_retry_s = 1.0\n'
        "[speech.voices.sv]\nrate_wpm = 250\n[speech.voices.fr]\nrate_wpm = 250\n"
        f'[logging]\nlevel = "INFO"\nevent_log = "{event_log}"\n',
        encoding="utf-8",
    )
    return toml, event_log


@pytest.mark.parametrize("behaviour", ["cut-chunked", "garbage-status", "trickle"])
def test_first_boot_serves_while_the_download_fails(
    virtual_alsa: VirtualAlsa, tmp_path: Path, server: HostileServer, behaviour: str
) -> None:
    toml, event_log = first_boot_toml(tmp_path, server.base(behaviour))
    kiosk = KioskProcess(toml, event_log, virtual_alsa)
    try:
        kiosk.event("kiosk-started", timeout_s=180)
        turn = kiosk.type_line("Vad orsakar muskelspasmer?")
        answer = kiosk.record("answer", after=turn, timeout_s=60)
        assert answer["lang"] == "sv" and answer["section"] is not None
        expected = "failed" if behaviour != "trickle" else "in the background"
        wait_until(
            f"the download notice ({expected})",
            lambda: any("speech model" in ln and expected in ln for ln in kiosk.stderr),
            timeout_s=60,
        )
        if behaviour != "trickle":
            wait_until("a retry", lambda: any("again in 1 s" in ln for ln in kiosk.stderr))
        assert kiosk.child.poll() is None, kiosk.tail()
        code, _ = kiosk.terminate(timeout_s=30)
    finally:
        kiosk.kill()
    assert code == 0, kiosk.tail()
    err = "\n".join(kiosk.stderr)
    assert "Traceback" not in err, err[-3000:]
    assert any(line.startswith("[sv] ") for line in kiosk.stdout), kiosk.stdout
    assert not any("\r" in line for line in kiosk.stderr)
