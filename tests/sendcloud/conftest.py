"""Fixtures for the client's tests: a `SendcloudClient` on the loopback simulator, tuned fast.

Timings are scaled down (small timeout, millisecond backoff, a few-second retry budget, high
request rates) so the whole suite stays quick; tests about pacing set their own rates.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from reconciler.sendcloud.client import SendcloudClient
from reconciler.simulator.simulator import Simulator
from tests.sendcloud.support import FAST_RETRY, ClientFactory
from tests.support.simulator import BackgroundServer


@pytest.fixture
def sim(simulator_server: BackgroundServer) -> Simulator:
    return simulator_server.simulator


@pytest.fixture
async def make_client(
    simulator_server: BackgroundServer, credentials: tuple[str, str]
) -> AsyncIterator[ClientFactory]:
    """Build clients on the simulator (keyword arguments override the fast defaults)."""
    made: list[SendcloudClient] = []

    def make(**overrides: Any) -> SendcloudClient:
        settings: dict[str, Any] = {
            "timeout": 0.5,
            "retry": FAST_RETRY,
            "reads_per_minute": 60_000.0,
            "writes_per_minute": 60_000.0,
        }
        settings.update(overrides)
        base_url = settings.pop("base_url", simulator_server.base_url)
        public_key, secret_key = settings.pop("keys", credentials)
        client = SendcloudClient(base_url, public_key, secret_key, **settings)
        made.append(client)
        return client

    yield make
    for client in made:
        await client.aclose()


@pytest.fixture
def client(make_client: ClientFactory) -> SendcloudClient:
    return make_client()
