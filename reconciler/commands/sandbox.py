from __future__ import annotations

from pathlib import Path

import click

from reconciler.errors import ExitCode


def sandbox_serve(
    *, host: str, port: int, state: Path, strict: bool, latency: float, rate_limits: bool
) -> ExitCode:
    """Serve the simulator over HTTP until interrupted (``reconciler sandbox serve``)."""
    from reconciler.simulator.ratelimit import RateLimits
    from reconciler.simulator.server import serve

    state.parent.mkdir(parents=True, exist_ok=True)
    click.echo(
        f"Sendcloud simulator on http://{host}:{port}/api/v3 (state: {state}); "
        f"use --api-url http://{host}:{port}/api/v3. Ctrl-C stops it.",
        err=True,
    )
    serve(
        host=host,
        port=port,
        state_path=state,
        strict=strict,
        latency=latency,
        rate_limits=RateLimits(enabled=rate_limits),
    )
    return ExitCode.OK
