"""No partial reads, end to end: an integration whose answer announces a further page or names
an unknown category gets no write at all; absent mapping categories are shown as a note.

The client-level cases are in tests/sendcloud/test_tolerant_reads.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reconciler.model import CATEGORIES, Category
from reconciler.simulator.faults import Fault
from reconciler.simulator.simulator import Simulator
from tests.reliability.conftest import VALID, Run

pytestmark = pytest.mark.usefixtures("isolated", "fast_client")

STATUSES = "GET /shop-order-statuses"
MAPPING = "GET /shop-order-statuses/mapping"
NEXT_LINK = '</api/v3/shop-order-statuses?cursor=abc>; rel="next"'
PAID = {"external_id": "2", "translations": [{"status": "Paid", "language": "en-gb"}]}


def _mapping(*categories: str) -> dict[str, Any]:
    items = [{"status_category": c, "external_id": None, "is_valid": True} for c in categories]
    return {"data": {"integration_id": 7, "mapping": items}}


@pytest.fixture
def desired(tmp_path: Path) -> Path:
    path = tmp_path / "integrations" / "7.yaml"
    path.parent.mkdir()
    path.write_text(VALID, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "fault",
    [
        Fault(
            STATUSES, status=200, json_body={"data": [PAID]}, headers={"Link": '</p2>; rel="next"'}
        ),
        Fault(STATUSES, status=200, json_body={"data": [PAID], "cursor": "abc"}),
        Fault(MAPPING, status=200, json_body=_mapping(*CATEGORIES, "RETURNED")),
    ],
    ids=["link-next", "cursor", "unknown-category"],
)
def test_apply_writes_nothing_for_an_integration_read_partially_or_unknown(
    desired: Path, cli: Run, sim: Simulator, api_url: str, fault: Fault
) -> None:
    sim.inject(fault)

    outcome = cli("apply", "--api-url", api_url, "--auto-approve", "integrations")

    assert outcome.code == 1, outcome.text
    assert "integration 7" in outcome.text
    assert "does not follow the API contract" in outcome.text
    assert sim.log.writes() == []


def test_plan_shows_the_note_for_absent_categories(
    desired: Path, cli: Run, sim: Simulator, api_url: str
) -> None:
    sim.inject(Fault(MAPPING, status=200, json_body=_mapping("READY_TO_SEND")))

    outcome = cli("plan", "--api-url", api_url, "integrations")

    assert outcome.code == 0, outcome.text
    note = "mapping answer leaves out IN_TRANSIT, DELIVERED, CANCEL; read as unmapped"
    assert note in outcome.out
    assert Category.IN_TRANSIT.value in outcome.out
