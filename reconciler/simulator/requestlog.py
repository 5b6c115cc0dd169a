"""The request log: what each request to /api/v3 did, for tests to assert on.

Entries never contain headers, so the Authorization header (and its secret) is never kept.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class LogEntry:
    """One request: method, endpoint path, integration, outcome and, for writes, the body.

    `path` has the ``/api/v3`` prefix stripped (``/shop-order-statuses/mapping``);
    `status` is None when the connection was dropped; `timestamp` is `time.monotonic()`
    at arrival; `invalid_mapping` lists, for writes, the categories whose mapping points at
    a missing or deleted status right after the request; `fault` names an injected fault.
    """

    method: str
    path: str
    integration_id: int | None
    timestamp: float
    status: int | None = None
    body: Any = None
    invalid_mapping: list[str] | None = None
    fault: str | None = None
    query: dict[str, str] = field(default_factory=dict)

    @property
    def is_write(self) -> bool:
        return self.method == "POST"

    def to_json(self) -> dict[str, Any]:
        """JSON form as served by ``GET /_simulator/log``."""
        return asdict(self)


class RequestLog:
    """An append-only, thread-safe list of `LogEntry`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[LogEntry] = []

    def append(self, entry: LogEntry) -> None:
        with self._lock:
            self._entries.append(entry)

    def entries(self) -> list[LogEntry]:
        """A copy of the entries, oldest first."""
        with self._lock:
            return list(self._entries)

    def writes(self) -> list[LogEntry]:
        """Only the POST entries."""
        return [entry for entry in self.entries() if entry.is_write]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
