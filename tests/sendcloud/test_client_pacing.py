"""Pacing under the rate limits, independence of reads and writes, and the parallelism bound."""

from __future__ import annotations

import asyncio
import itertools
import time

import httpx
import pytest

from reconciler.model import CATEGORIES, Category
from reconciler.sendcloud.client import SendcloudClient
from reconciler.sendcloud.pacing import HEADROOM, Pacer, Pacing, read_interval, write_interval
from reconciler.simulator.ratelimit import RateLimits, RateRule
from reconciler.simulator.simulator import Simulator
from tests.sendcloud.support import IID, ClientFactory

UNMAPPED: dict[Category, str | None] = dict.fromkeys(CATEGORIES)


class _RecordingTransport(httpx.AsyncBaseTransport):
    """The real network transport, recording when requests start and how many are in flight."""

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self.starts: list[float] = []
        self.in_flight = 0
        self.most = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.starts.append(time.monotonic())
        self.in_flight += 1
        self.most = max(self.most, self.in_flight)
        try:
            response = await self._inner.handle_async_request(request)
            await response.aread()
            return response
        finally:
            self.in_flight -= 1

    async def aclose(self) -> None:
        await self._inner.aclose()


def _gaps(stamps: list[float]) -> list[float]:
    return [later - earlier for earlier, later in itertools.pairwise(stamps)]


async def _warm_up(client: SendcloudClient, sim: Simulator) -> None:
    """Open the connection first, so connection set-up does not skew the first arrival."""
    await client.get_mapping(IID)
    await asyncio.sleep(0.1)  # past the read pacer's next slot
    sim.log.clear()
    sim.limiter.reset()


class _FakeTime:
    def __init__(self) -> None:
        self.now = 100.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


async def test_pacer_spaces_starts_evenly_without_bursting() -> None:
    fake = _FakeTime()
    pacer = Pacer(0.25, clock=fake.clock, sleep=fake.sleep)
    starts = []
    for _ in range(5):
        await pacer.wait()
        starts.append(fake.now)
    assert starts == pytest.approx([100.0, 100.25, 100.5, 100.75, 101.0])


async def test_a_late_wake_up_is_not_followed_by_a_burst() -> None:
    fake = _FakeTime()

    async def oversleep(seconds: float) -> None:
        fake.now += seconds + 0.1  # the event loop was busy

    pacer = Pacer(0.25, clock=fake.clock, sleep=oversleep)
    starts = []
    for _ in range(3):
        await pacer.wait()
        starts.append(fake.now)
    # 0.1 s late is more than MAX_LAG: the next slot is (1 - MAX_LAG) intervals after the late
    # start (100.575), not squeezed back onto the old schedule (100.5).
    assert starts == pytest.approx([100.0, 100.35, 100.675])


async def test_a_stall_is_not_followed_by_a_burst() -> None:
    fake = _FakeTime()
    stalled = False

    async def stall_once(seconds: float) -> None:
        nonlocal stalled
        fake.now += seconds + (0.0 if stalled else 2.0)  # one long stall of the event loop
        stalled = True

    pacer = Pacer(0.25, clock=fake.clock, sleep=stall_once)
    starts = []
    for _ in range(4):
        await pacer.wait()
        starts.append(fake.now)
    gaps = [later - earlier for earlier, later in itertools.pairwise(starts)]
    assert min(gaps) >= 0.25 * (1 - Pacer.MAX_LAG) - 1e-9, "catching up never bursts"


async def test_jitter_does_not_lower_the_rate() -> None:
    fake = _FakeTime()

    async def overshoot(seconds: float) -> None:
        fake.now += seconds + 0.001  # asyncio.sleep wakes about a millisecond late

    pacer = Pacer(0.06, clock=fake.clock, sleep=overshoot)
    for _ in range(1001):
        await pacer.wait()
    assert fake.now - 100.0 == pytest.approx(60.0, abs=0.01), "1,000 slots in 60 s, not 61"


async def test_pacer_does_not_bank_idle_time() -> None:
    fake = _FakeTime()
    pacer = Pacer(0.25, clock=fake.clock, sleep=fake.sleep)
    await pacer.wait()
    fake.now += 10  # idle: the next request may go at once, but the one after must wait again
    await pacer.wait()
    await pacer.wait()
    assert fake.now == pytest.approx(110.25)


def test_intervals_follow_sendclouds_limits() -> None:
    assert read_interval(1000) == pytest.approx(0.06 * HEADROOM)
    assert write_interval(100) == pytest.approx(0.6 * HEADROOM)
    assert write_interval(6000) == pytest.approx(HEADROOM / 15), "never more than 15 per second"
    pacing = Pacing.per_minute(1000, 100)
    assert pacing.for_method("GET") is pacing.reads
    assert pacing.for_method("POST") is pacing.writes


async def test_reads_start_no_faster_than_the_servers_rate(
    make_client: ClientFactory, sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    transport = _RecordingTransport()
    client = make_client(reads_per_minute=1200.0, parallelism=8, transport=transport)
    await _warm_up(client, sim)
    sim.configure(rate_limits=RateLimits(reads=(RateRule(20, 1.0),)))  # 20 per second, too
    granted: list[float] = []
    wait = Pacer.wait

    async def recorded(pacer: Pacer) -> None:
        await wait(pacer)
        granted.append(time.monotonic())  # no suspension since the pacer's own start stamp

    monkeypatch.setattr(Pacer, "wait", recorded)
    transport.starts.clear()
    await asyncio.gather(*(client.get_statuses(IID) for _ in range(45)))
    # Only what load cannot fake is asserted: a busy machine can delay requests, never make
    # them earlier. No window of one second ever held more slots than the server allows, and
    # the 45 starts took at least 44 intervals (the pacer never ran ahead of its schedule).
    # The slots are counted where the pacer grants them: between that and the transport, and
    # in the server's arrival stamps, this machine's scheduling jitter can bunch two requests,
    # which on a loaded runner exceeds a one-second window's 2% headroom (20 ms); zero 429s
    # under Sendcloud's real one-minute windows is what the benchmark's section 2 measures.
    interval = 0.05 * HEADROOM
    assert len(granted) >= 45
    assert _peak_in_one_second(granted) <= 20
    assert transport.starts[-1] - transport.starts[0] >= 44 * interval * 0.98


def _peak_in_one_second(stamps: list[float]) -> int:
    ordered = sorted(stamps)
    return max(
        sum(1 for later in ordered[i:] if later - start < 1.0) for i, start in enumerate(ordered)
    )


async def test_writes_never_exceed_15_in_any_second(
    make_client: ClientFactory, sim: Simulator
) -> None:
    transport = _RecordingTransport()
    # The per-second limit is the binding one at 6,000 writes a minute.
    client = make_client(writes_per_minute=6000.0, transport=transport)
    await _warm_up(client, sim)
    transport.starts.clear()
    await asyncio.gather(*(client.post_mapping(IID, UNMAPPED) for _ in range(20)))
    assert len(sim.log.writes()) >= 20, "every write reached Sendcloud"
    # Where the client sends them from (the server's arrival stamps also carry the machine's
    # scheduling jitter, which a loaded CI runner makes larger than the 2% headroom).
    assert _peak_in_one_second(transport.starts) <= 15


async def test_reads_and_writes_are_paced_independently(
    make_client: ClientFactory, sim: Simulator
) -> None:
    client = make_client(reads_per_minute=1200.0, writes_per_minute=120.0)  # 0.05 s / 0.5 s
    await _warm_up(client, sim)
    await asyncio.gather(
        client.post_mapping(IID, UNMAPPED),
        client.post_mapping(IID, UNMAPPED),
        *(client.get_mapping(IID) for _ in range(5)),
    )
    entries = sim.log.entries()
    first_write = min(e.timestamp for e in entries if e.is_write)
    second_write = max(e.timestamp for e in entries if e.is_write)
    last_read = max(e.timestamp for e in entries if not e.is_write)
    assert second_write - first_write >= 0.45
    assert last_read - first_write < 0.45, "reads did not queue behind the waiting write"


async def test_parallelism_bounds_requests_in_flight(
    make_client: ClientFactory, sim: Simulator
) -> None:
    sim.configure(latency=0.1)
    transport = _RecordingTransport()
    client: SendcloudClient = make_client(parallelism=3, transport=transport)
    await asyncio.gather(*(client.get_statuses(IID) for _ in range(12)))
    assert transport.most == 3
