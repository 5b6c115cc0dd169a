"""OAuth 2.0 client credentials: one Bearer token per run, from Sendcloud's token endpoint.

Sendcloud's "Authentication" page and its v3 Authentication OpenAPI document (vendored, as far
as verifiable, in ``schemas/sendcloud/auth-v3.openapi.yaml``): ``POST
https://account.sendcloud.com/oauth2/token`` with the integration's public key and secret key as
HTTP Basic (RFC 6749 section 2.3.1, ``client_secret_basic``), form fields
``grant_type=client_credentials`` and ``scope=api``; the answer carries ``access_token`` and
``expires_in`` (seconds; one hour). API requests then send ``Authorization: Bearer <token>``
(RFC 6750).

Authlib's httpx integration (`AsyncOAuth2Client`) builds the token request, authenticates the
client and turns the answer into an `OAuth2Token` that knows its expiry. It is not left to
fetch tokens on its own, though: its automatic refresh would send the token request outside
the client's pacing and retries, and its errors (`httpx.HTTPStatusError`) carry the request,
whose Authorization header holds the client secret. So `TokenSource.exchange` makes exactly
one attempt, a compliance hook judges the answer before Authlib parses it and raises only
text-carrying exceptions, and `OAuth2Credentials` decides when to exchange, under the same
pacing and retry budget as every other request.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
import warnings
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any

import httpx

from reconciler.errors import ApiError, AuthenticationError, TransportError
from reconciler.sendcloud import bodies as wire
from reconciler.sendcloud.failures import (
    RETRYABLE_STATUSES,
    Call,
    contract_violation,
    status_summary,
)
from reconciler.sendcloud.pacing import parse_retry_after
from reconciler.sendcloud.stats import log_outcome, log_request
from reconciler.sendcloud.transport import (
    MAX_BODY_BYTES,
    AttemptFailure,
    Failure,
    Retryable,
    describe_error,
    to_exception,
)
from reconciler.sendcloud.urls import TOKEN_URL_SETTING

if TYPE_CHECKING:
    from reconciler.sendcloud.retries import Retrier

# Authlib ships no type hints: its `OAuth2Token` is a dict of the token answer's fields.
OAuth2Token = Any

__all__ = ["DEFAULT_TOKEN_URL", "SCOPE", "OAuth2Credentials", "TokenSource", "forget_tokens"]

DEFAULT_TOKEN_URL = "https://account.sendcloud.com/oauth2/token"  # noqa: S105 - a URL
SCOPE = "api"
# Refresh this long before expiry: a minute for Sendcloud's hour-long tokens, a quarter of the
# lifetime for short ones (a simulator's), so a token never expires between check and use.
_MAX_LEEWAY = 60.0
_CHECK_KEYS = (
    "Check SENDCLOUD_PUBLIC_KEY and SENDCLOUD_SECRET_KEY: with SENDCLOUD_AUTH=oauth2 they are "
    "the client id and secret (the public and secret key of an API integration)"
)


def _load_authlib() -> Any:
    # Authlib warns on import that it prefers the httpx2 package over httpx. The warning is
    # for library authors, not for someone running the reconciler, and Authlib forces it to
    # "always" show; record=True keeps it off stderr.
    with warnings.catch_warnings(record=True):
        from authlib.integrations.httpx_client import AsyncOAuth2Client

    return AsyncOAuth2Client


class TokenSource:
    """One token exchange per `exchange()` call, through Authlib's `AsyncOAuth2Client`.

    `token_url` must already be checked (``urls.check_base_url``). The exchange raises
    `Retryable` (429/502/503/504, timeouts, broken connections), `AuthenticationError`
    (400/401: the client id or secret is refused), `ApiError` (any other refusal, or an answer
    without a usable token) or `TransportError`; none holds an httpx object.
    """

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str,
        *,
        transport: httpx.AsyncBaseTransport | None,
        timeout: float,
        trust_env: bool,
        user_agent: str,
        debug: bool = False,
        setting: str = TOKEN_URL_SETTING,
    ) -> None:
        self.token_url = token_url
        self.setting = setting
        self.timeout = timeout
        # Identifies the run's token: a different key pair or endpoint never shares it.
        digest = hashlib.sha256(client_secret.encode()).hexdigest()
        self.key = (token_url, client_id, digest)
        self.call = Call("POST", token_url, None, debug=debug, setting=setting)
        self._oauth: Any = _load_authlib()(
            client_id=client_id,
            client_secret=client_secret,
            token_endpoint_auth_method="client_secret_basic",  # noqa: S106 - a method name
            scope=SCOPE,
            headers={"User-Agent": user_agent, "Accept": "application/json"},
            timeout=timeout,
            transport=transport,
            follow_redirects=False,  # a redirect would resend the client secret elsewhere
            trust_env=trust_env,
            # --debug shows the token exchange like any other (Authorization redacted).
            event_hooks={"request": [_log_request], "response": [_log_response]} if debug else {},
        )
        self._oauth.register_compliance_hook("access_token_response", self._judge)

    async def exchange(self, deadline: float) -> OAuth2Token:
        """One token request within `deadline` seconds; the token (a dict with
        ``access_token``, ``expires_in``)."""
        try:
            async with asyncio.timeout(deadline):
                token: OAuth2Token = await self._oauth.fetch_token(
                    self.token_url, grant_type="client_credentials"
                )
        except TimeoutError:
            failure = AttemptFailure(
                f"no complete answer within the {deadline:.2g} s deadline of an attempt",
                Failure.RETRY,
            )
        except httpx.HTTPError as exc:
            # Only text leaves: exc.request carries the client secret in its Basic header.
            failure = describe_error(exc, self.token_url, self.timeout, setting=self.setting)
        else:
            return token
        raise to_exception(failure, self.call.where)

    async def aclose(self) -> None:
        """Close the token client's connections."""
        await self._oauth.aclose()

    def _judge(self, response: httpx.Response) -> httpx.Response:
        """Authlib's compliance hook: pass a usable 200 answer on, raise for anything else.

        Authlib reads the token answer whole (not streamed like the API's answers); a token
        answer larger than the API's cap is refused here, after the fact.
        """
        status, content = response.status_code, response.content
        if len(content) > MAX_BODY_BYTES:
            raise TransportError(f"{self.call.where} failed: the answer is over the size limit")
        if status in RETRYABLE_STATUSES:
            raise Retryable(
                status_summary(status, content),
                http_status=status,
                retry_after=parse_retry_after(response.headers.get("Retry-After")),
            )
        if status != 200:
            raise _refusal(self.call, status, content)
        try:
            data = wire.load_json(content)
        except wire.ContractViolation as exc:
            raise contract_violation(self.call, str(exc)) from None
        problem = _token_problem(data)
        if problem:
            raise contract_violation(self.call, problem)
        return response


async def _log_request(request: httpx.Request) -> None:
    log_request(request)


async def _log_response(response: httpx.Response) -> None:
    log_outcome(f"{response.status_code} {response.reason_phrase}", response.request)


def _token_problem(data: Any) -> str | None:
    """What makes a 200 token answer unusable (RFC 6749 section 5.1), or None."""
    if not isinstance(data, dict):
        return "the token answer is not a JSON object"
    token = data.get("access_token")
    if not isinstance(token, str) or not token.strip():
        return "the token answer has no access_token"
    token_type = data.get("token_type", "bearer")
    if not isinstance(token_type, str) or token_type.lower() != "bearer":
        return "the token is not a Bearer token"
    expires_in = data.get("expires_in")
    if expires_in is not None and (
        isinstance(expires_in, bool) or not isinstance(expires_in, int) or expires_in <= 0
    ):
        return "expires_in is not a positive number of seconds"
    return None


def _refusal(call: Call, status: int, content: bytes) -> ApiError:
    # RFC 6749 section 5.2: {"error": "invalid_client", "error_description": "..."}; the
    # description is the server's text, never ours, so it cannot hold the secret.
    try:
        data = wire.load_json(content)
    except wire.ContractViolation:
        data = None
    if isinstance(data, dict) and isinstance(data.get("error"), str):
        said = data["error"]
        if isinstance(data.get("error_description"), str):
            said += f": {data['error_description']}"
    else:
        said = f"not an OAuth2 error: {wire.excerpt(content)!r}"
    fields: dict[str, Any] = {"request": call.line, "http_status": status}
    if status in (400, 401):
        return AuthenticationError(
            f"Sendcloud's token endpoint refused the client credentials (HTTP {status} on "
            f"{call.line}: {said}). {_CHECK_KEYS}.",
            **fields,
        )
    return ApiError(
        f"Sendcloud's token endpoint answered HTTP {status} to {call.line}: {said}. "
        f"Try again later; {call.see_exchange}.",
        **fields,
    )


Paced = Callable[[], AbstractAsyncContextManager[None]]


# The token of this run, per (token URL, client id, secret digest), in memory only: a command
# that opens a second client (apply plans, then applies) reuses it instead of asking again.
_RUN_TOKENS: dict[tuple[str, str, str], tuple[str, float]] = {}


def forget_tokens() -> None:
    """Drop every token this process holds (tests start each case without one)."""
    _RUN_TOKENS.clear()


class OAuth2Credentials:
    """``Authorization: Bearer <token>``, with one token per run, cached in memory.

    The token is fetched on first use, again shortly before it expires (a minute before, or a
    quarter of its lifetime for short-lived tokens), and again when `invalidate` is told the
    API refused it (a 401); never per call. Concurrent callers wait for the one exchange, and
    later clients of the same process and key pair reuse it. `paced` is the client's
    slot-and-pacing context for one request; `retrier` its retry loop.
    """

    scheme = "oauth2"

    def __init__(self, source: TokenSource, *, retrier: Retrier, paced: Paced) -> None:
        self._source = source
        self._retrier = retrier
        self._paced = paced
        self._lock = asyncio.Lock()
        self.exchanges = 0  # token requests that got a token

    def __repr__(self) -> str:
        return f"OAuth2Credentials(token_url={self._source.token_url!r})"

    async def header(self) -> str:
        """The Authorization header value; exchanges for a token first when needed."""
        async with self._lock:
            cached = _RUN_TOKENS.get(self._source.key)
            if cached is None or time.monotonic() >= cached[1]:
                asked = time.monotonic()
                token = await self._retrier.run(self._source.call, self._exchange)
                # Timed from when the token was asked for, on the monotonic clock: Authlib's
                # own expires_at is whole wall-clock seconds, too coarse for short tokens.
                expires_in = token.get("expires_in")
                if isinstance(expires_in, int) and expires_in > 0:
                    renew_at = asked + expires_in - min(_MAX_LEEWAY, expires_in / 4)
                else:  # no lifetime given: keep it until the API refuses it (401)
                    renew_at = float("inf")
                cached = _RUN_TOKENS[self._source.key] = (str(token["access_token"]), renew_at)
            return f"Bearer {cached[0]}"

    def invalidate(self, header: str) -> None:
        """Forget the token that produced `header`, unless it was already replaced."""
        cached = _RUN_TOKENS.get(self._source.key)
        if cached is not None and header == f"Bearer {cached[0]}":
            del _RUN_TOKENS[self._source.key]

    async def aclose(self) -> None:
        """Close the token client."""
        await self._source.aclose()

    async def _exchange(self, deadline: float) -> OAuth2Token:
        async with self._paced():
            token = await self._source.exchange(deadline)
        self.exchanges += 1
        return token
