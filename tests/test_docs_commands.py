"""The commands in README.md and the operator guide exist as written: every `run.py` command
line in their shell blocks (and every full command in their text) names a real command, and
each option it uses is one that `run.py <command> --help` lists; the whole line parses with
run.py's own parser. Cheap: the commands are not run (the systemd ones are tested by
tests/test_deploy.py; the others were run by hand for the guide)."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from assistant import PROJECT_DIR
from assistant.cli import COMMANDS, _with_default_command, build_parser

DOCS = (PROJECT_DIR / "README.md", PROJECT_DIR / "docs" / "operator-guide.md")
GLOBAL_WITH_VALUE = {"--config", "--log-level"}
#: Commands with sub-commands of their own.
NESTED = {"models": {"list", "install", "verify", "remove"}, "content": {"check"}}


def _shell_lines(doc: Path) -> list[str]:
    lines, inside = [], False
    for line in doc.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            inside = not inside and line.strip() in ("```sh", "```bash", "```shell")
            continue
        if inside:
            lines.append(line)
    # Full commands in the text: `.venv/bin/python run.py ...`
    lines += re.findall(r"`((?:\S*python\S* )run\.py [^`]*)`", doc.read_text(encoding="utf-8"))
    return lines


def _run_py_args(line: str) -> list[str] | None:
    """The arguments after run.py in a shell line, up to a pipe or a comment; None when the
    line does not run run.py."""
    words = shlex.split(line, comments=True)
    if "run.py" not in words:
        return None
    args = words[words.index("run.py") + 1 :]
    for stop in ("|", "&&", ";"):
        if stop in args:
            args = args[: args.index(stop)]
    return args


def _documented() -> list[tuple[str, str, list[str]]]:
    found = []
    for doc in DOCS:
        for line in _shell_lines(doc):
            args = _run_py_args(line)
            if args is not None:
                found.append((doc.name, line.strip(), args))
    return found


DOCUMENTED = _documented()


def _command(args: list[str]) -> tuple[list[str], list[str]]:
    """(the command path, e.g. ["models", "install"], the options used)."""
    i, rest = 0, []
    while i < len(args):
        if args[i] in GLOBAL_WITH_VALUE:
            i += 2
            continue
        rest = args[i:]
        break
    path = ["kiosk"]
    if rest and rest[0] in COMMANDS:
        path = [rest[0]]
        rest = rest[1:]
        if rest and rest[0] in NESTED.get(path[0], set()):
            path.append(rest[0])
            rest = rest[1:]
    options = [a.split("=")[0] for a in rest if a.startswith("--")]
    return path, options


@cache
def _help(path: tuple[str, ...]) -> str:
    result = subprocess.run(
        [sys.executable, "run.py", *path, "--help"],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=PROJECT_DIR,
    )
    assert result.returncode == 0, (path, result.stderr)
    return result.stdout


def test_the_docs_have_run_py_commands() -> None:
    docs = {doc for doc, _, _ in DOCUMENTED}
    assert docs == {"README.md", "operator-guide.md"}
    assert len(DOCUMENTED) >= 30, DOCUMENTED


@pytest.mark.parametrize(
    ("doc", "line", "args"), DOCUMENTED, ids=[f"{d}: {line}" for d, line, _ in DOCUMENTED]
)
def test_a_documented_command_exists_with_its_options(doc: str, line: str, args: list[str]) -> None:
    path, options = _command(args)
    shown = _help(tuple(path))
    for option in options:
        assert re.search(rf"(^|[\s\[,]){re.escape(option)}\b", shown), (doc, line, option)
    for word in args:
        assert not (word.startswith("[") and word.endswith("]")), (doc, line, word)
    # The whole line as run.py's own parser reads it (choices, values, sub-commands).
    try:
        build_parser().parse_args(_with_default_command(args))
    except SystemExit as exc:  # argparse's usage error (0: --help)
        if exc.code != 0:
            pytest.fail(f"{doc}: `{line}` does not parse (exit {exc.code})")


def test_documented_commands_name_the_virtual_environment_s_python() -> None:
    """`python run.py` would run whatever Python is first on PATH, usually one without the
    kiosk's packages: the docs say `.venv/bin/python run.py`."""
    for doc in DOCS:
        for line in _shell_lines(doc):
            words = shlex.split(line, comments=True)
            if "run.py" in words:
                python = words[words.index("run.py") - 1]
                assert python == ".venv/bin/python", (doc.name, line)
