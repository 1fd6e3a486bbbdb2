"""What flows in and out of the dialog: events (what happened) and actions (what to do).

The kiosk turns what its devices and engines report into events, hands them to
:meth:`assistant.kiosk.dialog.Dialog.handle`, and executes the actions it gets back, in order.

Contract with the kiosk:

- ``Say`` actions are queued on the speaker; when the speaker falls silent it reports one
  ``SpeechDone``: ``interrupted=False`` when it finished everything it was given, ``True`` when
  it was cut short (by ``StopSpeech`` or otherwise).
- ``StartListening`` and ``StopListening`` alternate: the microphone collects an utterance
  between them. ``VoiceStarted`` may also be reported while the kiosk speaks (barge-in).
- ``Earcon`` tones: "listening" before listening starts, "stopped" when an utterance was
  heard (or a stop was asked for), "error" when a turn failed.
- ``LogEvent`` lines never hold a transcript unless the dialog was built with
  ``store_transcripts=True``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from assistant.config import KeyAction

# --- Events: what happened -------------------------------------------------------------------


@dataclass(frozen=True)
class Started:
    """The kiosk is up (or starts over)."""


@dataclass(frozen=True)
class Elapsed:
    """Time passed since the previous ``Elapsed``: the dialog's only clock."""

    seconds: float


@dataclass(frozen=True)
class ButtonPressed:
    """The push-to-talk button, or any key of the keypad."""


@dataclass(frozen=True)
class VoiceStarted:
    """The visitor started speaking (detected while listening or while the kiosk speaks)."""


@dataclass(frozen=True)
class Heard:
    """A transcript of one utterance; empty text means nothing was understood."""

    text: str
    lang: str | None
    confidence: float
    #: The recognizer's other hypotheses, next best first.
    alternatives: tuple[str, ...] = ()
    #: How sure the recognizer is of each word heard (lowercase word, 0..1).
    word_confidence: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class Typed:
    """A line typed in keyboard mode."""

    text: str


@dataclass(frozen=True)
class SpeechDone:
    """The speaker fell silent: finished, or stopped (``interrupted``)."""

    interrupted: bool = False


@dataclass(frozen=True)
class TurnFailed:
    """An exception in the kiosk during a turn, by stage and code."""

    stage: str
    code: str


@dataclass(frozen=True)
class InputLost:
    """The microphone disappeared or failed; ``typing``: typed input still works (there is a
    keyboard on standard input); ``coming``: speech input is on its way (a speech model is
    being downloaded), so the visitor hears it will work shortly. Given again while input is
    already lost, it only updates ``coming`` (the download failed: not coming shortly)."""

    typing: bool = True
    coming: bool = False


@dataclass(frozen=True)
class InputBack:
    """The microphone works again; ``started``: speech input has just started for the first
    time (a speech model came in), so the visitor hears they can talk now."""

    started: bool = False


@dataclass(frozen=True)
class KeyPressed:
    """A key of the keypad, by what it does (``keypad.keys`` maps the keys to actions)."""

    action: KeyAction


@dataclass(frozen=True)
class SentenceStarted:
    """The speaker started playing the next sentence of what it was given (not a tone)."""


Event = (
    Started
    | Elapsed
    | ButtonPressed
    | VoiceStarted
    | Heard
    | Typed
    | SpeechDone
    | TurnFailed
    | InputLost
    | InputBack
    | KeyPressed
    | SentenceStarted
)

# --- Actions: what the kiosk does ------------------------------------------------------------

EarconKind = Literal["listening", "stopped", "error"]
VoiceChange = Literal["slower", "faster", "louder", "quieter"]


@dataclass(frozen=True)
class Say:
    text: str
    lang: str


@dataclass(frozen=True)
class StopSpeech:
    """Stop speaking at once and drop what is queued."""


@dataclass(frozen=True)
class Earcon:
    kind: EarconKind


@dataclass(frozen=True)
class StartListening:
    pass


@dataclass(frozen=True)
class StopListening:
    pass


@dataclass(frozen=True)
class AdjustVoice:
    """One step slower/faster/louder/quieter for the voice of ``lang``."""

    lang: str
    change: VoiceChange


@dataclass(frozen=True)
class ResetVoices:
    """Back to the configured rate and volume of every voice."""


@dataclass(frozen=True)
class LogEvent:
    """A line for the event log (JSON); transcripts only when the operator allows it."""

    name: str
    fields: Mapping[str, str | int | float | bool | None] = field(default_factory=dict)


Action = (
    Say
    | StopSpeech
    | Earcon
    | StartListening
    | StopListening
    | AdjustVoice
    | ResetVoices
    | LogEvent
)
