"""Desired and live state of one integration: pure values, no I/O.

``DesiredState`` is also the desired-state file format: ``schemas/integration.schema.json`` is
generated from it, so the schema editors validate against and the validator cannot drift apart.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum
from typing import Annotated, Any, Final, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, WithJsonSchema

Language = Literal["en-us", "en-gb", "fr-fr", "de-de", "nl-nl", "es-es", "it-it"]
LANGUAGES: Final[tuple[Language, ...]] = get_args(Language)

# For editors: what `text_problem` refuses, as a JSON Schema pattern (ECMA-262 and Python alike).
_NOT_AS_STORED: Final[dict[str, Any]] = {
    "not": {"pattern": "^\\s|\\s$|[\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029]"}
}
_ID_DESCRIPTION = "The shop's id of an order status (PrestaShop's order state id), as text."

ExternalId = Annotated[
    str,
    StringConstraints(min_length=1),
    WithJsonSchema(
        {"type": "string", "description": _ID_DESCRIPTION, "minLength": 1, **_NOT_AS_STORED}
    ),
]
StatusText = Annotated[
    str,
    StringConstraints(min_length=1),
    WithJsonSchema({"type": "string", "minLength": 1, **_NOT_AS_STORED}),
]
Translations = Annotated[
    dict[Language, StatusText],
    Field(
        min_length=1,
        max_length=len(LANGUAGES),
        description="The status name per language: 1 to 7 of the languages Sendcloud supports.",
    ),
]


def text_problem(text: str) -> str | None:
    """Why Sendcloud would not store ``text`` (a status name or id) exactly as written, or None.

    Sendcloud's API follows Django REST Framework, whose text fields trim surrounding
    whitespace: a value that starts or ends with whitespace never reads back as written, so
    every apply would fail its verification and drift would fire every day. Control characters
    (line breaks, tabs, NUL...) have no place in a one-line name. Returns a phrase such as
    ``"ends with a space"``, to follow the name of the value.
    """
    if text and not text.strip():
        return "is only whitespace"
    control = _CONTROL.search(text)
    if control is not None:
        where = "ends with" if control.end() == len(text) else "contains"
        return f"{where} {_char_name(control.group())}"
    if text != text.lstrip():
        return f"starts with {_char_name(text[0])}"
    if text != text.rstrip():
        return f"ends with {_char_name(text[-1])}"
    return None


# Unicode category Cc (U+0000-U+001F, U+007F-U+009F) and the line and paragraph separators:
# one regular expression instead of a category lookup per character (every name of every file
# is checked while loading).
_CONTROL: Final = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _char_name(char: str) -> str:
    named = {" ": "a space", "\n": "a line break", "\r": "a carriage return", "\t": "a tab"}
    if char in named:
        return named[char]
    name = unicodedata.name(char, "control character").lower()
    return f"the {name} U+{ord(char):04X}"


# Sendcloud's ids are 64-bit signed integers: one id range for files, the CLI and the simulator.
MAX_INTEGRATION_ID = 2**63 - 1


class Category(StrEnum):
    """Sendcloud's internal status categories, in the order the API lists them."""

    READY_TO_SEND = "READY_TO_SEND"
    IN_TRANSIT = "IN_TRANSIT"
    DELIVERED = "DELIVERED"
    CANCEL = "CANCEL"


CATEGORIES: Final[tuple[Category, ...]] = tuple(Category)

_MAPPED_ID = Field(description="external_id of one of the shop's statuses, or null for unmapped.")

# In YAML an unquoted `4` is a number; the loader accepts plain decimal integers as external ids,
# so editors validating against the schema must accept them too.
MappedId = Annotated[
    ExternalId | None,
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "minLength": 1, **_NOT_AS_STORED},
                {"type": "integer", "minimum": 0},
                {"type": "null"},
            ]
        }
    ),
]


class StatusMapping(BaseModel):
    """The four categories, each mapped onto a shop status or left unmapped (null)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    READY_TO_SEND: MappedId = _MAPPED_ID
    IN_TRANSIT: MappedId = _MAPPED_ID
    DELIVERED: MappedId = _MAPPED_ID
    CANCEL: MappedId = _MAPPED_ID

    def as_dict(self) -> dict[Category, str | None]:
        """``{Category: external_id or None}`` for all four categories, in the API's order."""
        return {category: getattr(self, category.value) for category in CATEGORIES}

    @classmethod
    def from_dict(cls, mapping: dict[Category, str | None]) -> StatusMapping:
        """The mapping from ``{Category: external_id or None}``; a missing category is unmapped."""
        return cls(**{category.value: mapping.get(category) for category in CATEGORIES})


def _file_schema_extra(schema: dict[str, Any]) -> None:
    # In a file, `statuses: null` is an error (the loader says to write `{}` or drop the key), so
    # the optional sections are "may be absent", never "may be null".
    for section in ("statuses", "mapping"):
        prop = schema["properties"][section]
        present = [s for s in prop.pop("anyOf") if s.get("type") != "null"]
        prop.update(present[0])
        prop.pop("default", None)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://sendcloud-reconciler.invalid/schemas/integration.schema.json"


class DesiredState(BaseModel):
    """One integration as its file in git wants it.

    A section left out (``None``) is not managed: the reconciler never changes it and never
    reports it as a difference.
    """

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        title="Sendcloud integration (desired state)",
        json_schema_extra=_file_schema_extra,
    )

    integration_id: int = Field(
        gt=0, le=MAX_INTEGRATION_ID, strict=True, description="Sendcloud integration id."
    )
    statuses: dict[ExternalId, Translations] | None = Field(
        default=None,
        description="The shop's order statuses by external_id. Absent: not managed by this file.",
    )
    mapping: StatusMapping | None = Field(
        default=None,
        description="Status category -> external_id. Absent: not managed by this file.",
    )


class LiveMappingEntry(BaseModel):
    """One category of the live mapping, as ``GET /shop-order-statuses/mapping`` answers it.

    ``is_valid`` is Sendcloud's own flag: False when ``external_id`` names a status that no
    longer exists (deleted after the mapping was set).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    external_id: str | None
    is_valid: bool


class LiveState(BaseModel):
    """What Sendcloud holds for one integration: its live (not soft-deleted) statuses, mapping.

    ``statuses`` is ``{external_id: {language: name}}`` from ``GET /shop-order-statuses``;
    ``mapping`` has all four categories, from ``GET /shop-order-statuses/mapping``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    integration_id: int
    statuses: dict[str, dict[Language, str]]
    mapping: dict[Category, LiveMappingEntry]
    # How the answer was read where Sendcloud left something out (e.g. a mapping category).
    # Excluded from dumps, so it changes neither the live checksum nor saved plans.
    notes: tuple[str, ...] = Field(default=(), exclude=True)

    def mapped_ids(self) -> dict[Category, str | None]:
        """``{Category: external_id or None}``: the mapping without Sendcloud's validity flags."""
        return {category: self.mapping[category].external_id for category in CATEGORIES}
