"""Readiness checks: everything the kiosk needs, each failure with a one-line fix.

:func:`check_kiosk` runs the owners' fail-fast functions one after the other (the config, the
documents, a voice per language, the output device, the Vosk model per recognition language, the
microphone, the event-log folder) and turns each failure into a :class:`Problem`. A problem is
*blocking* when the kiosk cannot serve anyone (no documents, no voice); missing models or no
microphone are not: the kiosk then serves typed questions (keyboard mode), which
:attr:`Report.mode` says; no loudspeaker is not either: the kiosk then prints its answers only
(:attr:`Report.speaks`) and looks for the speaker again. :func:`verdict` is the one readiness
rule: ``run.py doctor`` prints it as its last line (and exits 0 only when ready), and the kiosk
prints the same line at start-up and serves accordingly.

The checks use PortAudio's current device list: a caller that runs them again later, after
devices may have changed, refreshes it first (``audio.refresh_devices``, with no stream open).
Engines are imported inside the checks, so a machine without audio gets a report, not a crash.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from assistant.config import Config
from assistant.errors import AssistantError

logger = logging.getLogger(__name__)

Mode = Literal["voice", "keyboard"]

#: Checks whose failure only takes speech input away (the kiosk falls back to keyboard mode).
SPEECH_INPUT_CHECKS = ("models", "microphone")
#: Checks whose failure only takes speech output away (the answers are printed only, and the
#: kiosk looks for the speaker again).
SPEECH_OUTPUT_CHECKS = ("output",)
#: Where the fix for a missing model expects a USB stick to be mounted (an example path).
USB_EXAMPLE = "/media/usb"


@dataclass(frozen=True)
class Problem:
    """Something the kiosk lacks, and how to fix it (one line)."""

    what: str
    fix: str
    #: True when the kiosk cannot serve visitors at all until it is fixed.
    blocking: bool
    #: The stable code of the error behind it (``model-missing``, ``device-missing`` ...).
    code: str


@dataclass(frozen=True)
class CheckResult:
    name: str
    #: The capability works (a check may pass with non-blocking problems: with ``auto``
    #: recognition, a language without a model while another one has a model).
    ok: bool
    #: What was found (when ok) or what is wrong.
    detail: str
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class Report:
    checks: tuple[CheckResult, ...]
    #: What the kiosk can run: ``voice``, or ``keyboard`` when speech input is impossible (no
    #: model or no microphone) or keyboard mode was asked for.
    mode: Mode

    @property
    def ok(self) -> bool:
        """No blocking problem: the kiosk can serve visitors (in :attr:`mode`)."""
        return not any(p.blocking for p in self.problems)

    @property
    def speaks(self) -> bool:
        """The answers can be spoken: the output device works (else they are printed only)."""
        return all(c.ok for c in self.checks if c.name in SPEECH_OUTPUT_CHECKS)

    @property
    def problems(self) -> tuple[Problem, ...]:
        return tuple(p for check in self.checks for p in check.problems)

    def check(self, name: str) -> CheckResult:
        """The result of the check called ``name`` (KeyError when there is none)."""
        for result in self.checks:
            if result.name == name:
                return result
        raise KeyError(name)


def check_kiosk(config: Config, *, keyboard: bool = False, starting: bool = False) -> Report:
    """Run every readiness check; with ``keyboard`` the speech-input checks are skipped. With
    ``starting`` (the kiosk's own start-up) each model is tried as the kiosk will load it (its
    managed endpointing conf written first), so the kiosk reuses the verdict instead of trying
    the model a second time; ``run.py doctor`` leaves the model folders as they are."""

    def models(config: Config) -> CheckResult:
        return _check_models(config, endpointing=starting)

    steps: list[tuple[str, Callable[[Config], CheckResult]]] = [
        ("config", _check_config),
        ("content", _check_content),
        ("thesaurus", _check_thesaurus),
        ("voices", _check_voices),
        ("output", _check_output),
        ("models", models),
        ("microphone", _check_microphone),
        ("echo", check_echo),
        ("event log", _check_event_log),
    ]
    results = []
    for name, step in steps:
        if keyboard and name in SPEECH_INPUT_CHECKS:
            results.append(CheckResult(name, True, "not needed in keyboard mode"))
            continue
        degrading = (
            *SPEECH_INPUT_CHECKS,
            *SPEECH_OUTPUT_CHECKS,
            "thesaurus",
            "echo",
            "event log",
        )
        results.append(
            _runnable(_guarded(name, step, config, blocking=name not in degrading), config)
        )
    speech_input = all(r.ok for r in results if r.name in SPEECH_INPUT_CHECKS)
    mode: Mode = "voice" if speech_input and not keyboard else "keyboard"
    # Not logged here: the caller reports the problems (doctor prints them, the kiosk says
    # them at start-up), once.
    return Report(tuple(results), mode)


def _runnable(result: CheckResult, config: Config) -> CheckResult:
    """The commands in the fixes as this kiosk runs them (its Python, its ``--config``)."""
    problems = tuple(dataclasses.replace(p, fix=config.runnable(p.fix)) for p in result.problems)
    return dataclasses.replace(result, problems=problems)


@dataclass(frozen=True)
class Verdict:
    """What the kiosk can do, as one line: ``ready`` for what was asked (voice mode, or
    keyboard mode with ``keyboard``)."""

    ready: bool
    line: str


def verdict(report: Report, *, keyboard: bool = False) -> Verdict:
    """The readiness rule, for ``run.py doctor`` and for the kiosk's start-up alike."""
    from assistant.kiosk.output_watch import OUTPUT_RECHECK_S

    if not report.ok:
        blocking = sum(p.blocking for p in report.problems)
        return Verdict(
            False,
            f"NOT READY: {blocking} blocking problem(s); the kiosk cannot serve visitors.",
        )
    if not report.speaks:
        asked = "typed or spoken" if report.mode == "voice" else "typed"
        return Verdict(
            False,
            f"NOT READY: no loudspeaker (see the problems above); the kiosk answers {asked} "
            f"questions in print only (a braille display) and speaks again once the speaker "
            f"is found (it looks every {OUTPUT_RECHECK_S:g} s).",
        )
    if report.mode == "voice":
        return Verdict(True, "READY for voice mode.")
    if keyboard:
        return Verdict(True, "READY for keyboard mode (typed questions, spoken answers).")
    return Verdict(
        False,
        "KEYBOARD MODE ONLY: speech input is not possible (see the problems above); the kiosk "
        "serves typed questions with spoken answers until it is fixed.",
    )


def _guarded(
    name: str, step: Callable[[Config], CheckResult], config: Config, *, blocking: bool
) -> CheckResult:
    """Run one check; its error (even one nobody foresaw) becomes its problem, not a crash."""
    try:
        return step(config)
    except AssistantError as exc:
        return _failed(name, [_problem(exc, blocking=blocking)])
    except Exception as exc:
        logger.exception("the %s check failed unexpectedly", name)
        what = f"the {name} check failed: {type(exc).__name__}: {exc}"
        fix = "run `python run.py --log-level DEBUG doctor` and report the error"
        return _failed(name, [Problem(what, fix, blocking, "check-failed")])


def _problem(exc: AssistantError, *, blocking: bool, fix: str | None = None) -> Problem:
    return Problem(exc.message, fix or exc.fix or "see the message", blocking, exc.code)


def _failed(name: str, problems: Sequence[Problem]) -> CheckResult:
    return CheckResult(name, False, "; ".join(p.what for p in problems), tuple(problems))


# -- the checks ------------------------------------------------------------------------------
def _check_config(config: Config) -> CheckResult:
    # A Config exists only once its file loaded and validated (config.load_config).
    detail = (
        f"languages {', '.join(config.languages)}; recognition {config.recognition.language}; "
        f"{config.dialog.mode}; paths relative to {config.base_dir}"
    )
    return CheckResult("config", True, detail)


def _check_content(config: Config) -> CheckResult:
    from assistant.content import load_library

    folder = config.path(config.content.folder)
    library = load_library(folder, config.languages)
    counts = {lang: len(library.sections(lang)) for lang in config.languages}
    detail = f"{len(library.documents)} documents in {folder}; sections: " + ", ".join(
        f"{lang} {n}" for lang, n in counts.items()
    )
    problems = [
        Problem(
            f"no document in {lang!r}: visitors speaking it hear only the list of topics",
            f"add {lang} documents to {folder} (format: content/README.md)",
            False,
            "content-language-missing",
        )
        for lang, n in counts.items()
        if n == 0
    ]
    return CheckResult("content", not problems, detail, tuple(problems))


def _check_thesaurus(config: Config) -> CheckResult:
    """Whether each language's thesaurus (``[language] thesaurus`` of its language data) can
    be read: without it the kiosk answers, but a visitor's word for something the documents
    say otherwise counts for nothing."""
    from assistant.language_data import language
    from assistant.understanding.thesaurus import load

    found, problems = [], []
    for lang in config.languages:
        path = language(lang).thesaurus
        if path is None:
            found.append(f"{lang} none")
        elif len(load(path)):
            found.append(f"{lang} {path}")
        else:
            package = "mythes-" + lang
            problems.append(
                Problem(
                    f"the {lang} thesaurus {path} cannot be read: words the documents say "
                    "otherwise are not understood",
                    f"apt-get install {package} (scripts/kiosk.sh installs it), or correct "
                    f"[language] thesaurus in {language(lang).folder / 'language.toml'}",
                    False,
                    "thesaurus-missing",
                )
            )
    if problems:
        return _failed("thesaurus", problems)
    return CheckResult("thesaurus", True, "; ".join(found))


def _check_voices(config: Config) -> CheckResult:
    from assistant.speech_out.synthesis import Pyttsx3Synthesizer
    from assistant.speech_out.voices import configured_voice

    synthesizer = Pyttsx3Synthesizer(config.speech.driver)
    try:
        voices = synthesizer.list_voices()
    finally:
        synthesizer.close()
    found, problems = [], []
    for lang in config.languages:
        try:
            voice = configured_voice(voices, lang, config.speech)
        except AssistantError as exc:
            problems.append(_problem(exc, blocking=True))
            continue
        found.append(f"{lang} {voice.id}")
    if problems:
        return _failed("voices", problems)
    return CheckResult("voices", True, ", ".join(found))


def _check_output(config: Config) -> CheckResult:
    from assistant.audio import list_devices
    from assistant.speech_out.playback import SoundDevicePlayer, output_device

    SoundDevicePlayer(config.audio.output_device).check()
    index = output_device(config.audio.output_device)
    names = {d.index: d.name for d in list_devices()}
    return CheckResult(
        "output", True, f"{names.get(index, '?')!r} (device {index}) accepts the speech audio"
    )


def model_languages(config: Config) -> list[str]:
    """The languages that need a model: the one configured, or every language (``auto``)."""
    wanted = config.recognition.language
    return list(config.languages) if wanted == "auto" else [wanted]


def _check_models(config: Config, *, endpointing: bool = False) -> CheckResult:
    from assistant.errors import ModelError
    from assistant.speech_in.models import loadable_model

    found, problems = [], []
    for lang in model_languages(config):
        try:  # loaded and tried in a child process (the verdict is kept while it is unchanged)
            model = loadable_model(config, lang, endpointing=endpointing)
        except ModelError as exc:
            fix = install_fix(config, lang) if exc.code == "model-missing" else None
            problems.append(_problem(exc, blocking=False, fix=fix))
            continue
        vocabulary = "restricted vocabulary" if model.supports_vocabulary else "static vocabulary"
        found.append(f"{lang} {model.name} ({vocabulary})")
    if not problems:
        return CheckResult("models", True, ", ".join(found))
    # With `auto` the kiosk listens in the languages that have a model: voice mode still works.
    usable = config.recognition.language == "auto" and bool(found)
    detail = "; ".join(p.what for p in problems)
    if usable:
        detail += f"; listening with {', '.join(found)} only"
    return CheckResult("models", usable, detail, tuple(problems))


def install_fix(config: Config, lang: str) -> str:
    """How to install the model of ``lang``: a download, or a zip or folder from a USB stick."""
    from assistant.speech_in.models import CATALOG

    wanted = config.models.languages.get(lang, "")
    if wanted in CATALOG:
        size_mb = CATALOG[wanted].size_bytes / 1e6
        return (
            f"python run.py models install {wanted} ({size_mb:.0f} MB download), or from a USB "
            f"stick: python run.py models install {USB_EXAMPLE}/{wanted}.zip (a zip or folder)"
        )
    name = Path(wanted).name if wanted else f"vosk-model-{lang}"
    return (
        f"install a Vosk model for {lang!r}: python run.py models install <URL, zip or folder> "
        f"--lang {lang} --name {name}, or set models.languages.{lang} to an installed model"
    )


def _check_microphone(config: Config) -> CheckResult:
    from assistant.speech_in.sources import RATE_HZ, MicrophoneSource

    audio = config.audio
    mic = MicrophoneSource(audio.input_device, rate_hz=audio.input_rate_hz, block_s=audio.block_s)
    mic.open()
    try:
        block = mic.read(timeout_s=max(1.0, 4 * audio.block_s))
    finally:
        mic.close()
    if block is None or len(block.samples) == 0:
        what = f"{mic.name} opens but delivers no audio"
        fix = "check the microphone and its cable (`run.py devices`)"
        return _failed("microphone", [Problem(what, fix, False, "mic-silent")])
    return CheckResult("microphone", True, f"{mic.name} delivers audio ({RATE_HZ} Hz for Vosk)")


def check_echo(config: Config) -> CheckResult:
    """Whether echo cancellation is active (``audio.echo_cancel``: its canceller loads), and the
    barge-in rule while the kiosk speaks."""
    audio = config.audio
    rule = (
        f"a voice barge-in needs the visitor {audio.echo_margin_db:g} dB over the kiosk's echo "
        f"for {audio.barge_in_voice_s:g} s"
    )
    if not audio.echo_guard:
        return CheckResult(
            "echo",
            True,
            "echo guard off (audio.echo_guard): on an open loudspeaker the kiosk may take its "
            "own voice for a barge-in; turn it on, or set dialog.voice_barge_in = false",
        )
    if audio.echo_cancel == "off":
        return CheckResult(
            "echo",
            True,
            "echo cancellation off here (audio.echo_cancel); "
            f"{audio.input_device or 'the default microphone'} must be echo-cancelled by the "
            f"system (docs/operator-guide.md); {rule}",
        )
    if audio.echo_cancel == "webrtc":
        from assistant.speech_in.webrtc_aec import load_livekit_rtc

        load_livekit_rtc()
        engine = "WebRTC's AEC3 (livekit)"
    else:
        from assistant.speech_in.echo import load_speexdsp

        load_speexdsp()
        engine = "speexdsp"
    return CheckResult(
        "echo", True, f"echo cancellation active: {engine}, the playback as reference; {rule}"
    )


def _check_event_log(config: Config) -> CheckResult:
    if not config.logging.event_log:
        return CheckResult("event log", True, "off (logging.event_log is empty)")
    path = config.path(config.logging.event_log)
    if path.is_symlink():  # the event log refuses it (O_NOFOLLOW): no event would be kept
        what = f"the event log {path} is a symbolic link: refused, its events are dropped"
        fix = "replace the link with a regular file, or set logging.event_log to the real path"
        return _failed("event log", [Problem(what, fix, False, "event-log-symlink")])
    try:
        if path.exists():
            with path.open("a", encoding="utf-8"):
                pass
        else:
            # The log's folder is made at the first event: probe the nearest folder there is.
            folder = next(p for p in path.parents if p.exists())
            if not folder.is_dir():
                raise NotADirectoryError(f"{folder} is not a folder")
            fd, probe = tempfile.mkstemp(prefix=".doctor-", dir=folder)
            os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(probe)
    except OSError as exc:
        what = f"the event log {path} cannot be written: {exc.strerror or exc}"
        fix = f"make {path.parent} writable by the kiosk's user, or set logging.event_log"
        return _failed("event log", [Problem(what, fix, False, "event-log-unwritable")])
    return CheckResult("event log", True, f"{path} is writable")
