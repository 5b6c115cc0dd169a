"""Reading what Sendcloud does not promise, and refusing what would be unsafe.

Against the loopback simulator, whose answers are replaced by injected faults: a status without
``deleted_at`` is live, unknown fields are ignored, a mapping answer with fewer than four
categories reads the absent ones as unmapped (with a note), an unknown category stops that
integration, and any sign of a further page (a ``Link: rel="next"`` header, a ``next`` or
``cursor`` in the body) is a contract violation that lets nothing be written.
"""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.errors import ApiError
from reconciler.model import CATEGORIES
from reconciler.sendcloud.client import SendcloudClient
from reconciler.sendcloud.live import read_live
from reconciler.simulator.faults import Fault
from reconciler.simulator.simulator import Simulator
from tests.sendcloud.support import IID

STATUSES = "GET /shop-order-statuses"
MAPPING = "GET /shop-order-statuses/mapping"
PAID = {"external_id": "2", "translations": [{"status": "Paid", "language": "en-gb"}]}


def _mapping(*categories: str, integration_id: int = IID) -> dict[str, Any]:
    items = [{"status_category": c, "external_id": None, "is_valid": True} for c in categories]
    return {"data": {"integration_id": integration_id, "mapping": items}}


async def test_status_without_deleted_at_is_live(client: SendcloudClient, sim: Simulator) -> None:
    sim.inject(Fault(STATUSES, status=200, json_body={"data": [PAID]}))

    live = await read_live(client, IID)

    assert live.statuses == {"2": {"en-gb": "Paid"}}


async def test_unknown_fields_of_a_status_are_ignored(
    client: SendcloudClient, sim: Simulator
) -> None:
    status = {**PAID, "deleted_at": None, "color": "#00ff00", "position": 3}
    sim.inject(Fault(STATUSES, status=200, json_body={"data": [status], "total": 1}))

    assert [s.external_id for s in await client.get_statuses(IID)] == ["2"]


@pytest.mark.parametrize("listed", [(), ("READY_TO_SEND", "CANCEL")], ids=["none", "two"])
async def test_absent_mapping_categories_read_as_unmapped_with_a_note(
    client: SendcloudClient, sim: Simulator, listed: tuple[str, ...]
) -> None:
    sim.inject(Fault(MAPPING, status=200, json_body=_mapping(*listed)))

    live = await read_live(client, IID)

    assert list(live.mapping) == list(CATEGORIES)
    assert all(entry.external_id is None for entry in live.mapping.values())
    absent = [c.value for c in CATEGORIES if c.value not in listed]
    [note] = live.notes
    assert note == f"Sendcloud's mapping answer leaves out {', '.join(absent)}; read as unmapped"


async def test_unknown_category_stops_the_integration(
    client: SendcloudClient, sim: Simulator
) -> None:
    sim.inject(Fault(MAPPING, status=200, json_body=_mapping(*CATEGORIES, "RETURNED")))

    with pytest.raises(ApiError) as caught:
        await read_live(client, IID)

    message = str(caught.value)
    assert "status category 'RETURNED', which this reconciler does not know" in message
    assert "the next mapping write would delete it" in message


@pytest.mark.parametrize("endpoint", [STATUSES, MAPPING])
async def test_a_link_to_a_next_page_is_a_contract_violation(
    client: SendcloudClient, sim: Simulator, endpoint: str
) -> None:
    link = '<https://panel.sendcloud.sc/api/v3/shop-order-statuses?cursor=abc>; rel="next"'
    body = {"data": [PAID]} if endpoint == STATUSES else _mapping(*CATEGORIES)
    sim.inject(Fault(endpoint, status=200, json_body=body, headers={"Link": link}))

    with pytest.raises(ApiError, match='Link header with rel="next"') as caught:
        await read_live(client, IID)

    assert "nothing is written" in str(caught.value)
    assert endpoint.split()[1] in str(caught.value)


@pytest.mark.parametrize(
    "extra",
    [
        {"next": "https://panel.sendcloud.sc/api/v3/shop-order-statuses?cursor=abc"},
        {"cursor": "abc"},
        {"links": {"next": "/shop-order-statuses?cursor=abc"}},
        {"meta": {"next_cursor": "abc"}},
        {"pagination": {"next_page": 2}},
    ],
    ids=["next", "cursor", "links.next", "meta.next_cursor", "pagination.next_page"],
)
async def test_a_body_announcing_a_further_page_is_a_contract_violation(
    client: SendcloudClient, sim: Simulator, extra: dict[str, Any]
) -> None:
    sim.inject(Fault(STATUSES, status=200, json_body={"data": [PAID], **extra}))

    with pytest.raises(ApiError, match="says there is a further page"):
        await client.get_statuses(IID)


async def test_empty_page_markers_are_no_further_page(
    client: SendcloudClient, sim: Simulator
) -> None:
    body = {"data": [PAID], "next": None, "links": {"self": "/x", "next": None}, "cursor": ""}
    sim.inject(Fault(STATUSES, status=200, json_body=body))

    assert len(await client.get_statuses(IID)) == 1
