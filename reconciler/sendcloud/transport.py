"""Bounds on one HTTP exchange, and what a failed one means: the client's defence against the wire.

Sendcloud's answers are kilobytes, so an answer is read as a stream and abandoned past
`MAX_BODY_BYTES` once decoded (a gzip bomb inflates only that far: decompression is bounded
too). A whole attempt (connect, send, read every byte) has a total deadline, because a server
that drips one byte a second never trips a per-read timeout. And a failed exchange is sorted
into what retrying can fix (a timeout, a dropped connection, a refused connection, a few times)
and what it cannot (a certificate that does not verify, a host name that does not resolve);
how many attempts each gets, and the line announcing each wait.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import zlib
from enum import Enum

import httpx
from tenacity import RetryCallState, stop_before_delay

from reconciler.errors import TransportError
from reconciler.sendcloud.pacing import RetryPolicy
from reconciler.sendcloud.urls import API_URL_SETTING

# A few MiB: the largest answer (a full status list in seven languages) is tens of kilobytes.
MAX_BODY_BYTES = 4 * 1024 * 1024
DEFAULT_DEADLINE = 30.0
# Only what can be decoded with a bounded decompressor is asked for.
ACCEPT_ENCODING = "gzip, deflate"


class Failure(Enum):
    """How a failed attempt is treated."""

    RETRY = "retry"  # transient: retried within the retry budget
    CONNECT = "connect"  # the server is not there (yet): a few quick retries only
    FINAL = "final"  # retrying cannot help: fail at once


class AttemptFailure(Exception):
    """One attempt failed; only text, never an httpx object (those carry the key pair)."""

    def __init__(self, summary: str, kind: Failure) -> None:
        super().__init__(summary)
        self.summary = summary
        self.kind = kind


async def read_body(response: httpx.Response, limit: int = MAX_BODY_BYTES) -> bytes:
    """The decoded body of a streamed `response`, at most `limit` bytes.

    Raises `AttemptFailure` (final) past the limit or for an encoding that was not asked for.
    """
    if response.is_stream_consumed:
        # Built in memory (a mock transport): already decoded, and nothing left to bound.
        return _capped([response.content], limit)
    encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
    decoder = _decoder(encoding)
    parts: list[bytes] = []
    size = 0
    async for raw in response.aiter_raw():
        for piece in decoder(raw, limit - size + 1):
            size += len(piece)
            if size > limit:
                raise _too_large(limit)
            parts.append(piece)
    return b"".join(parts)


def _capped(parts: list[bytes], limit: int) -> bytes:
    body = b"".join(parts)
    if len(body) > limit:
        raise _too_large(limit)
    return body


def _too_large(limit: int) -> AttemptFailure:
    return AttemptFailure(
        f"the answer is larger than {limit / (1 << 20):g} MiB once decoded, so it was not read "
        "(a Sendcloud answer is a few kilobytes); not retried",
        Failure.FINAL,
    )


def _decoder(encoding: str) -> _Decoder:
    if encoding in ("", "identity"):
        return _identity
    if encoding in ("gzip", "x-gzip"):
        return _Inflate(zlib.MAX_WBITS | 16)
    if encoding == "deflate":
        return _Inflate(zlib.MAX_WBITS)
    raise AttemptFailure(
        f"the answer is encoded as {encoding!r}, which was not asked for", Failure.FINAL
    )


class _Decoder:
    def __call__(self, data: bytes, room: int) -> list[bytes]:
        raise NotImplementedError


class _Identity(_Decoder):
    def __call__(self, data: bytes, room: int) -> list[bytes]:
        return [data]


_identity = _Identity()


class _Inflate(_Decoder):
    """zlib with `max_length`: never inflates more than the room left under the limit."""

    def __init__(self, wbits: int) -> None:
        self._wbits = wbits
        self._zlib = zlib.decompressobj(wbits)
        self._started = False

    def __call__(self, data: bytes, room: int) -> list[bytes]:
        out: list[bytes] = []
        pending = data
        while pending and room > 0:
            try:
                piece = self._zlib.decompress(pending, room)
            except zlib.error as exc:
                if self._wbits == zlib.MAX_WBITS and not self._started:
                    # Some servers send raw deflate without the zlib header.
                    self._wbits, self._zlib = -zlib.MAX_WBITS, zlib.decompressobj(-zlib.MAX_WBITS)
                    continue
                raise AttemptFailure(
                    f"the compressed answer is corrupt ({exc})", Failure.RETRY
                ) from None
            self._started = True
            out.append(piece)
            room -= len(piece)
            pending = self._zlib.unconsumed_tail
        if pending:
            out.append(b"x")  # more than the room: the caller counts it past the limit
        return out


Answer = tuple[int, str, httpx.Headers, bytes]


async def send_bounded(
    http: httpx.AsyncClient,
    request: httpx.Request,
    deadline: float,
    url: str,
    timeout: float,
    *,
    setting: str = API_URL_SETTING,
) -> Answer | AttemptFailure:
    """Send `request` and read its answer within `deadline` seconds, at most `MAX_BODY_BYTES`.

    Returns ``(status, reason, headers, body)``, or the `AttemptFailure` (never raised, so no
    httpx object, which carries the Authorization header, leaves); `url` names the server in
    messages and `timeout` is the per-read timeout.
    """
    try:
        # One deadline for the whole exchange: a server dripping a byte a second never trips
        # the per-read timeout.
        async with asyncio.timeout(deadline):
            response = await http.send(request, stream=True)
            try:
                body = await read_body(response)
                return response.status_code, response.reason_phrase, response.headers, body
            finally:
                await response.aclose()
    except TimeoutError:
        return AttemptFailure(
            f"no complete answer within the {deadline:.2g} s deadline of an attempt",
            Failure.RETRY,
        )
    except httpx.HTTPError as exc:
        return describe_error(exc, url, timeout, setting=setting)
    except AttemptFailure as exc:
        return exc


def to_exception(failure: AttemptFailure, where: str) -> Retryable | TransportError:
    """What to raise for a failed attempt: `Retryable` unless retrying cannot help.

    `where` names the request (``GET /shop-order-statuses?... (integration 7)``).
    """
    if failure.kind is Failure.FINAL:
        return TransportError(f"{where} failed: {failure}")
    return Retryable(
        failure.summary,
        http_status=None,
        retry_after=None,
        connect=failure.kind is Failure.CONNECT,
    )


def describe_error(
    exc: httpx.HTTPError, url: str, timeout: float, *, setting: str = API_URL_SETTING
) -> AttemptFailure:
    """Sort a failed exchange: what happened, in words naming `url`, and whether to retry.

    `setting` names where the URL came from (``the token URL (SENDCLOUD_TOKEN_URL)``), for the
    failures only a different URL can fix.
    """
    causes = _causes(exc)
    if any(isinstance(c, ssl.SSLCertVerificationError) for c in causes) or (
        "CERTIFICATE_VERIFY_FAILED" in str(exc)
    ):
        # aiohttp's certificate error subclasses ssl's without its fields; the ssl one is its
        # cause.
        reason = next(
            (
                message
                for c in causes
                if isinstance(c, ssl.SSLCertVerificationError)
                and (message := getattr(c, "verify_message", None))
            ),
            None,
        )
        return AttemptFailure(
            f"the TLS certificate of {url} could not be verified ({reason or exc}); not retried: "
            f"check {setting}, or the proxy or CA bundle (SSL_CERT_FILE) between here and "
            "Sendcloud",
            Failure.FINAL,
        )
    dns = next((c for c in causes if isinstance(c, socket.gaierror)), None)
    if dns is not None:
        host = httpx.URL(url).host
        if dns.errno == socket.EAI_AGAIN:
            # "Temporary failure": the resolver did not answer, which a moment may fix.
            return AttemptFailure(
                f"the host name {host!r} of {url} could not be resolved (DNS: temporary "
                "failure); check the network",
                Failure.CONNECT,
            )
        return AttemptFailure(
            f"the host name {host!r} of {url} could not be resolved (DNS); not retried: check "
            f"{setting} and the network",
            Failure.FINAL,
        )
    if any(isinstance(c, ssl.SSLError) for c in causes):
        return AttemptFailure(f"the TLS handshake with {url} failed ({exc})", Failure.FINAL)
    if isinstance(exc, httpx.ConnectTimeout):
        return AttemptFailure(f"could not connect to {url} within {timeout:g} s", Failure.CONNECT)
    if isinstance(exc, httpx.TimeoutException):
        return AttemptFailure(
            f"no answer within {timeout:g} s ({type(exc).__name__})", Failure.RETRY
        )
    if isinstance(exc, httpx.ConnectError):
        refused = any(isinstance(c, ConnectionRefusedError) for c in causes)
        why = "connection refused: nothing listens there" if refused else str(exc) or "no detail"
        return AttemptFailure(f"could not connect to {url} ({why})", Failure.CONNECT)
    if not isinstance(exc, httpx.TransportError) or isinstance(
        exc, httpx.UnsupportedProtocol | httpx.LocalProtocolError
    ):
        # Our own request is malformed, or the answer cannot be decoded: repeating won't help.
        return AttemptFailure(f"{type(exc).__name__}: {exc}", Failure.FINAL)
    detail = str(exc) or "no detail"
    if isinstance(exc, httpx.RemoteProtocolError):
        return AttemptFailure(f"the connection broke mid-answer ({detail})", Failure.RETRY)
    return AttemptFailure(f"{type(exc).__name__}: {detail}", Failure.RETRY)


def _causes(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen and len(seen) < 16:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


class Retryable(Exception):
    """One failed attempt worth retrying; holds only text, never an httpx object."""

    def __init__(
        self,
        summary: str,
        *,
        http_status: int | None,
        retry_after: float | None,
        connect: bool = False,
    ) -> None:
        super().__init__(summary)
        self.summary = summary
        self.http_status = http_status
        self.retry_after = retry_after
        self.connect = connect

    @property
    def headline(self) -> str:
        """The failure in a few words: ``429 from Sendcloud``, or what the connection did."""
        if self.http_status is not None:
            return f"{self.http_status} from Sendcloud"
        return self.summary


def _failure(state: RetryCallState) -> BaseException | None:
    return state.outcome.exception() if state.outcome else None


def stop_retrying(state: RetryCallState, policy: RetryPolicy) -> bool:
    """Whether to give up after this attempt (a tenacity ``stop``).

    A connection that cannot be made gets `policy.connect_attempts` (nothing listens, or not
    yet: seconds, not minutes); anything else `policy.max_attempts`, and no retry whose wait
    would end past `policy.budget` seconds from the first attempt's start.
    """
    failure = _failure(state)
    if isinstance(failure, Retryable) and failure.connect:
        return state.attempt_number >= policy.connect_attempts
    if state.attempt_number >= policy.max_attempts:
        return True
    return bool(stop_before_delay(policy.budget)(state))


def retry_notice(state: RetryCallState, policy: RetryPolicy, request: str) -> str | None:
    """``429 from Sendcloud (GET …), retrying in 4 s, attempt 2 of at most 10``, or None."""
    failure = _failure(state)
    if not isinstance(failure, Retryable):
        return None
    wait = state.next_action.sleep if state.next_action else 0.0
    shown = f"{wait:.0f} s" if wait >= 2 else f"{wait:.1f} s"
    limit = policy.connect_attempts if failure.connect else policy.max_attempts
    of = f"of {limit}" if failure.connect else f"of at most {limit}"
    return (
        f"{failure.headline} ({request}), retrying in {shown}, "
        f"attempt {state.attempt_number + 1} {of}"
    )
