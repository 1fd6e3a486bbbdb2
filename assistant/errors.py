"""Errors with a stage and a code, so the kiosk can apologise and the CLI can print one clear line.

Every part raises a subclass of :class:`AssistantError`. ``code`` is a short stable slug
(``model-missing``, ``no-voice``, ``bad-front-matter`` ...) that tests and the event log use;
``fix`` tells an operator what to do about it.
"""

from __future__ import annotations


class AssistantError(Exception):
    """Base class: a failure of one stage of the assistant."""

    stage = "assistant"

    def __init__(self, code: str, message: str, *, fix: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.fix = fix

    def describe(self) -> str:
        """One line for an operator: stage, code, message and the fix when known."""
        line = f"{self.stage} error [{self.code}]: {self.message}"
        if self.fix:
            line += f" (fix: {self.fix})"
        return line


class ConfigError(AssistantError):
    stage = "config"


class ContentError(AssistantError):
    stage = "content"


class MatchingError(AssistantError):
    stage = "matching"


class AudioError(AssistantError):
    stage = "audio"


class SpeechError(AssistantError):
    stage = "speech"


class ModelError(AssistantError):
    stage = "models"


class RecognitionError(AssistantError):
    stage = "recognition"


class DialogError(AssistantError):
    stage = "dialog"


class KioskError(AssistantError):
    stage = "kiosk"
