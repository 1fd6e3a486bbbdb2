"""The kiosk: the three stages wired into a running kiosk.

Owns the dialog (:mod:`.dialog`: a state machine fed events and elapsed seconds, no clock or
device inside; its events in :mod:`.events`, every sentence it says in :mod:`.texts`), the
inputs that feed it (:mod:`.inputs`: voice, keyboard, buttons), the loop that runs it
(:mod:`.loop`), start-up (:mod:`.setup`), the re-checks of a kiosk that cannot listen yet
(:mod:`.recheck`: a speech model installed meanwhile), the readiness checks (:mod:`.doctor`)
and the event log (:mod:`.eventlog`). A lost microphone is retried by the listener
(:mod:`assistant.speech_in.listening`); the kiosk hears of it through :mod:`.inputs`. Imports
the stages and the basics.
"""
