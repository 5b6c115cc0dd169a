"""Validation of query parameters and request bodies, as Sendcloud's API answers them.

Each validator returns either the parsed value or a list of JSON:API error objects whose
``source.pointer`` (bodies) or ``source.parameter`` (queries) names the offending field,
so a client can show the user exactly what was rejected.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from reconciler.model import MAX_INTEGRATION_ID
from reconciler.simulator.errors import JsonObject, error
from reconciler.simulator.state import CATEGORIES, DEFAULT_LANGUAGE, LANGUAGES, StoredStatus

# `\d` as DRF (Python's int) reads digits: "٣" is 3; "²" is no digit and is refused.
_INTEGER = re.compile(r"^[+-]?\d+$")
_MAX_INTEGER_TEXT = 1000
_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}
_MAX_TRANSLATIONS = len(LANGUAGES)


class Invalid(Exception):
    """Raised with the error objects of a rejected request."""

    def __init__(self, errors: list[JsonObject]) -> None:
        super().__init__(f"{len(errors)} validation error(s)")
        self.errors = errors


def _bad(pointer: str, code: str, detail: str) -> JsonObject:
    return error(400, code, detail, detail, pointer=pointer)


def query_integration_id(query: Mapping[str, str]) -> int:
    """The required ``integration_id`` query parameter as a positive integer."""
    raw = query.get("integration_id")
    if raw is None or raw == "":
        raise Invalid(
            [
                error(
                    400,
                    "non_field_errors",
                    "integration ID",
                    "Integration ID is a required GET parameter",
                    parameter="integration_id",
                )
            ]
        )
    # DRF's IntegerField refuses texts over 1,000 characters before converting them (and
    # Python's int() refuses more than 4,300 digits).
    if len(raw) > _MAX_INTEGER_TEXT:
        detail = "String value too large."
        # DRF says "max_string_length"; Sendcloud documents only its enum, so "invalid".
        raise Invalid([error(400, "invalid", detail, detail, parameter="integration_id")])
    if not _INTEGER.match(raw.strip()):
        detail = "A valid integer is required."
        raise Invalid([error(400, "invalid", detail, detail, parameter="integration_id")])
    value = int(raw)
    if value < 1:
        detail = "Ensure this value is greater than or equal to 1."
        raise Invalid([error(400, "min_value", detail, detail, parameter="integration_id")])
    if value > MAX_INTEGRATION_ID:
        detail = f"Ensure this value is less than or equal to {MAX_INTEGRATION_ID}."
        # DRF says "max_value"; Sendcloud documents only its enum, so "invalid".
        raise Invalid([error(400, "invalid", detail, detail, parameter="integration_id")])
    return value


def query_language(query: Mapping[str, str]) -> str:
    """The optional ``language`` query parameter (default en-gb)."""
    language = query.get("language", DEFAULT_LANGUAGE)
    if language not in LANGUAGES:
        detail = f'"{language}" is not a valid choice.'
        raise Invalid([error(400, "invalid_choice", detail, detail, parameter="language")])
    return language


def query_show_deleted(query: Mapping[str, str]) -> bool:
    """The optional ``show_deleted`` boolean query parameter."""
    raw = query.get("show_deleted", "false").strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    detail = "Must be a valid boolean."
    raise Invalid([error(400, "invalid", detail, detail, parameter="show_deleted")])


def body_object(body: Any) -> dict[str, Any]:
    """The body must be a JSON object; anything else gets Sendcloud's "Wrong format" error."""
    if not isinstance(body, dict):
        raise Invalid(
            [
                error(
                    400, "non_field_errors", "Wrong format", "Wrong request format, expected object"
                )
            ]
        )
    return body


def _integration_id(body: dict[str, Any], errors: list[JsonObject]) -> int:
    if "integration_id" not in body:
        errors.append(_bad("/integration_id", "required", "This field is required."))
        return 0
    value = body["integration_id"]
    if value is None:
        errors.append(_bad("/integration_id", "null", "This field may not be null."))
    elif isinstance(value, bool) or not isinstance(value, int):
        errors.append(_bad("/integration_id", "invalid", "A valid integer is required."))
    elif value < 1:
        errors.append(
            _bad("/integration_id", "min_value", "Ensure this value is greater than or equal to 1.")
        )
    elif value > MAX_INTEGRATION_ID:
        detail = f"Ensure this value is less than or equal to {MAX_INTEGRATION_ID}."
        errors.append(_bad("/integration_id", "invalid", detail))
    else:
        return value
    return 0


def _list_field(
    body: dict[str, Any], name: str, pointer: str, errors: list[JsonObject]
) -> list[Any]:
    if name not in body:
        errors.append(_bad(pointer, "required", "This field is required."))
        return []
    value = body[name]
    if value is None:
        errors.append(_bad(pointer, "null", "This field may not be null."))
        return []
    if not isinstance(value, list):
        kind = type(value).__name__
        errors.append(
            _bad(pointer, "not_a_list", f'Expected a list of items but got type "{kind}".')
        )
        return []
    return value


def _string(
    item: dict[str, Any], name: str, pointer: str, errors: list[JsonObject], *, trim: bool = False
) -> str | None:
    """The string field `name`, or None with an error appended.

    With `trim` it behaves like DRF's CharField (trim_whitespace=True, allow_blank=False):
    surrounding whitespace is dropped and an empty result is refused.
    """
    if name not in item:
        errors.append(_bad(pointer, "required", "This field is required."))
        return None
    value = item[name]
    if value is None:
        errors.append(_bad(pointer, "null", "This field may not be null."))
        return None
    if not isinstance(value, str):
        errors.append(_bad(pointer, "invalid", "Not a valid string."))
        return None
    if trim:
        value = value.strip()
        if not value:
            errors.append(_bad(pointer, "invalid", "This field may not be blank."))
            return None
    return value


def _translations(
    raw: Any, pointer: str, errors: list[JsonObject], *, trim: bool
) -> dict[str, str]:
    if not isinstance(raw, list):
        errors.append(_bad(pointer, "not_a_list", "Expected a list of items."))
        return {}
    if not 1 <= len(raw) <= _MAX_TRANSLATIONS:
        detail = f"Ensure this field has between 1 and {_MAX_TRANSLATIONS} elements."
        errors.append(_bad(pointer, "invalid", detail))
        return {}
    translations: dict[str, str] = {}
    for index, item in enumerate(raw):
        here = f"{pointer}/{index}"
        if not isinstance(item, dict):
            errors.append(_bad(here, "invalid", "Invalid data. Expected a dictionary."))
            continue
        name = _string(item, "status", f"{here}/status", errors, trim=trim)
        language = _string(item, "language", f"{here}/language", errors)
        if language is not None and language not in LANGUAGES:
            errors.append(
                _bad(f"{here}/language", "invalid_choice", f'"{language}" is not a valid choice.')
            )
        elif language is not None and language in translations:
            errors.append(_bad(f"{here}/language", "invalid", "Duplicate language."))
        elif language is not None and name is not None:
            translations[language] = name
    return translations


def post_statuses(body: Any, *, trim: bool = True) -> tuple[int, list[StoredStatus]]:
    """Validate a ``POST /shop-order-statuses`` body; return the id and the posted statuses.

    `trim`: drop surrounding whitespace of external ids and names (the simulator's
    ``trim_whitespace`` knob).
    """
    payload = body_object(body)
    errors: list[JsonObject] = []
    integration_id = _integration_id(payload, errors)
    statuses: list[StoredStatus] = []
    seen: set[str] = set()
    for index, item in enumerate(_list_field(payload, "statuses", "/statuses", errors)):
        here = f"/statuses/{index}"
        if not isinstance(item, dict):
            errors.append(_bad(here, "invalid", "Invalid data. Expected a dictionary."))
            continue
        external_id = _string(item, "external_id", f"{here}/external_id", errors, trim=trim)
        if external_id is not None and external_id in seen:
            errors.append(_bad(f"{here}/external_id", "invalid", "Duplicate external_id."))
        if "translations" not in item:
            errors.append(_bad(f"{here}/translations", "required", "This field is required."))
            continue
        translations = _translations(
            item["translations"], f"{here}/translations", errors, trim=trim
        )
        if external_id is not None and external_id not in seen and translations:
            statuses.append(StoredStatus(external_id, translations))
        if external_id is not None:
            seen.add(external_id)
    if errors:
        raise Invalid(errors)
    return integration_id, statuses


def post_mapping(body: Any, *, trim: bool = True) -> tuple[int, dict[str, str | None]]:
    """Validate a ``POST /shop-order-statuses/mapping`` body; return the id and the mapping.

    `trim`: drop surrounding whitespace of the external ids, as `post_statuses` does.
    """
    payload = body_object(body)
    errors: list[JsonObject] = []
    integration_id = _integration_id(payload, errors)
    items = _list_field(payload, "mapping", "/mapping", errors)
    if "mapping" in payload and isinstance(payload["mapping"], list) and len(items) != 4:
        errors.append(_bad("/mapping", "invalid", "Ensure this field has exactly 4 elements."))
    mapping: dict[str, str | None] = {}
    for index, item in enumerate(items):
        here = f"/mapping/{index}"
        if not isinstance(item, dict):
            errors.append(_bad(here, "invalid", "Invalid data. Expected a dictionary."))
            continue
        category = _string(item, "status_category", f"{here}/status_category", errors)
        if category is not None and category not in CATEGORIES:
            detail = f'"{category}" is not a valid choice.'
            errors.append(_bad(f"{here}/status_category", "invalid_choice", detail))
            category = None
        elif category is not None and category in mapping:
            errors.append(_bad(f"{here}/status_category", "invalid", "Duplicate status_category."))
            category = None
        if "external_id" not in item:
            errors.append(_bad(f"{here}/external_id", "required", "This field is required."))
        elif item["external_id"] is not None and not isinstance(item["external_id"], str):
            errors.append(_bad(f"{here}/external_id", "invalid", "Not a valid string."))
        elif category is not None:
            external_id = item["external_id"]
            # A mapped id is trimmed like a status's, so it still names the trimmed status.
            mapping[category] = external_id.strip() if trim and external_id else external_id
    if errors:
        raise Invalid(errors)
    return integration_id, {category: mapping[category] for category in CATEGORIES}
