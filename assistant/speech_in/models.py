"""Vosk models: the catalog of recommended models, what is installed, layout checks, endpointing.

Models live under ``config.models.folder``, one folder per model. A model folder is valid when
it has what Vosk loads (``am/final.mdl``, ``conf/model.conf``, ``conf/mfcc.conf``, ``ivector/``
and a graph: a static ``graph/HCLG.fst`` or a lookahead pair ``graph/HCLr.fst`` +
``graph/Gr.fst``); a broken folder is reported, never handed to Vosk. A lookahead graph accepts
a runtime vocabulary (a grammar), a static one ignores it.

The language a model serves comes from the marker file written at install time, else from the
catalog, else from its name (``vosk-model-small-fr-0.22`` serves ``fr``). End-of-speech silence
cannot be tuned at run time with the Vosk wheel, so :func:`apply_endpointing` keeps a managed
``conf/model.conf`` with the configured ``--endpoint.rule*`` values (the original is kept as
``conf/model.conf.orig``). Installing lives in :mod:`assistant.speech_in.install`.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from assistant.config import Config
from assistant.errors import ModelError

logger = logging.getLogger(__name__)

#: Written into each model folder at install time: language and where the model came from.
MARKER_FILE = ".rostguiden-model.json"
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
    (path / MARKER_FILE).write_text(json.dumps(dict(info), ensure_ascii=False, indent=1) + "\n")


def _nonempty(path: Path) -> bool:
    try:
        return path.is_file() and path.stat().st_size > 0
    except OSError:
        return False


def check_model(path: Path) -> ModelCheck:
    """Check a model folder's layout (no loading): required files present and not empty."""
    problems: list[str] = []
    if not path.is_dir():
        problems.append("not a folder")
    for rel in ("am/final.mdl", "conf/model.conf", "conf/mfcc.conf"):
        if not _nonempty(path / rel):
            problems.append(f"{rel} is missing or empty")
    if not (path / "ivector").is_dir() or not _nonempty(path / "ivector" / "final.ie"):
        problems.append("ivector/final.ie is missing or empty")
    graph = path / "graph"
    lookahead = _nonempty(graph / "HCLr.fst") and _nonempty(graph / "Gr.fst")
    static = _nonempty(graph / "HCLG.fst")
    if not (lookahead or static):
        problems.append("graph/ has neither HCLG.fst nor HCLr.fst + Gr.fst")
    size = 0
    if path.is_dir():
        size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())
    lang = read_marker(path).get("lang") or lang_from_name(path.name)
    return ModelCheck(path.name, path, lang, tuple(problems), lookahead and not static, size)


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
    if not check.ok:
        raise ModelError(
            "model-broken",
            f"model {check.path} is broken: {'; '.join(check.problems)}",
            fix=f"reinstall it: python run.py models install --force {check.name}",
        )
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

    The model's own file is kept once as ``conf/model.conf.orig`` and every managed version is
    derived from it, so the managed file can be rewritten any number of times.
    """
    conf = path / "conf" / "model.conf"
    orig = conf.with_name("model.conf.orig")
    try:
        if not orig.exists():
            orig.write_bytes(conf.read_bytes())
        lines = orig.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelError("model-conf-unwritable", f"{conf}: {exc}") from None
    rules = endpoint_rules(silence_s, max_utterance_s)
    kept = [line for line in lines if line.split("=", 1)[0].strip() not in rules]
    text = "\n".join([*kept, *(f"{k}={v}" for k, v in rules.items())]) + "\n"
    try:
        if conf.read_text(encoding="utf-8") == text:
            return False
        tmp = conf.with_name("model.conf.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(conf)  # a new file: a hard-linked original is never written through
    except OSError as exc:
        raise ModelError("model-conf-unwritable", f"{conf}: {exc}") from None
    logger.info("endpointing of %s: %s s of silence", path.name, rules[next(iter(rules))])
    return True


def sample_rate_hz(path: Path) -> int:
    """The model's audio rate (``--sample-frequency`` in ``conf/mfcc.conf``, else 16000)."""
    try:
        for line in (path / "conf" / "mfcc.conf").read_text(encoding="utf-8").splitlines():
            key, _, value = line.partition("=")
            if key.strip() == "--sample-frequency":
                return int(float(value))
    except (OSError, ValueError, UnicodeDecodeError):
        pass
    return 16000
