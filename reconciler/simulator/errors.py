"""JSON:API error objects as Sendcloud's v3 API returns them.

Codes come only from the ``ErrorObject.code`` enum of Sendcloud's v3 Integrations OpenAPI
document (`DOCUMENTED_CODES`, vendored in ``schemas/sendcloud/``). Where Sendcloud documents
no body (429, 5xx, a refused Bearer token), the simulator still answers in that format with
the closest documented code, and says so here rather than inventing one such as "throttled".
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

JsonObject = dict[str, Any]

DOCUMENTED_CODES = frozenset(
    {
        "unknown_field",
        "invalid",
        "forbidden",
        "invalid_choice",
        "min_value",
        "null",
        "not_found",
        "required",
        "not_a_list",
        "non_field_errors",
        "authentication_failed",
        "validation_error",
        "parcel_announcement_error",
    }
)


def error(
    status: int,
    code: str,
    title: str,
    detail: str | None = None,
    *,
    pointer: str | None = None,
    parameter: str | None = None,
) -> JsonObject:
    """One error object; ``status`` is a string, as in most of Sendcloud's examples.

    Raises `ValueError` for a code outside Sendcloud's documented enum.
    """
    if code not in DOCUMENTED_CODES:
        raise ValueError(f"{code!r} is not one of Sendcloud's documented error codes")
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
    code = {401: "authentication_failed", 403: "forbidden", 404: "not_found"}.get(status, "invalid")
    return errors_body(error(status, code, title, "Simulated fault injected by the simulator"))


NO_CREDENTIALS = errors_body(
    error(
        401,
        "authentication_failed",
        "No credentials",
        "Authentication credentials were not provided.",
    )
)
# Sendcloud's wording, from the ``Unauthorized`` response of the v3 Integrations document.
INVALID_CREDENTIALS = errors_body(
    error(
        401,
        "authentication_failed",
        "Invalid username/password.",
        "The username or password provided is incorrect. Please make a request with the valid "
        "credentials.",
    )
)
# Sendcloud documents neither of these two bodies; the wording is the simulator's own.
OAUTH2_REQUIRED = errors_body(
    error(
        401,
        "authentication_failed",
        "OAuth2 authentication required.",
        "This integration is set to use OAuth2 authentication; Basic authentication is refused. "
        "Send a Bearer token from the OAuth2 token endpoint.",
    )
)
INVALID_TOKEN = errors_body(
    error(
        401,
        "authentication_failed",
        "Invalid token.",
        "The access token is invalid or has expired.",
    )
)
# No throttling code is documented; "invalid" is the enum's generic refusal.
THROTTLED = errors_body(error(429, "invalid", "Too Many Requests", "Request was throttled."))
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
