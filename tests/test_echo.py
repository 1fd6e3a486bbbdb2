"""The kiosk's own voice in its microphone: the echo canceller and the barge-in rule
(``speech_in/echo.py``) on real recordings, the listener's echo guard, and the echo path of the
virtual devices with the real kiosk program.

The canceller and rule tests feed a Swedish sentence read by a volunteer (Common Voice,
../shared/speech-samples/) as the kiosk's voice, and its own copy, delayed and attenuated, as
the echo; a second volunteer's sentence is the visitor. No timing is asserted.

The kiosk (``run.py``, hands-free, Korean test model) answers typed questions aloud on the
virtual ALSA speaker; with ``echo_gain`` the harness feeds that sound back into the virtual
microphone (bench/bench_echo.py measures the barge-ins it causes). What the program captured is
in the ``file`` plugin's copy of the capture stream (``mic-echo.raw``): with the echo on it
holds the kiosk's voice though nobody spoke; without it (the default) it stays silent.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from assistant import PROJECT_DIR
from assistant.audio import Int16Array, Pcm, PlaybackReference, read_wav
from assistant.speech_in.echo import (
    BargeInRule,
    RuleSettings,
    SpeexCanceller,
    build_guard,
    for_recognizer,
    frame_energy,
    no_louder,
)
from assistant.speech_in.listening import Listener, SpeechStarted, UtteranceEnded
from assistant.speech_in.recognition import Utterance
from assistant.speech_in.sources import Block
from assistant.speech_in.webrtc_aec import WebrtcCanceller
from tests.speech_input_support import guarded_blocks

sys.path.append(str(PROJECT_DIR / "bench"))
import bench_echo

SAMPLES = PROJECT_DIR.parent / "shared" / "speech-samples" / "sv-common-voice"
RATE = 16000


def recording(index: int) -> np.ndarray:
    files = sorted(SAMPLES.glob("*.wav"))
    if len(files) <= index:
        pytest.skip(f"{SAMPLES} is not there (the shared speech samples)")
    samples = read_wav(files[index], rate_hz=RATE).samples.astype(np.float64)
    scaled: np.ndarray = samples * (3000 / np.sqrt(np.mean(samples**2)))  # no clipping
    return scaled


def db(a: float, b: float) -> float:
    return float(10 * np.log10(a / b))


def recorded_echo(delay_ms: int, whole: int) -> tuple[Int16Array, Int16Array]:
    """Two real recordings as the kiosk's voice and their echo (-10 dB, ``delay_ms`` late) as
    the microphone, cut to whole blocks of ``whole`` samples: (microphone, reference)."""
    voice = np.concatenate([recording(0), recording(1)])
    lag = delay_ms * RATE // 1000
    echo = np.zeros_like(voice)
    echo[lag:] = 0.3 * voice[:-lag]
    n = len(voice) // whole * whole
    return echo[:n].astype(np.int16), voice[:n].astype(np.int16)


@pytest.mark.parametrize("delay_ms", [10, 60, 150])
def test_the_canceller_takes_a_real_recordings_echo_out(delay_ms: int) -> None:
    mic, played = recorded_echo(delay_ms, 160)
    n = len(mic)
    out = SpeexCanceller().cancel(mic, played)
    half = n // 2 // 160 * 160  # once the filter has converged
    drop = db(frame_energy(mic[half:]).sum(), frame_energy(out[half:]).sum())
    assert drop > 12.0, f"the echo fell by only {drop:.1f} dB"


@pytest.mark.parametrize("delay_ms", [10, 60, 150])
def test_webrtcs_canceller_takes_the_echo_out_from_the_start(delay_ms: int) -> None:
    """AEC3 from a fresh state (as the guard starts it for every answer) has found the echo
    within a second (sooner at short delays), where speexdsp's filter is still converging."""
    mic, played = recorded_echo(delay_ms, 800)
    n = len(mic)
    drops = []
    for canceller in (SpeexCanceller(), WebrtcCanceller()):
        out = np.concatenate(
            [canceller.cancel(mic[i : i + 800], played[i : i + 800]) for i in range(0, n, 800)]
        )
        second = slice(RATE, 2 * RATE)
        drops.append(db(frame_energy(mic[second]).sum(), frame_energy(out[second]).sum() + 1))
    speex, webrtc = drops
    assert webrtc > 15.0, f"AEC3's second second: the echo fell by only {webrtc:.1f} dB"
    assert webrtc > speex + 6.0, (speex, webrtc)


def test_a_frame_made_louder_by_the_canceller_is_the_microphones() -> None:
    mic = np.repeat(np.array([100, 0, 2000], dtype=np.int16), 160)
    cleaned = np.repeat(np.array([50, 300, 1000], dtype=np.int16), 160)
    out = no_louder(mic, cleaned)
    assert out[::160].tolist() == [50, 0, 1000]
    assert cleaned[160] == 300  # the input is left as it was


def test_after_a_visitor_with_no_echo_the_canceller_adds_nothing_to_a_quiet_microphone() -> None:
    """A handset or a quiet room: no echo path, and a visitor speaks while the kiosk plays.
    The filter adapts on that voice and, left alone, plays the kiosk's voice into the silent
    microphone that follows (the recognizer then missed the next visitor's short word)."""
    kiosk = np.concatenate([recording(i) for i in range(4)])
    visitor = np.concatenate([recording(i) for i in range(5, 9)])
    n = min(len(kiosk), len(visitor)) // 1600 * 1600
    half = n // 2 // 1600 * 1600
    mic = visitor[:n].copy()
    mic[half:] = 0  # the visitor stops; the kiosk plays on
    mic16, played = mic.astype(np.int16), kiosk[:n].astype(np.int16)
    canceller = SpeexCanceller()
    out = np.concatenate(
        [canceller.cancel(mic16[i : i + 1600], played[i : i + 1600]) for i in range(0, n, 1600)]
    )
    assert not out[half:].any(), "nothing is added where the microphone is silent"
    kept = db(frame_energy(mic16[:half]).sum(), frame_energy(out[:half]).sum())
    assert kept < 3.0, f"the visitor's voice lost {kept:.1f} dB though there was no echo"


def test_the_recognizer_hears_the_microphone_where_the_echo_is_far_under_the_voice() -> None:
    mic = np.repeat(np.array([1000, 1000, 0], dtype=np.int16), 160)
    cleaned = np.repeat(np.array([900, 900, 0], dtype=np.int16), 160)
    echo_e = np.array([1000.0**2 / 50, 1000.0**2 / 200, 1.0])  # 17 dB, 23 dB under the voice
    assert for_recognizer(mic, cleaned, echo_e)[::160].tolist() == [900, 1000, 0]


@pytest.mark.parametrize("cancel", ["speex", "webrtc"])
def test_with_no_echo_path_the_guard_gives_the_recognizer_the_visitors_voice_untouched(
    cancel: str,
) -> None:
    """The kiosk plays, nothing of it reaches the microphone (a handset, a quiet speaker),
    and a visitor speaks over it: the canceller, adapting under that voice, would change it;
    the recognizer hears it as the microphone had it."""
    kiosk = np.concatenate([recording(i) for i in range(4)])
    reference = PlaybackReference()
    guard = build_guard(reference, echo_cancel=cancel, margin_db=4.0, voice_s=0.1)
    reference.add(kiosk.astype(np.int16), 101.0)
    visitor_at, speech = 5 * RATE, recording(5)
    mic = np.zeros(RATE + len(kiosk))
    mic[visitor_at : visitor_at + len(speech)] = speech
    pcm = np.clip(mic, -32768, 32767).astype(np.int16)
    got = np.concatenate([result.samples for result in guarded_blocks(guard, pcm, 100.0)])
    voice = slice(visitor_at, visitor_at + len(speech) // 160 * 160)
    voiced = frame_energy(pcm[voice]) > 300.0**2
    same = (got[voice].reshape(-1, 160) == pcm[voice].reshape(-1, 160)).all(axis=1)
    assert same[voiced].mean() > 0.95, f"{same[voiced].mean():.0%} of voiced frames untouched"


def guarded_run(
    *, visitor: bool, cancel: str, delay_ms: int = 60, clock_error_ms: int = 40
) -> list[float]:
    """The kiosk plays four sentences; their echo (delayed, -10 dB) is in the microphone,
    and with ``visitor`` another voice speaks 9 s in. The guard's barge-ins, in seconds after
    the visitor started."""
    kiosk = np.concatenate([recording(i) for i in range(4)])
    reference = PlaybackReference()
    guard = build_guard(reference, echo_cancel=cancel, margin_db=10.0, voice_s=0.1)
    start = 101.0
    reference.add(kiosk.astype(np.int16), start + clock_error_ms / 1000)  # timestamps are off
    mic = np.zeros(RATE + len(kiosk) + RATE)
    at = RATE + delay_ms * RATE // 1000
    mic[at : at + len(kiosk)] += 0.3 * kiosk
    visitor_at = 10 * RATE
    if visitor:
        speech = recording(5)
        mic[visitor_at : visitor_at + len(speech)] += speech
    pcm = np.clip(mic, -32768, 32767).astype(np.int16)
    results = guarded_blocks(guard, pcm, start - 1.0)
    return [((i + 1) * 800 - visitor_at) / RATE for i, r in enumerate(results) if r.barge_in]


def test_the_echo_gain_is_learnt_on_the_kiosks_voice_not_on_the_rooms_noise() -> None:
    """Between words the reference is barely above silence and the microphone holds the room's
    noise: a ratio taken there is the noise's, not the echo path's (0 dB, where the echo is
    -10 dB), and would make every visitor need to be louder than the kiosk itself."""
    rng = np.random.default_rng(0)
    voice = recording(0)[: 3 * RATE]
    quiet = np.abs(voice[: len(voice) // 160 * 160].reshape(-1, 160)).mean(axis=1) < 300
    voice.reshape(-1, 160)[quiet] = rng.standard_normal((int(quiet.sum()), 160)) * 40
    mic = 0.3 * voice + rng.standard_normal(len(voice)) * 45
    rule = BargeInRule(RuleSettings(), detector=None)
    rule.feed(
        mic.astype(np.int16),
        mic.astype(np.int16),
        frame_energy(voice),
        np.ones(len(voice) // 160, dtype=bool),
    )
    assert -13.0 < 10 * np.log10(rule.raw_gain.value) < -8.0  # 0.3: -10.5 dB


@pytest.mark.parametrize("cancel", ["speex", "webrtc"])
def test_the_echo_alone_never_barges_in(cancel: str) -> None:
    assert guarded_run(visitor=False, cancel=cancel) == []


@pytest.mark.parametrize("cancel", ["speex", "webrtc"])
def test_a_visitor_over_the_echo_barges_in_once(cancel: str) -> None:
    fired = guarded_run(visitor=True, cancel=cancel)
    assert len(fired) == 1 and fired[0] > 0, fired


def test_with_webrtc_the_guard_starts_the_canceller_afresh_for_every_answer() -> None:
    """AEC3 follows a new delay slowly once it has learnt one, and each answer's echo sits
    elsewhere against the reference: every stretch of playback gets a fresh state, and the
    reference at a fixed lead (AEC3 finds the delay itself)."""
    reference = PlaybackReference()
    guard = build_guard(reference, echo_cancel="webrtc", margin_db=4.0, voice_s=0.1)
    assert guard.canceller is not None and guard.canceller.finds_delay
    assert not guard.rule.settings.raw_decides
    resets: list[int] = []
    canceller, reset = guard.canceller, guard.canceller.reset

    def counted() -> None:
        resets.append(1)
        reset()

    canceller.reset = counted  # type: ignore[method-assign]
    kiosk = recording(0)[: 2 * RATE]
    for at in (101.0, 105.0):
        reference.add(kiosk.astype(np.int16), at)
    mic = np.zeros(7 * RATE, dtype=np.int16)
    guarded_blocks(guard, mic, 100.0)
    assert len(resets) == 2


class _Segmenter:
    """Says speech started at the first block and cuts the utterance at the third."""

    def __init__(self) -> None:
        self.fed = 0

    def feed(self, samples: Int16Array) -> list[SpeechStarted | UtteranceEnded]:
        self.fed += 1
        if self.fed == 1:
            return [SpeechStarted(0.0)]
        if self.fed == 3:
            return [UtteranceEnded(Utterance.of(read_pcm(samples)))]
        return []

    def flush(self) -> list[SpeechStarted | UtteranceEnded]:
        return []


def read_pcm(samples: Int16Array) -> Pcm:
    return Pcm(samples, RATE)


class _Source:
    name = "test"

    def __init__(self, blocks: list[Int16Array]) -> None:
        self.blocks = list(blocks)

    def open(self) -> None: ...

    def read(self, timeout_s: float) -> Block | None:
        return Block(self.blocks.pop(0)) if self.blocks else None

    def close(self) -> None: ...


@pytest.mark.parametrize("playing", [True, False])
def test_the_recognizers_start_of_speech_while_the_kiosk_plays_is_no_barge_in(
    playing: bool,
) -> None:
    """Words the recognizer finds in the kiosk's own echo are neither a start of speech nor an
    utterance; without playback the same events pass."""
    reference = PlaybackReference()
    clock = [50.0]
    if playing:
        tone = (3000 * np.sin(np.arange(3 * RATE) / 5)).astype(np.int16)
        reference.add(tone, 49.0)
    guard = build_guard(reference, echo_cancel="off", margin_db=10.0, voice_s=0.1)
    guard._clock = lambda: clock[0]
    blocks = [np.zeros(800, np.int16) for _ in range(4)]
    listener = Listener(_Source(blocks), _Segmenter(), echo=guard)
    listener._pump()
    events = []
    while (event := listener.next_event(0.0)) is not None:
        events.append(type(event).__name__)
    if playing:
        assert events == ["SourceEnded"]
    else:
        assert events == ["SpeechStarted", "UtteranceEnded", "SourceEnded"]


def captured_voiced_s(folder: Path) -> float:
    raw = (folder / "alsa" / "mic-echo.raw").read_bytes()
    samples = np.frombuffer(raw[: len(raw) // 2 * 2], "<i2").astype(np.int32)
    return float(np.count_nonzero(np.abs(samples) > 500)) / 16000


@pytest.mark.parametrize("gain", [0.3, 0.0])
@pytest.mark.e2e
@pytest.mark.real_audio
@pytest.mark.real_vosk
@pytest.mark.slow
def test_the_kiosks_voice_reaches_its_microphone_only_with_the_echo_path(
    tmp_path: Path, gain: float
) -> None:
    session = bench_echo.EchoSession(tmp_path, gain=gain)
    try:
        answers = [session.answer(delay, visitor=False) for delay in (10, 60)]
    finally:
        session.close()
    assert len(answers) == 2
    heard = captured_voiced_s(tmp_path)
    if gain > 0:
        assert heard > 1.0, f"only {heard:.2f} s of the answers came back into the microphone"
        # ... and the kiosk did not take its own voice for a visitor's (the default set-up)
        assert [a.false_barge_ins for a in answers] == [0, 0]
    else:
        assert heard == 0.0 and all(a.false_barge_ins == 0 for a in answers)


@pytest.mark.e2e
@pytest.mark.real_audio
@pytest.mark.real_vosk
@pytest.mark.slow
def test_a_visitor_over_the_echo_is_heard(tmp_path: Path) -> None:
    session = bench_echo.EchoSession(tmp_path, gain=0.3)
    # A visitor who speaks up: 6 dB over the kiosk's level, 16 dB over its echo.
    louder = np.clip(session.visitor.astype(np.int32) * 2, -32768, 32767)
    session.visitor = louder.astype(np.int16)
    try:
        answer = session.answer(30, visitor=True)
    finally:
        session.close()
    # The kiosk stopped for the visitor, not for its own echo before.
    assert answer.detected and answer.false_barge_ins == 0, answer


def test_the_doctor_says_whether_echo_cancellation_is_active(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import ctypes.util
    import dataclasses

    from assistant.config import Config
    from assistant.kiosk.doctor import check_echo

    config = Config()
    assert "echo cancellation active" in check_echo(config).detail  # the default
    off = Config(audio=dataclasses.replace(config.audio, echo_guard=False))
    assert "echo guard off" in check_echo(off).detail
    active = check_echo(config)
    assert active.ok and "echo cancellation active: speexdsp" in active.detail
    webrtc = Config(audio=dataclasses.replace(config.audio, echo_cancel="webrtc"))
    assert "echo cancellation active: WebRTC's AEC3" in check_echo(webrtc).detail
    off = Config(audio=dataclasses.replace(config.audio, echo_cancel="off"))
    assert "echo cancellation off here" in check_echo(off).detail
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: "libspeexdsp-gone.so.9")
    with pytest.raises(Exception) as missing:
        check_echo(config)
    assert getattr(missing.value, "code", "") == "speexdsp-missing"
    assert "apt-get install libspeexdsp1" in str(getattr(missing.value, "fix", ""))


class _LevelSegmenter:
    """Speech starts at the first loud block and the utterance ends after 0.25 s of quiet."""

    def __init__(self) -> None:
        self.fed = 0
        self.start: int | None = None
        self.quiet = 0

    def feed(self, samples: Int16Array) -> list[SpeechStarted | UtteranceEnded]:
        at = self.fed
        self.fed += len(samples)
        loud = float(np.sqrt(np.mean(samples.astype(np.float64) ** 2))) > 300
        if self.start is None:
            if not loud:
                return []
            self.start, self.quiet = at, 0
            return [SpeechStarted(at / RATE)]
        self.quiet = 0 if loud else self.quiet + len(samples)
        if self.quiet < RATE // 4:
            return []
        self.start = None
        return [UtteranceEnded(Utterance.of(read_pcm(samples)))]

    def flush(self) -> list[SpeechStarted | UtteranceEnded]:
        return []


def test_a_visitor_who_barges_in_again_over_the_next_answer_is_heard_again() -> None:
    """The kiosk plays on with no quiet the guard could see between two answers (the next
    answer started at once: a short reply, a microphone read late); the visitor speaks over
    the first answer, then over the second. Both utterances are the visitor's: each one
    barges in and is heard (before, the guard's barge-in fired once per stretch of playback
    it saw, and the second utterance was dropped as the kiosk's own echo)."""
    reference = PlaybackReference()
    now = [100.0]
    start = 101.0
    tone = (3000 * np.sin(np.arange(14 * RATE) / 5)).astype(np.int16)
    reference.add(tone, start)
    guard = build_guard(reference, echo_cancel="off", margin_db=4.0, voice_s=0.1)
    guard._clock = lambda: now[0]
    mic = np.zeros(14 * RATE)
    visitor = recording(5)[: 2 * RATE]
    for at_s in (3, 8):
        mic[at_s * RATE : at_s * RATE + len(visitor)] += visitor
    pcm = np.clip(mic, -32768, 32767).astype(np.int16)
    blocks = [pcm[i : i + 800] for i in range(0, len(pcm), 800)]

    class _Clocked(_Source):
        def read(self, timeout_s: float) -> Block | None:
            block = super().read(timeout_s)
            now[0] += 800 / RATE  # when the block arrived
            return block

    listener = Listener(_Clocked(blocks), _LevelSegmenter(), echo=guard)
    now[0] = start
    listener._pump()
    events = []
    while (event := listener.next_event(0.0)) is not None:
        events.append(type(event).__name__)
    assert events == [
        "SpeechStarted",
        "UtteranceEnded",
        "SpeechStarted",
        "UtteranceEnded",
        "SourceEnded",
    ], events


class _EchoWordsSegmenter:
    """Speech starts on the first block (words found in the echo); the utterance ends at
    ``end_s``. ``restart`` notes its time and starts the utterance there."""

    def __init__(self, end_s: float) -> None:
        self.fed = 0
        self.start: int | None = None
        self.end = int(end_s * RATE)
        self.restarts: list[float] = []

    def feed(self, samples: Int16Array) -> list[SpeechStarted | UtteranceEnded]:
        at = self.fed
        self.fed += len(samples)
        if self.start is None:
            self.start = at
            return [SpeechStarted(at / RATE)]
        if self.fed >= self.end:
            pcm = read_pcm(np.zeros(self.fed - self.start, np.int16))
            self.start, self.end = None, 10**9
            return [UtteranceEnded(Utterance.of(pcm))]
        return []

    def restart(self, at_s: float) -> list[SpeechStarted | UtteranceEnded]:
        self.restarts.append(at_s)
        self.start = int(at_s * RATE)
        return [SpeechStarted(at_s)]

    def flush(self) -> list[SpeechStarted | UtteranceEnded]:
        return []


def test_a_visitor_speaking_in_an_utterance_of_the_echo_is_heard_from_the_barge_in() -> None:
    """The recognizer found words in the kiosk's own echo and is cutting them as an utterance
    when the visitor starts speaking, seconds later. The visitor's utterance starts half a
    second before the guard's barge-in, not with the echo's words: one question, heard once
    (before, the echo's words and the visitor's first ones were one utterance, and the rest
    of the question a second one)."""
    reference = PlaybackReference()
    now = [100.0]
    start = 101.0
    tone = (3000 * np.sin(np.arange(8 * RATE) / 5)).astype(np.int16)
    reference.add(tone, start)
    guard = build_guard(reference, echo_cancel="off", margin_db=4.0, voice_s=0.1)
    guard._clock = lambda: now[0]
    mic = np.zeros(8 * RATE)
    visitor = recording(5)[: 2 * RATE]
    mic[3 * RATE : 3 * RATE + len(visitor)] += visitor
    pcm = np.clip(mic, -32768, 32767).astype(np.int16)
    blocks = [pcm[i : i + 800] for i in range(0, len(pcm), 800)]

    class _Clocked(_Source):
        def read(self, timeout_s: float) -> Block | None:
            block = super().read(timeout_s)
            now[0] += 800 / RATE
            return block

    segmenter = _EchoWordsSegmenter(end_s=6.0)
    listener = Listener(_Clocked(blocks), segmenter, echo=guard)
    now[0] = start
    listener._pump()
    events = []
    while (event := listener.next_event(0.0)) is not None:
        events.append(event)
    assert [type(e).__name__ for e in events] == [
        "SpeechStarted",
        "UtteranceEnded",
        "SourceEnded",
    ], events
    started, ended = events[0], events[1]
    assert isinstance(started, SpeechStarted) and isinstance(ended, UtteranceEnded)
    barge_s = started.at_s
    assert 3.0 <= barge_s < 4.5, barge_s
    assert segmenter.restarts == [pytest.approx(barge_s - 0.5)]
    heard = ended.utterance
    assert heard.duration_s == pytest.approx(6.0 - (barge_s - 0.5), abs=0.06)
