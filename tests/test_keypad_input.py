"""Keys as a terminal sends them: bytes to keys (split escape sequences, the keypad in
application mode, CR LF), and keys to questions and key presses (a key acts at once only on
an empty line)."""

from __future__ import annotations

from assistant.config import Config
from assistant.kiosk.events import ButtonPressed, KeyPressed, Typed
from assistant.kiosk.inputs import InputEnded, Key, KeyDecoder, KeyLine

KEYS = Config().keypad.keys


def decode(*chunks: bytes) -> list[Key]:
    decoder = KeyDecoder()
    return [key for chunk in chunks for key in decoder.feed(chunk)]


def test_named_keys_and_a_sequence_split_across_reads() -> None:
    assert decode(b"\x1b[A\x1b[B\x1bOP\x7f\r") == [
        Key("up"),
        Key("down"),
        Key("f1"),
        Key("backspace"),
        Key("enter"),
    ]
    assert decode(b"\x1b", b"[", b"C") == [Key("right")]
    assert decode(b"\x1b[[A", b"\x1b[15~", b"\x1b[3~") == [Key("f1"), Key("f5"), Key("delete")]


def test_the_keypad_in_application_mode_types_its_digits_and_signs() -> None:
    assert decode(b"\x1bOr\x1bOk\x1bOM") == [Key(text="2"), Key(text="+"), Key("enter")]


def test_cr_lf_is_one_enter_and_utf8_is_decoded_across_reads() -> None:
    assert decode(b"\r\n") == [Key("enter")]
    assert decode("ä".encode()[:1], "ä".encode()[1:]) == [Key(text="ä")]


def test_an_unknown_sequence_is_dropped_whole() -> None:
    assert decode(b"\x1b[1;5Ax") == [Key(text="x")]


def feed(line: KeyLine, keys: list[Key]) -> list[object]:
    return [item for key in keys for item in line.feed(key)[0]]


def test_a_key_acts_at_once_on_an_empty_line_and_is_text_in_a_line() -> None:
    line = KeyLine(KEYS)
    assert feed(line, decode(b"2")) == [KeyPressed("down")]
    typed = feed(line, decode(b"mer 2\r"))
    assert typed == [Typed("mer 2")]
    assert feed(line, decode(b"\r")) == [KeyPressed("select")]
    assert feed(line, decode(b"\x7f")) == [KeyPressed("back")]


def test_backspace_edits_a_line_and_ctrl_d_ends_the_input() -> None:
    line = KeyLine(KEYS)
    assert feed(line, decode(b"merx\x7f\r")) == [Typed("mer")]
    items, echo = line.feed(Key(text="a"))
    assert items == [] and echo == "a"
    assert line.feed(Key("backspace"))[1] == "\b \b"
    assert feed(line, [Key("eof")]) == [InputEnded()]


def test_enter_outside_the_key_map_is_the_button() -> None:
    line = KeyLine({"2": "down"})
    assert feed(line, decode(b"\r")) == [ButtonPressed()]
    assert feed(line, decode(b"\x1b[A")) == []  # not mapped: nothing
