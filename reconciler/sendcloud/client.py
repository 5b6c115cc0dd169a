"""The one place that sends HTTP: Sendcloud's four shop-order-status calls.

The wire is split by concern: `urls` (where the key pair may go), `auth` (the Authorization
header), `pacing` (rate limits), `retries` (repeating a failed attempt), `failures` (every
failure as a `reconciler.errors` exception) and `bodies` (the JSON contract). This module ties
them together around one httpx client. Nothing leaves it that holds an httpx object, so the
secret (which httpx keeps in each request's headers) cannot leak through an exception's cause
chain.

Endpoints follow Sendcloud's v3 Integrations API ("Retrieve shop order statuses", "Create or
overwrite shop order statuses", and the two mapping pages), base URL
``https://panel.sendcloud.sc/api/v3``.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import replace
from types import TracebackType
from urllib.parse import urlsplit

import httpx

from reconciler import __version__
from reconciler.model import Category, Language
from reconciler.sendcloud import bodies as wire
from reconciler.sendcloud.auth import build_credentials
from reconciler.sendcloud.decoding import has_next_link
from reconciler.sendcloud.failures import (
    RETRYABLE_STATUSES,
    Call,
    contract_violation,
    decode_answer,
    error_for_status,
    expect_no_data,
    status_summary,
)
from reconciler.sendcloud.network import AiohttpNetwork
from reconciler.sendcloud.oauth2 import OAuth2Credentials
from reconciler.sendcloud.pacing import (
    WRITE_BURST_PER_SECOND,
    Pacing,
    RetryPolicy,
    parse_retry_after,
)
from reconciler.sendcloud.retries import Retrier
from reconciler.sendcloud.stats import ClientStats, log_outcome, log_request
from reconciler.sendcloud.transport import (
    ACCEPT_ENCODING,
    DEFAULT_DEADLINE,
    AttemptFailure,
    Retryable,
    send_bounded,
    to_exception,
)
from reconciler.sendcloud.urls import API_URL_SETTING, check_base_url, setting_phrase

__all__ = ["ClientStats", "RetryPolicy", "SendcloudClient", "check_base_url"]

USER_AGENT = f"sendcloud-reconciler/{__version__} (+python-httpx)"
STATUSES_PATH = "/shop-order-statuses"
MAPPING_PATH = "/shop-order-statuses/mapping"
CONNECT_TIMEOUT = 10.0


class _TokenRefused(Exception):
    """A 401 to a Bearer request; carries the header value to invalidate and the answer."""

    def __init__(self, authorization: str, content: bytes) -> None:
        super().__init__("the API refused the OAuth2 access token")
        self.authorization = authorization
        self.content = content


class SendcloudClient:
    """Async client for Sendcloud's v3 shop-order-status API (PrestaShop V2 integrations).

    Use as ``async with SendcloudClient(...) as client:``. Requests are paced per class
    (reads, writes), at most `parallelism` are in flight (writes: at most 15), and
    429/502/503/504, timeouts and broken connections are retried within `retry.budget` seconds
    (a refused connection only a few times, a TLS or DNS failure never); all four calls are
    safe to repeat (reads, and writes that overwrite completely). Each attempt has `deadline`
    seconds in all and reads at most a few MiB (`reconciler.sendcloud.transport`). `notify`
    receives a line before each retry's wait (the CLI prints it on stderr). `auth` is "basic"
    or "oauth2" (token from `token_url`, see `reconciler.sendcloud.oauth2`). `transport`
    replaces the network, e.g. with the in-process simulator; then the URL rules do not apply.
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
        auth: str = "basic",
        token_url: str | None = None,
        notify: Callable[[str], None] | None = None,
        api_url_source: str | None = None,
        token_url_source: str | None = None,
    ) -> None:
        if parallelism < 1:
            raise ValueError("parallelism must be at least 1")
        self.base_url = (
            base_url.rstrip("/")
            if transport is not None
            else check_base_url(base_url, source=api_url_source)
        )
        # Messages that only another URL can fix name the setting that gave this one.
        self.url_setting = (
            setting_phrase("API URL", api_url_source) if api_url_source else API_URL_SETTING
        )
        self.public_key = public_key
        self.timeout = timeout
        self.deadline = deadline
        self.notify = notify
        self.retry = retry or RetryPolicy()
        self._retrier = Retrier(
            self.retry,
            timeout=timeout,
            deadline=deadline,
            on_retry=self._count_retry,
            notify=notify,
        )
        self.debug = debug
        self.stats = ClientStats()
        self._pacing = Pacing.per_minute(reads_per_minute, writes_per_minute)
        self._slots = asyncio.Semaphore(parallelism)
        # Sendcloud's 15/s write burst may mean 15 writes in progress at once: never more,
        # whatever --parallelism says (the pacing alone keeps to the other reading).
        self._write_slots = asyncio.Semaphore(min(parallelism, int(WRITE_BURST_PER_SECOND)))
        self._credentials = build_credentials(
            auth,
            public_key,
            secret_key,
            token_url=token_url,
            token_url_source=token_url_source,
            transport=transport,
            timeout=timeout,
            user_agent=USER_AGENT,
            retrier=self._retrier,
            paced=self._token_slot,
            debug=debug,
        )
        # One connection per request in flight, all kept alive: at most `parallelism`
        # requests are ever sent at once, so a bigger pool only costs bookkeeping.
        limits = httpx.Limits(max_connections=parallelism, max_keepalive_connections=parallelism)
        # The secret lives only in the Authorization header, added per request from
        # `self._credentials`; httpx redacts Authorization in Headers' repr.
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            headers={
                "User-Agent": USER_AGENT,
                "Accept": "application/json",
                "Accept-Encoding": ACCEPT_ENCODING,
            },
            # Connecting takes milliseconds; a host that does not answer at all should cost
            # seconds per attempt, not the whole read timeout.
            timeout=httpx.Timeout(timeout, connect=min(timeout, CONNECT_TIMEOUT)),
            # aiohttp's connection pool under httpx's API (see `network`): a third of the CPU.
            transport=transport or AiohttpNetwork(limits),
            limits=limits,
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
        """Close the connections (and the OAuth2 token client, if any)."""
        await self._http.aclose()
        await self._credentials.aclose()

    @property
    def auth_scheme(self) -> str:
        """ "basic" or "oauth2"."""
        return self._credentials.scheme

    # --- the four calls ---------------------------------------------------------------------

    async def get_statuses(
        self, integration_id: int, *, show_deleted: bool = False
    ) -> list[wire.WireStatus]:
        """``GET /shop-order-statuses``: the statuses (and, with `show_deleted`, deleted ones)."""
        params = {"integration_id": str(integration_id)}
        if show_deleted:
            params["show_deleted"] = "true"
        call = Call("GET", STATUSES_PATH, integration_id, params, debug=self.debug)
        return decode_answer(call, wire.StatusesResponse, await self._send(call)).data

    async def post_statuses(
        self,
        integration_id: int,
        statuses: Mapping[str, Mapping[Language, str]],
        *,
        on_send: Callable[[], None] | None = None,
    ) -> None:
        """``POST /shop-order-statuses``: overwrite the complete list; left-out ones are deleted.

        `on_send` is called just before each attempt goes out (its pacing slot taken): the
        apply journal's "sending" record. What it raises stops the write unsent.
        """
        body = wire.PostStatusesBody.build(integration_id, statuses)
        await self._post(STATUSES_PATH, integration_id, body, on_send)

    async def get_mapping(self, integration_id: int) -> wire.WireMapping:
        """``GET /shop-order-statuses/mapping``: all four categories, each with `is_valid`."""
        params = {"integration_id": str(integration_id)}
        call = Call("GET", MAPPING_PATH, integration_id, params, debug=self.debug)
        mapping = decode_answer(call, wire.MappingResponse, await self._send(call)).data
        if mapping.integration_id != integration_id:
            raise contract_violation(
                call, f"it describes integration {mapping.integration_id} instead"
            )
        return mapping

    async def post_mapping(
        self,
        integration_id: int,
        mapping: Mapping[Category, str | None],
        *,
        on_send: Callable[[], None] | None = None,
    ) -> None:
        """``POST /shop-order-statuses/mapping``: set all four categories (None: unmapped).

        `on_send` as for `post_statuses`.
        """
        body = wire.PostMappingBody.build(integration_id, mapping)
        await self._post(MAPPING_PATH, integration_id, body, on_send)

    async def _post(
        self,
        path: str,
        integration_id: int,
        body: wire.PostStatusesBody | wire.PostMappingBody,
        on_send: Callable[[], None] | None,
    ) -> None:
        """POST ``body`` to ``path``; Sendcloud answers a write with no data (204 or empty)."""
        call = Call(
            "POST", path, integration_id, body=body.model_dump(mode="json"), debug=self.debug
        )
        expect_no_data(call, await self._send(call, on_send))

    # --- one request, with retries ----------------------------------------------------------

    async def _send(self, call: Call, on_send: Callable[[], None] | None = None) -> bytes:
        """The body of a successful answer, after as many attempts as the retry budget allows.

        With OAuth2, a 401 means the token was revoked or expired early: the request is sent
        once more with a fresh token, and a second 401 is final. `on_send` is called as each
        attempt is about to go out.
        """

        call = replace(call, setting=self.url_setting)

        def attempt(deadline: float) -> Awaitable[bytes]:
            return self._attempt(call, deadline, on_send)

        try:
            return await self._retrier.run(call, attempt)
        except _TokenRefused as refused:
            if isinstance(self._credentials, OAuth2Credentials):
                self._credentials.invalidate(refused.authorization)
        try:
            return await self._retrier.run(call, attempt)
        except _TokenRefused as again:
            raise error_for_status(call, 401, again.content, scheme="oauth2") from None

    @asynccontextmanager
    async def _token_slot(self) -> AsyncIterator[None]:
        # The token request is a POST like any write: it takes a slot and a write's pace.
        async with self._slots:
            await self._pacing.writes.wait()
            self.stats.token_requests += 1
            yield

    def _count_retry(self) -> None:
        self.stats.retries += 1

    async def _attempt(
        self, call: Call, deadline: float, on_send: Callable[[], None] | None = None
    ) -> bytes:
        # Before taking a slot: getting a token may need a slot of its own.
        authorization = await self._credentials.header()
        writes = self._write_slots if call.method != "GET" else contextlib.nullcontext()
        async with writes, self._slots:
            await self._pacing.for_method(call.method).wait()
            # Only now is the request really about to go out: an attempt still waiting for
            # its slot (and cancelled there, by Ctrl-C) was never sent, and is never said to be.
            if on_send is not None:
                on_send()
            request = self._http.build_request(
                call.method, call.path, params=call.params or None, json=call.body
            )
            request.headers["Authorization"] = authorization
            if call.method == "GET":
                self.stats.reads += 1
            else:
                self.stats.writes += 1
            if self.debug:
                log_request(request)
            started = time.monotonic()
            answer = await send_bounded(
                self._http,
                request,
                deadline,
                self.base_url,
                self.timeout,
                setting=self.url_setting,
            )
            elapsed_ms = (time.monotonic() - started) * 1000
        if isinstance(answer, AttemptFailure):
            self.stats.transport_failures += 1
            if self.debug:
                log_outcome(f"failed after {elapsed_ms:.0f} ms: {answer}", request)
            raise to_exception(answer, call.where)
        status, reason, headers, content = answer
        self.stats.responses[status] += 1
        if self.debug:
            log_outcome(f"{status} {reason} ({elapsed_ms:.0f} ms)", request)
        if 200 <= status < 300:
            if call.method == "GET" and has_next_link(headers.get("Link")):
                # No partial reads: see `bodies.further_page` for why a next page is fatal.
                raise contract_violation(
                    call,
                    'it has a Link header with rel="next", but this endpoint is documented '
                    "without pagination; planning from one page would make the full overwrite "
                    "delete the statuses on the others, so nothing is written",
                )
            return content
        if status in RETRYABLE_STATUSES:
            raise Retryable(
                status_summary(status, content),
                http_status=status,
                retry_after=parse_retry_after(headers.get("Retry-After")),
            )
        if status == 401 and self._credentials.scheme == "oauth2":
            raise _TokenRefused(authorization, content)
        raise error_for_status(call, status, content)
