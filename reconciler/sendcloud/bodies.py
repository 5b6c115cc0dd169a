"""The API's JSON bodies as pydantic models: exactly the contract, nothing of ours.

Requests are built only through these models, so a body the client sends always fits the
documented schema (integer ``integration_id``; 1 to 7 translations per status; exactly four
mapping items, each category once).

Responses are read with a deliberate split:

- an unknown *field* is ignored, because Sendcloud may add fields without notice and an added
  field cannot change what the fields we read mean;
- anything we rely on that is missing, has the wrong JSON type, names an unknown category or
  language, or repeats what must be unique is a `ContractViolation`. The client turns it into an
  ``ApiError`` naming the request, because guessing would produce a wrong plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from reconciler.jsondoc import TooDeepError
from reconciler.jsondoc import load_json as load_bounded_json
from reconciler.model import CATEGORIES, LANGUAGES, Category, Language


class ContractViolation(ValueError):
    """A response body that does not follow the documented contract."""


# --- requests ---------------------------------------------------------------------------------


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Translation(_Request):
    status: Annotated[str, StringConstraints(min_length=1)]
    language: Language


class StatusItem(_Request):
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
    status: str
    language: Language


class WireStatus(_Response):
    external_id: str
    status: str | None = None  # display text in one language; unused, so not required
    deleted_at: datetime | None
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
    status_category: Category
    external_id: str | None
    is_valid: bool


class WireMapping(_Response):
    integration_id: int
    mapping: list[WireMappingItem]

    @model_validator(mode="after")
    def _each_category_once(self) -> WireMapping:
        listed = sorted(item.status_category for item in self.mapping)
        if listed != sorted(CATEGORIES):
            names = ", ".join(listed) or "none"
            raise ValueError(f"mapping must list each of the four categories once, got {names}")
        return self


class MappingResponse(_Response):
    """200 body of ``GET /shop-order-statuses/mapping``."""

    data: WireMapping


# --- errors -----------------------------------------------------------------------------------


class _Lenient(BaseModel):
    # An error body is read to explain a failure; being strict here would hide the explanation.
    model_config = ConfigDict(extra="ignore", frozen=True)


class ErrorSource(_Lenient):
    pointer: str | None = None
    parameter: str | None = None
    header: str | None = None


class ErrorObject(_Lenient):
    status: str | int | None = None  # Sendcloud's examples use both "404" and 404
    code: str | None = None
    title: str | None = None
    detail: str | None = None
    source: ErrorSource | None = None


class ErrorDocument(_Lenient):
    """A JSON:API error document; the schema allows one object as well as a list."""

    errors: list[ErrorObject]

    @model_validator(mode="before")
    @classmethod
    def _one_or_many(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("errors"), dict):
            return {**data, "errors": [data["errors"]]}
        return data


# --- decoding ---------------------------------------------------------------------------------

_Model = TypeVar("_Model", bound=BaseModel)
_EXCERPT_CHARS = 120


def excerpt(content: bytes) -> str:
    """The start of a body, on one line, short enough for an error message."""
    text = " ".join(content.decode("utf-8", errors="replace").split())
    if not text:
        return "(empty body)"
    return text if len(text) <= _EXCERPT_CHARS else text[:_EXCERPT_CHARS] + "…"


def load_json(content: bytes) -> Any:
    """Parse JSON, raising `ContractViolation` with an excerpt for anything else (HTML, cut off)."""
    try:
        return load_bounded_json(content)
    except TooDeepError as exc:
        raise ContractViolation(f"the body is JSON but {exc}") from None
    except ValueError:
        raise ContractViolation(f"the body is not JSON: {excerpt(content)!r}") from None


def error_document(data: Any) -> ErrorDocument | None:
    """The body as a JSON:API error document, or None when it is not one."""
    if not isinstance(data, dict) or "errors" not in data:
        return None
    try:
        return ErrorDocument.model_validate(data)
    except ValidationError:
        return None


def expect_no_error(content: bytes) -> None:
    """Raise `ContractViolation` unless a success answer's body is JSON and not an error."""
    document = error_document(load_json(content))
    if document is not None:
        raise ContractViolation(f"the answer is 200 but the body is an error: {describe(document)}")


def decode(model: type[_Model], content: bytes) -> _Model:
    """Validate a 200 body against `model`; a body that is an error document is a violation too."""
    expect_no_error(content)
    try:
        return model.model_validate_json(content)
    except ValidationError as exc:
        raise ContractViolation(_summarise(exc)) from None


def describe(document: ErrorDocument) -> str:
    """One line per error object: code, detail (or title), and where in the request."""
    parts = []
    for item in document.errors:
        text = item.detail or item.title or "no detail given"
        if item.code:
            text = f"{item.code}: {text}"
        where = item.source and (item.source.pointer or item.source.parameter or item.source.header)
        if where:
            text += f" (at {where})"
        parts.append(text)
    return "; ".join(parts) or "no error objects given"


def _summarise(exc: ValidationError, limit: int = 3) -> str:
    problems = []
    for error in exc.errors()[:limit]:
        where = ".".join(str(part) for part in error["loc"]) or "body"
        got = error.get("input")
        shown = f" (got {got!r})" if isinstance(got, str | int | float | bool) else ""
        problems.append(f"{where}: {error['msg']}{shown}")
    more = exc.error_count() - limit
    if more > 0:
        problems.append(f"and {more} more")
    return "; ".join(problems)
