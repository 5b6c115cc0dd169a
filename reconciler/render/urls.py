"""URLs and literal text in Markdown: a link a reader can open or copy exactly, or a code span.

`reconciler.render.markdown.escape_markdown` defuses ``https://`` in user text with a zero-width
joiner, so that a status name never becomes a link; a URL the reader is meant to use (the GitHub
run an apply came from, in ``journal show --format markdown``) must not go through it: a copied
link with a joiner inside does not work.
"""

from __future__ import annotations

import re
from typing import Final

_BREAKS: Final = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# An http(s) URL of characters that need no escaping anywhere in Markdown: GitHub shows it, in
# angle brackets, as a link whose text is the URL itself, character for character.
_PLAIN_URL: Final = re.compile(
    r"https?://[A-Za-z0-9.-]+(?::[0-9]+)?(?:[/?#][A-Za-z0-9._~!$&'*+,;=:@%/?#-]*)?"
)


def markdown_url(url: str) -> str:
    """A URL the reader should open or copy: ``<https://...>`` (a link showing the exact URL).

    Never through `escape_markdown`, whose zero-width joiner inside ``://`` would break the
    copied link. Anything else (another scheme, spaces, brackets, quotes) is a code span:
    copyable as written, never a link.
    """
    if _PLAIN_URL.fullmatch(url):
        return f"<{url}>"
    return code_span(url)


def code_span(text: str) -> str:
    """``text`` as an inline code span, shown literally; invisible characters as ``\\uXXXX``."""
    visible = "".join(
        _BREAKS.get(ch, ch)
        if ch.isprintable() or ch in _BREAKS
        else (f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}")
        for ch in text
    )
    longest = max((len(run) for run in re.findall("`+", visible)), default=0)
    fence = "`" * (longest + 1)
    padded = f" {visible} " if visible.startswith("`") or visible.endswith("`") else visible
    return f"{fence}{padded}{fence}"
