"""The admin endpoints under /_simulator drive the same knobs as the Python API."""

from __future__ import annotations

import httpx

from reconciler.simulator.simulator import Simulator
from tests.support.simulator import BackgroundServer

STATE = {
    "integrations": {
        "4": {
            "statuses": [
                {
                    "external_id": "s",
                    "translations": [{"status": "S", "language": "en-gb"}],
                    "deleted_at": None,
                }
            ],
            "mapping": {
                "READY_TO_SEND": "s",
                "IN_TRANSIT": None,
                "DELIVERED": None,
                "CANCEL": None,
            },
        }
    }
}


def test_health(admin: httpx.Client) -> None:
    assert admin.get("/health").json() == {"ok": True}


def test_put_and_get_state(admin: httpx.Client, client: httpx.Client) -> None:
    assert admin.put("/state", json=STATE).json() == STATE
    assert admin.get("/state").json() == STATE
    assert (
        client.get("/shop-order-statuses", params={"integration_id": 4}).json()["data"][0][
            "external_id"
        ]
        == "s"
    )


def test_bad_state_is_400_and_leaves_state_alone(admin: httpx.Client) -> None:
    admin.put("/state", json=STATE)

    response = admin.put("/state", json={"integrations": {"x": 1}})

    assert response.status_code == 400
    assert "integration" in response.json()["error"]
    assert admin.get("/state").json() == STATE


def test_faults_round_trip(admin: httpx.Client, client: httpx.Client) -> None:
    fault = {"endpoint": "GET /shop-order-statuses", "status": 502, "times": 2, "retry_after": 1}
    created = admin.post("/faults", json=fault)

    assert created.status_code == 201
    assert created.json()["faults"][0]["retry_after"] == "1"
    assert admin.get("/faults").json()["faults"][0]["times"] == 2
    response = client.get("/shop-order-statuses", params={"integration_id": 1})
    assert (response.status_code, response.headers["retry-after"]) == (502, "1")
    assert admin.get("/faults").json()["faults"][0]["times"] == 1

    assert admin.delete("/faults").status_code == 200
    assert admin.get("/faults").json() == {"faults": []}
    assert admin.post("/faults", json={"endpoint": "GET /x"}).status_code == 400


def test_a_list_of_faults_is_queued_in_order(admin: httpx.Client, client: httpx.Client) -> None:
    admin.post(
        "/faults",
        json=[
            {"endpoint": "POST /shop-order-statuses/mapping", "action": "drop"},
            {"endpoint": "POST /shop-order-statuses/mapping", "status": 500},
        ],
    )

    assert [f["action"] for f in admin.get("/faults").json()["faults"]] == ["drop", "status"]


def test_log_and_clear(admin: httpx.Client, client: httpx.Client) -> None:
    client.post("/shop-order-statuses", json={"integration_id": 2, "statuses": []})

    [entry] = admin.get("/log").json()["entries"]
    assert entry["method"] == "POST"
    assert entry["path"] == "/shop-order-statuses"
    assert entry["integration_id"] == 2
    assert entry["status"] == 200
    assert entry["body"] == {"integration_id": 2, "statuses": []}
    assert entry["invalid_mapping"] == []
    assert isinstance(entry["timestamp"], float)

    admin.delete("/log")
    assert admin.get("/log").json() == {"entries": []}


def test_config(admin: httpx.Client, client: httpx.Client, sim: Simulator) -> None:
    config = admin.get("/config").json()
    assert config == {
        "latency": 0.0,
        "strict": False,
        "require_oauth2": False,
        "token_lifetime": 3600,
        "trim_whitespace": True,
        "rate_limits": {
            "enabled": True,
            "reads": [[1000, 60.0]],
            "writes": [[100, 60.0], [15, 1.0]],
            "retry_after": None,
            "concurrent_writes": 15,
        },
    }

    updated = admin.put(
        "/config", json={"strict": True, "rate_limits": {"reads": [[1, 1]]}, "latency": 0.01}
    ).json()

    assert updated["strict"] is True
    assert updated["latency"] == 0.01
    assert updated["rate_limits"]["reads"] == [[1, 1.0]]
    assert updated["rate_limits"]["writes"] == [[100, 60.0], [15, 1.0]]
    assert sim.config.strict is True
    assert admin.put("/config", json={"colour": "red"}).status_code == 400
    assert admin.put("/config", json={"latency": -1}).status_code == 400


def test_reset_restores_everything(admin: httpx.Client, sim: Simulator) -> None:
    admin.put("/state", json=STATE)
    admin.put("/config", json={"strict": True})
    admin.post("/faults", json={"endpoint": "GET /shop-order-statuses"})

    admin.post("/reset")

    assert admin.get("/state").json() == {"integrations": {}}
    assert admin.get("/faults").json() == {"faults": []}
    assert sim.config.strict is False


def test_admin_is_not_reachable_through_the_api(
    client: httpx.Client, simulator_server: BackgroundServer
) -> None:
    for path in ("/_simulator/state", "/../_simulator/state", "/%2E%2E/_simulator/state"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "integrations" not in response.text
