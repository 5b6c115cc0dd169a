"""Check requests and responses against schemas/sendcloud-order-statuses.openapi.yaml.

Reusable by any test: `check_response(response)` validates an httpx response's JSON body
against the document's schema for its path, method and status; `check_request_body(...)`
validates a body a client is about to send against the operation's requestBody schema.
Paths may carry the ``/api/v3`` prefix and a trailing slash.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import httpx
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from ruamel.yaml import YAML

OPENAPI_PATH = (
    Path(__file__).resolve().parents[1] / "schemas" / "sendcloud-order-statuses.openapi.yaml"
)
_DOC_URI = "urn:sendcloud-order-statuses-openapi"
_PREFIX = "/api/v3"


@cache
def openapi_document() -> dict[str, Any]:
    """The parsed OpenAPI document (plain dicts and lists)."""
    document: dict[str, Any] = YAML(typ="safe", pure=True).load(OPENAPI_PATH.read_text("utf-8"))
    return document


@cache
def _registry() -> Registry:  # type: ignore[type-arg]
    resource = Resource(contents=openapi_document(), specification=DRAFT202012)
    return Registry().with_resource(_DOC_URI, resource)


def _escape(segment: str) -> str:
    return segment.replace("~", "~0").replace("/", "~1")


def _resolve(node: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """Follow an OpenAPI-level $ref (responses); return the node and its pointer if moved."""
    ref = node.get("$ref")
    if not isinstance(ref, str):
        return node, None
    target: Any = openapi_document()
    for part in ref.removeprefix("#/").split("/"):
        target = target[part.replace("~1", "/").replace("~0", "~")]
    return target, ref.removeprefix("#")


def normalise_path(path: str) -> str:
    """``/api/v3/shop-order-statuses/mapping/`` -> ``/shop-order-statuses/mapping``."""
    return path.removeprefix(_PREFIX).rstrip("/") or "/"


def documented_statuses(method: str, path: str) -> set[int]:
    """The response statuses the document lists for an operation."""
    operation = openapi_document()["paths"][normalise_path(path)][method.lower()]
    return {int(code) for code in operation["responses"]}


def _validator(pointer: str) -> Draft202012Validator:
    return Draft202012Validator(
        {"$ref": f"{_DOC_URI}#{pointer}"},
        registry=_registry(),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def response_pointer(method: str, path: str, status: int) -> str:
    """JSON pointer (into the document) of the schema of a response."""
    api_path = normalise_path(path)
    base = f"/paths/{_escape(api_path)}/{method.lower()}/responses/{status}"
    response = openapi_document()["paths"][api_path][method.lower()]["responses"].get(str(status))
    if response is None:
        raise AssertionError(f"{method} {api_path}: status {status} is not documented")
    _, moved = _resolve(response)
    return f"{moved or base}/content/{_escape('application/json')}/schema"


def check_response_body(method: str, path: str, status: int, body: Any) -> None:
    """Raise `jsonschema.ValidationError` when `body` does not match the documented schema."""
    _validator(response_pointer(method, path, status)).validate(body)


def check_response(response: httpx.Response) -> None:
    """Validate an httpx response: documented status, JSON content type, schema-valid body."""
    request = response.request
    content_type = response.headers.get("content-type", "")
    assert content_type.startswith("application/json"), content_type
    check_response_body(request.method, request.url.path, response.status_code, response.json())


def check_request_body(method: str, path: str, body: Any) -> None:
    """Raise `jsonschema.ValidationError` when a request body does not match its schema."""
    api_path = normalise_path(path)
    pointer = (
        f"/paths/{_escape(api_path)}/{method.lower()}/requestBody/content/"
        f"{_escape('application/json')}/schema"
    )
    _validator(pointer).validate(body)
