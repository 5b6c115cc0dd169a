"""Test-only helpers around the simulator: a uvicorn server in a thread that counts requests in
flight, and a switch for the rate limits."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from types import TracebackType

import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send

from reconciler.simulator.api import API_PREFIX
from reconciler.simulator.app import build_app
from reconciler.simulator.server import hide_simulated_drops
from reconciler.simulator.simulator import Simulator


def disable_rate_limits(sim: Simulator) -> None:
    """Let every request through (e.g. when faults are injected and limits would add noise)."""
    sim.configure(rate_limits=replace(sim.config.rate_limits, enabled=False))


class InFlight:
    """ASGI middleware counting the HTTP requests that have arrived and not yet finished."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.count = 0
        self._lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with self._lock:
            self.count += 1
        try:
            await self.app(scope, receive, send)
        finally:
            with self._lock:
                self.count -= 1

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Wait (from another thread) until no request is in flight; False on timeout."""
        deadline = time.monotonic() + timeout
        while self.count:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.005)
        return True


class BackgroundServer:
    """A uvicorn server on loopback in a daemon thread, on an ephemeral port.

    Use it as a context manager; `base_url` is the API root
    (``http://127.0.0.1:PORT/api/v3``), `admin_url` the admin root, `simulator` the knobs.
    """

    def __init__(self, simulator: Simulator | None = None, *, host: str = "127.0.0.1") -> None:
        self.simulator = simulator or Simulator()
        self.host = host
        self.port = 0
        self.requests = InFlight(build_app(self.simulator))
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def root_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.root_url}{API_PREFIX}"

    @property
    def admin_url(self) -> str:
        return f"{self.root_url}/_simulator"

    @property
    def in_flight(self) -> int:
        """Requests that have arrived and not yet finished."""
        return self.requests.count

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Wait until no request is in flight; False on timeout.

        A request the client abandoned (timeout) still runs to its end, as on a real server;
        tests call this before a reset so such a straggler cannot log or write into the next
        test.
        """
        return self.requests.wait_idle(timeout)

    def start(self, timeout: float = 10.0) -> BackgroundServer:
        """Start serving and wait until the socket is bound."""
        config = uvicorn.Config(
            self.requests,
            host=self.host,
            port=0,
            log_config=None,  # leave the host process's logging alone
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=1,
        )
        hide_simulated_drops()
        server = self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=server.run, name="simulator-server", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("simulator server failed to start")
            time.sleep(0.01)
        self.port = int(server.servers[0].sockets[0].getsockname()[1])
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the server to exit and wait for its thread."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
        self._server = self._thread = None

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
