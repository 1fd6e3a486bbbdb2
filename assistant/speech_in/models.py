"""Vosk models: the catalog of recommended models, what is installed, layout checks, endpointing.

Models live under ``config.models.folder``, one folder per model. A model folder is valid when
it has what Vosk loads (``am/final.mdl``, ``conf/model.conf``, ``conf/mfcc.conf``, ``ivector/``
and a graph: a static ``graph/HCLG.fst`` or a lookahead pair ``graph/HCLr.fst`` +
``graph/Gr.fst``), every file in it can be read, the numeric options of its conf files are sane
(:mod:`.model_conf`) and no load check found it crashing Vosk; a broken folder is reported,
never handed to Vosk. :func:`loadable_model` also loads and tries the model in a child process
(:mod:`.probe`) before anything loads it in this one. A lookahead graph accepts a runtime
vocabulary (a grammar), a static one ignores it.

The language a model serves comes from the marker file written at install time, else from the
catalog, else from its name (``vosk-model-small-fr-0.22`` serves ``fr``). End-of-speech silence
cannot be tuned at run time with the Vosk wheel, so :func:`apply_endpointing` keeps a managed
``conf/model.conf`` with the configured ``--endpoint.rule*`` values. The original is kept as
``conf/model.conf.orig``, written atomically, and trusted only when its hash is the one this
project recorded in the marker file when it wrote it: a copy shipped in a zip, or one torn by
an interrupted write, is replaced from ``conf/model.conf`` (validated first). Installing lives
in :mod:`assistant.speech_in.install`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from assistant.config import Config
from assistant.errors import ModelError
from assistant.speech_in import model_conf, verdicts
from assistant.speech_in.probe import PROBE_TIMEOUT_S, probe_model

logger = logging.getLogger(__name__)

#: Written into each model folder at install time: language and where the model came from.
MARKER_FILE = ".rostguiden-model.json"
#: The marker's record of the hash of the ``conf/model.conf.orig`` this project wrote.
ORIG_RECORD = "model_conf_orig_sha256"
#: At most this many unreadable paths are named in a problem.
_NAMED_PATHS = 3
_NAME_LANG = re.compile(r"^vosk-model-(?:small-)?([a-z]{2,3})(?:-|$)")


@dataclass(frozen=True)
class CatalogModel:
    """A model from Vosk's published list, with the size and md5 of its zip."""

    name: str
    lang: str
    size_bytes: int
    md5: str
    description: str

    def url(self, base_url: str) -> str:
        return f"{base_url.rstrip('/')}/{self.name}.zip"


#: Recommended models (https://alphacephei.com/vosk/models). An operator may install any other
#: Vosk model (a larger one) from a URL, zip or folder and name it in ``[models.languages]``.
CATALOG: Mapping[str, CatalogModel] = {
    m.name: m
    for m in (
        CatalogModel(
            "vosk-model-small-sv-rhasspy-0.15",
            "sv",
            303_504_931,
            "5ae431c65fe8636692118792daa22ecc",
            "Swedish, small (Rhasspy), lookahead graph",
        ),
        CatalogModel(
            "vosk-model-small-fr-0.22",
            "fr",
            42_233_323,
            "8873b1234503f6edd55f54bfff31cf3e",
            "French, small, lookahead graph",
        ),
    )
}


@dataclass(frozen=True)
class ModelCheck:
    """What :func:`check_model` found in a model folder."""

    name: str
    path: Path
    lang: str | None
    #: Empty when the folder is a loadable Vosk model.
    problems: tuple[str, ...]
    #: The graph accepts a runtime vocabulary (lookahead ``HCLr.fst`` + ``Gr.fst``).
    supports_vocabulary: bool
    size_bytes: int
    #: A load check (:mod:`.probe`) of these very files found that Vosk cannot load it.
    load_failed: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


def lang_from_name(name: str) -> str | None:
    """Language of a model from the catalog or from its name, None when it cannot be told."""
    if name in CATALOG:
        return CATALOG[name].lang
    match = _NAME_LANG.match(name)
    return match.group(1) if match else None


def read_marker(path: Path) -> dict[str, str]:
    try:
        raw = json.loads((path / MARKER_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in raw.items()} if isinstance(raw, dict) else {}


def write_marker(path: Path, info: Mapping[str, str]) -> None:
    text = json.dumps(dict(info), ensure_ascii=False, indent=1) + "\n"
    verdicts.write_atomic(path / MARKER_FILE, text.encode("utf-8"))


def _nonempty(path: Path) -> bool:
    try:
        return path.is_file() and path.stat().st_size > 0
    except OSError:
        return False


def _scan(path: Path) -> tuple[int, list[str]]:
    """The size of the files in ``path`` and the paths this user cannot read."""
    size = 0
    unreadable: list[str] = []

    def refused(exc: OSError) -> None:
        unreadable.append(str(exc.filename or path))

    for root, dirs, files in os.walk(path, onerror=refused):
        for name in dirs:
            folder = os.path.join(root, name)
            if not os.access(folder, os.R_OK | os.X_OK) and folder not in unreadable:
                unreadable.append(folder)
        dirs[:] = [d for d in dirs if os.path.join(root, d) not in unreadable]
        for name in files:
            file = os.path.join(root, name)
            try:
                st = os.stat(file, follow_symlinks=False)
            except OSError:
                unreadable.append(file)
                continue
            if not os.access(file, os.R_OK):
                unreadable.append(file)
            elif not os.path.islink(file):
                size += st.st_size
    return size, sorted(set(unreadable))


def check_model(path: Path) -> ModelCheck:
    """Check a model folder without loading it: required files present, not empty and
    readable, sane conf values, and no load check of these files that failed."""
    problems: list[str] = []
    size, unreadable = _scan(path) if path.is_dir() else (0, [])
    if not path.is_dir():
        problems.append("not a folder")
    elif unreadable:
        named = ", ".join(unreadable[:_NAMED_PATHS])
        more = (
            f" and {len(unreadable) - _NAMED_PATHS} more" if len(unreadable) > _NAMED_PATHS else ""
        )
        problems.append(f"this user cannot read {named}{more} (permission denied)")
    for rel in ("am/final.mdl", "conf/model.conf", "conf/mfcc.conf"):
        if not _nonempty(path / rel) and not unreadable:
            problems.append(f"{rel} is missing or empty")
    if not unreadable and (
        not (path / "ivector").is_dir() or not _nonempty(path / "ivector" / "final.ie")
    ):
        problems.append("ivector/final.ie is missing or empty")
    graph = path / "graph"
    lookahead = _nonempty(graph / "HCLr.fst") and _nonempty(graph / "Gr.fst")
    static = _nonempty(graph / "HCLG.fst")
    if not (lookahead or static) and not unreadable:
        problems.append("graph/ has neither HCLG.fst nor HCLr.fst + Gr.fst")
    if not problems:
        problems += model_conf.conf_problems(path)
    load_failed = False
    if not problems:
        verdict = verdicts.cached(path)
        if verdict is not None and verdict.problem:
            problems.append(verdict.problem)
            load_failed = True
    lang = read_marker(path).get("lang") or lang_from_name(path.name)
    return ModelCheck(
        path.name, path, lang, tuple(problems), lookahead and not static, size, load_failed
    )


def models_folder(config: Config) -> Path:
    return config.path(config.models.folder)


def installed_models(config: Config) -> list[ModelCheck]:
    """Every model folder under the models folder, checked (broken ones included)."""
    folder = models_folder(config)
    if not folder.is_dir():
        return []
    return [
        check_model(p)
        for p in sorted(folder.iterdir())
        if p.is_dir() and not p.name.startswith(".")
    ]


def model_for(config: Config, lang: str) -> ModelCheck:
    """The installed, valid model that serves ``lang``.

    The model named in ``[models.languages]`` wins; otherwise the only installed model of that
    language. Missing or broken models raise :class:`ModelError`.
    """
    folder = models_folder(config)
    wanted = config.models.languages.get(lang)
    if wanted:
        check = check_model(folder / wanted)
        if check.path.is_dir():
            return _usable(check)
    candidates = [m for m in installed_models(config) if m.lang == lang]
    if not candidates:
        raise ModelError(
            "model-missing",
            f"no Vosk model for language {lang!r} in {folder}",
            fix=f"run: python run.py models install {wanted or lang}",
        )
    valid = [m for m in candidates if m.ok]
    return _usable(valid[0] if valid else candidates[0])


def _usable(check: ModelCheck) -> ModelCheck:
    if check.load_failed:
        raise _load_failed(check, check.problems[0])
    if not check.ok:
        raise ModelError(
            "model-broken",
            f"model {check.path} is broken: {'; '.join(check.problems)}",
            fix=f"reinstall it: python run.py models install --force {check.name}",
        )
    return check


def _load_failed(check: ModelCheck, problem: str) -> ModelError:
    return ModelError(
        "model-load-failed",
        f"model {check.path} cannot be used: {problem}",
        fix=f"reinstall it: python run.py models install --force {check.name}",
    )


def loadable_model(
    config: Config,
    lang: str,
    *,
    timeout_s: float = PROBE_TIMEOUT_S,
    endpointing: bool = True,
) -> ModelCheck:
    """The model serving ``lang`` as :func:`model_for` finds it, once a child process has
    loaded and tried it (:func:`~assistant.speech_in.probe.probe_model`). Raises
    :class:`ModelError`: ``model-load-failed`` when Vosk crashed or failed there.

    With ``endpointing`` the managed ``conf/model.conf`` is written first, so that what is
    tried is what will be loaded (a check such as the doctor's leaves the folder as it is).
    The verdict is kept while the files stay the same: in the model folder for a model under
    the models folder, in memory for one elsewhere (a path given in ``[models.languages]``).
    Call this before loading a model in this process: a model that aborts Kaldi then takes
    only the child down."""
    check = model_for(config, lang)
    if endpointing:
        rec = config.recognition
        apply_endpointing(check.path, rec.endpoint_silence_s, rec.max_utterance_s)
    inside = check.path.resolve().parent == models_folder(config).resolve()
    problem = probe_model(check.path, timeout_s, on_disk=inside)
    if problem:
        raise _load_failed(check, problem)
    return check


def installed_languages(config: Config) -> list[str]:
    """Languages with a valid installed model, configured languages first."""
    langs = {m.lang for m in installed_models(config) if m.ok and m.lang}
    ordered = [lang for lang in config.languages if lang in langs]
    return ordered + sorted(langs - set(ordered))


def endpoint_rules(silence_s: float, max_utterance_s: float) -> dict[str, str]:
    """Kaldi endpoint options for an utterance ending after ``silence_s`` of silence."""
    return {
        "--endpoint.rule2.min-trailing-silence": f"{silence_s:.2f}",
        "--endpoint.rule3.min-trailing-silence": f"{silence_s * 1.5:.2f}",
        "--endpoint.rule4.min-trailing-silence": f"{silence_s * 2.5:.2f}",
        "--endpoint.rule5.min-utterance-length": f"{max_utterance_s:.2f}",
    }


def apply_endpointing(path: Path, silence_s: float, max_utterance_s: float) -> bool:
    """Write the managed ``conf/model.conf`` with these endpoint rules; True when it changed.

    The model's own file is kept once as ``conf/model.conf.orig`` (:func:`pristine_conf`) and
    every managed version is derived from it, so the managed file can be rewritten any number
    of times. The derived file is checked like the model's own before it is written."""
    conf = path / "conf" / "model.conf"
    lines = pristine_conf(path).splitlines()
    rules = endpoint_rules(silence_s, max_utterance_s)
    kept = [line for line in lines if line.split("=", 1)[0].strip() not in rules]
    text = "\n".join([*kept, *(f"{k}={v}" for k, v in rules.items())]) + "\n"
    problems = model_conf.text_problems(text, "conf/model.conf")
    if problems:
        raise _conf_broken(path, problems)
    try:
        if conf.read_text(encoding="utf-8") == text:
            return False
    except (OSError, UnicodeDecodeError):
        pass
    try:
        # A new file: a hard-linked original is never written through.
        verdicts.write_atomic(conf, text.encode("utf-8"))
    except OSError as exc:
        raise ModelError("model-conf-unwritable", f"{conf}: {exc}") from None
    logger.info("endpointing of %s: %s s of silence", path.name, rules[next(iter(rules))])
    return True


def pristine_conf(path: Path) -> str:
    """The model's own ``conf/model.conf`` text, as kept in ``conf/model.conf.orig``.

    The kept copy is used only when this project wrote it (its sha256 is recorded in the marker
    file, which every install writes anew) and it still reads back valid. Otherwise (first
    sight, a copy shipped in the zip, a write interrupted or cut short by a full disk, later
    damage) ``conf/model.conf`` is the original: it is checked, then kept atomically (file,
    then record). The endpoint rules a managed ``model.conf`` holds are replaced on derivation,
    so taking the original from a managed file loses nothing."""
    conf = path / "conf" / "model.conf"
    orig = conf.with_name("model.conf.orig")
    marker = read_marker(path)
    recorded = marker.get(ORIG_RECORD)
    if recorded:
        try:
            data = orig.read_bytes()
        except OSError:
            data = b""
        if hashlib.sha256(data).hexdigest() == recorded:
            text = _valid_conf(path, data, "conf/model.conf.orig")
            if text is not None:
                return text
        logger.warning("%s does not match what was written: taking %s again", orig, conf.name)
    try:
        data = conf.read_bytes()
    except OSError as exc:
        raise ModelError(
            "model-conf-unreadable",
            f"{conf}: {exc.strerror or exc}",
            fix=f"make {conf} readable by the kiosk's user, or reinstall the model",
        ) from None
    text = _valid_conf(path, data, "conf/model.conf")
    if text is None:
        try:
            problems = model_conf.text_problems(data.decode("utf-8"), "conf/model.conf")
        except UnicodeDecodeError:
            problems = ["conf/model.conf is not UTF-8 text"]
        raise _conf_broken(path, problems)
    try:
        verdicts.write_atomic(orig, data)
        write_marker(path, {**marker, ORIG_RECORD: hashlib.sha256(data).hexdigest()})
    except OSError as exc:  # a read-only model: the checked model.conf serves, unkept
        logger.warning("cannot keep %s: %s", orig, exc)
    return text


def _valid_conf(path: Path, data: bytes, name: str) -> str | None:
    """``data`` as text when it is a sane ``model.conf``, else None."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not text.strip() or model_conf.text_problems(text, "conf/model.conf"):
        logger.warning("%s of %s is not a sane model.conf", name, path.name)
        return None
    return text


def _conf_broken(path: Path, problems: list[str]) -> ModelError:
    return ModelError(
        "model-broken",
        f"model {path} is broken: {'; '.join(problems)}",
        fix=f"reinstall it: python run.py models install --force {path.name}",
    )


def sample_rate_hz(path: Path) -> int:
    """The model's audio rate (``--sample-frequency`` in ``conf/mfcc.conf``, else 16000)."""
    return model_conf.sample_rate_hz(path)
