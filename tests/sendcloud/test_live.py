"""`read_live` and `read_many` against the simulator over loopback HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from reconciler.errors import AuthenticationError, IntegrationNotFound, ReconcilerError
from reconciler.model import Category, LiveMappingEntry, LiveState
from reconciler.sendcloud.client import RetryPolicy, SendcloudClient
from reconciler.sendcloud.live import LiveReads, read_live, read_many
from reconciler.simulator.faults import Fault
from reconciler.simulator.simulator import Simulator
from tests.support.simulator import BackgroundServer

IID = 23452345
SEEDED = {
    "integrations": {
        str(IID): {
            "statuses": [
                {
                    "external_id": "11",
                    "translations": [
                        {"status": "Paid", "language": "en-gb"},
                        {"status": "Betaald", "language": "nl-nl"},
                    ],
                    "deleted_at": None,
                },
                {
                    "external_id": "12",
                    "translations": [{"status": "Shipped", "language": "en-gb"}],
                    "deleted_at": None,
                },
                {
                    "external_id": "1",
                    "translations": [{"status": "Old", "language": "en-gb"}],
                    "deleted_at": "2023-11-04T14:15:22Z",
                },
            ],
            "mapping": {
                "READY_TO_SEND": "11",
                "IN_TRANSIT": "11",
                "DELIVERED": None,
                "CANCEL": "1",
            },
        },
        "7": {"statuses": [], "mapping": {}},
    }
}


@pytest.fixture
def sim(simulator_server: BackgroundServer) -> Simulator:
    simulator_server.simulator.replace_state(SEEDED)
    return simulator_server.simulator


@pytest.fixture
async def client(
    simulator_server: BackgroundServer, credentials: tuple[str, str]
) -> AsyncIterator[SendcloudClient]:
    async with SendcloudClient(
        simulator_server.base_url,
        *credentials,
        timeout=0.5,
        reads_per_minute=60_000,
        retry=RetryPolicy(budget=0.3, initial=0.01, maximum=0.02, jitter=0.01),
    ) as client:
        yield client


async def test_read_live_converts_wire_to_model_with_two_gets(
    client: SendcloudClient, sim: Simulator
) -> None:
    live = await read_live(client, IID)
    assert live == LiveState(
        integration_id=IID,
        statuses={"11": {"en-gb": "Paid", "nl-nl": "Betaald"}, "12": {"en-gb": "Shipped"}},
        mapping={
            Category.READY_TO_SEND: LiveMappingEntry(external_id="11", is_valid=True),
            Category.IN_TRANSIT: LiveMappingEntry(external_id="11", is_valid=True),
            Category.DELIVERED: LiveMappingEntry(external_id=None, is_valid=True),
            Category.CANCEL: LiveMappingEntry(external_id="1", is_valid=False),
        },
    )
    requests = sorted((e.method, e.path, tuple(sorted(e.query.items()))) for e in sim.log.entries())
    assert requests == [
        ("GET", "/shop-order-statuses", (("integration_id", str(IID)),)),
        ("GET", "/shop-order-statuses/mapping", (("integration_id", str(IID)),)),
    ]


async def test_deleted_statuses_are_never_live(client: SendcloudClient, sim: Simulator) -> None:
    deleted = {
        "external_id": "1",
        "status": "Old",
        "deleted_at": "2023-11-04T14:15:22Z",
        "translations": [{"status": "Old", "language": "en-gb"}],
    }
    sim.inject(Fault("GET /shop-order-statuses", status=200, json_body={"data": [deleted]}))
    assert (await read_live(client, IID)).statuses == {}


async def test_read_live_raises_the_statuses_error_first(
    client: SendcloudClient, sim: Simulator
) -> None:
    sim.configure(strict=True)
    with pytest.raises(IntegrationNotFound) as caught:
        await read_live(client, 999)
    assert caught.value.request == "GET /shop-order-statuses?integration_id=999"


async def test_read_many_isolates_failures(client: SendcloudClient, sim: Simulator) -> None:
    sim.configure(strict=True)
    results = await read_many(client, [IID, 999, 7, IID])
    assert list(results) == [IID, 999, 7]
    assert isinstance(results[IID], LiveState)
    assert isinstance(results[999], IntegrationNotFound)
    assert isinstance(results[7], LiveState)
    assert results[7].statuses == {}


async def test_read_many_keeps_going_after_a_server_error(
    client: SendcloudClient, sim: Simulator
) -> None:
    # One mapping read answers 500 (not retried): whichever integration draws it fails alone.
    sim.inject(Fault("GET /shop-order-statuses/mapping", status=500))
    results = await read_many(client, [IID, 7])
    assert sorted(type(result).__name__ for result in results.values()) == ["ApiError", "LiveState"]
    assert len(sim.log.entries()) == 4


async def test_reads_started_after_a_refused_key_pair_are_not_sent(
    simulator_server: BackgroundServer, credentials: tuple[str, str], sim: Simulator
) -> None:
    # `plan` starts each read as its file loads: a refusal seen meanwhile holds for the rest.
    diffed: list[int] = []

    def then(integration_id: int, live: LiveState | ReconcilerError) -> object:
        diffed.append(integration_id)
        return live

    async with SendcloudClient(
        simulator_server.base_url, credentials[0], "not-the-secret", reads_per_minute=60_000
    ) as refused:
        reads = LiveReads(refused, then)
        reads.start(IID)
        await reads.results()
        sent = len(sim.log.entries())
        reads.start(7)
        results = await reads.results()

    assert 1 <= sent <= 2
    assert len(sim.log.entries()) == sent  # nothing sent for 7
    assert isinstance(results[IID], AuthenticationError)
    assert results[7] is results[IID]
    assert 7 in diffed
