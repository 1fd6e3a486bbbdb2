"""Markdown inline markup turned into the plain text a visitor hears (and reads when typing).

The documents are Markdown, but the kiosk reads them aloud: ``**bold**`` must not be spoken
as "asterisk asterisk", nor ``[site](https://example.se)`` as "h t t p". :func:`plain_text`
keeps what a reader of the rendered page sees: a link's or an image's text, a code span's
content, emphasis without its marks, an autolink's address, no HTML tags or comments.
Underscores inside words (``snake_case``, addresses) are not emphasis and stay.

:func:`inline_notes` says what of a line is lost in plain text (a link's address, an image,
an HTML tag), for the content check. Block markup (headings, list items, quotes, tables) is
read line by line by :mod:`assistant.content`.
"""

from __future__ import annotations

import re

#: ``![alt](url)`` and ``[text](url "title")``; the text may hold one level of brackets.
_IMAGE = re.compile(r"!\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\(\s*<?([^)\s>]*)>?(?:\s+[\"'(][^)]*)?\)")
_LINK = re.compile(r"\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\(\s*<?([^)\s>]*)>?(?:\s+[\"'(][^)]*)?\)")
#: ``[text][ref]`` and ``[text][]``: reference links.
_REF_LINK = re.compile(r"\[((?:[^\[\]]|\[[^\[\]]*\])+)\]\[[^\[\]]*\]")
_AUTOLINK = re.compile(r"<((?:[A-Za-z][A-Za-z0-9+.-]*:|www\.)[^\s<>]+|[^\s<>@]+@[^\s<>@]+)>")
_COMMENT = re.compile(r"<!--.*?(?:-->|$)")
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_CODE = re.compile(r"(`+)(.+?)\1")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EMPHASIS_STAR = re.compile(r"\*(?=[^\s*])(.+?)(?<=[^\s*])\*")
_EMPHASIS_UNDERSCORE = re.compile(r"(?<![\w])_(?=[^\s_])(.+?)(?<=[^\s_])_(?![\w])")
_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
#: Emphasis marks left unpaired (what no reader wants to see or hear).
_STRAY_MARKS = re.compile(r"\*{2,}|~{2,}|(?<!\w)_{2,}|_{2,}(?!\w)")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
#: Escaped characters are hidden in the private use area while markup is removed.
_HIDDEN = 0xE000
_UNHIDE = re.compile("[\ue021-\ue07e]")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:(//)?")


def plain_text(text: str) -> str:
    """``text`` without inline Markdown: what the rendered page shows, as plain text."""
    text = _ESCAPE.sub(lambda m: chr(_HIDDEN + ord(m.group(1))), text)
    text = _COMMENT.sub(" ", text)
    text = _IMAGE.sub(lambda m: m.group(1), text)
    text = _LINK.sub(lambda m: m.group(1) or m.group(2), text)
    text = _REF_LINK.sub(lambda m: m.group(1), text)
    text = _AUTOLINK.sub(lambda m: m.group(1).removeprefix("mailto:"), text)
    text = _TAG.sub(lambda m: "" if m.group(0).startswith("</") else " ", text)
    text = _CODE.sub(lambda m: m.group(2).strip(), text)
    for _ in range(3):  # nested emphasis: ***x***, **_x_**
        text = _STRONG.sub(lambda m: m.group(2), text)
        text = _EMPHASIS_STAR.sub(lambda m: m.group(1), text)
        text = _EMPHASIS_UNDERSCORE.sub(lambda m: m.group(1), text)
        text = _STRIKE.sub(lambda m: m.group(1), text)
    text = _STRAY_MARKS.sub(" ", text)
    text = _UNHIDE.sub(lambda m: chr(ord(m.group(0)) - _HIDDEN), text)
    return " ".join(text.split())


def inline_notes(text: str) -> list[str]:
    """What :func:`plain_text` leaves out of ``text`` that a visitor might need: link
    addresses that are not also the link's text, images, HTML tags and comments."""
    notes: list[str] = []
    for m in _IMAGE.finditer(text):
        notes.append(f"an image ({m.group(2) or 'no address'}) is read as its text only")
    for m in _LINK.finditer(_IMAGE.sub("", text)):
        label, address = m.group(1).strip(), m.group(2)
        if address and _bare(label) != _bare(address):
            notes.append(f"the link {label!r} is read without its address {address}")
    if _COMMENT.search(text):
        notes.append("an HTML comment is not read")
    tags = [m.group(0) for m in _TAG.finditer(_AUTOLINK.sub("", text))]
    if tags:
        notes.append(f"HTML tags are not read: {' '.join(tags[:3])}")
    return notes


def _bare(address: str) -> str:
    """An address without its scheme, ``www.`` or trailing slash, for comparison."""
    bare = _SCHEME.sub("", address.strip().casefold()).removeprefix("www.")
    return bare.rstrip("/")
