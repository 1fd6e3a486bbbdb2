"""Speech out: from text to sound on the loudspeaker.

Owns the voices (:mod:`.voices`), synthesis with pyttsx3 (:mod:`.synthesis`), the text made fit
to be spoken (:mod:`.speech_text`), playback through sounddevice (:mod:`.playback`), the
earcons (:mod:`.earcons`: the tone when the kiosk listens) and the :class:`~.speaker.Speaker`
that speaks sentence by sentence and can be stopped. Imports only the shared basics at the top
of :mod:`assistant`.
"""
