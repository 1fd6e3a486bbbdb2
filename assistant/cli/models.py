"""`run.py models list|install|verify|remove`: manage the Vosk models under ``models/``."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from assistant.config import Config
from assistant.errors import ModelError
from assistant.speech_in.install import Download, Installer
from assistant.speech_in.models import (
    CATALOG,
    apply_endpointing,
    check_model,
    installed_models,
    models_folder,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="action", required=True)
    sub.add_parser("list", help="recommended and installed models, and what each supports")
    inst = sub.add_parser(
        "install",
        help="install a model: a catalog name, a language code, a URL, a zip file or a folder "
        "(nothing: the configured model of every language)",
    )
    inst.add_argument("source", nargs="*")
    inst.add_argument("--name", help="folder name under models/ (default: from the source)")
    inst.add_argument("--lang", help="language the model serves (default: from its name)")
    inst.add_argument("--md5", help="expected md5 of a downloaded zip")
    inst.add_argument("--sha256", help="expected sha256 of a downloaded zip")
    inst.add_argument("--size", type=int, help="expected size in bytes of a downloaded zip")
    inst.add_argument(
        "--unverified",
        action="store_true",
        help="install from an http(s) URL without --md5 or --sha256 (the download is unchecked)",
    )
    inst.add_argument("--force", action="store_true", help="replace an installed model")
    verify = sub.add_parser("verify", help="check installed models (all when none is named)")
    verify.add_argument("names", nargs="*")
    verify.add_argument("--load", action="store_true", help="also load each model with Vosk")
    remove = sub.add_parser("remove", help="remove an installed model")
    remove.add_argument("names", nargs="+")


class ProgressReport:
    """Download progress on stderr: a redrawn bar on a terminal, else (the journal) one line
    every ``step_percent`` (every 50 MB when the total is unknown)."""

    def __init__(self, *, bar: bool | None = None, step_percent: int = 10) -> None:
        self.bar = sys.stderr.isatty() if bar is None else bar
        self.step_percent = step_percent
        self._last = -1
        self._done = 0

    def __call__(self, done: int, total: int | None) -> None:
        if done < self._done:  # a new download
            self._last = -1
        self._done = done
        if self.bar:
            self._draw(done, total)
            return
        if total:
            step = min(100, int(100 * done / total)) // self.step_percent
            line = f"download: {step * self.step_percent} % ({_mb(done)} of {_mb(total)} MB)"
        else:
            step = done // 50_000_000
            line = f"download: {_mb(done)} MB"
        if step > self._last:
            self._last = step
            print(line, file=sys.stderr, flush=True)

    @staticmethod
    def _draw(done: int, total: int | None) -> None:
        if total:
            filled = min(30, int(30 * done / total))
            line = f"[{'#' * filled}{'.' * (30 - filled)}] {_mb(done)}/{_mb(total)} MB"
        else:
            line = f"{_mb(done)} MB"
        end = "\n" if total and done >= total else ""
        print(f"\r{line}", end=end, file=sys.stderr, flush=True)


def _mb(nbytes: int) -> str:
    return f"{nbytes / 1e6:.1f}"


def _install(args: argparse.Namespace, config: Config) -> int:
    installer = Installer(
        models_folder(config),
        progress=ProgressReport(),
        deadline_s=config.models.download_deadline_s,
    )
    sources = args.source or [config.models.languages[lang] for lang in config.languages]
    for given in sources:
        source = config.models.languages.get(given, given)  # a language code
        path = Path(source).expanduser()
        if re.match(r"^(https?|file)://", source):
            name = args.name or Path(source.split("?")[0]).stem
            spec = Download(
                source,
                args.size,
                args.md5,
                args.sha256,
                deadline_s=config.models.download_deadline_s,
                unverified=args.unverified,
            )
            if spec.remote and not spec.verified and args.unverified:
                print(f"warning: {source} is installed unverified (no --md5 or --sha256)")
            check = installer.install_url(spec, name=name, lang=args.lang, force=args.force)
        elif path.is_dir():
            check = installer.install_folder(path, name=args.name, lang=args.lang, force=args.force)
        elif path.suffix == ".zip" or path.is_file():
            check = installer.install_zip(path, name=args.name, lang=args.lang, force=args.force)
        elif source in CATALOG:
            check = installer.install_catalog(source, config.models.download_url, force=args.force)
        else:
            raise ModelError(
                "model-unknown",
                f"{source!r} is no catalog model, language, URL, zip or folder",
                fix=f"catalog: {', '.join(CATALOG)}",
            )
        rec = config.recognition
        apply_endpointing(check.path, rec.endpoint_silence_s, rec.max_utterance_s)
        print(f"installed {check.name} ({check.lang}) in {check.path}")
    return 0


def _list(config: Config) -> int:
    installed = {m.name: m for m in installed_models(config)}
    print(f"models folder: {models_folder(config)}")
    print("installed:" if installed else "installed: none")
    for m in installed.values():
        state = "ok" if m.ok else "BROKEN: " + "; ".join(m.problems)
        vocab = "vocabulary can be restricted" if m.supports_vocabulary else "static vocabulary"
        used = [lang for lang, name in config.models.languages.items() if name == m.name]
        mark = f", used for {', '.join(used)}" if used else ""
        print(f"  {m.name} [{m.lang or '?'}] {m.size_bytes / 1e6:.0f} MB, {vocab}, {state}{mark}")
    print("recommended (official downloads):")
    for c in CATALOG.values():
        where = "installed" if c.name in installed else f"{c.size_bytes / 1e6:.0f} MB download"
        print(f"  {c.name} [{c.lang}] {c.description}; {where}")
    return 0


def _verify(args: argparse.Namespace, config: Config) -> int:
    folder = models_folder(config)
    checks = [check_model(folder / n) for n in args.names] or installed_models(config)
    if not checks:
        print(f"no models in {folder}")
        return 1
    bad = 0
    for check in checks:
        problems = list(check.problems)
        if not problems and args.load:
            from assistant.speech_in.probe import probe_model

            # Loaded and tried in a child process: a model that aborts Kaldi cannot end this one.
            problem = probe_model(check.path, cached=False)
            if problem:
                problems.append(problem)
        bad += bool(problems)
        print(f"{check.name}: {'ok' if not problems else 'BROKEN: ' + '; '.join(problems)}")
    return 1 if bad else 0


def run(args: argparse.Namespace, config: Config) -> int:
    if args.action == "list":
        return _list(config)
    if args.action == "install":
        return _install(args, config)
    if args.action == "verify":
        return _verify(args, config)
    installer = Installer(models_folder(config))
    for name in args.names:
        print(f"removed {installer.remove(name)}")
    return 0
