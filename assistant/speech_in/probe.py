"""Load and try a Vosk model in a child process, so that a model that crashes Kaldi cannot.

Some damage to a model (a bad value in its conf files, a truncated file) trips a native
assertion in Kaldi that aborts the process (SIGABRT): Python cannot catch it. Before a model
is loaded in the kiosk's own process, :func:`probe_model` loads it in a child process
(``python -m assistant.speech_in.probe FOLDER``), makes a recognizer at the model's rate and
decodes a second of quiet noise. A crash, an error or a timeout there is the model's problem,
returned as one line with its cause (the signal and Kaldi's last message). The verdict is kept
by the folder's fingerprint (:mod:`.verdicts`): the kiosk pays for the probe only when the
model's files have changed.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

from assistant.speech_in import verdicts
from assistant.speech_in.model_conf import sample_rate_hz

logger = logging.getLogger(__name__)

#: How long loading and trying a model may take (a large model on a slow kiosk: a minute).
PROBE_TIMEOUT_S = 300.0
#: Audio the probe decodes.
PROBE_AUDIO_S = 1.0
_OK = "model-loads"
_PACKAGE_ROOT = Path(__file__).resolve().parents[2]


def probe_model(
    path: Path, timeout_s: float = PROBE_TIMEOUT_S, *, cached: bool = True, on_disk: bool = True
) -> str | None:
    """Why Vosk cannot load and use the model in ``path`` (one line), or None when it can.

    With ``cached`` a verdict kept for the folder's current files is returned without a new
    probe; a new verdict is kept either way, in the folder too when ``on_disk`` (a timeout is
    not kept: the machine may only have been busy)."""
    print_ = verdicts.fingerprint(path)
    if cached and print_:
        known = verdicts.lookup(path, print_)
        if known is not None:
            return known.problem
    problem, final = _run(path, timeout_s)
    if print_ and final:
        verdicts.remember(path, print_, problem, on_disk=on_disk)
    if problem:
        logger.warning("model %s cannot be loaded: %s", path, problem)
    else:
        logger.info("model %s loads and decodes (checked in a child process)", path)
    return problem


def _run(path: Path, timeout_s: float) -> tuple[str | None, bool]:
    """The child's verdict and whether it is final (a timeout or no child at all is not)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(_PACKAGE_ROOT), env.get("PYTHONPATH")]))
    command = [sys.executable, "-m", "assistant.speech_in.probe", str(path.resolve())]
    try:
        done = subprocess.run(
            command,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout_s,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return f"loading it took longer than {timeout_s:.0f} s", False
    except OSError as exc:
        return f"cannot start the load check: {exc}", False
    out = done.stdout.decode("utf-8", "replace").strip().splitlines()
    err = done.stderr.decode("utf-8", "replace")
    if done.returncode == 0 and out and out[-1] == _OK:
        return None, True
    if done.returncode < 0:
        try:
            name = signal.Signals(-done.returncode).name
        except ValueError:
            name = f"signal {-done.returncode}"
        cause = _last_message(err)
        return f"Vosk crashed loading it ({name})" + (f": {cause}" if cause else ""), True
    reported = _reported(out)
    if reported:
        return reported, True
    cause = _last_message(err)
    return f"the load check exited with {done.returncode}" + (f": {cause}" if cause else ""), True


def _reported(lines: list[str]) -> str | None:
    for line in reversed(lines):
        try:
            raw = json.loads(line)
        except ValueError:
            continue
        if isinstance(raw, dict) and isinstance(raw.get("problem"), str):
            return str(raw["problem"])
    return None


def _last_message(stderr: str) -> str:
    """Kaldi's assertion or error line, else the last line (shortened)."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    for marker in ("ASSERTION_FAILED", "ERROR", "Error", "Traceback"):
        found = [line for line in lines if marker in line]
        if found:
            return found[-1][:300]
    return lines[-1][:300] if lines else ""


def _child(folder: Path) -> int:
    """In the child: load the model, make a recognizer, decode a little audio."""
    import numpy as np

    try:
        import vosk
    except ImportError:
        _say(json.dumps({"problem": "vosk is not installed"}))
        return 3
    vosk.SetLogLevel(-1)
    rate = sample_rate_hz(folder)
    try:
        model = vosk.Model(str(folder))
        recognizer = vosk.KaldiRecognizer(model, rate)
        recognizer.SetWords(True)
        noise = np.random.default_rng(0).normal(0, 30, int(rate * PROBE_AUDIO_S))
        recognizer.AcceptWaveform(noise.astype("<i2").tobytes())
        json.loads(recognizer.FinalResult())
    except Exception as exc:  # Vosk raises a bare Exception when loading fails
        _say(json.dumps({"problem": f"Vosk could not load it: {exc}"}))
        return 2
    _say(_OK)
    return 0


def _say(line: str) -> None:
    """The child's answer to its parent, on standard output."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(_child(Path(sys.argv[1])))
