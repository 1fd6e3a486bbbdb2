"""Opt-in tier: the Swedish and French models on real speech and on spoken questions.

Runs when the sv and fr models are installed in the project's ``models/`` folder
(``python run.py models install``, or from a zip/folder on a USB stick); skipped otherwise, as
here where they cannot be downloaded. Word error rate is measured on the shared speech samples
(real recordings and neural TTS with reference transcripts).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rapidfuzz.distance import Levenshtein

from assistant import PROJECT_DIR
from assistant.audio import read_wav, write_wav
from assistant.config import Config
from assistant.speech_in.recognition import (
    Recognizer,
    Transcript,
    Utterance,
    VoskRecognizer,
    build_recognizer,
    load_model,
)

pytestmark = [pytest.mark.svfr_models, pytest.mark.real_vosk, pytest.mark.slow]

#: Sample folder -> language, and the highest word error rate accepted unrestricted.
FOLDERS = {
    "sv-common-voice": ("sv", 0.6),
    "sv-wavenet": ("sv", 0.5),
    "fr-voxforge": ("fr", 0.5),
    "fr-wavenet": ("fr", 0.5),
}


def words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+(?:['’][^\W_]+)?", text.casefold().replace("’", "'"))


def samples(folder: Path) -> list[tuple[Path, str]]:
    return [
        (wav, wav.with_suffix(".txt").read_text(encoding="utf-8"))
        for wav in sorted(folder.glob("*.wav"))
    ]


def wer(recognizer: Recognizer, pairs: list[tuple[Path, str]]) -> tuple[float, list[Transcript]]:
    errors = total = 0
    transcripts = []
    for wav, reference in pairs:
        transcript = recognizer.recognize(Utterance.of(read_wav(wav)))
        transcripts.append(transcript)
        ref = words(reference)
        errors += Levenshtein.distance(ref, words(transcript.text))
        total += len(ref)
    return errors / max(total, 1), transcripts


@pytest.mark.parametrize("folder", list(FOLDERS))
def test_word_error_rate(config: Config, speech_samples_dir: Path, folder: str) -> None:
    lang, limit = FOLDERS[folder]
    pairs = samples(speech_samples_dir / folder)
    assert pairs, f"no samples in {folder}"
    model = load_model(config, lang)
    rate, _ = wer(VoskRecognizer(model), pairs)
    print(f"{folder}: WER {rate:.1%} unrestricted")
    assert rate <= limit
    if model.supports_vocabulary:
        restricted_rate, _ = wer(VoskRecognizer(model, [t for _, t in pairs]), pairs)
        print(f"{folder}: WER {restricted_rate:.1%} restricted to the known sentences")
        assert restricted_rate <= min(rate, 0.15)


def test_auto_language_choice(config: Config, speech_samples_dir: Path) -> None:
    recognizer = build_recognizer(config, lang="auto")
    right = total = 0
    for folder, (lang, _) in FOLDERS.items():
        for wav, _ in samples(speech_samples_dir / folder)[:4]:
            total += 1
            right += recognizer.recognize(Utterance.of(read_wav(wav))).lang == lang
    assert right >= 0.8 * total, f"{right}/{total} languages right"


@pytest.mark.e2e
@pytest.mark.parametrize(("lang", "voice"), [("sv", "sv"), ("fr", "fr")])
def test_spoken_questions_about_the_documents(
    config: Config, tmp_path: Path, lang: str, voice: str
) -> None:
    from assistant.content import load_library

    library = load_library(config.path(config.content.folder), config.languages)
    asked = [(s, s.questions[0]) for _, s in library.sections(lang) if s.questions][:3]
    if not asked:
        pytest.skip(f"the {lang} documents have no example questions")
    answered = 0
    for section, question in asked:
        raw = tmp_path / "q.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-w", str(raw), question], check=True, timeout=60)
        wav = tmp_path / f"{section.id}.wav"
        write_wav(wav, read_wav(raw, rate_hz=16000))
        out = subprocess.run(
            [sys.executable, "run.py", "listen", "--wav", str(wav), "--lang", "auto", "--json"],
            cwd=PROJECT_DIR,
            check=False,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert out.returncode == 0, out.stderr
        result = json.loads(out.stdout)
        assert result["transcript"]["lang"] == lang
        reply = result["reply"]
        answered += bool(reply) and reply["section"] == section.index
    assert answered >= len(asked) - 1, f"{answered}/{len(asked)} spoken questions answered"
