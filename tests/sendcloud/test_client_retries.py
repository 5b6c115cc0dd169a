"""Retries: which failures are retried, how long the client waits, and when it gives up."""

from __future__ import annotations

import asyncio
import itertools
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from reconciler.errors import ApiError, TransportError
from reconciler.sendcloud.client import RetryPolicy, SendcloudClient
from reconciler.sendcloud.pacing import parse_retry_after
from reconciler.simulator.faults import Fault
from reconciler.simulator.simulator import Simulator
from tests.sendcloud.support import IID, SHORT_RETRY, ClientFactory

STATUSES = "GET /shop-order-statuses"
LINE = f"GET /shop-order-statuses?integration_id={IID}"


@pytest.mark.parametrize("status", [429, 502, 503, 504])
async def test_retryable_status_is_retried_until_success(
    client: SendcloudClient, sim: Simulator, status: int
) -> None:
    sim.inject(Fault(STATUSES, status=status, times=2))
    assert await client.get_statuses(IID) == []
    assert [entry.status for entry in sim.log.entries()] == [status, status, 200]
    assert client.stats.retries == 2
    assert client.stats.responses[status] == 2


async def test_write_is_retried_and_lands_once(client: SendcloudClient, sim: Simulator) -> None:
    # The proxy lost the answer to a write that succeeded: repeating the overwrite is harmless.
    sim.inject(Fault("POST /shop-order-statuses", status=502, after_commit=True))
    await client.post_statuses(IID, {"1": {"en-gb": "Paid"}})
    writes = sim.log.writes()
    assert [entry.status for entry in writes] == [502, 200]
    assert writes[0].body == writes[1].body
    assert [s.external_id for s in await client.get_statuses(IID)] == ["1"]


@pytest.mark.parametrize("status", [500, 400, 403, 409, 422])
async def test_other_error_statuses_are_not_retried(
    client: SendcloudClient, sim: Simulator, status: int
) -> None:
    sim.inject(Fault(STATUSES, status=status, times=5))
    with pytest.raises(ApiError) as caught:
        await client.get_statuses(IID)
    assert caught.value.http_status == status
    assert len(sim.log.entries()) == 1
    assert client.stats.retries == 0


async def test_retry_after_seconds_is_honoured(client: SendcloudClient, sim: Simulator) -> None:
    sim.inject(Fault(STATUSES, status=503, retry_after="1"))
    await client.get_statuses(IID)
    first, second = sim.log.entries()
    assert second.timestamp - first.timestamp >= 1.0


async def test_without_retry_after_the_backoff_is_short(
    client: SendcloudClient, sim: Simulator
) -> None:
    sim.inject(Fault(STATUSES, status=503))
    await client.get_statuses(IID)
    first, second = sim.log.entries()
    assert second.timestamp - first.timestamp < 0.5


def test_retry_after_forms() -> None:
    now = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(" 0 ") == 0.0
    assert (
        parse_retry_after(format_datetime(now + timedelta(seconds=30), usegmt=True), now=now)
        == 30.0
    )
    assert parse_retry_after("Wed, 01 May 2024 11:00:00 GMT", now=now) == 0.0, "past: no wait"
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


async def test_retry_after_beyond_the_budget_gives_up_at_once(
    client: SendcloudClient, sim: Simulator
) -> None:
    sim.inject(Fault(STATUSES, status=429, retry_after="3600"))
    started = time.monotonic()
    with pytest.raises(ApiError) as caught:
        await client.get_statuses(IID)
    assert time.monotonic() - started < 1.0
    assert "asked to wait 3600 s" in str(caught.value)
    assert len(sim.log.entries()) == 1


async def test_exhausted_budget_names_request_attempts_and_last_failure(
    make_client: ClientFactory, sim: Simulator
) -> None:
    client = make_client(retry=SHORT_RETRY)
    sim.inject(Fault(STATUSES, status=503, times=1000))
    started = time.monotonic()
    with pytest.raises(ApiError) as caught:
        await client.get_statuses(IID)
    elapsed = time.monotonic() - started
    attempts = len(sim.log.entries())
    message = str(caught.value)
    assert attempts >= 3
    assert elapsed < SHORT_RETRY.budget + 0.5
    assert LINE in message
    assert f"after {attempts} attempt(s)" in message
    assert "HTTP 503" in message
    assert caught.value.http_status == 503


async def test_timeout_is_retried(make_client: ClientFactory, sim: Simulator) -> None:
    client = make_client(timeout=0.2)
    sim.inject(Fault(STATUSES, action="delay", delay=0.5))
    assert await client.get_statuses(IID) == []
    assert client.stats.retries == 1
    assert client.stats.transport_failures == 1
    await _until_all_answered(client, sim)


async def test_timeouts_until_the_budget_is_spent_are_a_transport_error(
    make_client: ClientFactory, sim: Simulator
) -> None:
    client = make_client(timeout=0.1, retry=SHORT_RETRY)
    sim.inject(Fault(STATUSES, action="delay", delay=0.5, times=100))
    with pytest.raises(TransportError, match=r"no (complete )?answer within") as caught:
        await client.get_statuses(IID)
    assert LINE in str(caught.value)
    await _until_all_answered(client, sim)


async def _until_all_answered(client: SendcloudClient, sim: Simulator) -> None:
    """Wait for the abandoned slow requests, so they do not land in the next test's log."""
    for _ in range(100):
        if len(sim.log.entries()) >= client.stats.reads:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the simulator never finished the delayed requests")


async def test_dropped_connection_is_retried(client: SendcloudClient, sim: Simulator) -> None:
    sim.inject(Fault(STATUSES, action="drop", times=2))
    assert await client.get_statuses(IID) == []
    assert client.stats.retries == 2


async def test_unreachable_server_is_a_transport_error(make_client: ClientFactory) -> None:
    client = make_client(base_url="http://127.0.0.1:9/api/v3", retry=SHORT_RETRY)
    with pytest.raises(TransportError, match="could not connect") as caught:
        await client.get_statuses(IID)
    assert LINE in str(caught.value)
    assert client.stats.retries >= 1


async def test_retries_go_through_the_pacer(make_client: ClientFactory, sim: Simulator) -> None:
    client = make_client(
        reads_per_minute=300.0,  # one read per 0.2 s
        retry=RetryPolicy(budget=3.0, initial=0.001, maximum=0.001, jitter=0.0),
    )
    await client.get_mapping(IID)  # opens the connection, so set-up does not skew arrivals
    sim.log.clear()
    sim.inject(Fault(STATUSES, status=503, times=2))
    await client.get_statuses(IID)
    stamps = [entry.timestamp for entry in sim.log.entries()]
    assert len(stamps) == 3
    assert all(later - earlier >= 0.18 for earlier, later in itertools.pairwise(stamps))
