from __future__ import annotations

import json
import subprocess
import sys

import pytest

from assistant import PROJECT_DIR

pytestmark = pytest.mark.e2e


def _run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(PROJECT_DIR / "run.py"), "--log-level", "WARNING", "ask", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_json_lines_from_stdin_in_order() -> None:
    lines = ["Vad orsakar muskelspasmer?", "plus fort", "", "x" * 10_000, "Où sont les toilettes ?"]
    done = _run("--json", "-", stdin="\n".join(lines) + "\n")
    assert done.returncode == 0, done.stderr
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert [o["question"] for o in out] == lines
    assert out[0]["section"] == 2 and out[0]["lang"] == "sv" and out[0]["intent"] == "question"
    assert out[1]["intent"] == "louder"
    assert all(o["section"] is None and o["answer"] for o in out[2:])
    assert "Traceback" not in done.stderr


def test_unknown_lang_is_a_usage_error() -> None:
    done = _run("--lang", "de", "hej")
    assert done.returncode == 2 and "Traceback" not in done.stderr


def test_plain_text_answer() -> None:
    done = _run("--lang", "fr", "Quand", "faut-il", "s'inquiéter ?")
    assert done.returncode == 0 and "Quand s'inquiéter" in done.stdout
