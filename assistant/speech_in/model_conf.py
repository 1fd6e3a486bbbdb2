"""The numeric options of a Vosk model's conf files, checked against sane ranges.

Kaldi reads ``conf/model.conf`` (decoding and endpointing) and ``conf/mfcc.conf`` (features)
when Vosk loads a model. Most bad values there make Kaldi raise an error Vosk reports, but
some trip a native assertion that aborts the whole process (``--frame-subsampling-factor=0``,
``--sample-frequency`` 0, 1e12 or nan): no Python code can catch that. This module checks every
known numeric option before a model is handed to Vosk, with the file and line of each bad value.
It is a fast first line; the child-process probe (:mod:`.probe`) catches whatever else crashes.

A line is ``--name=value`` (Kaldi's config-file format); ``#`` starts a comment. Options this
module does not know, and booleans, are left to Kaldi (an unknown option or a bad boolean is
an error Vosk reports, not an abort).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

#: A line of a Kaldi config file: ``--name`` or ``--name=value``.
_OPTION = re.compile(r"^--[A-Za-z0-9][A-Za-z0-9._-]*(=.*)?$")
#: A number as Kaldi reads one (no Python extras such as ``1_000``).
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_INF = {"inf", "+inf", "infinity", "+infinity"}
DEFAULT_RATE_HZ = 16000


@dataclass(frozen=True)
class Range:
    """The values an option may take: ``low..high``, an integer or not, ends open or closed."""

    low: float
    high: float
    integer: bool = False
    low_open: bool = False
    high_open: bool = False
    #: ``inf`` is a meaningful value (a rule that never applies).
    infinite_ok: bool = False

    def problem(self, raw: str) -> str | None:
        """Why ``raw`` is not a value of this option, or None."""
        text = raw.strip()
        if self.infinite_ok and text.lower() in _INF:
            return None
        if not _NUMBER.match(text):
            return "is not a number"
        if self.integer and not re.match(r"^[+-]?\d+$", text):
            return "is not a whole number"
        value = float(text)
        if not math.isfinite(value):
            return "is not a finite number"
        below = value <= self.low if self.low_open else value < self.low
        above = value >= self.high if self.high_open else value > self.high
        if below or above:
            return f"is out of range ({self.describe()})"
        return None

    def describe(self) -> str:
        def num(x: float) -> str:
            return f"{x:g}"

        low = f"above {num(self.low)}" if self.low_open else f"at least {num(self.low)}"
        high = f"below {num(self.high)}" if self.high_open else f"at most {num(self.high)}"
        return f"{low} and {high}"


def _endpoint_rules() -> dict[str, Range]:
    rules: dict[str, Range] = {}
    for n in range(1, 6):
        rules[f"--endpoint.rule{n}.min-trailing-silence"] = Range(0, 3600)
        rules[f"--endpoint.rule{n}.min-utterance-length"] = Range(0, 3600)
        rules[f"--endpoint.rule{n}.max-relative-cost"] = Range(0, 1e9, infinite_ok=True)
    return rules


#: ``conf/model.conf``: the decoder, the nnet3 computation and the endpoint rules. Kaldi reads
#: the scales and beams as 32-bit floats: a positive value too small for one becomes 0 and
#: aborts it, so their floors are practical values, not 0.
MODEL_CONF: dict[str, Range] = {
    "--min-active": Range(0, 1e6, integer=True),
    "--max-active": Range(2, 1e7, integer=True),
    "--beam": Range(0.01, 1000),
    "--lattice-beam": Range(0.01, 1000),
    "--beam-delta": Range(0.001, 1000),
    "--hash-ratio": Range(1, 100),
    "--prune-interval": Range(1, 10_000, integer=True),
    "--prune-scale": Range(0.001, 1, high_open=True),
    "--acoustic-scale": Range(0.001, 100),
    "--frame-subsampling-factor": Range(1, 12, integer=True),
    "--frames-per-chunk": Range(1, 10_000, integer=True),
    "--extra-left-context-initial": Range(0, 10_000, integer=True),
    **_endpoint_rules(),
}

#: ``conf/mfcc.conf``: the audio rate and the features.
MFCC_CONF: dict[str, Range] = {
    "--sample-frequency": Range(4000, 192_000),
    "--frame-length": Range(1, 1000),
    "--frame-shift": Range(1, 1000),
    "--num-mel-bins": Range(3, 512, integer=True),
    "--num-ceps": Range(1, 512, integer=True),
    "--low-freq": Range(0, 96_000),
    "--high-freq": Range(-96_000, 96_000),
    "--preemphasis-coefficient": Range(0, 1),
    "--dither": Range(0, 1000),
    "--cepstral-lifter": Range(0, 1000),
    "--energy-floor": Range(0, 1e10),
    # Vocal-tract length normalisation is never used by Vosk's models; other values than 1
    # need a consistent set of frequencies Kaldi asserts on.
    "--vtln-warp": Range(1, 1),
}

#: The conf files of a model folder and the options checked in each.
CONF_FILES: dict[str, dict[str, Range]] = {
    "conf/model.conf": MODEL_CONF,
    "conf/mfcc.conf": MFCC_CONF,
}


def options(text: str) -> list[tuple[int, str, str]]:
    """The ``(line number, name, value)`` of each option line (comments and blanks skipped)."""
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.split("#", 1)[0].strip()
        if stripped:
            name, _, value = stripped.partition("=")
            found.append((number, name.strip(), value.strip()))
    return found


def text_problems(text: str, name: str) -> list[str]:
    """What is wrong in the text of the conf file ``name`` (``conf/model.conf``, ...)."""
    ranges = CONF_FILES.get(name, {})
    problems = []
    last: dict[str, float] = {}
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.split("#", 1)[0].strip()
        if not stripped:
            continue
        if "\x00" in stripped or not _OPTION.match(stripped):
            problems.append(f"{name} line {number}: {stripped[:60]!r} is not an --option=value")
    for number, key, value in options(text):
        spec = ranges.get(key)
        if spec is None:
            continue
        problem = spec.problem(value)
        if problem:
            problems.append(f"{name} line {number}: {key}={value[:40]} {problem}")
        elif value.lower() not in _INF:
            last[key] = float(value)
    problems += _relations(name, last)
    return problems


def _relations(name: str, values: dict[str, float]) -> list[str]:
    """Options that are fine alone but not together (Kaldi asserts on these too)."""
    problems = []
    if name == "conf/model.conf":
        low, high = values.get("--min-active", 200), values.get("--max-active", 7000)
        if low > high:
            problems.append(f"{name}: --min-active={low:g} is above --max-active={high:g}")
    if name == "conf/mfcc.conf":
        rate = values.get("--sample-frequency", DEFAULT_RATE_HZ)
        nyquist = rate / 2
        low = values.get("--low-freq", 20)
        high = values.get("--high-freq", 0)
        top = high if high > 0 else nyquist + high
        if not 0 <= low < top <= nyquist:
            problems.append(
                f"{name}: --low-freq={low:g} and --high-freq={high:g} leave no band below "
                f"half the --sample-frequency ({nyquist:g} Hz)"
            )
        bins, ceps = values.get("--num-mel-bins", 23), values.get("--num-ceps", 13)
        if ceps > bins:
            problems.append(f"{name}: --num-ceps={ceps:g} is above --num-mel-bins={bins:g}")
        length_ms = values.get("--frame-length", 25)
        if rate * length_ms / 1000 < 2 * bins:
            problems.append(
                f"{name}: a --frame-length of {length_ms:g} ms at {rate:g} Hz is too short "
                f"for {bins:g} mel bins"
            )
    return problems


def file_problems(folder: Path, name: str) -> list[str]:
    """What is wrong in the conf file ``name`` of the model ``folder`` (unreadable included)."""
    try:
        data = (folder / name).read_bytes()
    except OSError as exc:
        return [f"{name} cannot be read: {exc.strerror or exc}"]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return [f"{name} is not UTF-8 text"]
    return text_problems(text, name)


def conf_problems(folder: Path) -> list[str]:
    """What is wrong in both conf files of a model folder (the files that exist)."""
    return [
        problem
        for name in CONF_FILES
        if (folder / name).is_file()
        for problem in file_problems(folder, name)
    ]


def sample_rate_hz(folder: Path) -> int:
    """The model's audio rate (``--sample-frequency`` in ``conf/mfcc.conf``); the default when
    the file or the value is missing or not sane."""
    try:
        text = (folder / "conf" / "mfcc.conf").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return DEFAULT_RATE_HZ
    rate = DEFAULT_RATE_HZ
    for _, key, value in options(text):
        if key == "--sample-frequency":
            ok = MFCC_CONF[key].problem(value) is None
            rate = int(float(value)) if ok else DEFAULT_RATE_HZ
    return rate
