"""`run.py content check` and `run.py ask` on real folders: every defect named by file and line,
stray files skipped, and a Markdown document answered in clean text."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from assistant import PROJECT_DIR

pytestmark = pytest.mark.e2e

HEAD = "---\nlang: sv\ntitle: Biblioteket\n---\n\n"
DOC = HEAD + "## Öppettider\nid: oppet\nkeywords: öppet, tider\n\nVi har öppet alla dagar.\n"


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "kiosk.toml"
    config.write_text(
        'languages = ["sv", "fr"]\n\n[content]\nfolder = "content"\n\n'
        '[matching]\nencoder = ""\ncache_folder = ""\n',
        encoding="utf-8",
    )
    return subprocess.run(
        [sys.executable, str(PROJECT_DIR / "run.py"), "--config", str(config), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("body", "line", "said"),
    [
        ("## A\nid: a\n\nkeywords: x, y\n\nText.\n", 9, "keywords"),
        ("## A\n\nText.\n\n# B\n\nMer.\n", 10, "'# ' heading"),
        ("# Rubrik\n\nInledning.\n\n## A\n\nText.\n", 8, "before the first"),
    ],
)
def test_content_check_names_file_and_line_of_each_error(
    tmp_path: Path, body: str, line: int, said: str
) -> None:
    content = tmp_path / "content"
    content.mkdir()
    (content / "bad.md").write_text(HEAD + body, encoding="utf-8")
    out = _run(tmp_path, "content", "check")
    assert out.returncode == 1
    assert f"bad.md:{line}:" in out.stderr and said in out.stderr
    assert "Traceback" not in out.stderr


def test_content_check_warns_with_file_and_line_and_skips_stray_files(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    (content / "bibliotek.md").write_text(
        DOC + "Läs mer på [vår sida](https://www.exempel.se/bibliotek).\n"
        "Röd \x1b[31mtext\x1b[0m och \u202eomvänd\u202c.\u2028## Dold\n",
        encoding="utf-8",
    )
    (content / "._bibliotek.md").write_bytes(b"\x00\x05\x16\x07Mac OS X\xff")
    (content / ".#bibliotek.md").symlink_to("root@kiosk.99:1")
    (content / "new.md").write_text("", encoding="utf-8")
    (content / "bibliotek.md~").write_text("---\n", encoding="utf-8")
    out = _run(tmp_path, "content", "check")
    assert out.returncode == 0, out.stderr
    warnings = [line for line in out.stdout.splitlines() if line.startswith("warning: ")]
    for name in ("._bibliotek.md", ".#bibliotek.md", "new.md", "bibliotek.md~"):
        assert any(f"{name}: " in w and "skipped" in w for w in warnings), name
    for where, what in (
        (11, "https://www.exempel.se/bibliotek"),
        (12, "terminal escape"),
        (12, "bidirectional"),
        (12, "U+2028"),
    ):
        assert any(f"bibliotek.md:{where}: " in w and what in w for w in warnings), what
    assert any("no documents in 'fr'" in w for w in warnings)
    assert "\x1b" not in out.stdout and "\u202e" not in out.stdout
    assert "1. Öppettider (oppet" in out.stdout and "Dold" not in out.stdout
    assert _run(tmp_path, "content", "check", "--strict").returncode == 1


def test_ask_answers_a_markdown_document_in_clean_text(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    (content / "bibliotek.md").write_text(
        HEAD + "## Lånekort\nkeywords: lånekort, låna\n\n"
        "Ett **lånekort** är _gratis_. Ansök på [vår webbplats](https://exempel.se/kort):\n"
        "- ta med legitimation\n- fyll i `blanketten`\n",
        encoding="utf-8",
    )
    out = _run(tmp_path, "ask", "--json", "--lang", "sv", "Hur får jag ett lånekort?")
    assert out.returncode == 0, out.stderr
    reply = json.loads(out.stdout)
    spoken = f"{reply['answer']} {reply['more']}"
    assert reply["section"] == 1 and "lånekort" in spoken
    for mark in ("*", "_", "[", "](", "://", "`", "- "):
        assert mark not in spoken, (mark, spoken)
    assert "Ta med legitimation." in spoken and "Fyll i blanketten." in spoken
