"""Pydantic's validation errors reworded for someone editing a desired-state YAML file.

Pydantic speaks of "fields" and "dictionary keys"; a user thinks of keys in their file, the four
categories and the seven languages. Each message says what is wrong and what would be right.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import Any

from pydantic_core import ErrorDetails

from reconciler.model import CATEGORIES, LANGUAGES, text_problem

_PLAIN_ID = re.compile("[1-9][0-9]{0,18}")
TOP_LEVEL_KEYS = (
    "integration_id",
    "statuses",
    "mapping",
    "extends",
    "labels",
    "unmanaged",
    "safety",
)
_LANGUAGE_LIST = ", ".join(LANGUAGES)
_CATEGORY_LIST = ", ".join(CATEGORIES)


def suggest(word: str, choices: Iterable[str]) -> str | None:
    """The choice ``word`` was most likely meant to be (a typo, the wrong case), if any."""
    options = list(choices)
    normalised = word.strip().lower().replace("_", "-")
    for option in options:
        if option.lower().replace("_", "-") == normalised:
            return option
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.75)
    return close[0] if close else None


def describe_validation_error(
    error: ErrorDetails, loc: tuple[str, ...], written: str | None = None
) -> str:
    """Reword one error at ``loc``; ``written`` is the offending value as it appears in the file."""
    kind = error["type"]
    value: Any = error.get("input")
    where = _describe_location(loc)

    if kind == "extra_forbidden":
        return _unknown_key(loc)
    if kind == "missing":
        return _missing_key(loc)
    if loc and loc[0] in ("extends", "labels", "unmanaged", "safety"):
        return _bad_setting(kind, loc, value, written)
    if loc and loc[-1] == "[key]":
        return _bad_key(loc[:-1], value)
    if loc == ("integration_id",):
        return _bad_integration_id(value, written)
    if kind in ("string_type", "string_sub_type"):
        if value is None:
            return f"{where} is missing; write the text after the colon, or remove the line"
        if isinstance(value, list | dict):
            expected = "a status id or null" if loc[0] == "mapping" else "text"
            return f"{where} must be {expected}, not {_yaml_kind(value)}"
        shown = quoted_excerpt(written if written is not None else str(value), quote=False)
        return (
            f"{where} is read as {_yaml_kind(value)}, not as text; "
            f'put it in quotes ("{shown}") if that is the text you want'
        )
    if kind == "string_too_short":
        return f"{where} is empty; write the text, or remove the line"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        message = f"{where} must be {_expected_mapping(loc)}, not {_yaml_kind(value)}"
        if value is None and len(loc) == 2 and loc[0] == "statuses":
            message += "; null removes a status only in a file that extends a base"
        return message
    if kind == "too_short" and len(loc) == 2 and loc[0] == "statuses":
        return (
            f"status {loc[1]!r} has no texts; add at least one (for example "
            "`en-gb: Payment accepted`), or remove the status"
        )
    if kind == "too_long":
        return f"{where} has more than {len(LANGUAGES)} texts; Sendcloud takes one per language"
    return f"{where}: {error['msg']}"


def describe_location(loc: tuple[str, ...]) -> str:
    """How a message names the value at ``loc``: ``the en-gb text of status '2'``, ``safety.x``."""
    return _describe_location(loc)


def _describe_location(loc: tuple[str, ...]) -> str:
    if not loc:
        return "the file"
    if loc[0] == "statuses" and len(loc) == 3:
        return f"the {loc[2]} text of status {loc[1]!r}"
    if loc[0] == "statuses" and len(loc) == 2:
        return f"status {loc[1]!r}"
    if loc[0] == "mapping" and len(loc) == 2:
        return f"mapping {loc[1]}"
    return loc[0] if len(loc) == 1 else ".".join(loc)


def _expected_mapping(loc: tuple[str, ...]) -> str:
    if loc == ("statuses",):
        return 'a mapping of external_id to texts (for example `"2": {en-gb: Payment accepted}`)'
    if loc == ("mapping",):
        return "a mapping of the four categories to an external_id or null"
    if len(loc) == 2 and loc[0] == "statuses":
        return "a mapping of language to text (for example `en-gb: Payment accepted`)"
    return "a mapping of keys to values"


def _bad_key(loc: tuple[str, ...], value: Any) -> str:
    # Status keys are checked by the loader, so a rejected key is a language (statuses.<id>.<lang>).
    if len(loc) == 3 and loc[0] == "statuses":
        hint = suggest(str(value), LANGUAGES)
        did_you_mean = f"did you mean {hint}? " if hint else ""
        return (
            f"unknown language {value!r} in status {loc[1]!r}; {did_you_mean}"
            f"the languages are {_LANGUAGE_LIST}"
        )
    return f"{_describe_location(loc)} has an invalid key {value!r}"


def _bad_integration_id(value: Any, written: str | None) -> str:
    advice = "use the id shown in Sendcloud's integration settings"
    if value is None:
        return f"integration_id has no value; {advice}"
    # ASCII digits only: "²".isdigit() is true, and int() refuses it.
    if isinstance(value, str) and _PLAIN_ID.fullmatch(value):
        return f"integration_id must be a number, not the text {value!r}; remove the quotes"
    if isinstance(value, list | dict):
        shown = _yaml_kind(value)
    else:
        shown = shorten(written) if written is not None else repr(value)[:40]
    return f"integration_id must be a whole number above 0, not {shown}; {advice}"


def integration_id_message(raw: str, number: int | None, what: str = "integration_id") -> str:
    """An integration_id written as an int YAML readers disagree on (``0o17``, ``0123``,
    ``1_000``), or too long for any id; ``number`` is what YAML 1.2 reads, None when too long
    or plain decimal. ``what`` names the value (a policy's ``integrations`` entry says
    ``integration id``)."""
    if number is None and re.fullmatch("-?[0-9]+", raw):
        return (
            f"{what} {shorten(raw)} is too large to be a Sendcloud integration id; "
            "use the id shown in Sendcloud's integration settings"
        )
    written = f"integration_id: {number}" if what == "integration_id" else str(number)
    example = f" (`{written}` if that is the id you mean)"
    return (
        f"{what} {shorten(raw)} is not written in plain decimal digits, and YAML "
        "readers do not all read it as the same number; write the id as Sendcloud shows it, "
        "digits 0-9 without leading zeros, signs or separators"
        + (example if number is not None and number > 0 else "")
    )


def text_message(what: str, raw: str, problem: str, style: str | None) -> str:
    """Why ``raw`` (a status text or id, described by ``what``) is refused, and what to write.

    ``problem`` comes from `reconciler.model.text_problem`; ``style`` is the YAML scalar style
    (``>`` and ``|`` blocks keep their last line break, which is the usual way to get one).
    """
    stripped = raw.strip()
    if not stripped:
        return f"{what} is only whitespace; write the text, or remove the line"
    if text_problem(stripped) is None:  # only the surrounding whitespace is wrong
        if style in (">", "|") and raw.endswith("\n") and raw.rstrip("\n") == raw.rstrip():
            return (
                f"{what} {problem} (a `{style}` block keeps its last line break); write "
                f"`{style}-` instead of `{style}`, or the text on one line"
            )
        return (
            f"{what} {problem}; Sendcloud trims surrounding whitespace, so it would never read "
            f"back as written: write {quote_text(stripped)}"
        )
    return (
        f"{what} {problem}; a status name or id is one line of text: remove it (use a space "
        "where a tab or line break separates words)"
    )


def shorten(raw: str) -> str:
    """A value for a message: whole when short, else its start and its length."""
    return raw if len(raw) <= 30 else f"{raw[:20]}… ({len(raw)} characters)"


def quote_text(text: str) -> str:
    """``text`` as a YAML double-quoted scalar, for messages that say what to write instead."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _unknown_key(loc: tuple[str, ...]) -> str:
    key = loc[-1]
    if len(loc) == 1:
        hint = suggest(key, TOP_LEVEL_KEYS)
        did_you_mean = f"did you mean {hint}? " if hint else ""
        return f"unknown key {key!r}; {did_you_mean}the keys are {', '.join(TOP_LEVEL_KEYS)}"
    if loc[0] == "mapping":
        hint = suggest(key, CATEGORIES)
        did_you_mean = f"did you mean {hint}? " if hint else ""
        return f"unknown status category {key!r}; {did_you_mean}the categories are {_CATEGORY_LIST}"
    if loc[:-1] == ("safety",):
        hint = suggest(key, _FILE_SAFETY_KEYS)
        did_you_mean = f"did you mean {hint}? " if hint else ""
        return (
            f"unknown key {key!r} in safety; {did_you_mean}a file's safety sets "
            f"{', '.join(_FILE_SAFETY_KEYS)} (max_integration_share belongs in the project file)"
        )
    return f"unknown key {key!r} in {'.'.join(loc[:-1])}; remove it"


_FILE_SAFETY_KEYS = ("max_delete_share", "min_live_statuses")


def _bad_setting(kind: str, loc: tuple[str, ...], value: Any, written: str | None) -> str:
    """``extends``, ``labels``, ``unmanaged`` and ``safety``: what each must be."""
    shown = written if written is not None else _yaml_kind(value)
    if loc[0] == "extends":
        return (
            f"extends must be the path of a base file (text) or a list of paths, not {shown}; "
            "quote it if it is a path"
        )
    if loc[0] == "safety" and len(loc) == 2 and loc[1].endswith("_share"):
        return f"safety.{loc[1]} must be a share between 0 and 1 (0.3 is 30 %), not {shown}"
    if loc[0] == "safety" and len(loc) == 2:
        return f"safety.{loc[1]} must be a whole number of statuses (0 or more), not {shown}"
    if loc[0] == "safety":
        return f"safety must be a mapping such as `{{max_delete_share: 0.5}}`, not {shown}"
    if len(loc) == 1:
        return f"{loc[0]} must be a list (for example `[tier-1, nl]`), not {_yaml_kind(value)}"
    if loc[0] == "labels" and kind == "string_pattern_mismatch":
        return (
            f"label {value!r} must start with a letter or digit and hold only letters, digits, "
            "'.', '_' and '-'"
        )
    what = "label" if loc[0] == "labels" else "unmanaged pattern"
    return f'{what} {shown} must be text (an id or a glob such as "module-*"); quote it'


def _missing_key(loc: tuple[str, ...]) -> str:
    if loc == ("integration_id",):
        return (
            "missing integration_id; add `integration_id: <id>` with the id of the Sendcloud "
            "integration this file describes"
        )
    if loc[0] == "mapping":
        return (
            f"mapping must name all four categories; {loc[-1]} is missing "
            f"(add `{loc[-1]}: null` to leave it unmapped)"
        )
    return f"missing required key {loc[-1]!r}"


def _yaml_kind(value: Any) -> str:
    if value is None:
        return "null (nothing)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, str):
        return f"the text {quoted_excerpt(value)}"
    return quoted_excerpt(repr(value), quote=False)


EXCERPT_CHARS = 40


def quoted_excerpt(text: str, *, quote: bool = True) -> str:
    """At most `EXCERPT_CHARS` of ``text`` on one line: a file that is not YAML (a key, a
    password file) must not be echoed into a log."""
    flat = " ".join(text.split()) if len(text) > EXCERPT_CHARS else text
    short = flat if len(flat) <= EXCERPT_CHARS else flat[:EXCERPT_CHARS] + "…"
    return repr(short) if quote else short
