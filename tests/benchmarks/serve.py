"""Child-process entry: serve an in-memory simulator on a listening socket inherited by fd.

``python -m tests.benchmarks.serve --fd N``. The parent binds 127.0.0.1:0 and passes the socket,
so the port is known before the child starts and nothing can take it in between. The state lives
in memory: ``sandbox serve`` persists (and fsyncs) the whole state after every write, which
would measure the disk rather than the reconciler.
"""

from __future__ import annotations

import argparse
import socket
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.serve")
    parser.add_argument("--fd", type=int, required=True, help="A bound, listening TCP socket.")
    args = parser.parse_args(argv)

    import uvicorn

    from reconciler.simulator.app import build_app
    from reconciler.simulator.credentials import SANDBOX_PUBLIC_KEY, SANDBOX_SECRET_KEY
    from reconciler.simulator.ratelimit import RateLimits
    from reconciler.simulator.simulator import Simulator

    # The pair is explicit: the environment's key pair (default_credentials) must not matter.
    simulator = Simulator(
        credentials=(SANDBOX_PUBLIC_KEY, SANDBOX_SECRET_KEY),
        rate_limits=RateLimits(enabled=False),
    )
    config = uvicorn.Config(
        build_app(simulator),
        log_config=None,
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=1,
    )
    uvicorn.Server(config).run(sockets=[socket.socket(fileno=args.fd)])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
