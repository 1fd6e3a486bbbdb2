"""While a speech model downloads at the first start, the visitor hears that speech input comes
shortly (not that the model is missing), in every language of the kiosk; when it is in, that
they can talk now; when the download fails, the notice is the usual one again."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from assistant import PROJECT_DIR
from assistant.kiosk.dialog import DialogState
from assistant.kiosk.events import ButtonPressed, InputBack, InputLost, SpeechDone, Started
from assistant.kiosk.recheck import spoken_notice
from assistant.kiosk.texts import TextKey, text
from assistant.language_data import language
from tests.hostile_http import hostile_server
from tests.test_dialog import LANGS, make, says, state

COMING = {lang: text("speech_input_coming", lang) for lang in LANGS}


def test_the_start_up_notice_says_speech_input_comes_shortly_in_every_language() -> None:
    dialog, _ = make()
    dialog.handle(Started())
    actions = dialog.handle(InputLost(coming=True))
    assert says(actions) == [(COMING[lang], lang) for lang in LANGS]
    missing = [text("input_lost", lang) for lang in LANGS]
    assert not any(t in missing for t, _ in says(actions))


def test_the_button_meanwhile_says_it_comes_shortly_and_a_failed_download_undoes_that() -> None:
    dialog, _ = make()
    dialog.handle(Started())
    dialog.handle(InputLost(coming=True))
    dialog.handle(SpeechDone())
    assert state(dialog) is DialogState.WAITING
    assert says(dialog.handle(ButtonPressed())) == [(COMING[lang], lang) for lang in LANGS]
    dialog.handle(SpeechDone())
    assert says(dialog.handle(InputLost(coming=False))) == []  # the download failed: silent
    assert says(dialog.handle(ButtonPressed())) == [
        (text("input_lost", lang), lang) for lang in LANGS
    ]


@pytest.mark.parametrize("typing", [True, False])
def test_without_a_keyboard_the_notice_does_not_offer_typing(typing: bool) -> None:
    dialog, _ = make()
    dialog.handle(Started())
    said = says(dialog.handle(InputLost(typing=typing, coming=True)))
    key: TextKey = "speech_input_coming" if typing else "speech_input_coming_wait"
    assert said == [(text(key, lang), lang) for lang in LANGS]
    if not typing:
        assert all("tangentbord" not in t and "clavier" not in t for t, _ in said)


def test_when_speech_input_starts_the_visitor_hears_they_can_talk_now() -> None:
    dialog, _ = make()
    dialog.handle(Started())
    dialog.handle(InputLost(coming=True))
    dialog.handle(SpeechDone())
    ready = says(dialog.handle(InputBack(started=True)))
    assert ready == [(text("speech_input_ready", lang), lang) for lang in LANGS]
    assert ready != [(text("input_back", lang), lang) for lang in LANGS]


def test_the_unattended_notice_says_it_comes_shortly() -> None:
    codes = ("model-missing", "model-missing")
    coming = spoken_notice(codes, LANGS, coming=True)
    assert coming == [(text("speech_input_coming_wait", lang), lang) for lang in LANGS]
    missing = spoken_notice(codes, LANGS)
    assert missing == [(language(lang).text("speech_input_model_missing"), lang) for lang in LANGS]


def _lines_until(
    process: subprocess.Popen[str], wanted: set[str], bound_s: float = 120.0
) -> list[str]:
    """The program's printed lines until every line of ``wanted`` was among them (or EOF or
    the bound, a safety net only)."""
    assert process.stdout is not None
    lines: queue.SimpleQueue[str | None] = queue.SimpleQueue()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    seen: list[str] = []
    while not wanted <= set(seen):
        try:
            line = lines.get(timeout=bound_s)
        except queue.Empty:
            break
        if line is None:
            break
        seen.append(line)
    return seen


def test_the_real_kiosk_says_it_while_the_download_runs(tmp_path: Path) -> None:
    """`run.py` at a first start: the download is held by the server, so it is under way."""
    with hostile_server() as server:
        toml = tmp_path / "kiosk.toml"
        toml.write_text(
            f'[content]\nfolder = "{PROJECT_DIR / "content"}"\n'
            f'[models]\nfolder = "{tmp_path / "models"}"\nauto_install = true\n'
            f'download_url = "{server.base("hold")}"\n'
            f'[logging]\nevent_log = "{tmp_path / "events.jsonl"}"\n'
        )
        process = subprocess.Popen(
            [sys.executable, "run.py", "--config", str(toml)],
            cwd=PROJECT_DIR,
            stdin=subprocess.DEVNULL,  # as under systemd: nobody types either
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        try:
            wait_notice = {f"[{lang}] {text('speech_input_coming_wait', lang)}" for lang in LANGS}
            start_notice = {f"[{lang}] {COMING[lang]}" for lang in LANGS}
            printed = _lines_until(process, wait_notice | start_notice)
        finally:
            process.send_signal(signal.SIGTERM)
            _, err = process.communicate(timeout=60)
            server.release.set()
    assert start_notice <= set(printed), (printed, err[-3000:])
    assert wait_notice <= set(printed), (printed, err[-3000:])
    missing = {f"[{lang}] {language(lang).text('speech_input_model_missing')}" for lang in LANGS}
    assert not missing & set(printed), printed
    assert "Traceback" not in err
    assert process.returncode == 0, err[-3000:]
