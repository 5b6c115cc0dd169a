"""Timing: pacing requests under Sendcloud's rate limits, and backing off between retries.

Sendcloud allows 1,000 reads per minute and 100 writes per minute with at most 15 writes in
any second (its "Rate limits" page), answers 429 beyond that and documents no Retry-After.
Rather than burst and get throttled, the client spreads requests evenly: each class (reads,
writes) has a minimum interval between request starts, and every attempt, retries included,
waits for its slot.

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
    """Lets callers go one at a time, on a fixed schedule `interval` seconds apart.

    Each caller gets the slot after the previous one (previous slot + `interval`), so the
    event loop's wake-up overshoot (about a millisecond per sleep) does not add up: a pacer
    that waits a full interval from each actual start loses it on every request and reached
    96% of 1,000 reads a minute instead of 98%. After a stall (or idle time) the schedule may
    lag real time by at most `MAX_LAG` of an interval, else it restarts from now, so catching
    up never squeezes more than a tenth of one interval out of any window: far inside the 2%
    headroom (1.2 s of Sendcloud's 60 s window), and never a burst. The lock is FIFO, so callers
    go in arrival order.
    """

    # How far behind real time the schedule may fall before it restarts, in intervals: more
    # than the event loop's usual overshoot, much less than the headroom of a window.
    MAX_LAG = 0.1

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
        self._next = float("-inf")

    async def wait(self) -> None:
        """Return when the caller may start its request (its slot on the schedule)."""
        async with self._lock:
            now = self._clock()
            # Behind by more than MAX_LAG (idle, or a long stall): restart the schedule from now.
            slot = now if self._next < now - self.interval * self.MAX_LAG else self._next
            if slot > now:
                await self._sleep(slot - now)
            # A caller woken late keeps its successor at least (1 - MAX_LAG) intervals behind.
            started = self._clock()
            self._next = max(slot + self.interval, started + self.interval * (1 - self.MAX_LAG))


@dataclass(frozen=True)
class Pacing:
    """One pacer for reads and one for writes: the two limits are independent."""

    reads: Pacer
    writes: Pacer

    @classmethod
    def per_minute(cls, reads_per_minute: float, writes_per_minute: float) -> Pacing:
        """Pacers for the given rates (requests per minute); `ValueError` unless positive."""
        if reads_per_minute <= 0 or writes_per_minute <= 0:
            raise ValueError("request rates must be positive")
        return cls(Pacer(read_interval(reads_per_minute)), Pacer(write_interval(writes_per_minute)))

    def for_method(self, method: str) -> Pacer:
        """The read pacer for GET and HEAD, the write pacer for everything else."""
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
