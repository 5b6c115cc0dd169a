"""Lines for a terminal or an Actions log that carry user or server text, made safe to print.

A file name, a status id or a server's error ``detail`` can hold a line break, an ANSI escape
sequence or a bidi override. Printed raw, a line break followed by ``::error::...`` becomes a
GitHub Actions workflow command (the runner reads them from every line of both streams, after
leading whitespace), and an escape sequence recolours or rewrites a terminal. `one_line` shows
all of them as visible escapes, the way the plan's renderings already do.
"""

from __future__ import annotations

from reconciler.quoting import printable

__all__ = ["one_line"]


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
