"""What the scenarios share: a client for the simulator, log arithmetic, timing."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from reconciler.sendcloud.client import RetryPolicy, SendcloudClient
from tests.benchmarks.simproc import LogEntry, SimulatorProcess

# Pacing this fast is never the bottleneck: the scenario measures something else.
UNPACED = 10_000_000.0


def api_client(
    sim: SimulatorProcess,
    *,
    parallelism: int,
    reads_per_minute: float = UNPACED,
    writes_per_minute: float = UNPACED,
) -> SendcloudClient:
    """A real `SendcloudClient` over HTTP to the simulator process (loopback, plain http)."""
    public_key, secret_key = sim.credentials
    return SendcloudClient(
        sim.base_url,
        public_key,
        secret_key,
        parallelism=parallelism,
        reads_per_minute=reads_per_minute,
        writes_per_minute=writes_per_minute,
        retry=RetryPolicy(budget=60.0),
    )


def per_integration(entries: Iterable[LogEntry], method: str) -> Counter[int]:
    """Requests of `method` per integration id."""
    return Counter(
        int(e["integration_id"])
        for e in entries
        if e["method"] == method and e["integration_id"] is not None
    )


def throttled(entries: Iterable[LogEntry]) -> int:
    return sum(1 for e in entries if e["status"] == 429)


def accepted_stamps(entries: Iterable[LogEntry], method: str) -> list[float]:
    """Arrival times (server monotonic clock) of requests of `method` the limiter let through."""
    return sorted(
        float(e["timestamp"]) for e in entries if e["method"] == method and e["status"] != 429
    )


def steady_rate_per_minute(stamps: Sequence[float]) -> float:
    """Requests per minute between the first and the last arrival: (n - 1) / span."""
    if len(stamps) < 2 or stamps[-1] <= stamps[0]:
        return 0.0
    return (len(stamps) - 1) * 60.0 / (stamps[-1] - stamps[0])


def peak_in_window(stamps: Sequence[float], period: float) -> int:
    """The most arrivals in any window of `period` seconds (what a sliding-window limit sees)."""
    peak = start = 0
    for end, stamp in enumerate(stamps):
        while stamp - stamps[start] >= period:
            start += 1
        peak = max(peak, end - start + 1)
    return peak
