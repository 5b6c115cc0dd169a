"""The in-process transport behaves like the wire for a client's retry logic."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from reconciler.simulator.credentials import (
    SANDBOX_PUBLIC_KEY,
    SANDBOX_SECRET_KEY,
    default_credentials,
)
from reconciler.simulator.faults import Fault
from reconciler.simulator.simulator import Simulator
from reconciler.simulator.transport import in_process_transport
from tests.openapi_check import check_response

BODY = {
    "integration_id": 8,
    "statuses": [{"external_id": "a", "translations": [{"status": "A", "language": "en-gb"}]}],
}


@pytest.fixture
def sim(credentials: tuple[str, str]) -> Simulator:
    return Simulator(credentials=credentials)


@pytest.fixture
async def http(sim: Simulator, credentials: tuple[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=in_process_transport(sim),
        base_url="https://panel.sendcloud.sc/api/v3",
        auth=credentials,
        timeout=2.0,
    ) as client:
        yield client


async def test_round_trip_without_a_server(http: httpx.AsyncClient) -> None:
    assert (await http.post("/shop-order-statuses", json=BODY)).status_code == 200

    response = await http.get("/shop-order-statuses", params={"integration_id": 8})

    check_response(response)
    assert response.json()["data"][0]["external_id"] == "a"


async def test_drop_raises_remote_protocol_error(http: httpx.AsyncClient, sim: Simulator) -> None:
    sim.inject(Fault("POST /shop-order-statuses", action="drop", after_commit=True))

    with pytest.raises(httpx.RemoteProtocolError):
        await http.post("/shop-order-statuses", json=BODY)
    assert sim.get_state()["integrations"]["8"]["statuses"][0]["external_id"] == "a"


async def test_delay_raises_read_timeout_and_the_server_carries_on(
    http: httpx.AsyncClient, sim: Simulator
) -> None:
    sim.inject(Fault("POST /shop-order-statuses", action="delay", delay=0.3))

    with pytest.raises(httpx.ReadTimeout):
        await http.post("/shop-order-statuses", json=BODY, timeout=0.05)

    assert "8" not in sim.get_state()["integrations"]
    for _ in range(100):  # like a real server, the abandoned request still completes
        if "8" in sim.get_state()["integrations"]:
            break
        await asyncio.sleep(0.01)
    assert sim.get_state()["integrations"]["8"]["statuses"][0]["external_id"] == "a"


async def test_status_fault_and_auth_work_in_process(
    http: httpx.AsyncClient, sim: Simulator
) -> None:
    sim.inject(Fault("GET /shop-order-statuses/mapping", status=503, retry_after="1"))

    response = await http.get("/shop-order-statuses/mapping", params={"integration_id": 8})
    assert (response.status_code, response.headers["retry-after"]) == (503, "1")
    anonymous = await http.get("/shop-order-statuses", params={"integration_id": 8}, auth=None)
    assert anonymous.status_code == 401


def test_default_credentials_come_from_the_environment_when_both_are_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SENDCLOUD_PUBLIC_KEY", raising=False)
    monkeypatch.setenv("SENDCLOUD_SECRET_KEY", "only-secret")
    assert default_credentials() == (SANDBOX_PUBLIC_KEY, SANDBOX_SECRET_KEY)

    monkeypatch.setenv("SENDCLOUD_PUBLIC_KEY", "env-public")
    assert default_credentials() == ("env-public", "only-secret")
    assert "only-secret" not in repr(default_credentials())


def test_package_import_is_light() -> None:
    import subprocess
    import sys

    code = (
        "import sys, reconciler.simulator, reconciler.simulator.credentials;"
        "heavy = [m for m in ('starlette', 'uvicorn', 'httpx') if m in sys.modules];"
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
