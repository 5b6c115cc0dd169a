from __future__ import annotations

from pathlib import Path

import click


def run(
    *, host: str, port: int, state: Path, strict: bool, latency: float, rate_limits: bool
) -> int:
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
    return 0
