"""Speech recognition with Vosk: an :class:`Utterance` in, a :class:`Transcript` out.

One ``vosk.Model`` per language is loaded once (always from a path: Vosk's name and language
constructors go to the network); every utterance gets a fresh ``KaldiRecognizer`` (``Reset()``
would keep the previous visitor's speaker adaptation). Audio is resampled with soxr to the
model's rate and fed in blocks of 0.2 s. Nothing here is specific to a language: any installed
Vosk model serves its language code.

A model with a lookahead graph accepts a runtime vocabulary: the words of the content and the
commands that the model knows (its find-word call), plus its own unknown-word token. The grammar
is given when the recognizer is created, before any audio (Vosk aborts the process otherwise),
as JSON with ``ensure_ascii=False`` (escaped non-ASCII words are silently dropped by Vosk).

With ``auto``, every installed language recognizes the same utterance concurrently and the
language is chosen from the recognizer's confidence and how well the transcript fits the content.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from assistant.audio import Int16Array, Pcm, resample
from assistant.config import Config
from assistant.errors import RecognitionError
from assistant.speech_in.models import (
    installed_languages,
    loadable_model,
    model_for,
    sample_rate_hz,
)

logger = logging.getLogger(__name__)

#: Fit of a transcript to the content in a language, 0..1 (the matching core's ``fit``).
Fit = Callable[[str, str], float]

FEED_BLOCK_S = 0.2
#: Weight of the recognizer's confidence against the content fit when choosing a language.
CONFIDENCE_WEIGHT = 0.5
_UNKNOWN_TOKENS = ("[unk]", "<unk>")
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


@dataclass(frozen=True)
class Word:
    text: str
    start_s: float
    end_s: float
    confidence: float


@dataclass(frozen=True)
class Transcript:
    text: str
    lang: str
    #: Mean word confidence, 0..1 (0 for an empty transcript).
    confidence: float
    words: tuple[Word, ...]
    duration_s: float
    #: The recognizer's other hypotheses, next best first (``recognition.max_alternatives``).
    alternatives: tuple[str, ...] = ()
    #: How sure the recognizer is of each word it heard in any hypothesis, 0..1: Vosk's own
    #: word confidence for one hypothesis, the word's share of the hypotheses' probability
    #: mass for several (:func:`word_posteriors`). The core weighs question words by it.
    word_confidence: tuple[tuple[str, float], ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "alternatives": list(self.alternatives),
            "text": self.text,
            "lang": self.lang,
            "confidence": round(self.confidence, 3),
            "duration_s": round(self.duration_s, 3),
            "words": [
                {"text": w.text, "start_s": w.start_s, "end_s": w.end_s, "confidence": w.confidence}
                for w in self.words
            ],
        }


@dataclass(frozen=True)
class Utterance:
    """One spoken utterance, 16-bit mono."""

    pcm: Pcm
    duration_s: float
    #: The utterance was cut at the maximum length, not ended by silence.
    truncated: bool = False
    #: Transcripts already decoded while the audio streamed in, per language (the listener's
    #: recognizers); a recognizer of that language returns it instead of decoding again.
    streamed: Mapping[str, Transcript] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        pcm: Pcm,
        *,
        truncated: bool = False,
        streamed: Mapping[str, Transcript] | None = None,
    ) -> Utterance:
        return cls(pcm, pcm.duration_s, truncated, dict(streamed or {}))


class Recognizer(Protocol):
    def recognize(self, utterance: Utterance) -> Transcript: ...


def _vosk() -> Any:
    try:
        import vosk
    except ImportError:
        raise RecognitionError(
            "vosk-missing", "speech input needs vosk", fix="pip install 'rostguiden[recognition]'"
        ) from None
    vosk.SetLogLevel(-1)
    return vosk


class VoskModel:
    """A Vosk model loaded once, with the facts recognition needs about it."""

    def __init__(self, path: Path, lang: str, *, supports_vocabulary: bool) -> None:
        self.path = path
        self.lang = lang
        self.supports_vocabulary = supports_vocabulary
        self.rate_hz = sample_rate_hz(path)
        vosk = _vosk()
        try:
            self.model = vosk.Model(str(path))
        except Exception as exc:  # Vosk raises a bare Exception when loading fails
            raise RecognitionError(
                "model-load-failed",
                f"Vosk could not load {path}: {exc}",
                fix=f"verify it: python run.py models verify {path.name}",
            ) from None
        self.unknown_token = next((t for t in _UNKNOWN_TOKENS if self.knows(t)), None)

    def knows(self, word: str) -> bool:
        return int(self.model.vosk_model_find_word(word)) >= 0

    def grammar(self, texts: Iterable[str]) -> list[str] | None:
        """The known words of ``texts`` (lowercased) plus the unknown token; None if unusable."""
        if not self.supports_vocabulary:
            return None
        words = sorted({w for t in texts for w in _WORD.findall(t.casefold())})
        known = [w for w in words if self.knows(w)]
        if len(known) < len(words):
            logger.info(
                "%s: %d of %d words are not in the model",
                self.lang,
                len(words) - len(known),
                len(words),
            )
        if not known:
            return None
        return known + ([self.unknown_token] if self.unknown_token else [])


def word_posteriors(
    hypotheses: Sequence[str], scores: Sequence[float]
) -> tuple[tuple[str, float], ...]:
    """Each word of the hypotheses (lowercase) and its posterior: the share of the probability
    mass (``scores`` are log-likelihoods, one per hypothesis) of the hypotheses that contain it.
    A word every hypothesis agrees on gets 1; one only an unlikely hypothesis has, little."""
    if not hypotheses:
        return ()
    values = np.asarray(scores, dtype=float)
    weights = np.exp(values - values.max())
    weights /= weights.sum()
    mass: dict[str, float] = {}
    for text, weight in zip(hypotheses, weights, strict=True):
        for word in dict.fromkeys(text.lower().split()):
            mass[word] = mass.get(word, 0.0) + float(weight)
    return tuple((word, round(min(1.0, share), 3)) for word, share in mass.items())


def parse_result(raw: str, lang: str, duration_s: float, offset_s: float = 0.0) -> Transcript:
    """A Vosk JSON result as a :class:`Transcript`; word times shifted by ``-offset_s``.

    With several hypotheses (``SetMaxAlternatives``) Vosk gives each a total score and no
    word confidences: the best one is the transcript, its confidence (and each word's) its
    share of the hypotheses' probability mass, and the others are ``alternatives``."""
    result = json.loads(raw)
    alternatives = result.get("alternatives")
    share = None
    others: tuple[str, ...] = ()
    posteriors: tuple[tuple[str, float], ...] = ()
    if isinstance(alternatives, list) and alternatives:
        scores = np.array([float(a.get("confidence", 0.0)) for a in alternatives])
        weights = np.exp(scores - scores.max())
        share = float(weights[0] / weights.sum())
        texts = [str(a.get("text", "")).strip() for a in alternatives]
        others = tuple(dict.fromkeys(t for t in texts[1:] if t and t != texts[0]))
        posteriors = word_posteriors(texts, scores.tolist())
        result = alternatives[0]
    words = tuple(
        Word(
            str(w["word"]),
            round(max(0.0, float(w["start"]) - offset_s), 3),
            round(max(0.0, float(w["end"]) - offset_s), 3),
            float(w.get("conf", 1.0)) if share is None else share,
        )
        for w in result.get("result", [])
    )
    text = " ".join(w.text for w in words) if words else str(result.get("text", "")).strip()
    confidence = float(np.mean([w.confidence for w in words])) if words else 0.0
    if share is None:  # one hypothesis: a word heard twice is as sure as its surer hearing
        sure: dict[str, float] = {}
        for w in words:
            sure[w.text.lower()] = max(sure.get(w.text.lower(), 0.0), round(w.confidence, 3))
        posteriors = tuple(sure.items())
    return Transcript(text, lang, confidence, words, duration_s, others, posteriors)


class VoskRecognizer:
    """Recognizes utterances in one language; a fresh Kaldi recognizer for each."""

    def __init__(
        self,
        model: VoskModel,
        vocabulary: Sequence[str] | None = None,
        max_alternatives: int = 1,
    ) -> None:
        self.model = model
        self.max_alternatives = max_alternatives
        self.grammar: list[str] | None = None
        self._grammar_json: str | None = None
        self.set_vocabulary(vocabulary)

    def set_vocabulary(self, vocabulary: Sequence[str] | None) -> None:
        """Restrict the next utterances to the words of these texts (None: unrestricted).

        Takes effect for recognizers made after it (a grammar is only set before the first
        audio of an utterance)."""
        grammar = self.model.grammar(vocabulary) if vocabulary else None
        self.grammar = grammar
        self._grammar_json = (
            json.dumps(grammar, ensure_ascii=False) if grammar is not None else None
        )

    @property
    def lang(self) -> str:
        return self.model.lang

    def recognize(self, utterance: Utterance) -> Transcript:
        streamed = utterance.streamed.get(self.lang)
        if streamed is not None:
            return streamed
        pcm = utterance.pcm
        samples = resample(pcm.samples, pcm.rate_hz, self.model.rate_hz)
        step = int(self.model.rate_hz * FEED_BLOCK_S)
        chunks = (samples[i : i + step] for i in range(0, len(samples), step))
        return self.transcribe(chunks, utterance.duration_s)

    def transcribe(self, chunks: Iterable[Int16Array], duration_s: float) -> Transcript:
        """Stream chunks at the model's rate through one new recognizer; the final result."""
        rec = self.new_kaldi()
        for chunk in chunks:
            if len(chunk):
                rec.AcceptWaveform(np.asarray(chunk, dtype="<i2").tobytes())
        return parse_result(rec.FinalResult(), self.lang, duration_s)

    def new_kaldi(self) -> Any:
        """A Kaldi recognizer with the grammar set at creation (before any audio)."""
        vosk = _vosk()
        if self._grammar_json is not None:
            rec = vosk.KaldiRecognizer(self.model.model, self.model.rate_hz, self._grammar_json)
        else:
            rec = vosk.KaldiRecognizer(self.model.model, self.model.rate_hz)
        rec.SetWords(True)
        if self.max_alternatives > 1:
            rec.SetMaxAlternatives(self.max_alternatives)
        return rec


def vosk_recognizers(recognizer: Recognizer) -> list[VoskRecognizer]:
    """The Vosk recognizers inside a recognizer (one language, or every language of ``auto``)."""
    if isinstance(recognizer, VoskRecognizer):
        return [recognizer]
    if isinstance(recognizer, AutoRecognizer):
        return [r for inner in recognizer.recognizers.values() for r in vosk_recognizers(inner)]
    return []


class AutoRecognizer:
    """Recognizes in every language at once and keeps the most plausible transcript."""

    def __init__(self, recognizers: Mapping[str, Recognizer], fit: Fit | None = None) -> None:
        if not recognizers:
            raise RecognitionError("no-language", "no recognizer to choose from")
        self.recognizers = dict(recognizers)
        self.fit = fit
        self._pool = ThreadPoolExecutor(len(self.recognizers), thread_name_prefix="recognize")

    def recognize(self, utterance: Utterance) -> Transcript:
        futures = {
            lang: self._pool.submit(r.recognize, utterance) for lang, r in self.recognizers.items()
        }
        transcripts = [f.result() for f in futures.values()]
        return max(transcripts, key=self.score)

    def score(self, transcript: Transcript) -> float:
        if not transcript.text:
            return -1.0
        fit = self.fit(transcript.text, transcript.lang) if self.fit else 0.0
        return CONFIDENCE_WEIGHT * transcript.confidence + (1 - CONFIDENCE_WEIGHT) * fit


_loaded: dict[Path, VoskModel] = {}
_load_lock = threading.Lock()


def load_model(config: Config, lang: str) -> VoskModel:
    """The model serving ``lang``, loaded once per process, with managed endpointing; loaded
    and tried in a child process first (``loadable_model``: a model that aborts Kaldi then
    raises ``model-load-failed`` here instead of ending this process)."""
    check = model_for(config, lang)
    key = check.path.resolve()
    with _load_lock:
        if key not in _loaded:
            check = loadable_model(config, lang)
            _loaded[key] = VoskModel(
                check.path, lang, supports_vocabulary=check.supports_vocabulary
            )
        return _loaded[key]


def recognition_languages(config: Config, lang: str | None = None) -> list[str]:
    """The languages to recognize: the one asked for, or all installed (``auto``)."""
    wanted = lang or config.recognition.language
    if wanted != "auto":
        return [wanted]
    langs = installed_languages(config)
    if not langs:
        model_for(config, config.languages[0])  # raises the clear "model-missing" error
    return langs


def build_recognizer(
    config: Config,
    vocabulary: Mapping[str, Sequence[str]] | None = None,
    fit: Fit | None = None,
    *,
    lang: str | None = None,
) -> Recognizer:
    """A recognizer for ``lang`` (default: ``recognition.language``), ``auto`` choosing.

    ``vocabulary`` maps a language to the texts whose words it may recognize (the content and
    the commands); it is used when ``recognition.restrict_vocabulary`` is on and the model
    supports it.
    """
    langs = recognition_languages(config, lang)
    recognizers: dict[str, Recognizer] = {}
    for code in langs:
        texts = (
            vocabulary.get(code) if vocabulary and config.recognition.restrict_vocabulary else None
        )
        recognizers[code] = VoskRecognizer(
            load_model(config, code), texts, config.recognition.max_alternatives
        )
    if len(recognizers) == 1:
        return next(iter(recognizers.values()))
    return AutoRecognizer(recognizers, fit)
