"""Desired and live state of one integration: pure values, no I/O.

``DesiredState`` is also the desired-state file format: ``schemas/integration.schema.json`` is
generated from it, so the schema editors validate against and the validator cannot drift apart.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Final, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, WithJsonSchema

Language = Literal["en-us", "en-gb", "fr-fr", "de-de", "nl-nl", "es-es", "it-it"]
LANGUAGES: Final[tuple[Language, ...]] = get_args(Language)

ExternalId = Annotated[
    str,
    StringConstraints(min_length=1),
    Field(description="The shop's id of an order status (PrestaShop's order state id), as text."),
]
StatusText = Annotated[str, StringConstraints(min_length=1)]
Translations = Annotated[
    dict[Language, StatusText],
    Field(
        min_length=1,
        max_length=len(LANGUAGES),
        description="The status name per language: 1 to 7 of the languages Sendcloud supports.",
    ),
]


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
                {"type": "string", "minLength": 1},
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

    integration_id: int = Field(gt=0, strict=True, description="Sendcloud integration id.")
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

    def mapped_ids(self) -> dict[Category, str | None]:
        """``{Category: external_id or None}``: the mapping without Sendcloud's validity flags."""
        return {category: self.mapping[category].external_id for category in CATEGORIES}
