"""The gate in front of the /api/v3 handlers: latency, faults, auth, rate limits, logging.

It is plain ASGI middleware rather than Starlette's ``BaseHTTPMiddleware`` because a
simulated connection drop must control the raw ``http.response.*`` messages: it announces a
Content-Length larger than the body it sends and then breaks the connection.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hmac
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reconciler.jsondoc import load_json
from reconciler.simulator.api import API_PREFIX, CONTEXT_KEY, RequestContext
from reconciler.simulator.errors import (
    INVALID_CREDENTIALS,
    INVALID_TOKEN,
    NO_CREDENTIALS,
    OAUTH2_REQUIRED,
    THROTTLED,
    default_fault_body,
    error,
    errors_body,
)
from reconciler.simulator.faults import ENDPOINTS, Fault, SimulatedConnectionDrop
from reconciler.simulator.requestlog import LogEntry
from reconciler.simulator.simulator import Simulator

# Sendcloud's rate-limit page budgets GET separately from POST/PUT/PATCH/DELETE.
_READS = frozenset({"GET", "HEAD", "OPTIONS"})


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value)
    return None


def _integration_id(method: str, query: dict[str, str], body: Any) -> int | None:
    raw = body.get("integration_id") if method == "POST" and isinstance(body, dict) else None
    query_id = query.get("integration_id", "")
    # ASCII digits of a sane length only: "²".isdigit() is true and int() refuses it.
    if method != "POST" and query_id.isascii() and query_id.isdigit() and len(query_id) <= 19:
        raw = int(query_id)
    return raw if isinstance(raw, int) and not isinstance(raw, bool) else None


class _Captured:
    """An inner response kept back so the gate can still replace or truncate it."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def send(self, message: Message) -> None:
        self.messages.append(message)

    @property
    def status(self) -> int:
        return int(self.messages[0]["status"]) if self.messages else 500

    @property
    def body(self) -> bytes:
        return b"".join(m.get("body", b"") for m in self.messages[1:])

    async def replay(self, send: Send) -> None:
        for message in self.messages:
            await send(message)


class ApiGate:
    """ASGI middleware applying the simulator's knobs to every request under /api/v3."""

    def __init__(self, app: ASGIApp, sim: Simulator) -> None:
        self.app = app
        self.sim = sim
        self._writes_in_progress = 0  # one credential per simulator, so one counter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or not (path + "/").startswith(API_PREFIX + "/"):
            await self.app(scope, receive, send)
            return
        write = scope["method"] not in _READS
        self._writes_in_progress += write
        try:
            await self._gate(scope, receive, send)
        finally:
            self._writes_in_progress -= write

    async def _gate(self, scope: Scope, receive: Receive, send: Send) -> None:
        sim = self.sim
        path: str = scope["path"]
        method: str = scope["method"]
        route = path[len(API_PREFIX) :].rstrip("/") or "/"
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        body = await _read_body(receive)
        context = RequestContext()
        if method == "POST":
            try:
                context.json_body = load_json(body) if body.strip() else {}
            except ValueError:
                context.malformed_json = True
        scope[CONTEXT_KEY] = context
        entry = LogEntry(
            method=method,
            path=route,
            integration_id=_integration_id(method, query, context.json_body),
            timestamp=sim.clock(),
            body=context.json_body if method == "POST" else None,
            query=query,
        )
        endpoint = f"{method} {route}"
        recorded = False

        def record(status: int | None) -> None:
            # Log before the answer leaves, so a client that got its answer sees the entry.
            nonlocal recorded
            if not recorded:
                entry.status = status
                if method == "POST" and entry.invalid_mapping is None:
                    entry.invalid_mapping = self._invalid_mapping(entry.integration_id)
                sim.log.append(entry)
                recorded = True

        try:
            if sim.config.latency > 0:
                await asyncio.sleep(sim.config.latency)
            fault = sim.faults.take(endpoint) if endpoint in ENDPOINTS else None
            if fault is not None:
                entry.fault = fault.action + (" after_commit" if fault.after_commit else "")
            if fault is not None and not fault.after_commit:
                if fault.action == "delay":
                    await asyncio.sleep(fault.delay)
                else:
                    await self._send_fault(fault, None, scope, send, record)
                    return
            captured = await self._process(scope, body)
            entry.invalid_mapping = context.invalid_mapping
            if fault is not None and fault.after_commit:
                if fault.action == "delay":
                    await asyncio.sleep(fault.delay)
                else:
                    await self._send_fault(fault, captured, scope, send, record)
                    return
            record(captured.status)
            await captured.replay(send)
        finally:
            record(entry.status)

    async def _process(self, scope: Scope, body: bytes) -> _Captured:
        """Authenticate, rate-limit, then run the handler; the response is held back."""
        captured = _Captured()
        creds = self.sim.credentials
        write = scope["method"] not in _READS
        rejection = _authenticate(_header(scope, b"authorization"), self.sim)
        unsupported = _unsupported_media_type(scope, body) if write else None
        if rejection is not None:
            body_401, challenge = rejection
            response: Response = JSONResponse(
                body_401, status_code=401, headers={"WWW-Authenticate": challenge}
            )
        elif not self.sim.limiter.allow(
            creds.public_key, write=write, writes_in_progress=self._writes_in_progress
        ):
            retry_after = self.sim.config.rate_limits.retry_after
            headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
            response = JSONResponse(THROTTLED, status_code=429, headers=headers)
        elif unsupported is not None:
            response = JSONResponse(unsupported, status_code=415)
        else:
            await self.app(scope, _replay_receive(body), captured.send)
            return captured
        await response(scope, _replay_receive(b""), captured.send)
        return captured

    async def _send_fault(
        self,
        fault: Fault,
        captured: _Captured | None,
        scope: Scope,
        send: Send,
        record: Callable[[int | None], None],
    ) -> None:
        if fault.action == "drop":
            # Announce more than will come, send half of it, then break the connection.
            status = captured.status if captured else 200
            payload = captured.body if captured else b'{"data": []}'
            raw_headers = [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload) + 16).encode()),
            ]
            record(None)
            await send({"type": "http.response.start", "status": status, "headers": raw_headers})
            partial = payload[: len(payload) // 2]
            await send({"type": "http.response.body", "body": partial, "more_body": True})
            raise SimulatedConnectionDrop(f"simulated connection drop ({fault.endpoint})")
        headers = dict(fault.headers or {})
        if fault.retry_after is not None:
            headers["Retry-After"] = fault.retry_after
        response: Response
        if fault.body is not None:
            media_type = fault.content_type or "text/html; charset=utf-8"
            response = Response(fault.body, fault.status, headers, media_type=media_type)
        else:
            content = fault.json_body
            if content is None:
                content = default_fault_body(fault.status)
            response = JSONResponse(content, fault.status, headers)
        record(fault.status)
        await response(scope, _replay_receive(b""), send)

    def _invalid_mapping(self, integration_id: int | None) -> list[str]:
        with self.sim.store.reading() as state:
            integration = state.integrations.get(integration_id) if integration_id else None
            return integration.invalid_categories() if integration else []


def _authenticate(header: bytes | None, sim: Simulator) -> tuple[dict[str, Any], str] | None:
    """None when the request may pass, else the 401 body and the WWW-Authenticate challenge.

    Basic with the simulator's key pair passes unless `require_oauth2` is set; a Bearer token
    passes while the token endpoint's token is live.
    """
    basic = 'Basic realm="api"'
    if header is not None and header[:7].lower() == b"bearer ":
        refused = sim.tokens.check(header[7:].strip().decode("latin-1"))
        if refused is None:
            return None
        return (
            INVALID_TOKEN,
            f'Bearer realm="api", error="invalid_token", error_description="{refused}"',
        )
    if header is None or header[:6].lower() != b"basic ":
        return NO_CREDENTIALS, basic
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True)
    except (binascii.Error, ValueError):
        return INVALID_CREDENTIALS, basic
    username, sep, password = decoded.partition(b":")
    creds = sim.credentials
    # Compare both halves, always, in constant time: no early exit that leaks which failed.
    user_ok = hmac.compare_digest(username, creds.public_key.encode())
    password_ok = hmac.compare_digest(password, creds.secret_key.encode())
    if not (sep and user_ok and password_ok):
        return INVALID_CREDENTIALS, basic
    if sim.config.require_oauth2:
        return OAUTH2_REQUIRED, 'Bearer realm="api"'
    return None


def _unsupported_media_type(scope: Scope, body: bytes) -> dict[str, Any] | None:
    """The 415 body for a write whose body is not declared as JSON, as DRF's parser answers."""
    raw = _header(scope, b"content-type")
    media_type = raw.decode("latin-1").split(";")[0].strip().lower() if raw else ""
    if media_type == "application/json" or (not media_type and not body.strip()):
        return None
    shown = media_type or "(none)"
    detail = f'Unsupported media type "{shown}" in request.'
    return errors_body(error(415, "invalid", "Unsupported media type", detail))


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay_receive(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            # Nothing more will come; behave like a client that waits for the answer.
            await asyncio.Event().wait()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive
