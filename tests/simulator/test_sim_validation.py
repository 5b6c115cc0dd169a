"""400 answers: JSON:API errors with the exact `source.pointer` / `source.parameter`."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from reconciler.simulator.simulator import Simulator

IID = 7
JSON = {"content-type": "application/json"}
GOOD_STATUS = {"external_id": "1", "translations": [{"status": "Sent", "language": "en-gb"}]}
GOOD_MAPPING = [
    {"status_category": c, "external_id": None}
    for c in ("READY_TO_SEND", "IN_TRANSIT", "DELIVERED", "CANCEL")
]


def _errors(response: httpx.Response) -> list[tuple[str, str | None]]:
    assert response.status_code == 400
    return [
        (
            e["code"],
            (e.get("source") or {}).get("pointer") or (e.get("source") or {}).get("parameter"),
        )
        for e in response.json()["errors"]
    ]


@pytest.mark.parametrize("body", [[], [GOOD_STATUS], "text", 3, None, True])
@pytest.mark.parametrize("path", ["/shop-order-statuses", "/shop-order-statuses/mapping"])
def test_non_object_body_is_wrong_format(client: httpx.Client, path: str, body: Any) -> None:
    # json.dumps, not json=: httpx sends no body at all for json=None.
    response = client.post(path, content=json.dumps(body), headers=JSON)

    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {
                "status": "400",
                "code": "non_field_errors",
                "title": "Wrong format",
                "detail": "Wrong request format, expected object",
            }
        ]
    }


def test_empty_body_reports_missing_fields(client: httpx.Client) -> None:
    response = client.post("/shop-order-statuses", content=b"", headers=JSON)

    assert _errors(response) == [("required", "/integration_id"), ("required", "/statuses")]


def test_malformed_json_is_rejected(client: httpx.Client) -> None:
    response = client.post("/shop-order-statuses", content=b"{not json", headers=JSON)

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "invalid"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"statuses": []}, [("required", "/integration_id")]),
        ({"integration_id": None, "statuses": []}, [("null", "/integration_id")]),
        ({"integration_id": "7", "statuses": []}, [("invalid", "/integration_id")]),
        ({"integration_id": True, "statuses": []}, [("invalid", "/integration_id")]),
        ({"integration_id": 7.5, "statuses": []}, [("invalid", "/integration_id")]),
        ({"integration_id": 0, "statuses": []}, [("min_value", "/integration_id")]),
        ({"integration_id": IID}, [("required", "/statuses")]),
        ({"integration_id": IID, "statuses": {}}, [("not_a_list", "/statuses")]),
        ({}, [("required", "/integration_id"), ("required", "/statuses")]),
        ({"integration_id": IID, "statuses": ["x"]}, [("invalid", "/statuses/0")]),
        (
            {"integration_id": IID, "statuses": [GOOD_STATUS, {"translations": []}]},
            [("required", "/statuses/1/external_id"), ("invalid", "/statuses/1/translations")],
        ),
        (
            {"integration_id": IID, "statuses": [{"external_id": 5, "translations": []}]},
            [("invalid", "/statuses/0/external_id"), ("invalid", "/statuses/0/translations")],
        ),
        (
            {"integration_id": IID, "statuses": [{"external_id": "1"}]},
            [("required", "/statuses/0/translations")],
        ),
        (
            {"integration_id": IID, "statuses": [GOOD_STATUS, GOOD_STATUS]},
            [("invalid", "/statuses/1/external_id")],
        ),
        (
            {
                "integration_id": IID,
                "statuses": [
                    {
                        "external_id": "1",
                        "translations": [
                            {"status": "Sent", "language": "en-gb"},
                            {"status": "Sent", "language": "xx-xx"},
                        ],
                    }
                ],
            },
            [("invalid_choice", "/statuses/0/translations/1/language")],
        ),
        (
            {
                "integration_id": IID,
                "statuses": [
                    {
                        "external_id": "1",
                        "translations": [
                            {"status": "Sent", "language": "en-gb"},
                            {"status": "Sent again", "language": "en-gb"},
                            {"language": "nl-nl"},
                            {"status": None, "language": "de-de"},
                        ],
                    }
                ],
            },
            [
                ("invalid", "/statuses/0/translations/1/language"),
                ("required", "/statuses/0/translations/2/status"),
                ("null", "/statuses/0/translations/3/status"),
            ],
        ),
        (
            {
                "integration_id": IID,
                "statuses": [
                    {
                        "external_id": "1",
                        "translations": [{"status": str(i), "language": "en-gb"} for i in range(8)],
                    }
                ],
            },
            [("invalid", "/statuses/0/translations")],
        ),
    ],
)
def test_bad_status_bodies_name_the_field(
    client: httpx.Client, sim: Simulator, body: Any, expected: list[tuple[str, str]]
) -> None:
    response = client.post("/shop-order-statuses", json=body)

    assert _errors(response) == expected
    assert all(e["status"] == "400" and e["detail"] for e in response.json()["errors"])
    assert sim.get_state()["integrations"].get(str(IID)) is None


def _mapping_body(**changes: Any) -> dict[str, Any]:
    items = [dict(item) for item in GOOD_MAPPING]
    for index, item in changes.pop("items", {}).items():
        items[index] = item
    return {"integration_id": IID, "mapping": items, **changes}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"mapping": GOOD_MAPPING}, [("required", "/integration_id")]),
        (_mapping_body(integration_id="7"), [("invalid", "/integration_id")]),
        (_mapping_body(integration_id=False), [("invalid", "/integration_id")]),
        ({"integration_id": IID}, [("required", "/mapping")]),
        ({"integration_id": IID, "mapping": "x"}, [("not_a_list", "/mapping")]),
        ({"integration_id": IID, "mapping": GOOD_MAPPING[:3]}, [("invalid", "/mapping")]),
        (
            {"integration_id": IID, "mapping": [*GOOD_MAPPING, GOOD_MAPPING[0]]},
            [
                ("invalid", "/mapping"),
                ("invalid", "/mapping/4/status_category"),
            ],
        ),
        (
            _mapping_body(items={3: {"status_category": "READY_TO_SEND", "external_id": None}}),
            [("invalid", "/mapping/3/status_category")],
        ),
        (
            _mapping_body(items={1: {"status_category": "LOST", "external_id": None}}),
            [("invalid_choice", "/mapping/1/status_category")],
        ),
        (
            _mapping_body(items={2: {"status_category": "DELIVERED"}}),
            [("required", "/mapping/2/external_id")],
        ),
        (
            _mapping_body(items={2: {"status_category": "DELIVERED", "external_id": 12}}),
            [("invalid", "/mapping/2/external_id")],
        ),
        (
            _mapping_body(items={0: {"external_id": None}}),
            [("required", "/mapping/0/status_category")],
        ),
        (_mapping_body(items={0: 42}), [("invalid", "/mapping/0")]),
    ],
)
def test_bad_mapping_bodies_name_the_field(
    client: httpx.Client, sim: Simulator, body: Any, expected: list[tuple[str, str]]
) -> None:
    response = client.post("/shop-order-statuses/mapping", json=body)

    assert _errors(response) == expected
    assert sim.get_state()["integrations"].get(str(IID)) is None


@pytest.mark.parametrize("path", ["/shop-order-statuses", "/shop-order-statuses/mapping"])
def test_missing_integration_id_query_parameter(client: httpx.Client, path: str) -> None:
    response = client.get(path)

    assert response.json() == {
        "errors": [
            {
                "status": "400",
                "code": "non_field_errors",
                "title": "integration ID",
                "detail": "Integration ID is a required GET parameter",
                "source": {"parameter": "integration_id"},
            }
        ]
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"integration_id": "abc"}, [("invalid", "integration_id")]),
        ({"integration_id": "-3"}, [("min_value", "integration_id")]),
        ({"integration_id": "7", "language": "english"}, [("invalid_choice", "language")]),
        ({"integration_id": "7", "show_deleted": "maybe"}, [("invalid", "show_deleted")]),
    ],
)
def test_bad_query_parameters_name_the_parameter(
    client: httpx.Client, params: dict[str, str], expected: list[tuple[str, str]]
) -> None:
    assert _errors(client.get("/shop-order-statuses", params=params)) == expected
