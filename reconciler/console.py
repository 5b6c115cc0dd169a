"""Lines for a terminal or an Actions log that carry user or server text, made safe to print.

A file name, a status id or a server's error ``detail`` can hold a line break, an ANSI escape
sequence or a bidi override. Printed raw, a line break followed by ``::error::...`` becomes a
GitHub Actions workflow command (the runner reads them from every line of both streams, after
leading whitespace), and an escape sequence recolours or rewrites a terminal. `one_line` shows
all of them as visible escapes, the way the plan's renderings already do.
"""

from __future__ import annotations

__all__ = ["escape_char", "one_line", "printable"]


def printable(text: str) -> str:
    """``text`` with every character a terminal could act on written as a visible escape.

    Newlines, ANSI escape sequences, bidi overrides and other non-printable characters in a
    status name could otherwise forge lines of a plan or hide what it says.
    """
    return "".join(escape_char(ch) for ch in text)


def escape_char(ch: str) -> str:
    """One character as itself when printable, else as ``\\n``, ``\\t``, ``\\uXXXX``..."""
    if ch in _BREAKS:
        return _BREAKS[ch]
    if ch.isprintable():
        return ch
    code = ord(ch)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


_BREAKS = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def one_line(text: str) -> str:
    """``text`` as exactly one printable line: controls as ``\\n``/``\\uXXXX``, never a command.

    A line that would start with ``::`` (a workflow command) gets its first colon written as
    ``\\u003a``; nothing else in the line changes.
    """
    line = printable(text)
    stripped = line.lstrip()
    if stripped.startswith("::"):
        indent = len(line) - len(stripped)
        line = line[:indent] + "\\u003a" + stripped[1:]
    return line
