"""Fault injection: "fail the next N calls of endpoint E".

A fault is one of three actions:

- ``status``: answer with any HTTP status; the body is a default JSON:API error, a given
  JSON value (``json_body``) or a raw text such as an HTML page (``body`` + ``content_type``);
  ``retry_after`` adds a Retry-After header, ``headers`` any others (e.g. a ``Link`` header
  announcing a next page).
- ``drop``: start the response with a Content-Length larger than the body, send part of
  it and break the connection (the client sees ``httpx.RemoteProtocolError``).
- ``delay``: sleep ``delay`` seconds before answering (to trip the client's timeout).

With ``after_commit=True`` the request is processed first (a write takes effect) and only
the answer is replaced, as when a proxy loses the response to a write that succeeded.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from typing import Any, Literal

ENDPOINTS = (
    "GET /shop-order-statuses",
    "POST /shop-order-statuses",
    "GET /shop-order-statuses/mapping",
    "POST /shop-order-statuses/mapping",
)
FaultAction = Literal["status", "drop", "delay"]
_ACTIONS = ("status", "drop", "delay")


class SimulatedConnectionDrop(Exception):
    """Raised by the app after a partial response to break the connection."""


@dataclass
class Fault:
    """One fault rule; `times` counts the calls it still applies to."""

    endpoint: str
    action: FaultAction = "status"
    times: int = 1
    status: int = 503
    json_body: Any = None
    body: str | None = None
    content_type: str | None = None
    retry_after: str | None = None
    delay: float = 0.0
    after_commit: bool = False
    headers: dict[str, str] | None = None

    def __post_init__(self) -> None:
        if self.endpoint not in ENDPOINTS:
            raise ValueError(f"endpoint must be one of {', '.join(ENDPOINTS)}")
        if self.action not in _ACTIONS:
            raise ValueError(f"action must be one of {', '.join(_ACTIONS)}")
        if self.times < 1:
            raise ValueError("times must be at least 1")
        if not 100 <= self.status <= 599:
            raise ValueError("status must be an HTTP status code")
        if self.delay < 0:
            raise ValueError("delay must not be negative")

    def to_json(self) -> dict[str, Any]:
        """JSON form, the same keys the admin endpoint accepts."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: Any) -> Fault:
        """Build a fault from the admin endpoint's JSON; raise `ValueError` when malformed."""
        if not isinstance(data, dict):
            raise ValueError("a fault must be a JSON object")
        known = set(cls.__dataclass_fields__)
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fault fields: {', '.join(sorted(unknown))}")
        if "retry_after" in data and data["retry_after"] is not None:
            data = {**data, "retry_after": str(data["retry_after"])}
        try:
            return cls(**data)
        except TypeError as exc:
            raise ValueError(str(exc)) from exc


class FaultInjector:
    """The pending faults, consumed first-in first-out per endpoint; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[Fault] = []

    def add(self, fault: Fault) -> Fault:
        """Queue a fault behind the ones already pending for its endpoint."""
        with self._lock:
            self._pending.append(fault)
        return fault

    def take(self, endpoint: str) -> Fault | None:
        """The fault for this call of `endpoint`, if any, counting the call against it."""
        with self._lock:
            for fault in self._pending:
                if fault.endpoint == endpoint:
                    fault.times -= 1
                    if fault.times == 0:
                        self._pending.remove(fault)
                    return fault
        return None

    def pending(self) -> list[Fault]:
        """A copy of the pending faults."""
        with self._lock:
            return [Fault(**asdict(fault)) for fault in self._pending]

    def clear(self) -> None:
        """Drop every pending fault."""
        with self._lock:
            self._pending.clear()
