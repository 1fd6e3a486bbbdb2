"""The kiosk: the three stages wired into a running kiosk.

Owns the dialog (:mod:`.dialog`: a state machine fed events and elapsed seconds, no clock or
device inside; its events in :mod:`.events`, every sentence it says in :mod:`.texts`), the
inputs that feed it (:mod:`.inputs`: voice, keyboard, buttons), the loop that runs it
(:mod:`.loop`), start-up (:mod:`.setup`), the re-checks of a kiosk that cannot listen yet
(:mod:`.recheck`, including the retry after a lost microphone), the readiness checks
(:mod:`.doctor`) and the event log (:mod:`.eventlog`). Imports the stages and the basics.
"""
