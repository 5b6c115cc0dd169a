"""Checks against Sendcloud's own published documents, vendored under schemas/sendcloud/.

`tests/openapi_check.py` checks against the project's document, which was written from
Sendcloud's pages; this module checks against Sendcloud's documents themselves, so the simulator
and the client are not only consistent with a description the project wrote.

`INTEGRATIONS` is the v3 Integrations document (the four shop-order-status operations);
`AUTH` the part of the Authentication document that could be verified (the token endpoint).
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from ruamel.yaml import YAML

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas" / "sendcloud"
_PREFIX = "/api/v3"


def _escape(segment: str) -> str:
    return segment.replace("~", "~0").replace("/", "~1")


class SpecDocument:
    """One vendored OpenAPI document and JSON Schema validation against its parts."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._uri = f"urn:sendcloud:{path.name}"

    @cached_property
    def document(self) -> dict[str, Any]:
        loaded: dict[str, Any] = YAML(typ="safe", pure=True).load(self.path.read_text("utf-8"))
        return loaded

    @cached_property
    def _registry(self) -> Registry:  # type: ignore[type-arg]
        resource = Resource(contents=self.document, specification=DRAFT202012)
        return Registry().with_resource(self._uri, resource)

    def validator(self, pointer: str) -> Draft202012Validator:
        """A validator for the schema at `pointer` (a JSON pointer into the document)."""
        return Draft202012Validator(
            {"$ref": f"{self._uri}#{pointer}"},
            registry=self._registry,
            format_checker=Draft202012Validator.FORMAT_CHECKER,
        )

    def operation(self, method: str, path: str) -> dict[str, Any]:
        """The operation object for ``method path`` (path with or without /api/v3, slash)."""
        api_path = path.removeprefix(_PREFIX).rstrip("/") or "/"
        operation: dict[str, Any] = self.document["paths"][api_path][method.lower()]
        return operation

    def check_response_body(self, method: str, path: str, status: int, body: Any) -> None:
        """Validate a success body against the documented schema of that status."""
        api_path = path.removeprefix(_PREFIX).rstrip("/") or "/"
        self.operation(method, path)["responses"][str(status)]  # documented, or KeyError
        pointer = (
            f"/paths/{_escape(api_path)}/{method.lower()}/responses/{status}/content/"
            f"{_escape('application/json')}/schema"
        )
        self.validator(pointer).validate(body)

    def check_request_body(self, method: str, path: str, body: Any, media: str) -> None:
        """Validate a request body (JSON value, or a form as a dict) against requestBody."""
        api_path = path.removeprefix(_PREFIX).rstrip("/") or "/"
        pointer = (
            f"/paths/{_escape(api_path)}/{method.lower()}/requestBody/content/"
            f"{_escape(media)}/schema"
        )
        self.validator(pointer).validate(body)

    def check_query(self, method: str, path: str, query: dict[str, str]) -> None:
        """Every parameter sent is documented, every required one is sent, values fit."""
        documented: dict[str, dict[str, Any]] = {}
        for parameter in self.operation(method, path).get("parameters", []):
            ref = parameter.get("$ref")
            if ref:
                name = ref.rsplit("/", 1)[1]
                parameter = self.document["components"]["parameters"][name]
            documented[parameter["name"]] = parameter
        assert set(query) <= set(documented), (
            f"undocumented parameters: {set(query) - set(documented)}"
        )
        for name, parameter in documented.items():
            if parameter.get("required"):
                assert name in query, f"required parameter {name} not sent"
        for name, raw in query.items():
            schema = documented[name]["schema"]
            value: Any = raw
            if schema.get("type") == "integer":
                value = int(raw)
            elif schema.get("type") == "boolean":
                assert raw in ("true", "false"), f"{name}={raw!r} is not a boolean"
                value = raw == "true"
            Draft202012Validator(schema).validate(value)

    def check_error_body(self, body: Any) -> None:
        """Validate an error answer against the ``errors`` schema (array or one object).

        Each error object must have the required status, code and detail and fit
        ``ErrorObject`` (whose code enum is the list of documented codes).
        """
        assert isinstance(body, dict), body
        assert "errors" in body, body
        items = body["errors"] if isinstance(body["errors"], list) else [body["errors"]]
        assert items, "no error objects"
        # Sendcloud's own "not found" example has an integer status, against its schema (a
        # string); the simulator copies that example byte for byte, so it is read as a string.
        items = [
            {**item, "status": str(item["status"])} if isinstance(item.get("status"), int) else item
            for item in items
        ]
        self.validator("/components/schemas/errors").validate({**body, "errors": items})
        for item in items:
            assert all(key in item for key in ("status", "code", "detail")), item
            self.validator("/components/schemas/ErrorObject").validate(item)


INTEGRATIONS = SpecDocument(SCHEMAS / "integrations-v3.openapi.yaml")
AUTH = SpecDocument(SCHEMAS / "auth-v3.openapi.yaml")
