"""Run the simulator over HTTP with uvicorn (``reconciler sandbox serve``)."""

from __future__ import annotations

import logging
from pathlib import Path

import uvicorn

from reconciler.simulator.app import build_app
from reconciler.simulator.faults import SimulatedConnectionDrop
from reconciler.simulator.ratelimit import RateLimits
from reconciler.simulator.simulator import Simulator


class _HideSimulatedDrops(logging.Filter):
    """uvicorn logs a traceback for every exception; a simulated drop is not a bug."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], SimulatedConnectionDrop))


def hide_simulated_drops() -> None:
    """Keep uvicorn from logging a traceback for each simulated connection drop (idempotent)."""
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
    config = uvicorn.Config(
        build_app(sim), host=host, port=port, log_level=log_level, lifespan="off"
    )
    hide_simulated_drops()
    uvicorn.Server(config).run()
