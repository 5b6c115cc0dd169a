"""User text made safe to show: every rendering and every message quotes status names through here.

Status names and external ids come from files and from Sendcloud; a newline, an ANSI escape or a
bidi override in one could forge lines of a plan or hide what it says. Pure, no dependencies.
"""

from __future__ import annotations

from typing import Final

_ESCAPES: Final = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str) -> str:
    """``text`` with every character a terminal could act on written as a visible escape.

    Newlines, ANSI escape sequences, bidi overrides and other non-printable characters become
    ``\\n``, ``\\u001b``, ``\\u202e``...; everything else is kept as it is.
    """
    return "".join(_escape_char(ch) for ch in text)


def quote(text: str) -> str:
    """User text as a double-quoted, single-line, unambiguous string: ``"Paid \\"now\\""``."""
    return '"' + "".join(_ESCAPES.get(ch) or _escape_char(ch) for ch in text) + '"'


def _escape_char(ch: str) -> str:
    if ch in "\n\r\t":
        return _ESCAPES[ch]
    if ch.isprintable():
        return ch
    code = ord(ch)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"
