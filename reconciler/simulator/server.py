"""Run the simulator over HTTP with uvicorn: in the foreground, or in a background thread."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from types import TracebackType

import uvicorn

from reconciler.simulator.api import API_PREFIX
from reconciler.simulator.faults import SimulatedConnectionDrop
from reconciler.simulator.ratelimit import RateLimits
from reconciler.simulator.simulator import Simulator


class _HideSimulatedDrops(logging.Filter):
    """uvicorn logs a traceback for every exception; a simulated drop is not a bug."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], SimulatedConnectionDrop))


def _quiet_drops() -> None:
    error_logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _HideSimulatedDrops) for f in error_logger.filters):
        error_logger.addFilter(_HideSimulatedDrops())


def serve(
    *,
    host: str = "127.0.0.1",
    port: int = 8080,
    state_path: Path | str | None = None,
    strict: bool = False,
    credentials: tuple[str, str] | None = None,
    latency: float = 0.0,
    rate_limits: RateLimits | None = None,
    log_level: str = "info",
    require_oauth2: bool = False,
    token_lifetime: int = 3600,
    trim_whitespace: bool = True,
) -> None:
    """Serve a simulator until interrupted (``reconciler sandbox serve``).

    `credentials` default to `default_credentials()`: the environment's key pair, else the
    sandbox pair. The secret is never logged.
    """
    sim = Simulator(
        credentials=credentials,
        state_path=state_path,
        strict=strict,
        latency=latency,
        rate_limits=rate_limits,
        require_oauth2=require_oauth2,
        token_lifetime=token_lifetime,
        trim_whitespace=trim_whitespace,
    )
    config = uvicorn.Config(sim.app, host=host, port=port, log_level=log_level, lifespan="off")
    _quiet_drops()
    uvicorn.Server(config).run()


class BackgroundServer:
    """A uvicorn server on loopback in a daemon thread, on an ephemeral port.

    Use it as a context manager; `base_url` is the API root
    (``http://127.0.0.1:PORT/api/v3``), `admin_url` the admin root, `simulator` the knobs.
    """

    def __init__(self, simulator: Simulator | None = None, *, host: str = "127.0.0.1") -> None:
        self.simulator = simulator or Simulator()
        self.host = host
        self.port = 0
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

    def start(self, timeout: float = 10.0) -> BackgroundServer:
        """Start serving and wait until the socket is bound."""
        config = uvicorn.Config(
            self.simulator.app,
            host=self.host,
            port=0,
            log_config=None,  # leave the host process's logging alone
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=1,
        )
        _quiet_drops()
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
