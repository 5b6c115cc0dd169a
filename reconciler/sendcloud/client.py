"""The one module that speaks HTTP: Sendcloud's four shop-order-status calls.

Everything about the wire lives here: HTTP Basic auth, pacing under the rate limits, retries
with backoff, and translating every failure into the package's exception tree
(`reconciler.errors`). Nothing leaves this module that holds an httpx object, so the secret
(which httpx keeps in each request's headers) cannot leak through an exception's cause chain.
"""

from __future__ import annotations

import asyncio
import base64
import ipaddress
import logging
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import urlencode, urlsplit

import httpx
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    wait_exponential_jitter,
)

from reconciler import __version__
from reconciler.errors import (
    ApiError,
    AuthenticationError,
    CredentialsError,
    IntegrationNotFound,
    TransportError,
)
from reconciler.model import Category, Language
from reconciler.sendcloud import bodies as wire
from reconciler.sendcloud.pacing import Pacing, RetryPolicy, parse_retry_after
from reconciler.sendcloud.transport import (
    ACCEPT_ENCODING,
    DEFAULT_DEADLINE,
    AttemptFailure,
    Failure,
    Retryable,
    describe_error,
    read_body,
    retry_notice,
    stop_retrying,
)

__all__ = ["ClientStats", "RetryPolicy", "SendcloudClient", "check_base_url"]

log = logging.getLogger("reconciler.http")

USER_AGENT = f"sendcloud-reconciler/{__version__} (+python-httpx)"
STATUSES_PATH = "/shop-order-statuses"
MAPPING_PATH = "/shop-order-statuses/mapping"
RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})
CONNECT_TIMEOUT = 10.0
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})
_CHECK_KEYS = "Check SENDCLOUD_PUBLIC_KEY and SENDCLOUD_SECRET_KEY"

_Body = TypeVar("_Body", wire.StatusesResponse, wire.MappingResponse)


@dataclass
class ClientStats:
    """What the client did: HTTP attempts per class, retries, and answers by status code."""

    reads: int = 0
    writes: int = 0
    retries: int = 0
    transport_failures: int = 0
    responses: Counter[int] = field(default_factory=Counter)

    def to_json(self) -> dict[str, Any]:
        return {
            "reads": self.reads,
            "writes": self.writes,
            "retries": self.retries,
            "transport_failures": self.transport_failures,
            "responses": {str(code): n for code, n in sorted(self.responses.items())},
        }


def _is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_base_url(url: str) -> str:
    """Return the API root without a trailing slash, or raise `CredentialsError`.

    The key pair goes in every request, so plain http is refused except to this machine
    (a local simulator), and credentials embedded in the URL are refused outright.
    """
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - parsing the port is what raises on "host:notaport"
    except ValueError as exc:
        raise CredentialsError(
            f"The API URL cannot be parsed ({exc}); give one like "
            "https://panel.sendcloud.sc/api/v3."
        ) from None
    if parts.username is not None or parts.password is not None:
        raise CredentialsError(
            "The API URL contains a user name or password; credentials never go in a URL. "
            "Remove them and set SENDCLOUD_PUBLIC_KEY and SENDCLOUD_SECRET_KEY instead."
        )
    host = parts.hostname or ""
    if parts.scheme not in ("https", "http") or not host:
        raise CredentialsError(
            f"The API URL {url!r} is not an https:// URL with a host "
            "(e.g. https://panel.sendcloud.sc/api/v3)."
        )
    if parts.scheme == "http" and not _is_loopback(host):
        raise CredentialsError(
            f"Refusing to send the API key pair over plain http to {host}: use https://. "
            "(http:// is allowed only for loopback hosts such as a local simulator.)"
        )
    return url.strip().rstrip("/")


@dataclass(frozen=True)
class _Call:
    method: str
    path: str
    integration_id: int
    params: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] | None = None

    @property
    def line(self) -> str:
        """How messages name the request: ``GET /shop-order-statuses?integration_id=12``."""
        query = f"?{urlencode(self.params)}" if self.params else ""
        return f"{self.method} {self.path}{query}"


class SendcloudClient:
    """Async client for Sendcloud's v3 shop-order-status API (PrestaShop V2 integrations).

    Use as ``async with SendcloudClient(...) as client:``. Requests are paced per class
    (reads, writes), at most `parallelism` are in flight, and 429/502/503/504, timeouts and
    broken connections are retried within `retry.budget` seconds (a refused connection only a
    few times, a TLS or DNS failure never); all four calls are safe to repeat (reads, and
    writes that overwrite completely). Each attempt has `deadline` seconds in all and reads at
    most a few MiB (`reconciler.sendcloud.transport`). `notify` receives a line before each
    retry's wait (the CLI prints it on stderr). `transport` replaces the network,
    e.g. with the in-process simulator; then the URL rules do not apply.
    """

    def __init__(
        self,
        base_url: str,
        public_key: str,
        secret_key: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 30.0,
        deadline: float = DEFAULT_DEADLINE,
        parallelism: int = 8,
        reads_per_minute: float = 1000.0,
        writes_per_minute: float = 100.0,
        retry: RetryPolicy | None = None,
        debug: bool = False,
        notify: Callable[[str], None] | None = None,
    ) -> None:
        if not public_key.strip() or not secret_key.strip():
            raise CredentialsError(
                "The Sendcloud API key pair is incomplete: set both SENDCLOUD_PUBLIC_KEY and "
                "SENDCLOUD_SECRET_KEY."
            )
        if parallelism < 1:
            raise ValueError("parallelism must be at least 1")
        self.base_url = base_url.rstrip("/") if transport is not None else check_base_url(base_url)
        self.public_key = public_key
        self.timeout = timeout
        self.deadline = deadline
        self.notify = notify
        self.retry = retry or RetryPolicy()
        self._backoff = wait_exponential_jitter(
            multiplier=self.retry.initial, max=self.retry.maximum, jitter=self.retry.jitter
        )
        self.debug = debug
        self.stats = ClientStats()
        self._pacing = Pacing.per_minute(reads_per_minute, writes_per_minute)
        self._slots = asyncio.Semaphore(parallelism)
        token = base64.b64encode(f"{public_key}:{secret_key}".encode()).decode("ascii")
        # The secret lives only in this header; httpx redacts Authorization in Headers' repr.
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            headers={
                "Authorization": f"Basic {token}",
                "User-Agent": USER_AGENT,
                "Accept": "application/json",
                "Accept-Encoding": ACCEPT_ENCODING,
            },
            # Connecting takes milliseconds; a host that does not answer at all should cost
            # seconds per attempt, not the whole read timeout.
            timeout=httpx.Timeout(timeout, connect=min(timeout, CONNECT_TIMEOUT)),
            transport=transport,
            # One connection per request in flight, all kept alive: at most `parallelism`
            # requests are ever sent at once, so a bigger pool only costs bookkeeping.
            limits=httpx.Limits(max_connections=parallelism, max_keepalive_connections=parallelism),
            # Redirects are not followed: a redirect would resend the key pair elsewhere.
            follow_redirects=False,
            # Proxies from the environment are honoured for https only (the tunnel keeps TLS
            # end to end); a proxy in front of plain-http loopback would see the key pair.
            trust_env=urlsplit(self.base_url).scheme == "https",
        )

    def __repr__(self) -> str:
        return f"SendcloudClient(base_url={self.base_url!r}, public_key={self.public_key!r})"

    async def __aenter__(self) -> SendcloudClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connections."""
        await self._http.aclose()

    # --- the four calls ---------------------------------------------------------------------

    async def get_statuses(
        self, integration_id: int, *, show_deleted: bool = False
    ) -> list[wire.WireStatus]:
        """``GET /shop-order-statuses``: the statuses (and, with `show_deleted`, deleted ones)."""
        params = {"integration_id": str(integration_id)}
        if show_deleted:
            params["show_deleted"] = "true"
        call = _Call("GET", STATUSES_PATH, integration_id, params)
        return self._decode(call, wire.StatusesResponse, await self._send(call)).data

    async def post_statuses(
        self, integration_id: int, statuses: Mapping[str, Mapping[Language, str]]
    ) -> None:
        """``POST /shop-order-statuses``: overwrite the complete list; left-out ones are deleted."""
        body = wire.PostStatusesBody.build(integration_id, statuses)
        call = _Call("POST", STATUSES_PATH, integration_id, body=body.model_dump(mode="json"))
        self._expect_no_data(call, await self._send(call))

    async def get_mapping(self, integration_id: int) -> wire.WireMapping:
        """``GET /shop-order-statuses/mapping``: all four categories, each with `is_valid`."""
        call = _Call("GET", MAPPING_PATH, integration_id, {"integration_id": str(integration_id)})
        mapping = self._decode(call, wire.MappingResponse, await self._send(call)).data
        if mapping.integration_id != integration_id:
            raise self._violation(
                call, f"it describes integration {mapping.integration_id} instead"
            )
        return mapping

    async def post_mapping(
        self, integration_id: int, mapping: Mapping[Category, str | None]
    ) -> None:
        """``POST /shop-order-statuses/mapping``: set all four categories (None: unmapped)."""
        body = wire.PostMappingBody.build(integration_id, mapping)
        call = _Call("POST", MAPPING_PATH, integration_id, body=body.model_dump(mode="json"))
        self._expect_no_data(call, await self._send(call))

    # --- one request, with retries ----------------------------------------------------------

    async def _send(self, call: _Call) -> bytes:
        """The body of a successful answer, after as many attempts as the retry policy allows."""
        attempts = 0
        started = time.monotonic()
        retrying = AsyncRetrying(
            stop=lambda state: stop_retrying(state, self.retry),
            wait=self._wait,
            retry=retry_if_exception_type(Retryable),
            before_sleep=lambda state: self._announce(call, state),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    attempts += 1
                    if attempts > 1:
                        self.stats.retries += 1
                    # The budget covers attempts too: a retry gets only the time that is left,
                    # though at least one read timeout (cut shorter, it might never be sent).
                    left = self.retry.budget - (time.monotonic() - started)
                    deadline = self.deadline
                    if attempts > 1:
                        deadline = min(self.deadline, max(left, self.timeout))
                    return await self._attempt(call, deadline)
        except Retryable as last:
            raise self._exhausted(call, attempts, last) from None
        raise AssertionError("unreachable: tenacity either returns or raises")

    def _wait(self, state: RetryCallState) -> float:
        failure = state.outcome.exception() if state.outcome else None
        if isinstance(failure, Retryable) and failure.retry_after is not None:
            return failure.retry_after
        return self._backoff(state)

    def _announce(self, call: _Call, state: RetryCallState) -> None:
        """Say on stderr what failed and how long the tool waits, so a wait is never silent."""
        notice = retry_notice(state, self.retry, call.line)
        if self.notify is not None and notice is not None:
            self.notify(notice)

    async def _attempt(self, call: _Call, deadline: float) -> bytes:
        async with self._slots:
            await self._pacing.for_method(call.method).wait()
            request = self._http.build_request(
                call.method, call.path, params=call.params or None, json=call.body
            )
            if call.method == "GET":
                self.stats.reads += 1
            else:
                self.stats.writes += 1
            self._log_request(request)
            started = time.monotonic()
            failure: AttemptFailure | None = None
            status, reason, headers, content = 0, "", httpx.Headers(), b""
            try:
                # One deadline for the whole exchange: a server dripping a byte a second never
                # trips the per-read timeout.
                async with asyncio.timeout(deadline):
                    response = await self._http.send(request, stream=True)
                    try:
                        status, reason = response.status_code, response.reason_phrase
                        headers = response.headers
                        content = await read_body(response)
                    finally:
                        await response.aclose()
            except TimeoutError:
                failure = AttemptFailure(
                    f"no complete answer within the {deadline:.2g} s deadline of an attempt",
                    Failure.RETRY,
                )
            except httpx.HTTPError as exc:
                # Only text leaves this block: exc.request carries the Authorization header.
                failure = describe_error(exc, self.base_url, self.timeout)
            except AttemptFailure as exc:
                failure = exc
            elapsed_ms = (time.monotonic() - started) * 1000
        if failure is not None:
            self.stats.transport_failures += 1
            self._log_outcome(f"failed after {elapsed_ms:.0f} ms: {failure}", request)
            if failure.kind is not Failure.FINAL:
                raise Retryable(
                    failure.summary,
                    http_status=None,
                    retry_after=None,
                    connect=failure.kind is Failure.CONNECT,
                )
            raise TransportError(
                f"{call.line} (integration {call.integration_id}) failed: {failure}"
            )
        self.stats.responses[status] += 1
        self._log_outcome(f"{status} {reason} ({elapsed_ms:.0f} ms)", request)
        if 200 <= status < 300:
            return content
        if status in RETRYABLE_STATUSES:
            raise Retryable(
                _status_summary(status, content),
                http_status=status,
                retry_after=parse_retry_after(headers.get("Retry-After")),
            )
        raise _error_for_status(call, status, content)

    # --- messages ---------------------------------------------------------------------------

    def _decode(self, call: _Call, model: type[_Body], content: bytes) -> _Body:
        try:
            return wire.decode(model, content)
        except wire.ContractViolation as exc:
            raise self._violation(call, str(exc)) from None

    def _expect_no_data(self, call: _Call, content: bytes) -> None:
        # A write answers `null`. An empty body or extra data is harmless; a body that is not
        # JSON (a proxy's page) or is an error document means the write may not have happened.
        if not content.strip():
            return
        try:
            wire.expect_no_error(content)
        except wire.ContractViolation as exc:
            raise self._violation(call, str(exc)) from None

    @staticmethod
    def _violation(call: _Call, problem: str) -> ApiError:
        return ApiError(
            f"Sendcloud's answer to {call.line} (integration {call.integration_id}) does not "
            f"follow the API contract: {problem}. The reconciler stops rather than guess; "
            "run with --debug to see the exchange, and retry later or report it.",
            request=call.line,
            http_status=200,
            integration_id=call.integration_id,
        )

    def _exhausted(self, call: _Call, attempts: int, last: Retryable) -> ApiError | TransportError:
        if last.connect:
            return TransportError(
                f"{call.line} (integration {call.integration_id}): {last.summary}, "
                f"{attempts} attempt(s). Check the API URL (--api-url, SENDCLOUD_API_URL) and "
                "that the server is running."
            )
        waited = ""
        if last.retry_after is not None and last.retry_after >= self.retry.budget:
            waited = f" (the server asked to wait {last.retry_after:.0f} s)"
        if last.http_status == 429:
            advice = (
                "Sendcloud kept throttling: another client may share this key pair's limits; "
                "try again later or lower --reads-per-minute / --writes-per-minute."
            )
        else:
            advice = "Sendcloud may be unavailable or unreachable: try again later."
        message = (
            f"{call.line} (integration {call.integration_id}) still failed after {attempts} "
            f"attempt(s) within the {self.retry.budget:g} s retry budget{waited}; last failure: "
            f"{last.summary}. {advice}"
        )
        if last.http_status is None:
            return TransportError(message)
        return ApiError(
            message,
            request=call.line,
            http_status=last.http_status,
            integration_id=call.integration_id,
        )

    def _log_request(self, request: httpx.Request) -> None:
        if not self.debug:
            return
        headers = ", ".join(
            f"{name}: {'[redacted]' if name.lower() == 'authorization' else value}"
            for name, value in request.headers.items()
        )
        log.debug("-> %s %s [%s]", request.method, request.url, headers)

    def _log_outcome(self, outcome: str, request: httpx.Request) -> None:
        if self.debug:
            log.debug("<- %s %s: %s", request.method, request.url, outcome)


def _status_summary(status: int, content: bytes) -> str:
    try:
        document = wire.error_document(wire.load_json(content))
    except wire.ContractViolation:
        document = None
    text = wire.describe(document) if document else wire.excerpt(content)
    return f"HTTP {status}: {text}"


def _error_for_status(call: _Call, status: int, content: bytes) -> ApiError:
    """The exception for a non-retryable error answer, JSON:API or not."""
    try:
        document = wire.error_document(wire.load_json(content))
    except wire.ContractViolation:
        document = None
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
    where = f"{call.line} (integration {call.integration_id})"
    if status == 401:
        return AuthenticationError(
            f"Sendcloud rejected the API key pair (HTTP 401 on {where}: {said}). {_CHECK_KEYS}: "
            "they must be the public and secret key of an API integration in the Sendcloud panel.",
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
        advice = "Sendcloud refused the request; run with --debug to see the exchange."
    return ApiError(f"Sendcloud answered HTTP {status} to {where}: {said}. {advice}", **fields)
