"""Helpers shared by the speech-input tests: fake model folders, Korean test speech, configs."""

from __future__ import annotations

import functools
import json
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from assistant.audio import Int16Array, Pcm, read_wav
from assistant.config import Config, config_from_dict
from assistant.speech_in.echo import RATE_HZ, EchoGuard, GuardResult

#: Words of the Korean test model used in restricted-vocabulary tests (all in its vocabulary).
KO_WORDS = ("안녕하세요", "감사합니다", "갑니다", "학교")


def make_fake_model(folder: Path, *, lookahead: bool = True) -> Path:
    """A folder with the layout of a Vosk model (contents are placeholders, not loadable)."""
    files = {
        "am/final.mdl": "am",
        "conf/model.conf": "--beam=10.0\n--endpoint.rule2.min-trailing-silence=0.5\n",
        "conf/mfcc.conf": "--sample-frequency=16000\n",
        "ivector/final.ie": "ie",
        "README": "fake model for tests\n",
    }
    if lookahead:
        files |= {"graph/HCLr.fst": "hclr", "graph/Gr.fst": "gr"}
    else:
        files["graph/HCLG.fst"] = "hclg"
    for rel, text in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text)
    return folder


def config_for(models_folder: Path, languages: dict[str, str], **recognition: object) -> Config:
    """A config whose models folder and languages are these (first language is the default)."""
    return config_from_dict(
        {
            "languages": list(languages),
            "models": {"folder": str(models_folder), "languages": languages},
            "dialog": {"default_language": next(iter(languages))},
            "recognition": {"language": "auto", **recognition},
        }
    )


@functools.cache
def _espeak_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="ko-speech-"))


@functools.cache
def espeak_ko(text: str) -> Path:
    """A WAV file (22.05 kHz) of espeak-ng's Korean voice saying ``text``."""
    out = _espeak_dir() / f"{abs(hash(text))}.wav"
    subprocess.run(["espeak-ng", "-v", "ko", "-w", str(out), text], check=True, timeout=60)
    return out


def ko_pcm(text: str, rate_hz: int = 16000) -> Pcm:
    return read_wav(espeak_ko(text), rate_hz=rate_hz)


def n_best_json(*alternatives: tuple[float, str]) -> str:
    """Vosk's n-best result for ``(confidence, text)`` pairs, best first; only the first
    carries word timings, as Vosk gives them."""
    return json.dumps(
        {
            "alternatives": [
                {
                    "confidence": confidence,
                    "text": text,
                    "result": (
                        [
                            {"word": w, "start": i, "end": i + 0.5}
                            for i, w in enumerate(text.split())
                        ]
                        if n == 0
                        else []
                    ),
                }
                for n, (confidence, text) in enumerate(alternatives)
            ]
        }
    )


def silence(duration_s: float, rate_hz: int = 16000) -> Pcm:
    return Pcm(np.zeros(int(duration_s * rate_hz), dtype=np.int16), rate_hz)


def join(*parts: Pcm) -> Pcm:
    return Pcm(np.concatenate([p.samples for p in parts]), parts[0].rate_hz)


KO_MODEL_NAME = "vosk-model-small-ko-test"


@functools.cache
def ko_config(ko_model_dir: Path) -> Config:
    """A config with the Korean test model installed (hard-linked) in a temporary models folder.

    Cached: every test module of the session shares the folder, so ``load_model`` loads the
    model once.
    """
    from assistant.speech_in.install import Installer

    folder = Path(tempfile.mkdtemp(prefix="ko-models-"))
    Installer(folder).install_folder(ko_model_dir, name=KO_MODEL_NAME, lang="ko")
    return config_for(folder, {"ko": KO_MODEL_NAME}, endpoint_silence_s=0.5, max_utterance_s=6.0)


def ko_toml(ko_model_dir: Path, folder: Path, extra: str = "") -> Path:
    """A kiosk.toml equal to :func:`ko_config` (plus ``extra`` TOML), for the program's CLI."""
    config = ko_config(ko_model_dir)
    rec = config.recognition
    path = folder / "kiosk.toml"
    path.write_text(
        'languages = ["ko"]\n'
        + extra
        + '[dialog]\ndefault_language = "ko"\n'
        + f"[recognition]\nendpoint_silence_s = {rec.endpoint_silence_s}\n"
        + f"max_utterance_s = {rec.max_utterance_s}\n"
        + f'[models]\nfolder = "{config.models.folder}"\n'
        + f'[models.languages]\nko = "{config.models.languages["ko"]}"\n'
    )
    return path


def guarded_blocks(
    guard: EchoGuard, pcm: Int16Array, start_s: float, *, rearm: bool = False, block: int = 800
) -> list[GuardResult]:
    """The echo guard's results for 16 kHz ``pcm`` in blocks of ``block`` samples, each arriving
    on the guard's clock as it ends (the first at ``start_s`` plus one block). With ``rearm``
    the guard is rearmed after every barge-in, so that each one on the echo counts, not only
    the first of a stretch of playback."""
    now = [start_s]
    guard._clock = lambda: now[0]
    results = []
    for i in range(0, len(pcm), block):
        now[0] = start_s + (i + block) / RATE_HZ  # when the block arrived
        result = guard.process(pcm[i : i + block])
        results.append(result)
        if rearm and result.barge_in:
            guard.rearm()
    return results
