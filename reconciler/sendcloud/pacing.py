"""Timing: pacing requests under Sendcloud's rate limits, and backing off between retries.

Sendcloud allows 1,000 reads per minute and 100 writes per minute with at most 15 writes in
any second, answers 429 beyond that and documents no Retry-After. Rather than burst and get
throttled, the client spreads requests evenly: each class (reads, writes) has a minimum
interval between request starts, and every attempt, retries included, waits for its slot.

The pacer is a few lines of "next free slot" arithmetic rather than a token bucket library:
even spacing is exactly what is wanted (no burst allowance to reason about), it needs no
extra dependency, and tests can reason about it precisely.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

WRITE_BURST_PER_SECOND = 15.0
# Starting exactly one interval apart puts the request after next at the very edge of the
# server's window, where network jitter can push it inside. A small margin keeps it out.
HEADROOM = 1.02


def read_interval(reads_per_minute: float) -> float:
    """Minimum seconds between two read starts."""
    return 60.0 / reads_per_minute * HEADROOM


def write_interval(writes_per_minute: float) -> float:
    """Minimum seconds between two write starts: the per-minute and the per-second limit."""
    return max(60.0 / writes_per_minute, 1.0 / WRITE_BURST_PER_SECOND) * HEADROOM


class Pacer:
    """Lets callers go one at a time, each at least `interval` seconds after the previous one.

    The interval is measured from when the previous caller actually went, not from when it was
    scheduled: if the event loop wakes a caller late, the next one waits the full interval
    again, so a stall can never be followed by a burst. The lock is FIFO, so callers go in
    the order they arrived.
    """

    def __init__(
        self,
        interval: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if interval < 0:
            raise ValueError("interval must not be negative")
        self.interval = interval
        self._clock = clock
        self._sleep = sleep
        self._lock = asyncio.Lock()
        self._last = float("-inf")

    async def wait(self) -> None:
        """Return when the caller may start its request."""
        async with self._lock:
            delay = self._last + self.interval - self._clock()
            if delay > 0:
                await self._sleep(delay)
            self._last = self._clock()


@dataclass(frozen=True)
class Pacing:
    """One pacer for reads and one for writes: the two limits are independent."""

    reads: Pacer
    writes: Pacer

    @classmethod
    def per_minute(cls, reads_per_minute: float, writes_per_minute: float) -> Pacing:
        if reads_per_minute <= 0 or writes_per_minute <= 0:
            raise ValueError("request rates must be positive")
        return cls(Pacer(read_interval(reads_per_minute)), Pacer(write_interval(writes_per_minute)))

    def for_method(self, method: str) -> Pacer:
        return self.reads if method in ("GET", "HEAD") else self.writes


@dataclass(frozen=True)
class RetryPolicy:
    """How long to keep retrying a retryable failure, and how to back off between attempts.

    `budget` bounds the total time from the first attempt: no retry starts whose wait would
    end beyond it. Waits grow exponentially from `initial` up to `maximum`, plus up to `jitter`
    seconds at random so clients that failed together do not retry together. A Retry-After
    from the server replaces the computed wait. At most `max_attempts` attempts are made; a
    connection that cannot be made at all (refused, connect timeout) gets `connect_attempts`.
    """

    budget: float = 120.0
    initial: float = 0.5
    maximum: float = 10.0
    jitter: float = 0.5
    max_attempts: int = 10
    connect_attempts: int = 3


# Longer than any retry budget; also keeps a 5,000-digit header from becoming infinity.
_LONGEST_RETRY_AFTER = 365 * 24 * 3600.0


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), or None."""
    if value is None:
        return None
    value = value.strip()
    # ASCII digits only: an odd byte such as 0xB2 arrives as "²", which isdigit() accepts and
    # float() refuses; anything that is neither form is treated as no header at all.
    if value.isascii() and value.isdigit():
        return min(float(value), _LONGEST_RETRY_AFTER)
    if not value.isascii():
        return None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):  # year 99999999999: overflow
        return None
    if when.tzinfo is None:  # an HTTP-date is GMT by definition
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
