"""The network under the client: httpx's API over aiohttp's connection pool.

httpx stays the client's interface (requests, headers, streaming, errors); what carries the
bytes is aiohttp's connector, through the `httpx-aiohttp` transport. The default httpcore pool
re-checks every pooled connection on each request and parses each URL several times: at 16
requests in flight it cost about 2.5 ms of CPU per GET here, against under 1 ms through aiohttp
(`python -m tests.benchmarks`, section 6, compares both with minimal peers).

httpx-aiohttp maps aiohttp's exceptions onto httpx's coarsely (a server that hangs up becomes a
`ConnectTimeout`); `reconciler.sendcloud.transport.describe_error` decides retries and words
from the httpx type, so this module maps them precisely, keeping aiohttp's exception (and its
causes: the `ssl` or `socket` error underneath) as the cause.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import httpx
from httpx_aiohttp import AiohttpTransport


def _translated(exc: BaseException) -> httpx.TransportError:
    """The httpx error for an aiohttp failure, by what happened rather than by class tree."""
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return httpx.ConnectTimeout(str(exc) or "connect timeout")
    if isinstance(exc, aiohttp.ServerTimeoutError):
        return httpx.ReadTimeout(str(exc) or "read timeout")
    if isinstance(exc, aiohttp.ClientConnectorError):
        # Refused, DNS, TLS: the cause chain says which (describe_error reads it).
        return httpx.ConnectError(str(exc))
    if isinstance(
        exc,
        aiohttp.ServerDisconnectedError | aiohttp.ClientPayloadError | aiohttp.ClientResponseError,
    ):
        return httpx.RemoteProtocolError(str(exc) or type(exc).__name__)
    return httpx.ReadError(str(exc) or type(exc).__name__)


def _aiohttp_cause(exc: BaseException) -> BaseException | None:
    current: BaseException | None = exc
    while current is not None:
        if isinstance(current, aiohttp.ClientError | TimeoutError):
            return current
        current = current.__cause__
    return None


class _Body(httpx.AsyncByteStream):
    """The answer's raw bytes, with failures while reading them translated like the request's."""

    def __init__(self, inner: httpx.AsyncByteStream) -> None:
        self._inner = inner

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._inner:
                yield chunk
        except httpx.TransportError as exc:
            raise _retranslated(exc) from exc.__cause__ or exc

    async def aclose(self) -> None:
        await self._inner.aclose()


def _retranslated(exc: httpx.TransportError) -> httpx.TransportError:
    cause = _aiohttp_cause(exc)
    return exc if cause is None else _translated(cause)


class AiohttpNetwork(httpx.AsyncBaseTransport):
    """An httpx transport sending over one aiohttp session (`limits.max_connections` sockets).

    Certificates are verified (httpx's default context: certifi, or SSL_CERT_FILE); redirects
    are never followed and answers are never decompressed here (the client reads the raw
    bytes under its own size cap). Raises httpx's `TransportError` family, aiohttp's exception
    chained as the cause.
    """

    def __init__(self, limits: httpx.Limits) -> None:
        self._inner = AiohttpTransport(limits=limits, trust_env=False)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        # aiohttp's sock_read does not cover the wait for the answer's first bytes: a server
        # that sits on the request would never time out. httpx's read timeout does, so the
        # wait for the headers gets that timeout here.
        read_timeout = request.extensions.get("timeout", {}).get("read")
        try:
            async with asyncio.timeout(read_timeout):
                response = await self._inner.handle_async_request(request)
        except TimeoutError:
            raise httpx.ReadTimeout("no answer within the read timeout", request=request) from None
        except httpx.TransportError as exc:
            translated = _retranslated(exc)
            if translated is exc:
                raise
            raise translated from _aiohttp_cause(exc)
        assert isinstance(response.stream, httpx.AsyncByteStream)  # noqa: S101 - httpx-aiohttp's
        return httpx.Response(
            status_code=response.status_code,
            headers=response.headers,
            stream=_Body(response.stream),
            request=request,
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        await self._inner.aclose()
