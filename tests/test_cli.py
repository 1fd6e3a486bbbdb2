"""The command dispatcher: default command, global options before or after the command."""

from __future__ import annotations

from pathlib import Path

from assistant.cli import _with_default_command, build_parser


def test_no_command_runs_the_kiosk() -> None:
    assert _with_default_command([]) == ["kiosk"]
    assert _with_default_command(["--keyboard"]) == ["kiosk", "--keyboard"]
    assert _with_default_command(["--config", "k.toml", "--keyboard"]) == [
        "--config",
        "k.toml",
        "kiosk",
        "--keyboard",
    ]
    assert _with_default_command(["ask", "hej"]) == ["ask", "hej"]


def test_global_options_go_before_or_after_the_command() -> None:
    parser = build_parser()
    before = parser.parse_args(["--log-level", "ERROR", "--config", "a.toml", "ask", "hej"])
    after = parser.parse_args(["ask", "--log-level", "ERROR", "--config", "a.toml", "hej"])
    for args in (before, after):
        assert args.log_level == "ERROR"
        assert args.config == Path("a.toml")
        assert args.question == ["hej"]
    neither = parser.parse_args(["ask", "hej"])
    assert neither.log_level is None and neither.config is None
