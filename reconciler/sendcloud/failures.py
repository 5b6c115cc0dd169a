"""Every way a request can fail, translated into the package's exception tree.

`reconciler.errors` draws the tree; this module decides which branch an exchange lands on and
writes the message a user reads. Only text goes into these exceptions, never an httpx object:
a request carries the Authorization header, and an exception's cause chain can end up in a
crash report.

Error bodies follow Sendcloud's JSON:API error format (``{"errors": [...]}`` or one object,
see the ``errors`` schema of the v3 Integrations OpenAPI document, vendored under
``schemas/sendcloud/``); an answer that is not one is quoted as an excerpt instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlencode

from reconciler.errors import ApiError, AuthenticationError, IntegrationNotFound, TransportError
from reconciler.sendcloud import bodies as wire
from reconciler.sendcloud.transport import Retryable
from reconciler.sendcloud.urls import API_URL_SETTING, TOKEN_URL_SETTING

__all__ = [
    "RETRYABLE_STATUSES",
    "Call",
    "contract_violation",
    "decode_answer",
    "error_for_status",
    "exhausted",
    "expect_no_data",
    "status_summary",
]

# Throttled (429) and gateway trouble (502-504) pass; other answers will not change on repeat.
RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})
_CHECK_KEYS = "Check SENDCLOUD_PUBLIC_KEY and SENDCLOUD_SECRET_KEY"


@dataclass(frozen=True)
class Call:
    """One API request as messages name it: method, path, query and JSON body (or None)."""

    method: str
    path: str
    integration_id: int | None  # None for the OAuth2 token request
    params: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] | None = None
    debug: bool = False  # --debug is on: its log already shows the exchange
    # Where the URL came from, for messages only another URL can fix: "the token URL
    # (SENDCLOUD_TOKEN_URL)"; None: the generic wording by the kind of call.
    setting: str | None = None

    @property
    def see_exchange(self) -> str:
        """Where to see the request and answer: the debug log above, or how to get one."""
        if self.debug:
            return "the debug lines above show the exchange"
        return "run with --debug to see the exchange"

    @property
    def line(self) -> str:
        """How messages name the request: ``GET /shop-order-statuses?integration_id=12``."""
        query = f"?{urlencode(self.params)}" if self.params else ""
        return f"{self.method} {self.path}{query}"

    @property
    def where(self) -> str:
        """``GET /shop-order-statuses?integration_id=12 (integration 12)``."""
        if self.integration_id is None:
            return self.line
        return f"{self.line} (integration {self.integration_id})"


def _document(content: bytes) -> wire.ErrorDocument | None:
    try:
        return wire.error_document(wire.load_json(content))
    except wire.ContractViolation:
        return None


def status_summary(status: int, content: bytes) -> str:
    """``HTTP 503: <the error objects, or an excerpt of the body>`` for a retryable answer."""
    document = _document(content)
    text = wire.describe(document) if document else wire.excerpt(content)
    return f"HTTP {status}: {text}"


def contract_violation(call: Call, problem: str) -> ApiError:
    """The error for a success answer whose body breaks the documented contract."""
    return ApiError(
        f"Sendcloud's answer to {call.where} does not follow the API contract: {problem}. "
        f"The reconciler stops rather than guess; {call.see_exchange}; retry later or report "
        "it.",
        request=call.line,
        http_status=200,
        integration_id=call.integration_id,
    )


_Body = TypeVar("_Body", wire.StatusesResponse, wire.MappingResponse)


def decode_answer(call: Call, model: type[_Body], content: bytes) -> _Body:
    """A 200 body as `model`, or the `contract_violation` naming `call`."""
    try:
        return wire.decode(model, content)
    except wire.ContractViolation as exc:
        raise contract_violation(call, str(exc)) from None


def expect_no_data(call: Call, content: bytes) -> None:
    """Accept a write's 200 answer (documented as ``null``), or raise `contract_violation`.

    An empty body or extra data is harmless; a body that is not JSON (a proxy's page) or is an
    error document means the write may not have happened.
    """
    if not content.strip():
        return
    try:
        wire.expect_no_error(content)
    except wire.ContractViolation as exc:
        raise contract_violation(call, str(exc)) from None


def exhausted(
    call: Call, attempts: int, last: Retryable, budget: float
) -> ApiError | TransportError:
    """The error once the retries are spent (`budget` seconds); `last` is the final failure.

    A connection that could never be made says so and which URL to check.
    """
    if last.connect:
        which = call.setting or (
            TOKEN_URL_SETTING if call.integration_id is None else API_URL_SETTING
        )
        return TransportError(
            f"{call.where}: {last.summary}, {attempts} attempt(s). Check {which} and that the "
            "server is running."
        )
    waited = ""
    if last.retry_after is not None and last.retry_after >= budget:
        waited = f" (the server asked to wait {last.retry_after:.0f} s)"
    if last.http_status == 429:
        advice = (
            "Sendcloud kept throttling: another client may share this key pair's limits; "
            "try again later or lower --reads-per-minute / --writes-per-minute."
        )
    else:
        advice = "Sendcloud may be unavailable or unreachable: try again later."
    message = (
        f"{call.where} still failed after {attempts} attempt(s) within the {budget:g} s retry "
        f"budget{waited}; last failure: {last.summary.rstrip('.')}. {advice}"
    )
    if last.http_status is None:
        return TransportError(message)
    return ApiError(
        message, request=call.line, http_status=last.http_status, integration_id=call.integration_id
    )


def error_for_status(call: Call, status: int, content: bytes, *, scheme: str = "basic") -> ApiError:
    """The exception for a non-retryable error answer, JSON:API or not.

    401 -> `AuthenticationError`, 404 -> `IntegrationNotFound`, anything else -> `ApiError`;
    each carries the request line, status, and the first error object's code, detail and
    source pointer. `scheme` ("basic" or "oauth2") is how the request was authenticated, so a
    401 says which credentials were refused and what to try.
    """
    document = _document(content)
    first = document.errors[0] if document and document.errors else None
    fields: dict[str, Any] = {
        "request": call.line,
        "http_status": status,
        "integration_id": call.integration_id,
        "code": first.code if first else None,
        "detail": (first.detail or first.title) if first else None,
        "pointer": first.source.pointer if first and first.source else None,
    }
    said = (
        wire.describe(document) if document else f"not a JSON:API error: {wire.excerpt(content)!r}"
    )
    if status == 401 and scheme == "oauth2":
        return AuthenticationError(
            f"Sendcloud refused the OAuth2 access token, even a freshly issued one (HTTP 401 on "
            f"{call.where}: {said}). {_CHECK_KEYS}: they must be the public and secret key of "
            "an API integration in the Sendcloud panel that may use this API.",
            **fields,
        )
    if status == 401:
        return AuthenticationError(
            f"Sendcloud rejected the API key pair (HTTP 401 on {call.where}: {said}). "
            f"{_CHECK_KEYS}: they must be the public and secret key of an API integration in "
            "the Sendcloud panel. If that integration is set to use OAuth2 authentication, "
            "Basic authentication is refused: set SENDCLOUD_AUTH=oauth2.",
            **fields,
        )
    if status == 404:
        return IntegrationNotFound(
            f"Integration {call.integration_id} does not exist or is not a PrestaShop V2 "
            f"integration (HTTP 404 on {call.line}: {said}). Check the integration_id, and that "
            "the API key pair belongs to the account that owns it.",
            **fields,
        )
    if status >= 500:
        advice = "Sendcloud failed internally (not retried): try again later."
    elif status == 403:
        advice = f"The key pair may not use this API. {_CHECK_KEYS}."
    else:
        advice = f"Sendcloud refused the request; {call.see_exchange}."
    return ApiError(f"Sendcloud answered HTTP {status} to {call.where}: {said}. {advice}", **fields)
