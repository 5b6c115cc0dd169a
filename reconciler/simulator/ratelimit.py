"""Sliding-window rate limits per credential, as Sendcloud documents them.

Reads (GET) are limited to 1,000 per minute; writes to 100 per minute with bursts of at
most 15 per second. Sendcloud's rate-limit page can be read two ways on that burst: 15 writes
started in any one second, or 15 writes in progress at once. Both are enforced (the stricter
of the two readings at every moment), so a client that passes here is safe under either.
Sendcloud documents no Retry-After header, so none is sent by default.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RateRule:
    """At most `count` requests in any window of `period` seconds."""

    count: int
    period: float


def _default_reads() -> tuple[RateRule, ...]:
    return (RateRule(1000, 60.0),)


def _default_writes() -> tuple[RateRule, ...]:
    return (RateRule(100, 60.0), RateRule(15, 1.0))


@dataclass(frozen=True)
class RateLimits:
    """The limits for reads and writes; `enabled=False` lets everything through."""

    reads: tuple[RateRule, ...] = field(default_factory=_default_reads)
    writes: tuple[RateRule, ...] = field(default_factory=_default_writes)
    enabled: bool = True
    retry_after: int | None = None
    concurrent_writes: int | None = 15  # writes in progress at once per credential; None: any

    def to_json(self) -> dict[str, Any]:
        """JSON form: rules as ``[count, period_seconds]`` pairs."""
        return {
            "enabled": self.enabled,
            "reads": [[rule.count, rule.period] for rule in self.reads],
            "writes": [[rule.count, rule.period] for rule in self.writes],
            "retry_after": self.retry_after,
            "concurrent_writes": self.concurrent_writes,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], base: RateLimits | None = None) -> RateLimits:
        """Parse the JSON form; missing keys keep the values of `base` (or the defaults)."""
        base = base or cls()

        def rules(key: str, current: tuple[RateRule, ...]) -> tuple[RateRule, ...]:
            if key not in data:
                return current
            return tuple(RateRule(int(count), float(period)) for count, period in data[key])

        retry_after = data.get("retry_after", base.retry_after)
        concurrent = data.get("concurrent_writes", base.concurrent_writes)
        return cls(
            reads=rules("reads", base.reads),
            writes=rules("writes", base.writes),
            enabled=bool(data.get("enabled", base.enabled)),
            retry_after=None if retry_after is None else int(retry_after),
            concurrent_writes=None if concurrent is None else int(concurrent),
        )


class RateLimiter:
    """Sliding-window log of accepted requests per (credential, read/write)."""

    def __init__(self, limits: RateLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self._clock = clock
        self._lock = threading.Lock()
        self._accepted: defaultdict[tuple[str, bool], deque[float]] = defaultdict(deque)

    def configure(self, limits: RateLimits) -> None:
        """Swap the limits and forget the history, so a test starts from a clean window."""
        with self._lock:
            self.limits = limits
            self._accepted.clear()

    def reset(self) -> None:
        """Forget every accepted request."""
        with self._lock:
            self._accepted.clear()

    def allow(self, key: str, *, write: bool, writes_in_progress: int = 0) -> bool:
        """Record and allow a request, or refuse it (a refused request is not recorded).

        `writes_in_progress` counts the writes of `key` being served now, this one included.
        """
        if not self.limits.enabled:
            return True
        concurrent = self.limits.concurrent_writes
        if write and concurrent is not None and writes_in_progress > concurrent:
            return False
        rules = self.limits.writes if write else self.limits.reads
        with self._lock:
            now = self._clock()
            history = self._accepted[(key, write)]
            longest = max((rule.period for rule in rules), default=0.0)
            while history and now - history[0] >= longest:
                history.popleft()
            for rule in rules:
                in_window = sum(1 for stamp in history if now - stamp < rule.period)
                if in_window >= rule.count:
                    return False
            history.append(now)
            return True
