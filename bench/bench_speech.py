"""Speech output: time to first audio and synthesis real-time factor, Swedish and French.

Time to first audio: from ``Speaker.say()`` to the first chunk reaching the player (real
pyttsx3 + espeak-ng, the player records the moment and discards the audio). Real-time factor:
synthesis time / audio duration over all chunks. Run: ``.venv/bin/python bench/bench_speech.py``.
"""

from __future__ import annotations

import statistics
import threading
import time

from assistant.audio import Pcm
from assistant.config import Config
from assistant.speech import build_speaker
from assistant.speech_text import speech_chunks
from assistant.synthesis import Pyttsx3Synthesizer
from assistant.voices import VoiceSettings, choose_voice

TEXTS = {
    "sv": (
        "Kramper är vanliga. De går oftast över av sig själva.",
        " ".join(
            ["Muskelkramper kan bero på uttröttning, vätskebrist eller vissa läkemedel."] * 12
        ),
    ),
    "fr": (
        "Les crampes sont fréquentes. Elles passent le plus souvent toutes seules.",
        " ".join(
            ["Les crampes peuvent être dues à la fatigue, au manque d'eau ou à un médicament."] * 12
        ),
    ),
}


class FirstAudio:
    def __init__(self) -> None:
        self.first_at: float | None = None

    def play(self, pcm: Pcm, stop: threading.Event) -> None:
        if self.first_at is None:
            self.first_at = time.perf_counter()


def main() -> None:
    config = Config()
    synth = Pyttsx3Synthesizer(config.speech.driver)
    voices = synth.list_voices()
    for lang, texts in TEXTS.items():
        settings = VoiceSettings(choose_voice(voices, lang).id, 165, 1.0)
        for label, text in zip(("short", "long"), texts, strict=True):
            firsts = []
            for _ in range(5):
                player = FirstAudio()
                speaker = build_speaker(config, player=player)
                start = time.perf_counter()
                speaker.say(text, lang)
                speaker.wait(120)
                speaker.close()
                assert player.first_at is not None
                firsts.append((player.first_at - start) * 1000)
            synth_s = audio_s = 0.0
            for chunk in speech_chunks(text):
                t0 = time.perf_counter()
                pcm = synth.synthesize(chunk, settings)
                synth_s += time.perf_counter() - t0
                audio_s += pcm.duration_s
            print(
                f"{lang} {label:5s} {len(text):5d} chars  first audio median "
                f"{statistics.median(firsts):6.1f} ms (max {max(firsts):6.1f})  "
                f"audio {audio_s:6.1f} s  RTF {synth_s / audio_s:.3f}"
            )
    synth.close()


if __name__ == "__main__":
    main()
