"""A YAML scalar as written → its value: the one converter of every YAML file reconciler reads.

Desired-state files, bases and ``reconciler.yaml`` go through `reconciler.config.builder`, the
policies of the project file and of the files it includes through
`reconciler.config.policies`; both turn scalars into values here, so ``max: .nan`` means the same
thing, and is refused the same way, wherever it is written.

YAML 1.2 (as ruamel resolves it) gives a plain scalar a tag from how it looks; an explicit tag
(``!!float``) sets one. Some tagged scalars have no value Python or Sendcloud can use: ``.nan``,
``.inf``, ``1e999`` (infinity), ``!!int abc``, ``!!bool maybe``, a date that does not exist
(``2001-02-30``). Each is a `ScalarError` with a sentence saying what to write instead (usually:
quote it, so it stays text); the caller adds where it is. Dates and custom tags have no meaning of
their own in this format: a valid date, like ``!foo bar``, keeps its text.
"""

from __future__ import annotations

import binascii
import math
import re
from typing import Any, Final

from ruamel.yaml.constructor import ConstructorError, SafeConstructor
from ruamel.yaml.nodes import ScalarNode

from reconciler.config.messages import quote_text, shorten

TAG_PREFIX: Final = "tag:yaml.org,2002:"
# Sendcloud's ids are 64-bit integers at most (19 digits); a longer one is a mistake, and
# Python refuses to convert more than 4,300 digits at all.
MAX_ID_DIGITS: Final = 19
_NULLS: Final = frozenset({"", "~", "null", "Null", "NULL"})
_NAN: Final = re.compile(r"[-+]?\.nan", re.IGNORECASE)
_INF: Final = re.compile(r"[-+]?\.inf", re.IGNORECASE)


class ScalarError(ValueError):
    """A scalar whose tag says what it is, but whose text cannot be that; ``str()`` says what to
    write instead, ``kind`` what YAML reads it as (``"infinity"``), for messages about texts."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


def to_int(raw: str) -> int | None:
    """The number a YAML 1.2 reader sees in an int-tagged scalar, or None if it is absurd."""
    digits = raw.replace("_", "")
    try:
        if len(digits) > MAX_ID_DIGITS + 3:  # room for a sign and a 0x/0o prefix
            return None
        prefixed = digits.lower().lstrip("+-").startswith(("0x", "0o"))
        return int(digits, 0) if prefixed else int(digits)
    except ValueError:
        return None


def scalar_value(tag: str, raw: str) -> Any:
    """The value of a scalar written ``raw`` with ``tag`` (``"float"`` or the full
    ``tag:yaml.org,2002:float``): str, int, finite float, bool or None; a date, binary data or a
    custom tag keeps its text once checked. Raises `ScalarError`."""
    tag = tag.removeprefix(TAG_PREFIX)
    if tag == "str":
        return raw
    if tag == "int":
        number = to_int(raw)
        if number is None:
            raise ScalarError(
                f"{_shown(raw)} is read as a whole number, but is too long or malformed to be "
                f"one; write a number of at most {MAX_ID_DIGITS} digits, {_or_quote(raw)}",
                "a whole number",
            )
        return number
    if tag == "float":
        return _float(raw)
    if tag == "bool":
        if raw.lower() not in ("true", "false"):
            raise ScalarError(
                f"{_shown(raw)} is tagged as a boolean but is neither true nor false; write "
                f"true or false, {_or_quote(raw)}",
                "a boolean",
            )
        return raw.lower() == "true"
    if tag == "null":
        if raw not in _NULLS:
            raise ScalarError(
                f"{_shown(raw)} is tagged as null but has a value; write null, {_or_quote(raw)}",
                "null",
            )
        return None
    if tag in ("timestamp", "binary"):
        _check_constructible(tag, raw)
    return raw


def _float(raw: str) -> float:
    if _NAN.fullmatch(raw):
        raise ScalarError(
            f"{_shown(raw)} is read as NaN (not a number), which no setting takes; write a "
            f"number, {_or_quote(raw)}",
            "NaN (not a number)",
        )
    if _INF.fullmatch(raw):
        raise ScalarError(
            f"{_shown(raw)} is read as infinity, which no setting takes; write a number, "
            f"{_or_quote(raw)}",
            "infinity",
        )
    try:
        number = float(raw.replace("_", ""))
    except ValueError:
        raise ScalarError(
            f"{_shown(raw)} is tagged as a decimal number but is not one; write a number, "
            f"{_or_quote(raw)}",
            "a decimal number",
        ) from None
    if not math.isfinite(number):
        raise ScalarError(
            f"{_shown(raw)} is a number too large to hold (it reads as infinity); write a "
            f"smaller number, {_or_quote(raw)}",
            "infinity",
        )
    return number


def _check_constructible(tag: str, raw: str) -> None:
    """A date or binary value another YAML reader (and `reconciler adopt`'s round-trip rewrite)
    would convert must convert: ``2001-02-30`` would crash them."""
    node = ScalarNode(TAG_PREFIX + tag, raw)
    constructor = SafeConstructor()
    try:
        if tag == "timestamp":
            constructor.construct_yaml_timestamp(node)
        else:
            constructor.construct_yaml_binary(node)
    except (ValueError, OverflowError, ConstructorError, binascii.Error) as exc:
        what = "a date" if tag == "timestamp" else "base64 binary data"
        reason = getattr(exc, "problem", None) or str(exc)
        raise ScalarError(
            f"{_shown(raw)} is read as {what}, but is not a valid one ({reason}); "
            f"{_or_quote(raw).removeprefix('or ')}",
            what,
        ) from None


def _shown(raw: str) -> str:
    return f"`{shorten(raw)}`"


def _or_quote(raw: str) -> str:
    quoted = f" ({quote_text(raw)})" if shorten(raw) == raw else ""
    return f"or put it in quotes{quoted} if it is text"
