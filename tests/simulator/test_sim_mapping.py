"""GET/POST /shop-order-statuses/mapping, is_valid and the trailing-slash path."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

IID = 23452345
CATEGORIES = ["READY_TO_SEND", "IN_TRANSIT", "DELIVERED", "CANCEL"]
DOC_EXAMPLE = {
    "integration_id": IID,
    "mapping": [
        {"status_category": "READY_TO_SEND", "external_id": "11"},
        {"status_category": "IN_TRANSIT", "external_id": "11"},
        {"status_category": "DELIVERED", "external_id": "12"},
        {"status_category": "CANCEL", "external_id": None},
    ],
}


def _statuses(*external_ids: str) -> dict[str, Any]:
    return {
        "integration_id": IID,
        "statuses": [
            {"external_id": eid, "translations": [{"status": eid, "language": "en-gb"}]}
            for eid in external_ids
        ],
    }


def _mapping(client: httpx.Client, path: str = "/shop-order-statuses/mapping") -> Any:
    response = client.get(path, params={"integration_id": IID})
    assert response.status_code == 200
    return response.json()


def _valid(client: httpx.Client) -> dict[str, bool]:
    return {m["status_category"]: m["is_valid"] for m in _mapping(client)["data"]["mapping"]}


def test_fresh_integration_has_four_unmapped_categories(client: httpx.Client) -> None:
    assert _mapping(client) == {
        "data": {
            "integration_id": IID,
            "mapping": [
                {"status_category": c, "external_id": None, "is_valid": True} for c in CATEGORIES
            ],
        }
    }


def test_post_documented_example_and_read_it_back(client: httpx.Client) -> None:
    client.post("/shop-order-statuses", json=_statuses("11", "12"))

    response = client.post("/shop-order-statuses/mapping", json=DOC_EXAMPLE)

    assert response.status_code == 200
    assert response.content == b"null"
    assert _mapping(client)["data"]["mapping"] == [
        {"status_category": "READY_TO_SEND", "external_id": "11", "is_valid": True},
        {"status_category": "IN_TRANSIT", "external_id": "11", "is_valid": True},
        {"status_category": "DELIVERED", "external_id": "12", "is_valid": True},
        {"status_category": "CANCEL", "external_id": None, "is_valid": True},
    ]


def test_order_of_posted_items_does_not_matter(client: httpx.Client) -> None:
    body = {"integration_id": IID, "mapping": list(reversed(DOC_EXAMPLE["mapping"]))}  # type: ignore[call-overload]

    client.post("/shop-order-statuses/mapping", json=body)

    assert [m["status_category"] for m in _mapping(client)["data"]["mapping"]] == CATEGORIES


def test_mapping_to_unknown_status_is_accepted_but_invalid(client: httpx.Client) -> None:
    client.post("/shop-order-statuses", json=_statuses("11"))

    assert client.post("/shop-order-statuses/mapping", json=DOC_EXAMPLE).status_code == 200

    assert _valid(client) == {
        "READY_TO_SEND": True,
        "IN_TRANSIT": True,
        "DELIVERED": False,
        "CANCEL": True,
    }


def test_deleting_a_mapped_status_makes_the_mapping_invalid_until_revived(
    client: httpx.Client,
) -> None:
    client.post("/shop-order-statuses", json=_statuses("11", "12"))
    client.post("/shop-order-statuses/mapping", json=DOC_EXAMPLE)

    client.post("/shop-order-statuses", json=_statuses("12"))
    assert _valid(client)["READY_TO_SEND"] is False
    assert _valid(client)["IN_TRANSIT"] is False
    assert _mapping(client)["data"]["mapping"][0]["external_id"] == "11"

    client.post("/shop-order-statuses", json=_statuses("11", "12"))
    assert all(_valid(client).values())


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_trailing_slash_path_is_served(client: httpx.Client, method: str) -> None:
    if method == "POST":
        response = client.post("/shop-order-statuses/mapping/", json=DOC_EXAMPLE)
        assert response.status_code == 200
    mapping = _mapping(client, "/shop-order-statuses/mapping/")
    assert mapping["data"]["integration_id"] == IID
    assert len(mapping["data"]["mapping"]) == 4
