"""Sendcloud's 15/s write burst, read as "15 writes in progress at once": the client keeps to it.

The simulator enforces both readings (15 starts per second, and 15 writes in flight); with slow
answers, the pacing alone would let more than 15 writes overlap, so the client also caps writes
in flight at 15 whatever --parallelism says.
"""

from __future__ import annotations

import asyncio

from reconciler.model import CATEGORIES
from reconciler.simulator.simulator import Simulator
from tests.sendcloud.support import IID, ClientFactory


async def test_no_more_than_15_writes_overlap_even_with_slow_answers(
    make_client: ClientFactory, sim: Simulator
) -> None:
    # Writes start 1/15 s apart and each takes 1.5 s: without the cap the 16th would overlap 15.
    client = make_client(parallelism=32, writes_per_minute=6000.0, timeout=5.0)
    sim.configure(latency=1.5)

    await asyncio.gather(
        *(client.post_mapping(IID + n, dict.fromkeys(CATEGORIES)) for n in range(20))
    )

    assert [entry.status for entry in sim.log.entries()] == [200] * 20, "never throttled"
    assert client.stats.retries == 0
