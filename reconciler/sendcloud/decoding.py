"""Reading answers: JSON parsing, Sendcloud's JSON:API error documents, contract checks.

`bodies` holds the models of the four calls' bodies; this module holds what every answer
goes through: parsing (`load_json`), recognising an error document (`error_document`,
`describe`), refusing a success answer that is an error or announces a further page, and
validating against a model (`decode`). Everything it raises is a `ContractViolation` with a
message fit for the user; the client adds which request it was.

The error format is the ``errors`` / ``ErrorObject`` schema of Sendcloud's v3 Integrations
OpenAPI document: ``errors`` is an array of error objects, or one object.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from reconciler.jsondoc import TooDeepError, load_model
from reconciler.jsondoc import load_json as load_bounded_json


class ContractViolation(ValueError):
    """A response body that does not follow the documented contract."""


# --- errors -----------------------------------------------------------------------------------


class _Lenient(BaseModel):
    # An error body is read to explain a failure; being strict here would hide the explanation.
    model_config = ConfigDict(extra="ignore", frozen=True)


class ErrorSource(_Lenient):
    """``source`` of a JSON:API error object: where in the request the problem is."""

    pointer: str | None = None
    parameter: str | None = None
    header: str | None = None


class ErrorObject(_Lenient):
    """One JSON:API error object (Sendcloud's ``ErrorObject`` schema, read leniently)."""

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


def expect_no_error(content: bytes) -> Any:
    """The parsed body; `ContractViolation` unless a success answer is JSON and not an error."""
    data = load_json(content)
    document = error_document(data)
    if document is not None:
        raise ContractViolation(f"the answer is 200 but the body is an error: {describe(document)}")
    return data


_PAGE_KEYS = ("next", "cursor", "next_cursor", "next_page")
_PAGE_HOLDERS = ("links", "meta", "pagination")


def further_page(data: Any) -> str | None:
    """Where a body says there is a further page (``next``/``cursor`` keys), or None.

    Looked for at the top level and in ``links``, ``meta`` and ``pagination`` objects, the
    places JSON:API and Sendcloud's paginated v3 endpoints put them; a null value is no page.
    """
    if not isinstance(data, dict):
        return None
    places: list[tuple[str, dict[str, Any]]] = [("", data)]
    places += [
        (f"{name}.", data[name]) for name in _PAGE_HOLDERS if isinstance(data.get(name), dict)
    ]
    for prefix, holder in places:
        for key in _PAGE_KEYS:
            if holder.get(key) not in (None, "", False):
                return f"{prefix}{key}"
    return None


def has_next_link(link_header: str | None) -> bool:
    """Whether a ``Link`` header (RFC 8288) has a link with relation type ``next``."""
    for link in (link_header or "").split(","):
        for param in link.split(";")[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "rel" and "next" in value.strip().strip('"').lower().split():
                return True
    return False


def decode(model: type[_Model], content: bytes) -> _Model:
    """Validate a 200 body against `model`.

    Raises `ContractViolation` for a body that is an error document, says there is a further
    page, or does not fit `model`.
    """
    page = further_page(expect_no_error(content))
    if page is not None:
        raise ContractViolation(
            f"the answer says there is a further page ({page!r} is set), but this endpoint is "
            "documented without pagination; planning from one page would make the full "
            "overwrite delete the statuses on the others, so nothing is written"
        )
    try:
        return load_model(model, content)
    except ValidationError as exc:
        raise ContractViolation(_summarise(exc)) from None
    except ValueError as exc:  # refused by load_json above already; a ValidationError is one too
        raise ContractViolation(f"the body cannot be read: {exc}") from None


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
