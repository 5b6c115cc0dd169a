"""Pydantic's validation errors reworded for someone editing a desired-state YAML file.

Pydantic speaks of "fields" and "dictionary keys"; a user thinks of keys in their file, the four
categories and the seven languages. Each message says what is wrong and what would be right.
"""

from __future__ import annotations

from typing import Any

from pydantic_core import ErrorDetails

from reconciler.model import CATEGORIES, LANGUAGES

_TOP_LEVEL_KEYS = ("integration_id", "statuses", "mapping")
_LANGUAGE_LIST = ", ".join(LANGUAGES)
_CATEGORY_LIST = ", ".join(CATEGORIES)


def describe_validation_error(error: ErrorDetails, loc: tuple[str, ...]) -> str:
    kind = error["type"]
    value: Any = error.get("input")
    where = _describe_location(loc)

    if kind == "extra_forbidden":
        return _unknown_key(loc)
    if kind == "missing":
        return _missing_key(loc)
    if loc and loc[-1] == "[key]":
        # The only constrained keys are languages (status keys are checked by the loader).
        return f"unknown language {value!r}; use one of {_LANGUAGE_LIST}"
    if loc == ("integration_id",):
        return (
            f"integration_id must be a positive whole number (the id shown in Sendcloud's "
            f"integration settings), not {value!r}"
        )
    if kind in ("string_type", "string_sub_type"):
        return f"{where} must be text, not {_yaml_kind(value)}; quote it if it is meant as text"
    if kind == "string_too_short":
        return f"{where} must not be empty"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"{where} must be a mapping of keys to values, not {_yaml_kind(value)}"
    if kind == "too_short" and len(loc) == 2 and loc[0] == "statuses":
        return f"status {loc[1]!r} needs at least one translation (language: text)"
    if kind == "too_long":
        return f"{where} has more than {len(LANGUAGES)} translations; Sendcloud accepts at most 7"
    return f"{where}: {error['msg']}"


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


def _unknown_key(loc: tuple[str, ...]) -> str:
    key = loc[-1]
    if len(loc) == 1:
        return f"unknown key {key!r}; the keys are {', '.join(_TOP_LEVEL_KEYS)}"
    if loc[0] == "mapping":
        return f"unknown status category {key!r}; the categories are {_CATEGORY_LIST}"
    return f"unknown key {key!r} in {'.'.join(loc[:-1])}"


def _missing_key(loc: tuple[str, ...]) -> str:
    if loc == ("integration_id",):
        return "missing integration_id (the Sendcloud integration this file describes)"
    if loc[0] == "mapping":
        return (
            f"mapping must name all four categories; {loc[-1]} is missing "
            "(write `null` to leave it unmapped)"
        )
    return f"missing required key {loc[-1]!r}"


def _yaml_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return repr(value)
