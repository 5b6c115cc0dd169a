"""What the client did: counters for reports and the benchmark, and the ``--debug`` exchange log.

The debug log goes to the ``reconciler.http`` logger, one line per request and per outcome,
with the Authorization header (Basic key pair or Bearer token) always redacted.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

__all__ = ["ClientStats", "log_outcome", "log_request"]

log = logging.getLogger("reconciler.http")


@dataclass
class ClientStats:
    """What the client did: HTTP attempts per class, retries, and answers by status code."""

    reads: int = 0
    writes: int = 0
    token_requests: int = 0  # OAuth2 token exchanges attempted
    retries: int = 0
    transport_failures: int = 0
    responses: Counter[int] = field(default_factory=Counter)

    def to_json(self) -> dict[str, Any]:
        """``{"reads": n, ..., "responses": {"200": n, ...}}`` for reports and the benchmark."""
        return {
            "reads": self.reads,
            "writes": self.writes,
            "token_requests": self.token_requests,
            "retries": self.retries,
            "transport_failures": self.transport_failures,
            "responses": {str(code): n for code, n in sorted(self.responses.items())},
        }


def log_request(request: httpx.Request) -> None:
    """``-> GET https://... [header: value, ...]`` at DEBUG, Authorization redacted."""
    headers = ", ".join(
        f"{name}: {'[redacted]' if name.lower() == 'authorization' else value}"
        for name, value in request.headers.items()
    )
    log.debug("-> %s %s [%s]", request.method, request.url, headers)


def log_outcome(outcome: str, request: httpx.Request) -> None:
    """``<- GET https://...: 200 OK (12 ms)`` (or the failure) at DEBUG."""
    log.debug("<- %s %s: %s", request.method, request.url, outcome)
