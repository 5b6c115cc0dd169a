"""Error answers and answers that break the contract: always a clear ApiError, never a crash."""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.errors import ApiError, IntegrationNotFound
from reconciler.model import CATEGORIES, Category
from reconciler.sendcloud.client import SendcloudClient
from reconciler.simulator.faults import Fault
from reconciler.simulator.simulator import Simulator
from tests.sendcloud.support import IID

STATUSES = "GET /shop-order-statuses"
POST_MAPPING = "POST /shop-order-statuses/mapping"
MAPPING = "GET /shop-order-statuses/mapping"
MAPPING_LINE = f"GET /shop-order-statuses/mapping?integration_id={IID}"


def _mapping_body(*items: dict[str, Any], integration_id: int = IID) -> dict[str, Any]:
    return {"data": {"integration_id": integration_id, "mapping": list(items)}}


def _item(category: str, external_id: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"status_category": category, "external_id": external_id, "is_valid": True, **extra}


FOUR = [_item(c) for c in ("READY_TO_SEND", "IN_TRANSIT", "DELIVERED", "CANCEL")]


async def test_unknown_integration_is_integration_not_found(
    client: SendcloudClient, sim: Simulator
) -> None:
    sim.configure(strict=True)
    with pytest.raises(IntegrationNotFound) as caught:
        await client.get_statuses(IID)
    error = caught.value
    assert error.http_status == 404
    assert error.code == "not_found"
    assert error.integration_id == IID
    assert error.request == f"GET /shop-order-statuses?integration_id={IID}"
    assert f"Integration {IID} does not exist or is not a PrestaShop V2 integration" in str(error)
    assert len(sim.log.entries()) == 1


async def test_bad_request_carries_code_detail_and_pointer(
    client: SendcloudClient, sim: Simulator
) -> None:
    body = {
        "errors": [
            {
                "status": "400",
                "code": "invalid",
                "title": "Invalid",
                "detail": "Not a valid string.",
                "source": {"pointer": "/statuses/0/external_id"},
            }
        ]
    }
    sim.inject(Fault("POST /shop-order-statuses", status=400, json_body=body))
    with pytest.raises(ApiError) as caught:
        await client.post_statuses(IID, {"1": {"en-gb": "Paid"}})
    error = caught.value
    assert (error.http_status, error.code, error.pointer) == (
        400,
        "invalid",
        "/statuses/0/external_id",
    )
    assert error.detail == "Not a valid string."
    assert error.request == "POST /shop-order-statuses"
    assert error.integration_id == IID
    assert "Not a valid string. (at /statuses/0/external_id)" in str(error)
    assert f"integration {IID}" in str(error)


async def test_error_with_integer_status_and_a_single_error_object(
    client: SendcloudClient, sim: Simulator
) -> None:
    body = {"errors": {"status": 403, "code": "forbidden", "detail": "Not allowed."}}
    sim.inject(Fault(MAPPING, status=403, json_body=body))
    with pytest.raises(ApiError) as caught:
        await client.get_mapping(IID)
    assert (caught.value.http_status, caught.value.code) == (403, "forbidden")
    assert "Not allowed." in str(caught.value)


async def test_html_error_page_is_an_api_error_with_an_excerpt(
    client: SendcloudClient, sim: Simulator
) -> None:
    page = "<html><head><title>Bad gateway</title></head><body>" + "x" * 5000 + "</body></html>"
    sim.inject(Fault(STATUSES, status=500, body=page))
    with pytest.raises(ApiError) as caught:
        await client.get_statuses(IID)
    message = str(caught.value)
    assert caught.value.http_status == 500
    assert "<title>Bad gateway</title>" in message
    assert len(message) < 600, "an excerpt, not the whole page"
    assert len(sim.log.entries()) == 1, "500 is not retried"


async def test_truncated_json_is_an_api_error(client: SendcloudClient, sim: Simulator) -> None:
    sim.inject(
        Fault(
            STATUSES,
            status=200,
            body='{"data": [{"external_id": "1", "tra',
            content_type="application/json",
        )
    )
    with pytest.raises(ApiError, match="not JSON") as caught:
        await client.get_statuses(IID)
    assert caught.value.request == f"GET /shop-order-statuses?integration_id={IID}"


async def test_ok_answer_with_an_errors_body_is_an_api_error(
    client: SendcloudClient, sim: Simulator
) -> None:
    body = {"errors": [{"status": "400", "code": "invalid", "detail": "Something is off."}]}
    sim.inject(Fault(MAPPING, status=200, json_body=body))
    with pytest.raises(ApiError, match="Something is off") as caught:
        await client.get_mapping(IID)
    assert MAPPING_LINE in str(caught.value)


@pytest.mark.parametrize(
    ("items", "complaint"),
    [
        ([*FOUR[:3], _item("RETURNED")], "category 'RETURNED', which this reconciler does not"),
        ([*FOUR, _item("CANCEL")], "lists a category twice"),
        ([*FOUR[:3], {**FOUR[3], "is_valid": "true"}], "is_valid"),
        ([*FOUR[:3], {**FOUR[3], "external_id": 7}], "external_id"),
    ],
    ids=["unknown-category", "repeated-category", "wrong-type", "int-id"],
)
async def test_mapping_that_breaks_the_contract_is_an_api_error(
    client: SendcloudClient, sim: Simulator, items: list[dict[str, Any]], complaint: str
) -> None:
    sim.inject(Fault(MAPPING, status=200, json_body=_mapping_body(*items)))
    with pytest.raises(ApiError, match="does not follow the API contract") as caught:
        await client.get_mapping(IID)
    assert complaint in str(caught.value)
    assert MAPPING_LINE in str(caught.value)


async def test_unknown_fields_are_ignored(client: SendcloudClient, sim: Simulator) -> None:
    items = [_item(c["status_category"], None, note="new field") for c in FOUR]
    sim.inject(Fault(MAPPING, status=200, json_body={**_mapping_body(*items), "meta": {}}))
    mapping = await client.get_mapping(IID)
    assert len(mapping.mapping) == 4


async def test_mapping_of_another_integration_is_an_api_error(
    client: SendcloudClient, sim: Simulator
) -> None:
    sim.inject(Fault(MAPPING, status=200, json_body=_mapping_body(*FOUR, integration_id=1)))
    with pytest.raises(ApiError, match="integration 1 instead"):
        await client.get_mapping(IID)


@pytest.mark.parametrize(
    "status",
    [
        {"external_id": "1", "status": "Paid", "deleted_at": None, "translations": []},
        {
            "external_id": "1",
            "status": "Paid",
            "deleted_at": None,
            "translations": [{"status": "x", "language": "xx-yy"}],
        },
        {
            "external_id": 1,
            "status": "Paid",
            "deleted_at": None,
            "translations": [{"status": "x", "language": "en-gb"}],
        },
    ],
    ids=["no-translations", "unknown-language", "int-id"],
)
async def test_statuses_that_break_the_contract_are_an_api_error(
    client: SendcloudClient, sim: Simulator, status: dict[str, Any]
) -> None:
    sim.inject(Fault(STATUSES, status=200, json_body={"data": [status]}))
    with pytest.raises(ApiError, match="does not follow the API contract"):
        await client.get_statuses(IID)


async def test_live_statuses_listed_twice_are_an_api_error(
    client: SendcloudClient, sim: Simulator
) -> None:
    status = {
        "external_id": "1",
        "deleted_at": None,
        "translations": [{"status": "x", "language": "en-gb"}],
    }
    sim.inject(Fault(STATUSES, status=200, json_body={"data": [status, status]}))
    with pytest.raises(ApiError, match="listed twice"):
        await client.get_statuses(IID)


UNMAPPED: dict[Category, str | None] = dict.fromkeys(CATEGORIES)


async def test_write_answered_with_an_empty_body_is_accepted(
    client: SendcloudClient, sim: Simulator
) -> None:
    sim.inject(Fault(POST_MAPPING, status=200, body="", content_type="application/json"))
    await client.post_mapping(IID, UNMAPPED)


@pytest.mark.parametrize(
    "fault",
    [
        Fault(
            POST_MAPPING, status=200, json_body={"errors": [{"code": "invalid", "detail": "No."}]}
        ),
        Fault(POST_MAPPING, status=200, body="<html>Login to the proxy</html>"),
    ],
    ids=["errors-document", "html"],
)
async def test_write_answered_200_with_an_error_or_html_is_an_api_error(
    client: SendcloudClient, sim: Simulator, fault: Fault
) -> None:
    sim.inject(fault)
    with pytest.raises(ApiError, match="POST /shop-order-statuses/mapping"):
        await client.post_mapping(IID, UNMAPPED)
