"""A spoken session with the real kiosk program on virtual ALSA devices, turn by turn.

The program runs as in production (``run.py --config ...``, hands-free), recognizing with the
real Korean Vosk model configured as the recognition language (with its whole vocabulary: the
kiosk restricts only its own languages' models to the documents' words; decoding so costs
about half a core per second of audio, so a loaded machine makes the program fall behind the
devices, which it logs) and answering with the real espeak-ng voices. Each turn plays one espeak-ng
utterance into the virtual microphone and waits until the answer is heard on the virtual
speaker. Times come from both sides, all on the machine's monotonic clock: the program's
event log (its stage timings) and the devices (when the utterance's last voiced sample was
due on the microphone, when the answer's first voiced sample reached the speaker).
Used by ``bench/bench_turns.py`` and the soak test.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

from assistant import PROJECT_DIR
from assistant.speech_out.earcons import earcon_pcm
from tests.e2e.kiosk_process import KioskProcess
from tests.speech_input_support import KO_MODEL_NAME, ko_config, ko_pcm
from tests.virtual_alsa import MIC_NAME, SPEAKER_NAME, VirtualAlsa

#: Short Korean utterances, all in the test model's vocabulary.
UTTERANCES = ("안녕하세요", "감사합니다", "학교", "갑니다")
#: Length of the "listening" earcon the kiosk plays when it listens again.
TONE_S = earcon_pcm("listening").duration_s


def voice_toml(
    folder: Path,
    ko_model_dir: Path,
    *,
    endpoint_silence_s: float = 0.5,
    block_s: float = 0.1,
    content: Path | None = None,
    event_log: Path | str | None = None,
    models_folder: Path | None = None,
    event_log_max_mb: float | None = None,
    echo_guard: bool | None = None,
) -> tuple[Path, Path]:
    """A kiosk.toml for a hands-free kiosk recognizing Korean; its path and the event log's.
    ``echo_guard``: ``audio.echo_guard`` (None: the default, on). Devices faster than real time
    need it off: the guard dates the microphone's blocks by their arrival.

    The model is the shared test install unless ``models_folder`` (holding the Korean model
    as ``KO_MODEL_NAME``) is given."""
    models = models_folder or ko_config(ko_model_dir).models.folder
    log = Path(event_log) if event_log is not None else folder / "events.jsonl"
    toml = folder / "kiosk.toml"
    toml.write_text(
        f'[content]\nfolder = "{content or PROJECT_DIR / "content"}"\n'
        f'[audio]\ninput_device = "{MIC_NAME}"\noutput_device = "{SPEAKER_NAME}"\n'
        f"block_s = {block_s}\n"
        + ("" if echo_guard is None else f"echo_guard = {str(echo_guard).lower()}\n")
        + f'[recognition]\nlanguage = "ko"\nendpoint_silence_s = {endpoint_silence_s}\n'
        "max_utterance_s = 6.0\n"
        f'[models]\nfolder = "{models}"\nauto_install = false\n'
        f'[models.languages]\nko = "{KO_MODEL_NAME}"\n'
        '[dialog]\nmode = "hands-free"\nvoice_barge_in = true\n'
        f'[logging]\nlevel = "INFO"\nevent_log = "{log}"\n'
        + ("" if event_log_max_mb is None else f"event_log_max_mb = {event_log_max_mb}\n"),
        encoding="utf-8",
    )
    return toml, log


@dataclass(frozen=True)
class TurnTiming:
    """One voice turn, in milliseconds from the end of the utterance's voice (its last voiced
    sample due on the microphone; ``None`` where a sound was not found)."""

    #: What was said into the microphone.
    text: str
    #: The event log's ``turn`` record (``matching_ms``, and the stage fields the program logs).
    fields: dict[str, Any]
    #: The program's own figure: estimated end of speech to the answer's first sample played.
    latency_ms: float
    #: When the program logged the transcript (``heard``), its turn and its first audio.
    heard_ms: float | None
    turn_ms: float | None
    first_audio_ms: float | None
    #: On the speaker: the answer's first sound.
    answer_ms: float | None


class VoiceSession:
    """The program started on ``alsa`` with ``toml``; :meth:`turn` speaks one utterance."""

    def __init__(
        self,
        toml: Path,
        event_log: Path,
        alsa: VirtualAlsa,
        *args: str,
        utterances: tuple[str, ...] = UTTERANCES,
    ) -> None:
        self.utterances = utterances
        for text in utterances:
            ko_pcm(text, alsa.mic_rate_hz)  # rendered before the program starts
        self.alsa = alsa
        #: Event-log times are wall-clock (``time.time``); device times are monotonic.
        self.wall_offset_s = time.time() - time.monotonic()
        self.launched_s = time.time()
        self.process = KioskProcess(toml, event_log, alsa, *args)
        self.turns = 0

    def wait_listening(self, timeout_s: float = 120.0) -> float:
        """Seconds from the launch to the first ``listening`` state in the event log."""
        self.process.event("state", to="listening", timeout_s=timeout_s)
        return float(self.process.last["t"]) - self.launched_s

    def turn(
        self, *, wait_answer: bool = True, timeout_s: float = 30.0, silence_after_s: float = 0.8
    ) -> TurnTiming:
        """Speak the next utterance and wait for its ``turn`` and ``first-audio`` events.

        With ``wait_answer``, also for the answer on the speaker, then press the button (stops
        the answer); else the next utterance interrupts it (barge-in)."""
        text = self.utterances[self.turns % len(self.utterances)]
        self.turns += 1
        alsa, kiosk = self.alsa, self.process
        start = len(kiosk.records())
        ends = len(alsa.voice_end_times)
        alsa.play_into_mic(ko_pcm(text, alsa.mic_rate_hz).samples, silence_after_s=silence_after_s)
        heard_at = kiosk.event("heard", after=start, timeout_s=timeout_s)
        heard = kiosk.last
        turn_at = kiosk.event("turn", after=heard_at, input="voice", timeout_s=timeout_s)
        fields = dict(kiosk.last)
        audio_at = kiosk.event("first-audio", after=turn_at, input="voice", timeout_s=timeout_s)
        first_audio = kiosk.last
        voice_end = alsa.voice_end_times[ends] if len(alsa.voice_end_times) > ends else None
        answer_ms = None
        if voice_end is not None and wait_answer:
            answer_at = self._sound_after(voice_end)  # no tone first: the answer itself
            if answer_at is not None:
                answer_ms = (answer_at - voice_end) * 1000
        if wait_answer:  # the button stops the answer (no voice left over for the next turn)
            pressed = kiosk.type_line("")
            kiosk.event("state", after=max(pressed, audio_at), to="listening", timeout_s=30)
            time.sleep((TONE_S + 0.1) / alsa.speed)  # the earcon of listening again
        assert alsa.wait_mic_idle(timeout_s), (
            f"the microphone still plays {text} after {timeout_s} s"
        )

        def since_voice(record: dict[str, Any]) -> float | None:
            if voice_end is None:
                return None
            return (float(record["t"]) - self.wall_offset_s - voice_end) * 1000

        return TurnTiming(
            text,
            fields,
            float(first_audio["latency_ms"]),
            since_voice(heard),
            since_voice(fields),
            since_voice(first_audio),
            answer_ms,
        )

    def _sound_after(self, after_s: float, timeout_s: float = 5.0) -> float | None:
        deadline = time.monotonic() + timeout_s
        while (heard := self.alsa.first_sound_after(after_s)) is None:
            if time.monotonic() > deadline:
                return None
            time.sleep(0.02)
        return heard

    def diagnose(self, wait_s: float = 10.0) -> str:
        """What each side is doing, for a stalled turn: the program's threads (its stacks, dumped
        on SIGUSR1 to its standard error, and each thread's kernel state and wait channel) and
        the harness's devices (:meth:`VirtualAlsa.state`)."""
        return "\n".join(
            [
                f"--- the machine: {process_load(self.process.child.pid, self.launched_s)}",
                "--- the program's threads (kernel state, wait channel):",
                process_threads(self.process.child.pid),
                "--- the program's stacks (SIGUSR1):",
                dump_stacks(self.process, wait_s),
                "--- the harness's devices:",
                self.alsa.state(),
            ]
        )

    def close(self) -> tuple[int, float]:
        """SIGTERM; the exit code and how long the program took to exit. A program still
        running 10 s after SIGTERM fails with its stacks and the devices' state."""
        try:
            return self.process.terminate()
        except subprocess.TimeoutExpired:
            raise AssertionError(
                f"still running 10 s after SIGTERM\n{self.process.tail()}\n{self.diagnose()}"
            ) from None
        finally:
            self.process.kill()


def dump_stacks(kiosk: KioskProcess, wait_s: float = 10.0) -> str:
    """Send SIGUSR1 (the program dumps every thread's stack to its standard error) and return
    what it wrote after it."""
    if kiosk.child.poll() is not None:
        return f"(the program has exited: {kiosk.child.returncode})"
    seen = len(kiosk.stderr)
    kiosk.child.send_signal(signal.SIGUSR1)
    deadline = time.monotonic() + wait_s
    # The dump ends with the main thread's stack, whose outermost frame is the module (every
    # other thread's is threading's _bootstrap). It is headed "Current thread" only when the
    # kernel delivered the signal to a Python thread; "Thread 0x..." when a native one took it.
    while time.monotonic() < deadline:
        time.sleep(0.1)
        if any(line.rstrip().endswith(" in <module>") for line in kiosk.stderr[seen:]):
            time.sleep(0.2)
            break
    return "\n".join(kiosk.stderr[seen:]) or "(nothing written)"


def process_threads(pid: int) -> str:
    """Each thread of a process: name, kernel state and what it waits on (Linux ``/proc``)."""
    lines = []
    try:
        tasks = sorted(Path(f"/proc/{pid}/task").iterdir(), key=lambda p: int(p.name))
    except OSError as exc:
        return f"({exc})"
    for task in tasks:
        try:
            name = (task / "comm").read_text().strip()
            state = (task / "stat").read_text().rsplit(")", 1)[1].split()[0]
            wchan = (task / "wchan").read_text().strip() or "-"
        except OSError:
            continue  # the thread ended meanwhile
        lines.append(f"{task.name} {name}: state {state}, waiting in {wchan}")
    return "\n".join(lines)


def process_load(pid: int, launched_s: float) -> str:
    """The machine's load average and the CPU time a process has had since its launch (wall
    clock ``launched_s``): a program given too little CPU falls behind the devices."""
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    try:
        cpu = psutil.Process(pid).cpu_times()
    except psutil.Error as exc:
        return f"load average {load}; the program: {exc}"
    wall_s = time.time() - launched_s
    used_s = cpu.user + cpu.system
    return (
        f"load average {load} on {os.cpu_count()} cores; the program used {used_s:.0f} s "
        f"of CPU in {wall_s:.0f} s ({used_s / wall_s:.0%} of a core)"
    )
