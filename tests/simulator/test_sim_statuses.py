"""GET/POST /shop-order-statuses: overwrite, soft delete, revive, languages."""

from __future__ import annotations

import re
from typing import Any

import httpx

from reconciler.simulator.simulator import Simulator

IID = 23452345
DOC_EXAMPLE = {
    "integration_id": IID,
    "statuses": [
        {
            "external_id": "Send-4",
            "translations": [
                {"status": "Sent", "language": "en-gb"},
                {"status": "Verzonden", "language": "nl-nl"},
            ],
        },
        {
            "external_id": "15",
            "translations": [
                {"status": "Delivered", "language": "en-gb"},
                {"status": "Bezorgt", "language": "nl-nl"},
            ],
        },
    ],
}


def _status(external_id: str, *translations: tuple[str, str]) -> dict[str, Any]:
    return {
        "external_id": external_id,
        "translations": [{"status": name, "language": lang} for lang, name in translations],
    }


def _list(client: httpx.Client, **params: Any) -> list[dict[str, Any]]:
    response = client.get("/shop-order-statuses", params={"integration_id": IID, **params})
    assert response.status_code == 200
    data: list[dict[str, Any]] = response.json()["data"]
    return data


def test_post_documented_example_answers_null_and_reads_back(client: httpx.Client) -> None:
    response = client.post("/shop-order-statuses", json=DOC_EXAMPLE)

    assert response.status_code == 200
    assert response.content == b"null"
    assert response.headers["content-type"] == "application/json"
    assert _list(client) == [
        {
            "external_id": "Send-4",
            "status": "Sent",
            "deleted_at": None,
            "translations": [
                {"status": "Sent", "language": "en-gb"},
                {"status": "Verzonden", "language": "nl-nl"},
            ],
        },
        {
            "external_id": "15",
            "status": "Delivered",
            "deleted_at": None,
            "translations": [
                {"status": "Delivered", "language": "en-gb"},
                {"status": "Bezorgt", "language": "nl-nl"},
            ],
        },
    ]


def test_unknown_integration_is_registered_empty(client: httpx.Client) -> None:
    assert _list(client) == []


def test_overwrite_soft_deletes_absent_statuses(client: httpx.Client) -> None:
    client.post("/shop-order-statuses", json=DOC_EXAMPLE)

    only_15 = {"integration_id": IID, "statuses": [DOC_EXAMPLE["statuses"][1]]}  # type: ignore[index]
    assert client.post("/shop-order-statuses", json=only_15).status_code == 200

    assert [s["external_id"] for s in _list(client)] == ["15"]
    everything = _list(client, show_deleted="true")
    assert [s["external_id"] for s in everything] == ["15", "Send-4"]
    deleted = everything[1]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", deleted["deleted_at"])
    assert deleted["translations"][0] == {"status": "Sent", "language": "en-gb"}
    assert _list(client, show_deleted="false") == _list(client)


def test_empty_overwrite_deletes_everything(client: httpx.Client) -> None:
    client.post("/shop-order-statuses", json=DOC_EXAMPLE)
    client.post("/shop-order-statuses", json={"integration_id": IID, "statuses": []})

    assert _list(client) == []
    assert all(s["deleted_at"] for s in _list(client, show_deleted="true"))


def test_reposting_a_deleted_status_revives_it_with_new_translations(
    client: httpx.Client,
) -> None:
    client.post("/shop-order-statuses", json=DOC_EXAMPLE)
    client.post("/shop-order-statuses", json={"integration_id": IID, "statuses": []})

    revived = _status("Send-4", ("de-de", "Versendet"))
    client.post("/shop-order-statuses", json={"integration_id": IID, "statuses": [revived]})

    live = _list(client)
    assert live == [
        {
            "external_id": "Send-4",
            "status": "Versendet",
            "deleted_at": None,
            "translations": [{"status": "Versendet", "language": "de-de"}],
        }
    ]
    assert [s["external_id"] for s in _list(client, show_deleted="true")] == ["Send-4", "15"]


def test_deleted_at_is_kept_by_later_overwrites(client: httpx.Client, sim: Simulator) -> None:
    client.post("/shop-order-statuses", json=DOC_EXAMPLE)
    client.post("/shop-order-statuses", json={"integration_id": IID, "statuses": []})
    state = sim.get_state()
    state["integrations"][str(IID)]["statuses"][0]["deleted_at"] = "2023-11-04T14:15:22Z"
    sim.replace_state(state)

    client.post("/shop-order-statuses", json={"integration_id": IID, "statuses": []})

    assert _list(client, show_deleted="true")[0]["deleted_at"] == "2023-11-04T14:15:22Z"


def test_language_selects_top_level_status_with_fallbacks(client: httpx.Client) -> None:
    statuses = [
        _status("both", ("en-gb", "Sent"), ("nl-nl", "Verzonden")),
        _status("no-en-gb", ("it-it", "Spedito"), ("de-de", "Versendet")),
    ]
    client.post("/shop-order-statuses", json={"integration_id": IID, "statuses": statuses})

    def names(**params: Any) -> list[str]:
        return [s["status"] for s in _list(client, **params)]

    # Default en-gb; without en-gb the alphabetically first language (de-de < it-it).
    assert names() == ["Sent", "Versendet"]
    assert names(language="nl-nl") == ["Verzonden", "Versendet"]
    assert names(language="it-it") == ["Sent", "Spedito"]
    assert names(language="en-gb") == ["Sent", "Versendet"]


def test_statuses_are_per_integration(client: httpx.Client) -> None:
    client.post("/shop-order-statuses", json=DOC_EXAMPLE)

    other = client.get("/shop-order-statuses", params={"integration_id": IID + 1})

    assert other.json() == {"data": []}
