"""An httpx transport that runs the simulator in-process (the CLI's ``--sandbox`` mode).

`httpx.ASGITransport` alone differs from the wire in two ways that matter to a client's
retry logic, and this wrapper closes both gaps:

- it ignores timeouts, so a ``delay`` fault would simply hang; here the request's read
  timeout is enforced and raises `httpx.ReadTimeout` (the simulated server keeps working
  in the background, as a real one would after the client gave up);
- it re-raises the application's exception, so a ``drop`` fault would surface as the
  simulator's private exception; here it becomes `httpx.RemoteProtocolError`.
"""

from __future__ import annotations

import asyncio

import httpx

from reconciler.simulator.app import build_app
from reconciler.simulator.faults import SimulatedConnectionDrop
from reconciler.simulator.simulator import Simulator


class InProcessTransport(httpx.AsyncBaseTransport):
    """Serve requests with a `Simulator`'s ASGI app, behaving like the wire on failures."""

    def __init__(self, sim: Simulator) -> None:
        self.simulator = sim
        self._asgi = httpx.ASGITransport(app=build_app(sim))
        # Requests the client gave up on; held so they are not garbage-collected mid-flight.
        self._abandoned: set[asyncio.Task[httpx.Response]] = set()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeout = request.extensions.get("timeout", {})
        read_timeout = timeout.get("read") if isinstance(timeout, dict) else None
        task = asyncio.ensure_future(self._asgi.handle_async_request(request))
        done, _ = await asyncio.wait({task}, timeout=read_timeout)
        if not done:
            self._abandoned.add(task)
            task.add_done_callback(self._forget)
            raise httpx.ReadTimeout("simulated read timeout", request=request)
        try:
            return task.result()
        except SimulatedConnectionDrop as exc:
            raise httpx.RemoteProtocolError(
                "peer closed connection without sending complete message body", request=request
            ) from exc

    def _forget(self, task: asyncio.Task[httpx.Response]) -> None:
        self._abandoned.discard(task)
        if not task.cancelled():
            task.exception()  # retrieve it, so asyncio does not warn "never retrieved"

    async def aclose(self) -> None:
        await self._asgi.aclose()


def in_process_transport(sim: Simulator) -> httpx.AsyncBaseTransport:
    """A transport for ``httpx.AsyncClient(transport=...)`` that needs no server."""
    return InProcessTransport(sim)
