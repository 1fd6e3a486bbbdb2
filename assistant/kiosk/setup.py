"""Start-up of the kiosk: from the configuration to a running :class:`~assistant.kiosk.loop.Kiosk`.

Order: the leftovers of interrupted model installs cleaned, the documents (none is fatal:
nothing to answer from), the readiness checks of :mod:`assistant.kiosk.doctor`, the speech
models, the speaker, then speech input. Missing catalog models are downloaded in the background
when ``models.auto_install`` is on (:mod:`assistant.kiosk.autoinstall`): the kiosk greets and
serves typed questions meanwhile, and listens once a model is in.

When speech input is impossible (no model, and no way to install one) the kiosk says why,
printed and spoken, and serves typed questions instead: the same dialog; and it keeps checking
(:mod:`assistant.kiosk.recheck`) whether a model has been installed meanwhile, and then starts
listening, built the same way as at start-up. A microphone that is missing is not a reason to
give up speech input: the listener keeps trying to open it, and typed questions work meanwhile.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TextIO

from assistant.audio import PlaybackReference
from assistant.config import Config
from assistant.errors import AssistantError, AudioError, ContentError, ModelError
from assistant.kiosk.recheck import CheckResult, Recheck, SpeechInputWatch, stdin_kind

if TYPE_CHECKING:
    from pathlib import Path

    from assistant.kiosk.doctor import Report
    from assistant.kiosk.inputs import VoiceInput
    from assistant.kiosk.loop import Kiosk
    from assistant.speech_in.recognition import Recognizer
    from assistant.understanding.answering import QuestionAnswerer

logger = logging.getLogger(__name__)

Notice = Callable[[str], None]


@dataclass(frozen=True)
class SpeechInputPlan:
    """Whether the kiosk listens, and why not."""

    languages: tuple[str, ...]
    #: Empty when speech input can run; else one line per reason, and the error codes.
    problems: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


def model_languages(config: Config) -> list[str]:
    """Languages that need a model: the configured recognition language, or every language."""
    wanted = config.recognition.language
    return list(config.languages) if wanted == "auto" else [wanted]


def check_readiness(config: Config, *, keyboard: bool, notice: Notice) -> Report | None:
    """The doctor's start-up checks, each problem reported once with its fix, then the
    doctor's verdict line (never fatal here: the kiosk's own start-up decides what it can
    run, by the same rule). None when the checks themselves failed."""
    from assistant.kiosk.doctor import check_kiosk, verdict

    try:
        report = check_kiosk(config, keyboard=keyboard, starting=True)
    except Exception:
        logger.exception("the readiness checks failed")
        return None
    for check in report.checks:
        if check.name == "models":  # said once, by ensure_models (with what the kiosk does)
            continue
        for problem in check.problems:
            kind = "problem" if problem.blocking else "note"
            notice(f"readiness {kind}: {problem.what} (fix: {problem.fix})")
    if report.problems:
        notice(f"readiness: {verdict(report, keyboard=keyboard).line}")
    return report


def ensure_models(
    config: Config, *, install: bool, notice: Notice, progress: Any = None
) -> SpeechInputPlan:
    """The recognition languages with a usable model, installing missing ones when allowed."""
    # Each model is loaded and tried in a child process first (loadable_model): one that
    # crashes Vosk is a problem of speech input, not the end of the kiosk.
    from assistant.speech_in.models import CATALOG, loadable_model, models_folder

    usable: list[str] = []
    problems: list[str] = []
    codes: list[str] = []
    for lang in model_languages(config):
        try:
            loadable_model(config, lang)
            usable.append(lang)
            continue
        except ModelError as exc:
            missing = exc
        name = config.models.languages.get(lang, "")
        if install and missing.code == "model-missing" and name in CATALOG:
            from assistant.speech_in.install import Installer

            notice(f"installing the speech model {name} for {lang} ...")
            try:
                Installer(models_folder(config), progress=progress).install_catalog(
                    name, config.models.download_url
                )
                loadable_model(config, lang)
                usable.append(lang)
                continue
            except AssistantError as exc:
                problems.append(f"{missing.describe()}; installing it failed: {exc.describe()}")
                codes.append(missing.code)
                continue
        problems.append(missing.describe())
        codes.append(missing.code)
    if config.recognition.language == "auto" and usable:
        for line in problems:
            notice(f"speech input without that language: {line}")
        return SpeechInputPlan(tuple(usable))
    return SpeechInputPlan(tuple(usable), tuple(problems), tuple(codes))


def missing_catalog_models(config: Config) -> list[tuple[str, str]]:
    """The recognition languages without a model whose configured model is in the catalog (it
    can be downloaded): (language, model name) pairs."""
    from assistant.speech_in.models import CATALOG, model_for

    missing: list[tuple[str, str]] = []
    for lang in model_languages(config):
        name = config.models.languages.get(lang, "")
        try:
            model_for(config, lang)
        except ModelError as exc:
            if exc.code == "model-missing" and name in CATALOG:
                missing.append((lang, name))
    return missing


def clean_install_leftovers(config: Config) -> None:
    """What interrupted installs left in the models folder (nothing while one runs)."""
    from assistant.speech_in.install import Installer
    from assistant.speech_in.models import models_folder

    try:
        cleaned = Installer(models_folder(config)).clean_leftovers()
    except OSError as exc:
        logger.warning("models folder: leftovers not cleaned: %s", exc)
        return
    if cleaned:
        logger.info("models folder: cleaned %s", ", ".join(cleaned))


def load_brain(config: Config) -> QuestionAnswerer:
    """The question-answering core; no documents is fatal (nothing to answer from)."""
    from assistant.content import load_library
    from assistant.understanding.answering import answerer_for

    try:
        library = load_library(config.path(config.content.folder), config.languages)
    except ContentError as exc:
        why = f"nothing to answer from: {exc.message}"
        raise ContentError(exc.code, why, fix=exc.fix) from None
    brain = answerer_for(library, config)
    brain.warm_up()
    return brain


def _preload_models(config: Config, languages: Sequence[str]) -> None:
    """Load the models now (they are kept for the process); a failure is reported later, by
    the listening it would serve."""
    from assistant.speech_in.recognition import load_model

    for lang in languages:
        try:
            load_model(config, lang)
        except AssistantError as exc:
            logger.debug("preloading the %s model: %s", lang, exc.describe())


def _vocabulary(config: Config, brain: QuestionAnswerer, langs: Sequence[str]) -> dict[str, Any]:
    from assistant.understanding.intents import command_phrases

    return {
        lang: [*brain.library.texts(lang), *command_phrases(lang)]
        for lang in langs
        if lang in config.languages
    }


@dataclass(frozen=True)
class Listening:
    """Speech input: the voice input on the microphone, and its recognizer."""

    voice: VoiceInput
    recognizer: Recognizer
    languages: tuple[str, ...]

    def stop(self, timeout_s: float = 1.0) -> None:
        self.voice.stop(timeout_s)

    def follow(self, config: Config, brain: QuestionAnswerer) -> None:
        """Restrict recognition to the words of reloaded content."""
        from assistant.speech_in.recognition import vosk_recognizers

        if not config.recognition.restrict_vocabulary:
            return
        words = _vocabulary(config, brain, self.languages)
        for r in vosk_recognizers(self.recognizer):
            if r.grammar is not None:
                r.set_vocabulary(words.get(r.lang))


def build_listening(
    config: Config,
    languages: Sequence[str],
    content: Callable[[], QuestionAnswerer],
    post: Callable[[object], None],
    audio_folder: Path | None,
    *,
    reference: PlaybackReference | None = None,
) -> Listening:
    """Speech input for ``languages`` (their models usable), not started yet; ``content()`` is
    the content in use (it follows reloads); ``reference``: what the speaker plays (the echo
    guard's reference)."""
    from assistant.kiosk.inputs import VoiceInput
    from assistant.speech_in.listening import microphone_listener
    from assistant.speech_in.recognition import build_recognizer

    def fit(text: str, lang: str) -> float:
        return content().fit(text, lang)

    def complete(text: str, lang: str) -> bool:
        return content().reads_complete(text, lang)

    recognizer = build_recognizer(config, _vocabulary(config, content(), languages), fit)
    listener = microphone_listener(config, recognizer, complete, reference)
    voice = VoiceInput(listener, recognizer, post, audio_folder=audio_folder)
    return Listening(voice, recognizer, tuple(languages))


class _Wiring:
    """What start-up connects and what changes while the kiosk runs: the content in use (a
    reload, SIGHUP, replaces it), the speech input once there is one, and the kiosk that
    inputs post to."""

    def __init__(self, config: Config, brain: QuestionAnswerer, audio_folder: Path | None):
        self.config = config
        self.brain = brain
        self.audio_folder = audio_folder
        self.listening: Listening | None = None
        self.kiosk: Kiosk | None = None
        #: What the speaker plays, for the microphone's echo guard.
        self.reference = PlaybackReference()

    def content(self) -> QuestionAnswerer:
        return self.brain

    def post(self, item: object) -> None:
        if self.kiosk is None:
            raise RuntimeError("an input posted before the kiosk was built")
        self.kiosk.post(item)

    def listen(self, languages: Sequence[str]) -> Listening:
        """Speech input for ``languages``, not started yet (raises AssistantError)."""
        self.listening = build_listening(
            self.config,
            languages,
            self.content,
            self.post,
            self.audio_folder,
            reference=self.reference if self.config.audio.echo_guard else None,
        )
        return self.listening

    def reloaded(self, new: QuestionAnswerer) -> None:
        self.brain = new
        if self.listening is not None:
            self.listening.follow(self.config, new)

    def attempt(self) -> CheckResult:
        """One re-check: the models installed meanwhile, then speech input as at start-up."""
        found = ensure_models(self.config, install=False, notice=_debug_notice)
        if not found.ok:
            return CheckResult(problems=found.problems, codes=found.codes)
        try:
            speech = self.listen(found.languages)
        except AssistantError as exc:
            return CheckResult(problems=(exc.describe(),), codes=(exc.code,))
        speech.voice.start()
        return CheckResult(speech, found.languages)


def build_kiosk(
    config: Config,
    *,
    keyboard: bool,
    stdin: TextIO | None,
    on_say: Callable[[Any], None] | None = None,
    notice: Notice | None = None,
    progress: Any = None,
) -> tuple[Kiosk, bool]:
    """The kiosk wired to the real engines, and whether it must tell the visitor the microphone
    is unavailable (speech input impossible).

    In three steps: decide what the kiosk needs and get it (the documents, the readiness
    checks, the models), build the parts (event log, speaker, speech input), wire them."""
    from assistant.kiosk.dialog import Dialog
    from assistant.kiosk.eventlog import open_event_log
    from assistant.kiosk.inputs import TimedPlayer, keyboard_input
    from assistant.kiosk.loop import Kiosk
    from assistant.kiosk.output_watch import OutputWatch
    from assistant.speech_out.playback import SoundDevicePlayer
    from assistant.speech_out.speaker import build_speaker

    shown = notice or _log_notice

    def tell(line: str) -> None:  # the commands in it as this kiosk runs them
        shown(config.runnable(line))

    clean_install_leftovers(config)
    # 1. What the kiosk needs. The documents are indexed on a thread while the models are
    # checked and loaded here (a model loads in C++, without the GIL): start-up takes the
    # longer of the two, not the sum.
    with ThreadPoolExecutor(1, thread_name_prefix="content-load") as pool:
        loading = pool.submit(load_brain, config)
        report = check_readiness(config, keyboard=keyboard, notice=tell)
        plan = ensure_models(config, install=False, notice=tell)
        downloads = []
        if config.models.auto_install and not keyboard:
            downloads = missing_catalog_models(config)
        if not keyboard and plan.ok:
            _preload_models(config, plan.languages)
        brain = loading.result()  # no documents is fatal, as before
    if keyboard:
        for line in plan.problems:
            tell(f"speech input is off (--keyboard); it would need: {line}")
    elif not plan.ok:
        for line in plan.problems:
            tell(f"speech input is impossible, serving typed questions: {line}")
    if downloads:
        names = ", ".join(name for _, name in downloads)
        tell(f"downloading {names} in the background; listening starts once a model is in")

    # 2. The parts.
    log_path = config.path(config.logging.event_log) if config.logging.event_log else None
    events = open_event_log(log_path, max_bytes=round(config.logging.event_log_max_mb * 1e6))
    audio_folder = None
    if config.logging.store_audio and log_path is not None:
        audio_folder = log_path.parent / "audio"
    wiring = _Wiring(config, brain, audio_folder)
    played = SoundDevicePlayer(config.audio.output_device, reference=wiring.reference)
    player = TimedPlayer(played, wiring.post, _monotonic)
    speaker = build_speaker(config, player=player)
    if report is not None and not report.speaks:  # the doctor's rule: printed answers only
        lost = next(p for c in report.checks if c.name == "output" for p in c.problems)
        speaker.output_lost(AudioError(lost.code, lost.what, fix=lost.fix))
    problems, codes = plan.problems, plan.codes
    listening = None
    if not keyboard and plan.ok:
        try:
            listening = wiring.listen(plan.languages)
        except AssistantError as exc:
            tell(f"speech input is impossible, serving typed questions: {exc.describe()}")
            problems, codes = (exc.describe(),), (exc.code,)
    watch = None
    if not keyboard and listening is None:
        watch = SpeechInputWatch(
            wiring.attempt,
            interval_s=config.recognition.recheck_interval_s,
            stdin=stdin_kind(stdin),
            problems=problems,
            codes=codes,
        )

    # 3. Wired together.
    kiosk = Kiosk(
        Dialog(brain, config, store_transcripts=config.logging.store_transcripts),
        speaker,
        events,
        config,
        voice=listening,
        keyboard_only=listening is None,
        end_of_input_code=0 if keyboard else 1,
        on_say=on_say,
        on_notice=tell,
        reload=lambda: load_brain(config),
        on_reloaded=wiring.reloaded,
        speech_watch=watch,
        output_watch=OutputWatch(lambda: _look_for_output(speaker)),
        speech_coming=bool(downloads) and listening is None,  # "shortly", to the visitor
    )
    wiring.kiosk = kiosk
    speaker.on_idle = kiosk.speech_ended
    speaker.on_output = kiosk.output_changed
    if listening is not None:
        listening.voice.start()
    if stdin is not None:
        keyboard_input(stdin, kiosk.post, config.keypad.keys).start()  # keys on a terminal
    if downloads:
        _download_in_background(config, downloads, wiring, tell, progress)
    return kiosk, not keyboard and listening is None


def _download_in_background(
    config: Config,
    downloads: Sequence[tuple[str, str]],
    wiring: _Wiring,
    tell: Notice,
    progress: Any,
) -> None:
    from assistant.kiosk.autoinstall import BackgroundInstall
    from assistant.kiosk.items import SpeechInputDelayed

    def installed(lang: str) -> None:
        if wiring.listening is None:  # speech input waits for it: check again now
            wiring.post(Recheck())
        else:
            tell(f"the speech model for {lang} is installed; the kiosk uses it after a restart")

    BackgroundInstall(
        config,
        downloads,
        notice=tell,
        installed=installed,
        delayed=lambda: wiring.post(SpeechInputDelayed()),
        progress=progress,
    ).start()


def _look_for_output(speaker: Any) -> bool:
    """One look for the lost loudspeaker: PortAudio's device list refreshed (when no stream
    is open), then the speaker's own check of its device."""
    from assistant.audio import refresh_devices

    try:
        refresh_devices(timeout_s=1.0)
    except AssistantError as exc:
        logger.debug("%s", exc.describe())
    return bool(speaker.check_output())


def _log_notice(line: str) -> None:
    logger.warning("%s", line)


def _debug_notice(line: str) -> None:
    logger.debug("%s", line)


def _monotonic() -> float:
    import time

    return time.monotonic()
