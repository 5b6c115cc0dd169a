"""What the client sends: schema-valid, reproducible bodies, and a debug log without secrets."""

from __future__ import annotations

import base64
import logging

import pytest

from reconciler.model import CATEGORIES, Category
from reconciler.sendcloud.client import SendcloudClient
from reconciler.simulator.simulator import Simulator
from tests.openapi_check import check_request_body
from tests.sendcloud.support import IID, ClientFactory

STATUSES = {
    "10": {"nl-nl": "Betaald", "en-gb": "Paid"},
    "2": {"en-gb": "Shipped"},
    "Send-4": {"it-it": "Spedito", "de-de": "Versendet", "en-us": "Sent", "fr-fr": "Expédié"},
}
MAPPING: dict[Category, str | None] = {
    Category.CANCEL: None,
    Category.DELIVERED: "2",
    Category.READY_TO_SEND: "10",
    Category.IN_TRANSIT: "10",
}


async def test_bodies_validate_against_the_openapi_request_schemas(
    client: SendcloudClient, sim: Simulator
) -> None:
    await client.post_statuses(IID, STATUSES)
    await client.post_statuses(IID, {})
    await client.post_mapping(IID, MAPPING)
    for entry in sim.log.writes():
        assert entry.status == 200
        check_request_body("POST", entry.path, entry.body)


async def test_bodies_are_sorted_so_they_are_reproducible(
    client: SendcloudClient, sim: Simulator
) -> None:
    await client.post_statuses(IID, STATUSES)
    await client.post_statuses(IID, dict(reversed(STATUSES.items())))
    await client.post_mapping(IID, MAPPING)
    first, second, mapping = (entry.body for entry in sim.log.writes())
    assert first == second
    assert [s["external_id"] for s in first["statuses"]] == ["10", "2", "Send-4"]
    languages = [t["language"] for t in first["statuses"][2]["translations"]]
    assert languages == ["de-de", "en-us", "fr-fr", "it-it"]
    assert mapping == {
        "integration_id": IID,
        "mapping": [
            {"status_category": "READY_TO_SEND", "external_id": "10"},
            {"status_category": "IN_TRANSIT", "external_id": "10"},
            {"status_category": "DELIVERED", "external_id": "2"},
            {"status_category": "CANCEL", "external_id": None},
        ],
    }


async def test_incomplete_mapping_is_refused_before_sending(
    client: SendcloudClient, sim: Simulator
) -> None:
    with pytest.raises(ValueError, match="all four"):
        await client.post_mapping(IID, {Category.CANCEL: None})
    assert sim.log.entries() == []


async def test_debug_log_shows_the_exchange_but_never_the_secret(
    make_client: ClientFactory, credentials: tuple[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    public_key, secret_key = credentials
    token = base64.b64encode(f"{public_key}:{secret_key}".encode()).decode()
    client = make_client(debug=True)
    caplog.set_level(logging.DEBUG)
    await client.get_statuses(IID)
    await client.post_mapping(IID, dict.fromkeys(CATEGORIES))
    http_lines = [r.getMessage() for r in caplog.records if r.name == "reconciler.http"]
    assert any(
        line.startswith("-> GET ") and f"/shop-order-statuses?integration_id={IID}" in line
        for line in http_lines
    )
    assert any("-> POST " in line for line in http_lines)
    assert any(
        line.startswith("<- GET ") and "200 OK" in line and " ms)" in line for line in http_lines
    )
    assert any("authorization: [redacted]" in line for line in http_lines)
    assert secret_key not in caplog.text
    assert token not in caplog.text


async def test_without_debug_nothing_is_logged(
    client: SendcloudClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="reconciler.http")
    await client.get_statuses(IID)
    assert [r for r in caplog.records if r.name == "reconciler.http"] == []


async def test_stats_count_reads_writes_retries_and_statuses(
    client: SendcloudClient,
) -> None:
    await client.get_statuses(IID)
    await client.get_mapping(IID)
    await client.post_mapping(IID, dict.fromkeys(CATEGORIES))
    assert client.stats.to_json() == {
        "reads": 2,
        "writes": 1,
        "token_requests": 0,
        "retries": 0,
        "transport_failures": 0,
        "responses": {"200": 3},
    }
