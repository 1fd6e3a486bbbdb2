"""The deployment: the systemd unit (hardening, a clean `systemd-analyze verify`, a restart policy
that never gives up), the real engines under the unit's kernel filters, and
`scripts/install-kiosk.sh` in a throw-away root, with the installed kiosk run as the `kiosk`
user and `scripts/kiosk.sh` refusing to run a deployed kiosk as root."""

from __future__ import annotations

import json
import os
import pwd
import re
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant import PROJECT_DIR
from assistant.audio import write_wav
from assistant.config import load_config
from tests.e2e.kiosk_process import voiced_s
from tests.speech_input_support import ko_pcm, ko_toml
from tests.unit_sandbox import read_service
from tests.virtual_alsa import SPEAKER_NAME, VirtualAlsa

UNIT = PROJECT_DIR / "deploy" / "rostguiden.service"
DROP_IN = PROJECT_DIR / "deploy" / "allow-model-download.conf"
INSTALL = PROJECT_DIR / "scripts" / "install-kiosk.sh"
MAX_EXPOSURE = 4.0
QUESTION = "Vad orsakar muskelspasmer?"


def systemd_analyze(*args: str) -> subprocess.CompletedProcess[str]:
    if shutil.which("systemd-analyze") is None:
        pytest.fail("systemd-analyze is missing: install the Debian package systemd (test.sh does)")
    return subprocess.run(
        ["systemd-analyze", *args], capture_output=True, text=True, timeout=120, check=False
    )


def exposure(unit: Path) -> float:
    done = systemd_analyze("security", "--offline=true", "--no-pager", str(unit))
    found = re.search(r"Overall exposure level for \S+: (\d+(?:\.\d+)?)", done.stdout)
    assert found, done.stdout + done.stderr
    return float(found.group(1))


def verify(unit_text: str, app: Path, folder: Path) -> subprocess.CompletedProcess[str]:
    """`systemd-analyze verify` on the unit with /opt/rostguiden moved to ``app`` (which must hold
    the executables it names)."""
    unit = folder / "rostguiden.service"
    unit.write_text(unit_text.replace("/opt/rostguiden", str(app)), encoding="utf-8")
    return systemd_analyze("verify", str(unit))


def fake_app(folder: Path) -> Path:
    app = folder / "opt" / "rostguiden"
    (app / ".venv" / "bin").mkdir(parents=True)
    (app / ".venv" / "bin" / "python").symlink_to(sys.executable)
    shutil.copy(PROJECT_DIR / "run.py", app / "run.py")
    return app


# -- the unit -----------------------------------------------------------------------------------


def test_shipped_unit_exposure_is_at_most_4() -> None:
    level = exposure(UNIT)
    assert level <= MAX_EXPOSURE, f"{UNIT}: exposure {level} > {MAX_EXPOSURE}"


def test_with_the_download_drop_in_it_stays_hardened(tmp_path: Path) -> None:
    combined = tmp_path / "rostguiden.service"
    combined.write_text(UNIT.read_text() + DROP_IN.read_text(), encoding="utf-8")
    assert exposure(combined) <= MAX_EXPOSURE
    settings = read_service(combined)
    assert settings["IPAddressDeny"] == ["any", ""]  # the drop-in clears the deny list
    assert "AF_INET" in settings["RestrictAddressFamilies"][-1]


def test_shipped_unit_and_drop_in_verify_cleanly(tmp_path: Path) -> None:
    app = fake_app(tmp_path)
    for text in (UNIT.read_text(), UNIT.read_text() + DROP_IN.read_text()):
        done = verify(text, app, tmp_path)
        assert done.returncode == 0 and not done.stderr.strip(), done.stderr


def test_unit_writes_only_its_own_folders_and_creates_private_files() -> None:
    settings = read_service(UNIT)
    assert settings["ProtectSystem"] == ["strict"]
    assert "ReadWritePaths" not in settings  # no folder that may not exist (systemd refuses)
    for key in ("StateDirectory", "LogsDirectory", "CacheDirectory"):
        assert settings[key] == ["rostguiden"], key
    assert int(settings["UMask"][-1], 8) & 0o027 == 0o027
    assert settings["User"] == ["kiosk"] and settings["SupplementaryGroups"] == ["audio"]
    assert settings["DeviceAllow"] == ["char-alsa rw"]


def test_restart_policy_never_gives_up() -> None:
    text = UNIT.read_text()
    unit_section = text.split("[Service]")[0]
    limit = re.search(r"^StartLimitIntervalSec=(\S+)", unit_section, re.M)
    assert limit and limit.group(1) in {"0", "infinity"}, "a start limit ends in a dead kiosk"
    settings = read_service(UNIT)
    assert settings["Restart"][-1] in {"always", "on-failure"}
    assert float(settings["RestartSec"][-1].rstrip("s")) >= 1.0  # not a tight loop


@pytest.mark.e2e
def test_a_failed_start_says_why_on_stderr_for_the_journal(tmp_path: Path) -> None:
    """Under systemd standard error is the journal: the reason for an exit must be there."""
    toml = tmp_path / "kiosk.toml"
    toml.write_text(f'[content]\nfolder = "{tmp_path / "missing"}"\n')
    done = run(sandboxed(sys.executable, "run.py", "--config", str(toml)), stdin=subprocess.DEVNULL)
    assert done.returncode != 0
    assert "content-missing" in done.stderr and str(tmp_path / "missing") in done.stderr


# -- the real engines under the unit's kernel filters --------------------------------------------


def sandboxed(*command: str) -> list[str]:
    return [sys.executable, "-m", "tests.unit_sandbox", str(UNIT), "--", *command]


def run(cmd: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        cmd, capture_output=True, text=True, timeout=180, check=False, cwd=PROJECT_DIR, **kwargs
    )  # type: ignore[call-overload]
    assert "Traceback" not in done.stderr, done.stderr
    return done  # type: ignore[no-any-return]


def test_the_sandbox_applies_the_units_filters() -> None:
    probe = (
        "import mmap, socket\n"
        "for what, make in [('wx', lambda: mmap.mmap(-1, 4096, prot=7)),"
        " ('inet', lambda: socket.socket(socket.AF_INET))]:\n"
        "    try:\n        make(); print(what, 'allowed')\n"
        "    except OSError as e:\n        print(what, e.errno)\n"
    )
    done = run(sandboxed(sys.executable, "-c", probe))
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == ["wx 1", "inet 97"]  # EPERM, EAFNOSUPPORT


@pytest.mark.e2e
def test_encoder_and_matching_under_the_filters() -> None:
    done = run(sandboxed(sys.executable, "run.py", "ask", "--json", QUESTION))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["section"] == 2
    assert "cannot be loaded" not in done.stderr  # the encoder ran (matching by meaning)


@pytest.mark.e2e
@pytest.mark.real_tts
def test_espeak_under_the_filters(tmp_path: Path) -> None:
    out = tmp_path / "hej.wav"
    done = run(
        sandboxed(sys.executable, "run.py", "say", "--lang", "sv", "--out", str(out), "Hej.")
    )
    assert done.returncode == 0 and out.stat().st_size > 10_000, done.stderr


@pytest.mark.e2e
@pytest.mark.real_vosk
def test_vosk_under_the_filters(ko_model_dir: Path, tmp_path: Path) -> None:
    toml = ko_toml(ko_model_dir, tmp_path)
    wav = tmp_path / "q.wav"
    write_wav(wav, ko_pcm("안녕하세요", rate_hz=22050))
    cmd = [sys.executable, "run.py", "--config", str(toml), "listen", "--wav", str(wav)]
    done = run(sandboxed(*cmd, "--json", "--no-answer"))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["transcript"]["text"]


@pytest.mark.e2e
@pytest.mark.real_tts
@pytest.mark.real_audio
def test_keyboard_kiosk_speaks_through_portaudio_under_the_filters(
    virtual_alsa: VirtualAlsa, tmp_path: Path
) -> None:
    toml = tmp_path / "kiosk.toml"
    toml.write_text(
        f'[content]\nfolder = "{PROJECT_DIR / "content"}"\n'
        f'[audio]\noutput_device = "{SPEAKER_NAME}"\n[models]\nfolder = "models"\n'
        "[speech.voices.sv]\nrate_wpm = 250\n"
        f'[logging]\nevent_log = "{tmp_path / "events.jsonl"}"\n'
    )
    virtual_alsa.clear_speaker()
    cmd = sandboxed(sys.executable, "run.py", "--config", str(toml), "--keyboard")
    done = run(cmd, input=QUESTION + "\n")
    assert done.returncode == 0, done.stderr
    assert any(line.startswith("[sv] Några vanliga orsaker") for line in done.stdout.splitlines())
    assert voiced_s(virtual_alsa.speaker_samples(), virtual_alsa.speaker_rate_hz) > 1.0


# -- the install script -------------------------------------------------------------------------


def test_install_script_help_and_bad_option() -> None:
    assert "--no-systemctl" in run(["bash", str(INSTALL), "--help"]).stdout
    bad = run(["bash", str(INSTALL), "--bogus"])
    assert bad.returncode == 2 and "unknown option" in bad.stderr


needs_root = pytest.mark.skipif(
    os.geteuid() != 0, reason="installs a system user and runs runuser: needs root (CI is root)"
)


def clean_env() -> dict[str, str]:
    """This environment without the test session's virtual ALSA configuration, which is in a
    folder only root may read (ALSA aborts the kiosk user's program on it)."""
    return {k: v for k, v in os.environ.items() if k != "ALSA_CONFIG_PATH"}


@pytest.fixture(scope="module")
def installed() -> Iterator[Path]:
    """The kiosk installed by the script into a throw-away root (readable by the kiosk user)."""
    root = Path(tempfile.mkdtemp(prefix="rostguiden-root-"))
    root.chmod(0o755)
    done = subprocess.run(
        ["bash", str(INSTALL), "--root", str(root), "--no-systemctl"],
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
        env=clean_env(),
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "install-kiosk: done" in done.stdout
    yield root
    shutil.rmtree(root, ignore_errors=True)


def as_kiosk(*command: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    kwargs.setdefault("env", clean_env())
    done = subprocess.run(
        ["runuser", "-u", "kiosk", "--", *command],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        cwd="/",
        **kwargs,
    )  # type: ignore[call-overload]
    assert "Traceback" not in done.stderr, done.stderr
    return done  # type: ignore[no-any-return]


@pytest.mark.e2e
@pytest.mark.slow
@needs_root
def test_install_lays_out_user_folders_config_and_unit(installed: Path) -> None:
    kiosk = pwd.getpwnam("kiosk")
    config_path = installed / "etc/rostguiden/kiosk.toml"
    mode = config_path.stat()
    assert stat.S_IMODE(mode.st_mode) == 0o640 and mode.st_gid == kiosk.pw_gid
    config = load_config(config_path)
    state = installed / "var/lib/rostguiden"
    assert config.path(config.content.folder) == installed / "opt/rostguiden/content"
    assert config.path(config.models.folder) == state / "models"
    assert config.path(config.matching.cache_folder) == installed / "var/cache/rostguiden"
    assert config.path(config.logging.event_log) == installed / "var/log/rostguiden/events.jsonl"
    assert config.models.auto_install is False  # the unit has no network
    for folder in (state, state / "models", installed / "var/log/rostguiden"):
        info = folder.stat()
        assert info.st_uid == kiosk.pw_uid and stat.S_IMODE(info.st_mode) == 0o750, folder
    unit = installed / "etc/systemd/system/rostguiden.service"
    assert unit.read_text() == UNIT.read_text()
    app = installed / "opt/rostguiden"
    done = verify(unit.read_text(), app, Path(tempfile.mkdtemp()))
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr
    # The application belongs to root: the kiosk user can run it, not change it.
    assert as_kiosk("test", "-w", str(app / "run.py")).returncode != 0
    # Run again: the configuration the operator edited is kept.
    config_path.write_text(config_path.read_text() + "\n# edited\n")
    again = subprocess.run(
        ["bash", str(INSTALL), "--root", str(installed), "--no-systemctl"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env=clean_env(),
    )
    assert again.returncode == 0, again.stderr
    assert "keeping" in again.stdout and config_path.read_text().endswith("# edited\n")


@pytest.mark.e2e
@pytest.mark.slow
@needs_root
def test_installed_kiosk_answers_as_the_kiosk_user(installed: Path) -> None:
    app = installed / "opt/rostguiden"
    python, config = str(app / ".venv/bin/python"), str(installed / "etc/rostguiden/kiosk.toml")
    done = as_kiosk(python, str(app / "run.py"), "--config", config, "ask", "--json", QUESTION)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["section"] == 2
    cache = installed / "var/cache/rostguiden"
    assert list(cache.glob("dense-*.npz")), "the vectors were not cached in the cache folder"


@pytest.mark.e2e
@pytest.mark.slow
@pytest.mark.real_tts
@pytest.mark.real_audio
@needs_root
def test_installed_kiosk_speaks_as_the_kiosk_user_under_the_unit_filters(installed: Path) -> None:
    """Keyboard mode with a typed question, as `kiosk`, with the installed config (its speaker
    set, as an operator does) and the installed unit's filters: the answer is printed, spoken
    through PortAudio, and the event log is not readable by other users."""
    folder = installed / "alsa"
    folder.mkdir(mode=0o755)
    alsa = VirtualAlsa(folder)
    try:
        for path in (alsa.config_path, alsa.mic_fifo, alsa.speaker_fifo):
            path.chmod(0o666)
        config = installed / "etc/rostguiden/kiosk.toml"
        text = config.read_text()
        assert 'output_device = ""' in text
        config.write_text(text.replace('output_device = ""', f'output_device = "{SPEAKER_NAME}"'))
        app = installed / "opt/rostguiden"
        python = str(app / ".venv/bin/python")
        unit = str(installed / "etc/systemd/system/rostguiden.service")
        sandbox = [python, str(app / "tests/unit_sandbox.py"), unit, "--"]
        run_py = [python, str(app / "run.py"), "--config", str(config), "--keyboard"]
        env = {**clean_env(), "ALSA_CONFIG_PATH": str(alsa.config_path)}
        done = as_kiosk(*sandbox, *run_py, input=QUESTION + "\n", env=env)
        assert done.returncode == 0, done.stderr
        assert "MemoryDenyWriteExecute" in done.stderr  # the filters were applied
        assert any(
            line.startswith("[sv] Några vanliga orsaker") for line in done.stdout.split("\n")
        )
        assert voiced_s(alsa.speaker_samples(), alsa.speaker_rate_hz) > 1.0
        event_log = installed / "var/log/rostguiden/events.jsonl"
        assert stat.S_IMODE(event_log.stat().st_mode) & 0o007 == 0, oct(event_log.stat().st_mode)
        assert any(
            json.loads(line)["event"] == "answer"
            for line in event_log.read_text().split("\n")
            if line
        )
    finally:
        alsa.close()


@pytest.mark.e2e
@pytest.mark.slow
@needs_root
def test_kiosk_sh_refuses_root_on_a_deployed_machine(installed: Path) -> None:
    script = str(installed / "opt/rostguiden/scripts/kiosk.sh")
    deployed = {**os.environ, "ROSTGUIDEN_INSTALL_ROOT": str(installed)}
    refused = run(["bash", script, "ask", QUESTION], env=deployed)
    assert refused.returncode == 1 and "systemctl start rostguiden" in refused.stderr
    assert not refused.stdout
    forced = run(["bash", script, "--as-root", "ask", QUESTION], env=deployed)
    assert forced.returncode == 0 and "Orsaker" in forced.stdout, forced.stderr
    assert run(["bash", script, "--help"], env=deployed).returncode == 0
    # A developer machine (nothing installed): the README's one command runs the kiosk as root.
    fresh = {**os.environ, "ROSTGUIDEN_INSTALL_ROOT": str(installed / "nothing-here")}
    done = run(["bash", script, "ask", QUESTION], env=fresh)
    assert done.returncode == 0 and "Orsaker" in done.stdout, done.stderr
