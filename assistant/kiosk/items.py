"""What the kiosk loop drives and what arrives in its mailbox, besides the inputs of
:mod:`assistant.kiosk.inputs`: the speaker and event-log interfaces, and the control items
(reload, shutdown, the speaker falling silent, a content load's outcome)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol


class SpeakerEngine(Protocol):
    """The speaker as the kiosk drives it (:class:`assistant.speech_out.speaker.Speaker`)."""

    def say(self, text: str, lang: str) -> None: ...

    def stop(self) -> None: ...

    def earcon(self, kind: Any) -> None: ...

    def adjust(self, lang: str, change: Any) -> object: ...

    def reset(self) -> None: ...

    @property
    def is_speaking(self) -> bool: ...

    def close(self) -> None: ...


class EventSink(Protocol):
    def write(self, name: str, fields: Mapping[str, Any]) -> None: ...


class Stoppable(Protocol):
    def stop(self, timeout_s: float = ...) -> None: ...


@dataclass(frozen=True)
class Reload:
    """Load the content again (SIGHUP); the last good content stays when the new one fails."""


@dataclass(frozen=True)
class ContentLoaded:
    brain: Any
    sections: int


@dataclass(frozen=True)
class ContentFailed:
    code: str
    message: str


@dataclass(frozen=True)
class SpeechInputDelayed:
    """The background download of a speech model failed (it is tried again later): speech
    input is no longer said to come shortly."""


@dataclass(frozen=True)
class Shutdown:
    """Stop the kiosk (SIGTERM, SIGINT)."""

    reason: str


@dataclass(frozen=True)
class SpeechEnded:
    """The speaker fell silent (its ``on_idle``): how it went."""

    status: str
    error_code: str | None = None
    #: The failure repeats the previous one (the same loss of the output): logged once.
    repeated: bool = False
