"""Run the simulator over HTTP with uvicorn (``reconciler sandbox serve``)."""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable
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


class CannotListen(Exception):
    """`serve` could not bind its socket; `cause` is the operating system's `OSError`."""

    def __init__(self, host: str, port: int, cause: OSError) -> None:
        super().__init__(f"cannot listen on {host}:{port}: {cause}")
        self.host, self.port, self.cause = host, port, cause


def listen(host: str, port: int) -> socket.socket:
    """A TCP socket listening on `host`:`port` (port 0: an ephemeral one), IPv4 or IPv6.

    Raises `OSError` when it cannot: the port is taken (EADDRINUSE), needs privileges
    (EACCES), the address is not this machine's (EADDRNOTAVAIL), or the host does not resolve
    (`socket.gaierror`). Bound here, before uvicorn starts, so that a failure is the caller's to
    word (uvicorn would log it and ``sys.exit(3)``) and nothing is announced before it.
    """
    family, _, _, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    return socket.create_server(address[:2], family=family, backlog=2048)


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
    announce: Callable[[int], None] | None = None,
) -> None:
    """Serve a simulator until interrupted (``reconciler sandbox serve``).

    `credentials` default to `default_credentials()`: the environment's key pair, else the
    sandbox pair. The secret is never logged. The socket is bound first (`listen`; its
    `OSError` is raised as `CannotListen`), and only then is `announce` called with the port
    really bound.
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
    try:
        sock = listen(host, port)
    except OSError as exc:
        raise CannotListen(host, port, exc) from exc
    with sock:
        bound_port = int(sock.getsockname()[1])
        config = uvicorn.Config(
            build_app(sim), host=host, port=bound_port, log_level=log_level, lifespan="off"
        )
        hide_simulated_drops()
        if announce is not None:
            announce(bound_port)
        uvicorn.Server(config).run(sockets=[sock])
