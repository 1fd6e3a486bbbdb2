"""The simulated speech recognizer of bench/asr_sim.py: normalization, error rate, sound-alikes."""

from __future__ import annotations

import functools
import logging
import random
import shutil
import subprocess
import sys

import pytest

from assistant import PROJECT_DIR

sys.path.append(str(PROJECT_DIR / "bench"))
import asr_sim

TEXTS = {
    "sv": [
        "Vad är en muskelspasm?",
        "Varför får man kramp i vaderna på natten?",
        "Hjälper det att stretcha innan man springer?",
        "Ska jag gå till läkaren om krampen gör ont länge?",
        "Kan man få kramp av att dricka för lite vatten?",
        "När har vårdcentralen öppet på lördag?",
        "Vårdcentralen har öppet 8 till 17 på vardagar.",
        "Vilka muskler kan drabbas av spasmer?",
        "Hur påverkar spasmer vardagen för en äldre person?",
        "Kan stress och trötthet orsaka ryckningar i ögonlocket?",
        "Hjälper massage mot ryckningar i benen?",
        "Vad beror krampen på och hur länge brukar den sitta i?",
        "Jag vaknar ofta med ont i foten, vad ska jag göra?",
        "Finns det någon medicin som lindrar kramp?",
        "Kom tillbaka i morgon klockan 10 så hjälper vi dig.",
        "Är det farligt om musklerna rycker flera gånger om dagen?",
        "Vilka salter och mineraler behöver kroppen för att inte krampa?",
        "Kan man förebygga spasmer genom att röra sig mer?",
        "Var ligger närmaste apotek och när stänger det?",
        "Hur mycket vatten ska man dricka när det är varmt ute?",
    ],
    "fr": [
        "Qu'est-ce qu'un spasme musculaire ?",
        "Pourquoi a-t-on des crampes aux mollets la nuit ?",
        "Est-ce que les étirements aident avant de courir ?",
        "Dois-je voir un médecin si la crampe fait mal longtemps ?",
        "Peut-on avoir des crampes si on ne boit pas assez d'eau ?",
        "Le centre de santé est ouvert de 8h à 17h en semaine.",
        "Quels muscles peuvent être touchés par les spasmes ?",
        "Comment les spasmes affectent-ils la vie quotidienne d'une personne âgée ?",
        "Le stress et la fatigue peuvent-ils provoquer des tremblements de la paupière ?",
        "Est-ce qu'un massage aide contre les contractions dans les jambes ?",
        "De quoi dépend la crampe et combien de temps dure-t-elle ?",
        "Je me réveille souvent avec une douleur au pied, que dois-je faire ?",
        "Existe-t-il un médicament qui soulage les crampes ?",
        "Revenez demain à 10h et nous vous aiderons.",
        "Est-il dangereux que les muscles tremblent plusieurs fois par jour ?",
        "De quels sels et minéraux le corps a-t-il besoin pour éviter les crampes ?",
        "Peut-on prévenir les spasmes en bougeant davantage ?",
        "Où se trouve la pharmacie la plus proche et quand ferme-t-elle ?",
        "Combien d'eau faut-il boire quand il fait chaud dehors ?",
        "Pouvez-vous répéter la question plus lentement s'il vous plaît ?",
    ],
}
ESPEAK = shutil.which("espeak-ng")


@functools.cache
def vocabulary(lang: str) -> list[str]:
    """Frequent words (a smaller list than the default, for speed) plus the texts' own words."""
    own = [w for text in TEXTS[lang] for w in asr_sim.normalize(text, lang)]
    return list(dict.fromkeys([*asr_sim.default_vocabulary(lang, 3000), *own]))


def normalized(text: str, lang: str) -> str:
    return asr_sim.simulate(text, lang, 0.0, random.Random(0), vocabulary=[])


def test_wer_zero_only_normalizes_swedish() -> None:
    assert normalized("Öppet 10 till 16", "sv") == "öppet tio till sexton"
    assert normalized("Var ligger VÅRDCENTRALEN, tack?!", "sv") == "var ligger vårdcentralen tack"
    assert (
        normalized("Vi stänger 14.30 (ca 50%).", "sv")
        == "vi stänger fjorton trettio ca femtio procent"
    )
    assert normalized("Den 1:a maj, 3,5 timmar.", "sv") == "den första maj tre komma fem timmar"


def test_wer_zero_only_normalizes_french() -> None:
    assert normalized("Ouvert de 9h à 14h30, le 1er mai.", "fr") == (
        "ouvert de neuf heures à quatorze heures trente le premier mai"
    )
    assert normalized("L'eau ? J’ai 21 ans, pas 80 !", "fr") == (
        "l'eau j'ai vingt et un ans pas quatre-vingts"
    )


def test_wer_zero_leaves_the_rng_and_words_alone() -> None:
    rng = random.Random(3)
    state = rng.getstate()
    text = TEXTS["sv"][3]
    assert asr_sim.simulate(text, "sv", 0.0, rng, vocabulary("sv")) == normalized(text, "sv")
    assert rng.getstate() == state


def test_deterministic_for_a_seed() -> None:
    def run(seed: int) -> list[str]:
        rng = random.Random(seed)
        return [asr_sim.simulate(t, "sv", 0.3, rng, vocabulary("sv")) for t in TEXTS["sv"]]

    assert run(1) == run(1)
    assert run(1) != run(2)


@pytest.mark.parametrize("lang", ["sv", "fr"])
@pytest.mark.parametrize("target", [0.15, 0.30])
def test_measured_wer_is_near_the_target(lang: str, target: float) -> None:
    rng = random.Random(42)
    edits = words = 0.0
    for i in range(200):
        text = TEXTS[lang][i % len(TEXTS[lang])]
        reference = normalized(text, lang)
        hypothesis = asr_sim.simulate(text, lang, target, rng, vocabulary(lang))
        n = len(reference.split())
        edits += asr_sim.word_error_rate(reference, hypothesis) * n
        words += n
    assert edits / words == pytest.approx(target, abs=0.07)


def test_every_output_word_is_from_the_text_or_the_vocabulary() -> None:
    rng = random.Random(5)
    known = set(vocabulary("sv"))
    for text in TEXTS["sv"]:
        reference = set(normalized(text, "sv").split())
        hypothesis = asr_sim.simulate(text, "sv", 0.5, rng, vocabulary("sv"))
        assert set(hypothesis.split()) <= reference | known


def test_substitutions_are_other_vocabulary_words(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(asr_sim, "WEIGHTS", {"sub": 1.0})
    rng = random.Random(7)
    text = "hur länge brukar krampen sitta i"
    hypothesis = asr_sim.simulate(text, "sv", 1.0, rng, vocabulary("sv")).split()
    assert len(hypothesis) == len(text.split())
    for original, substitute in zip(text.split(), hypothesis, strict=True):
        assert substitute != original
        assert substitute in vocabulary("sv")


def test_swedish_compound_split_and_join(monkeypatch: pytest.MonkeyPatch) -> None:
    words = ["vård", "central", "tillbaka", "kom", "ligger", "här", "nu", "till", "baka"]
    monkeypatch.setattr(asr_sim, "WEIGHTS", {"split": 1.0})
    split = asr_sim.simulate("Vårdcentral ligger här", "sv", 1.0, random.Random(1), words)
    assert split.startswith("vård central ligger ")
    monkeypatch.setattr(asr_sim, "WEIGHTS", {"join": 1.0})
    joined = asr_sim.simulate("Kom till baka nu", "sv", 1.0, random.Random(1), words)
    assert joined == "kom tillbaka nu"


@pytest.mark.skipif(ESPEAK is None, reason="espeak-ng is not installed (apt-get install espeak-ng)")
def test_real_espeak_sound_alikes(monkeypatch: pytest.MonkeyPatch) -> None:
    small = ["kramp", "krampa", "lampa", "bil", "hus", "kram"]
    assert asr_sim.phonemes(["kramp"], "sv")["kramp"] != "kramp"  # phonemes, not spelling
    closest = asr_sim.sound_alikes("kramp", "sv", small)
    assert closest[0] in ("krampa", "kram")
    assert not {"bil", "hus"} & set(closest)
    monkeypatch.setattr(asr_sim, "WEIGHTS", {"sub": 1.0})
    for seed in range(10):
        substitute = asr_sim.simulate("kramp", "sv", 1.0, random.Random(seed), small)
        assert substitute in closest


def test_spelling_fallback_without_espeak(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(asr_sim.shutil, "which", lambda name: None)
    monkeypatch.setattr(asr_sim, "_PHONEMES", {})
    monkeypatch.setattr(asr_sim, "_WARNED", set())
    with caplog.at_level(logging.WARNING, logger=asr_sim.__name__):
        closest = asr_sim.sound_alikes("kramp", "sv", ["kramp", "krampa", "bil", "hus", "kram"])
    assert closest[0] in ("krampa", "kram")
    assert "espeak-ng not found" in caplog.text


def test_word_error_rate() -> None:
    assert asr_sim.word_error_rate("a b c", "a b c") == 0.0
    assert asr_sim.word_error_rate("a b c", "a x c") == pytest.approx(1 / 3)
    assert asr_sim.word_error_rate("a b c d", "a c d e") == 0.5
    assert asr_sim.word_error_rate("a b", "") == 1.0
    assert asr_sim.word_error_rate("", "") == 0.0


def test_cli_prints_one_line_per_input_line() -> None:
    script = PROJECT_DIR / "bench" / "asr_sim.py"
    lines = "Öppet 10 till 16!\n\nVar är apoteket?\n"

    def run(wer: str) -> list[str]:
        args = ["--lang", "sv", "--wer", wer, "--seed", "1", "--vocabulary-size", "300"]
        done = subprocess.run(
            [sys.executable, str(script), *args],
            input=lines,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout.splitlines()

    assert run("0") == ["öppet tio till sexton", "", "var är apoteket"]
    noisy = run("0.5")
    assert len(noisy) == 3
    assert noisy == run("0.5")
