"""The languages the kiosk knows: shared by the documents, understanding and the dialog."""

from __future__ import annotations

#: Languages the kiosk can analyse (documents in others are refused).
SUPPORTED_LANGUAGES: tuple[str, ...] = ("sv", "fr")
