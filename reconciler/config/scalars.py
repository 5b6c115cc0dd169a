"""A YAML scalar as written → its value: the one converter of every YAML file reconciler reads.

Desired-state files, bases and ``reconciler.yaml`` go through `reconciler.config.builder`, the
policies of the project file and of the files it includes through
`reconciler.config.policies`; both turn scalars into values here, so ``max: .nan`` means the same
thing, and is refused the same way, wherever it is written.

YAML 1.2 (as ruamel resolves it) gives a plain scalar a tag from how it looks; an explicit tag
(``!!float``) sets one. Some tagged scalars have no value Python or Sendcloud can use: ``.nan``,
``.inf``, ``1e999`` (infinity), ``!!int abc``, ``!!bool maybe``, a date that does not exist
(``2001-02-30``). Each is a `ScalarError` with a sentence saying what to write instead (usually:
quote it, so it stays text); the caller adds where it is. A date has no meaning of its own in this
format: a valid one keeps its text. Any other tag (``!!binary``, ``!custom``, ``!!set``,
``!<tag:yaml.org,2002:python/name:os.system>``) is refused wherever it is written
(`tag_problem`, which the reader applies to every node of every file before anything is built).
"""

from __future__ import annotations

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
# The tags a node may carry: the YAML 1.2 core schema's, which is what the resolver gives plain
# values. `timestamp` is the resolver's for a plain date (kept as its text); `merge` is `<<`,
# which the builder refuses with its own message.
SCALAR_TAGS: Final = frozenset({"str", "int", "float", "bool", "null", "timestamp", "merge"})
COLLECTION_TAGS: Final = frozenset({"map", "seq"})


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


def tag_problem(tag: str, *, scalar: bool) -> str | None:
    """Why a node tagged ``tag`` (a scalar's, or a mapping's or list's) cannot be read, or None.

    Only the core schema's tags mean anything in these files; any other would be read as plain
    text by this tool and as something else (binary data, a set, a Python object) by another
    YAML reader, so one file would have two meanings.
    """
    short = tag.removeprefix(TAG_PREFIX)
    if short in (SCALAR_TAGS if scalar else COLLECTION_TAGS):
        return None
    shown = f"!!{short}" if tag.startswith(TAG_PREFIX) else tag
    if scalar:
        fix = "remove the tag, or put the whole value in quotes if the `!` is part of the text"
    else:
        fix = "remove the tag: write a plain mapping or list"
    return (
        f"the YAML tag `{shorten(shown)}` is not one this format reads (only !!str, !!int, "
        f"!!float, !!bool, !!null, !!map and !!seq); {fix}"
    )


def scalar_value(tag: str, raw: str) -> Any:
    """The value of a scalar written ``raw`` with ``tag`` (``"float"`` or the full
    ``tag:yaml.org,2002:float``): str, int, finite float, bool or None; a date keeps its text
    once checked. Raises `ScalarError`, also for a tag `tag_problem` refuses."""
    problem = tag_problem(tag if tag.startswith(("!", "tag:")) else TAG_PREFIX + tag, scalar=True)
    if problem is not None:
        raise ScalarError(problem, f"a value tagged {tag}")
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
    if tag == "timestamp":
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
    """A date another YAML reader (and `reconciler adopt`'s round-trip rewrite) would convert
    must convert: ``2001-02-30`` would crash them."""
    node = ScalarNode(TAG_PREFIX + tag, raw)
    try:
        SafeConstructor().construct_yaml_timestamp(node)
    except (ValueError, OverflowError, ConstructorError) as exc:
        reason = getattr(exc, "problem", None) or str(exc)
        raise ScalarError(
            f"{_shown(raw)} is read as a date, but is not a valid one ({reason}); "
            f"{_or_quote(raw).removeprefix('or ')}",
            "a date",
        ) from None


def _shown(raw: str) -> str:
    return f"`{shorten(raw)}`"


def _or_quote(raw: str) -> str:
    quoted = f" ({quote_text(raw)})" if shorten(raw) == raw else ""
    return f"or put it in quotes{quoted} if it is text"
