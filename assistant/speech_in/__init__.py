"""Speech in: from the microphone to a transcript.

Owns the Vosk models (catalog, install, verify: :mod:`.models`, :mod:`.install`), the
recognizers (:mod:`.recognition`), the audio sources (:mod:`.sources`: the microphone, a WAV
file), the end of an utterance (:mod:`.endpointing`) and the listener that ties them together
(:mod:`.listening`: blocks in, ``SpeechStarted`` / ``UtteranceEnded`` events out). Imports only
the shared basics at the top of :mod:`assistant`.
"""
