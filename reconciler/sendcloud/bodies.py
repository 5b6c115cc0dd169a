"""The API's JSON bodies as pydantic models: exactly the contract, nothing of ours.

Requests are built only through these models, so a body the client sends always fits the
documented schema (integer ``integration_id``; 1 to 7 translations per status; exactly four
mapping items, each category once).

Responses are read with a deliberate split:

- an unknown *field* is ignored, because Sendcloud may add fields without notice and an added
  field cannot change what the fields we read mean;
- a field Sendcloud's schema does not mark as required (it marks none in a GET status item)
  gets its safe reading when absent: no ``deleted_at`` means live; a mapping answer with fewer
  than four categories leaves the absent ones unmapped (`live.read_live` notes it);
- anything we rely on that is missing, has the wrong JSON type, names an unknown category or
  language, or repeats what must be unique is a `ContractViolation`. The client turns it into an
  ``ApiError`` naming the request, because guessing would produce a wrong plan. An unknown
  category in particular cannot be dropped: the next mapping write would delete it;
- any sign of a further page (`further_page`) is a `ContractViolation` too. These GETs are
  documented without pagination, but other v3 endpoints paginate with a ``cursor``; planning
  from page one would make the full-overwrite POST delete every status on later pages.

The schemas are those of Sendcloud's v3 Integrations OpenAPI document
(``schemas/sendcloud/integrations-v3.openapi.yaml``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from reconciler.model import CATEGORIES, LANGUAGES, Category, Language
from reconciler.sendcloud.decoding import (
    ContractViolation,
    ErrorDocument,
    decode,
    describe,
    error_document,
    excerpt,
    expect_no_error,
    further_page,
    load_json,
)

__all__ = [
    "ContractViolation",
    "ErrorDocument",
    "MappingResponse",
    "PostMappingBody",
    "PostStatusesBody",
    "StatusesResponse",
    "WireMapping",
    "WireStatus",
    "decode",
    "describe",
    "error_document",
    "excerpt",
    "expect_no_error",
    "further_page",
    "load_json",
]


# --- requests ---------------------------------------------------------------------------------


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Translation(_Request):
    """One name of a status in one language (``translations[]`` of the POST body)."""

    status: Annotated[str, StringConstraints(min_length=1)]
    language: Language


class StatusItem(_Request):
    """One status of the POST body: its shop id and 1 to 7 names, one per language."""

    external_id: Annotated[str, StringConstraints(min_length=1)]
    translations: list[Translation] = Field(min_length=1, max_length=len(LANGUAGES))


class PostStatusesBody(_Request):
    """Body of ``POST /shop-order-statuses``: the complete list, which overwrites the live one."""

    integration_id: int = Field(gt=0)
    statuses: list[StatusItem]

    @classmethod
    def build(
        cls, integration_id: int, statuses: Mapping[str, Mapping[Language, str]]
    ) -> PostStatusesBody:
        """Sorted by external_id, then language, so the same statuses give the same bytes."""
        return cls(
            integration_id=integration_id,
            statuses=[
                StatusItem(
                    external_id=external_id,
                    translations=[
                        Translation(status=statuses[external_id][language], language=language)
                        for language in sorted(statuses[external_id])
                    ],
                )
                for external_id in sorted(statuses)
            ],
        )


class MappingItem(_Request):
    """One category of the mapping POST body and the external_id it points at (None: unmapped)."""

    status_category: Category
    external_id: str | None


class PostMappingBody(_Request):
    """Body of ``POST /shop-order-statuses/mapping``: all four categories, in the API's order."""

    integration_id: int = Field(gt=0)
    mapping: list[MappingItem] = Field(min_length=4, max_length=4)

    @model_validator(mode="after")
    def _each_category_once(self) -> PostMappingBody:
        if sorted(item.status_category for item in self.mapping) != sorted(CATEGORIES):
            raise ValueError("mapping must list each of the four status categories exactly once")
        return self

    @classmethod
    def build(cls, integration_id: int, mapping: Mapping[Category, str | None]) -> PostMappingBody:
        """Raise ``ValueError`` unless `mapping` has exactly the four categories as keys."""
        if set(mapping) != set(CATEGORIES):
            raise ValueError("a mapping write must give all four status categories")
        return cls(
            integration_id=integration_id,
            mapping=[
                MappingItem(status_category=category, external_id=mapping[category])
                for category in CATEGORIES
            ],
        )


# --- responses --------------------------------------------------------------------------------


class _Response(BaseModel):
    # strict: "12" is not an integer and "true" is not a boolean; validated from JSON text, so
    # strings still become categories, languages and date-times.
    model_config = ConfigDict(extra="ignore", frozen=True, strict=True)


class WireTranslation(_Response):
    """``translations[]`` of a GET status item."""

    status: str
    language: Language


class WireStatus(_Response):
    """One item of ``GET /shop-order-statuses``; without ``deleted_at`` it is live."""

    external_id: str
    status: str | None = None  # display text in one language; unused, so not required
    # Sendcloud's schema marks no field of this item as required; absent means not deleted.
    deleted_at: datetime | None = None
    translations: list[WireTranslation] = Field(min_length=1)

    @model_validator(mode="after")
    def _languages_once(self) -> WireStatus:
        languages = [t.language for t in self.translations]
        if len(set(languages)) != len(languages):
            raise ValueError(f"status {self.external_id!r} repeats a language")
        return self


class StatusesResponse(_Response):
    """200 body of ``GET /shop-order-statuses``."""

    data: list[WireStatus]

    @model_validator(mode="after")
    def _live_ids_once(self) -> StatusesResponse:
        # Deleted entries may repeat an id (deleted, recreated, deleted again); live ones cannot.
        live = [s.external_id for s in self.data if s.deleted_at is None]
        if len(set(live)) != len(live):
            raise ValueError("an external_id is listed twice among the live statuses")
        return self


class WireMappingItem(_Response):
    """One category of the mapping answer; `is_valid`: it points at a live status (or none)."""

    status_category: Category
    external_id: str | None
    is_valid: bool


class WireMapping(_Response):
    """``data`` of the mapping answer: at most the four categories, each at most once."""

    integration_id: int
    mapping: list[WireMappingItem]

    @model_validator(mode="before")
    @classmethod
    def _known_categories(cls, data: Any) -> Any:
        # Said plainly rather than as pydantic's enum error: the user must know why it stops.
        items = data.get("mapping") if isinstance(data, dict) else None
        for item in items if isinstance(items, list) else ():
            category = item.get("status_category") if isinstance(item, dict) else None
            if isinstance(category, str) and category not in CATEGORIES:
                raise ValueError(
                    f"the mapping names status category {category!r}, which this reconciler "
                    "does not know; it stops rather than drop it, since the next mapping write "
                    "would delete it (upgrade the reconciler)"
                )
        return data

    @model_validator(mode="after")
    def _each_category_once(self) -> WireMapping:
        listed = [item.status_category for item in self.mapping]
        if len(set(listed)) != len(listed):
            raise ValueError(f"mapping lists a category twice: {', '.join(sorted(listed))}")
        return self

    def absent_categories(self) -> tuple[Category, ...]:
        """The categories the answer left out, in the API's order."""
        listed = {item.status_category for item in self.mapping}
        return tuple(category for category in CATEGORIES if category not in listed)


class MappingResponse(_Response):
    """200 body of ``GET /shop-order-statuses/mapping``."""

    data: WireMapping
