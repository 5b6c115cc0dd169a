"""JSON:API error objects as Sendcloud's v3 API returns them."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

JsonObject = dict[str, Any]


def error(
    status: int,
    code: str,
    title: str,
    detail: str | None = None,
    *,
    pointer: str | None = None,
    parameter: str | None = None,
) -> JsonObject:
    """One error object; ``status`` is a string, as in most of Sendcloud's examples."""
    item: JsonObject = {"status": str(status), "code": code, "title": title}
    item["detail"] = detail if detail is not None else title
    if pointer is not None:
        item["source"] = {"pointer": pointer}
    elif parameter is not None:
        item["source"] = {"parameter": parameter}
    return item


def errors_body(*items: JsonObject) -> JsonObject:
    """Wrap error objects in the ``{"errors": [...]}`` envelope."""
    return {"errors": list(items)}


def default_fault_body(status: int) -> JsonObject:
    """The body of an injected fault when the test did not give one."""
    try:
        title = HTTPStatus(status).phrase
    except ValueError:
        title = "Simulated fault"
    code = {401: "authentication_failed", 404: "not_found", 429: "throttled"}.get(
        status, "server_error" if status >= 500 else "invalid"
    )
    return errors_body(error(status, code, title, "Simulated fault injected by the simulator"))


NO_CREDENTIALS = errors_body(
    error(
        401,
        "authentication_failed",
        "No credentials",
        "Authentication credentials were not provided.",
    )
)
INVALID_CREDENTIALS = errors_body(
    error(401, "authentication_failed", "Invalid username/password.", "Invalid username/password.")
)
THROTTLED = errors_body(error(429, "throttled", "Too Many Requests", "Request was throttled."))
# Sendcloud documents this one with an integer status; keep it byte-for-byte.
INTEGRATION_NOT_FOUND: JsonObject = {
    "errors": [
        {
            "status": 404,
            "code": "not_found",
            "title": "Not Found",
            "detail": "The Integration could not be found with the search criteria given",
        }
    ]
}
