"""Injected faults over the wire: status, drop, delay, after_commit; and the request log."""

from __future__ import annotations

import httpx
import pytest

from reconciler.simulator.faults import Fault
from reconciler.simulator.simulator import Simulator

LIST = "/shop-order-statuses"
MAPPING = "/shop-order-statuses/mapping"
PARAMS = {"integration_id": 9}
BODY = {
    "integration_id": 9,
    "statuses": [{"external_id": "a", "translations": [{"status": "A", "language": "en-gb"}]}],
}


def _live_ids(sim: Simulator) -> list[str]:
    integration = sim.get_state()["integrations"].get("9", {"statuses": []})
    return [s["external_id"] for s in integration["statuses"] if s["deleted_at"] is None]


def test_status_fault_fails_the_next_n_calls_of_one_endpoint(
    client: httpx.Client, sim: Simulator
) -> None:
    sim.inject(Fault("GET /shop-order-statuses", status=503, times=2))

    assert client.get(MAPPING, params=PARAMS).status_code == 200  # another endpoint
    first, second, third = (client.get(LIST, params=PARAMS) for _ in range(3))

    assert (first.status_code, second.status_code, third.status_code) == (503, 503, 200)
    assert first.json()["errors"][0]["status"] == "503"
    assert "retry-after" not in first.headers
    assert sim.faults.pending() == []


def test_status_fault_with_retry_after_and_documented_status(
    client: httpx.Client, sim: Simulator
) -> None:
    sim.inject(Fault("GET /shop-order-statuses/mapping", status=429, retry_after="2"))

    response = client.get(MAPPING, params=PARAMS)  # 429 is documented: schema-checked

    assert response.status_code == 429
    assert response.headers["retry-after"] == "2"


def test_status_fault_with_an_html_body(client: httpx.Client, sim: Simulator) -> None:
    html = "<html><body><h1>502 Bad Gateway</h1></body></html>"
    sim.inject(Fault("POST /shop-order-statuses", status=502, body=html))

    response = client.post(LIST, json=BODY)

    assert response.status_code == 502
    assert response.headers["content-type"].startswith("text/html")
    assert response.text == html
    assert _live_ids(sim) == []  # the write did not happen


def test_status_fault_with_a_custom_json_body(client: httpx.Client, sim: Simulator) -> None:
    sim.inject(Fault("GET /shop-order-statuses", status=500, json_body={"detail": "boom"}))

    assert client.get(LIST, params=PARAMS).json() == {"detail": "boom"}


def test_after_commit_fault_applies_the_write_but_loses_the_answer(
    client: httpx.Client, sim: Simulator
) -> None:
    sim.inject(Fault("POST /shop-order-statuses", status=502, after_commit=True))

    assert client.post(LIST, json=BODY).status_code == 502
    assert _live_ids(sim) == ["a"]
    [entry] = sim.log.writes()
    assert (entry.status, entry.fault) == (502, "status after_commit")


@pytest.mark.parametrize("after_commit", [False, True])
def test_drop_breaks_the_connection(
    client: httpx.Client, sim: Simulator, after_commit: bool
) -> None:
    sim.inject(Fault("POST /shop-order-statuses", action="drop", after_commit=after_commit))

    with pytest.raises(httpx.RemoteProtocolError):
        client.post(LIST, json=BODY)

    assert _live_ids(sim) == (["a"] if after_commit else [])
    assert client.post(LIST, json=BODY).status_code == 200  # the next call is fine
    assert [e.status for e in sim.log.writes()] == [None, 200]


def test_drop_on_a_read(client: httpx.Client, sim: Simulator) -> None:
    sim.inject(Fault("GET /shop-order-statuses/mapping", action="drop"))

    with pytest.raises(httpx.RemoteProtocolError):
        client.get(MAPPING, params=PARAMS)


def test_delay_trips_the_client_timeout(
    simulator_server: object, client: httpx.Client, sim: Simulator
) -> None:
    sim.inject(Fault("GET /shop-order-statuses", action="delay", delay=0.5))

    with pytest.raises(httpx.ReadTimeout):
        client.get(LIST, params=PARAMS, timeout=0.1)
    assert client.get(LIST, params=PARAMS).status_code == 200


def test_delay_within_the_timeout_just_answers_late(client: httpx.Client, sim: Simulator) -> None:
    sim.inject(Fault("POST /shop-order-statuses", action="delay", delay=0.05, after_commit=True))

    assert client.post(LIST, json=BODY, timeout=2).status_code == 200
    assert _live_ids(sim) == ["a"]


def test_added_latency_applies_to_every_request(client: httpx.Client, sim: Simulator) -> None:
    sim.configure(latency=0.3)

    with pytest.raises(httpx.ReadTimeout):
        client.get(LIST, params=PARAMS, timeout=0.1)


def test_faults_are_consumed_in_order(client: httpx.Client, sim: Simulator) -> None:
    sim.inject(Fault("GET /shop-order-statuses", status=500))
    sim.inject(Fault("GET /shop-order-statuses", status=502))

    codes = [client.get(LIST, params=PARAMS).status_code for _ in range(3)]

    assert codes == [500, 502, 200]


@pytest.mark.parametrize(
    "bad",
    [
        {"endpoint": "GET /nope"},
        {"endpoint": "GET /shop-order-statuses", "action": "explode"},
        {"endpoint": "GET /shop-order-statuses", "times": 0},
        {"endpoint": "GET /shop-order-statuses", "status": 42},
        {"endpoint": "GET /shop-order-statuses", "colour": "red"},
        ["not", "an", "object"],
    ],
)
def test_malformed_faults_are_refused(bad: object) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - each case has its own message
        Fault.from_json(bad)


def test_request_log_records_requests_without_secrets(
    client: httpx.Client, sim: Simulator, credentials: tuple[str, str]
) -> None:
    client.post(LIST, json=BODY)
    mapping = [
        {"status_category": "READY_TO_SEND", "external_id": "a"},
        {"status_category": "IN_TRANSIT", "external_id": None},
        {"status_category": "DELIVERED", "external_id": "gone"},
        {"status_category": "CANCEL", "external_id": None},
    ]
    client.post(MAPPING + "/", json={"integration_id": 9, "mapping": mapping})
    client.get(LIST, params={"integration_id": 9, "show_deleted": "true"})
    client.post(LIST, json={"integration_id": 9, "statuses": []})

    entries = sim.log.entries()
    assert [(e.method, e.path, e.integration_id, e.status) for e in entries] == [
        ("POST", LIST, 9, 200),
        ("POST", MAPPING, 9, 200),
        ("GET", LIST, 9, 200),
        ("POST", LIST, 9, 200),
    ]
    assert entries[0].body == BODY
    assert entries[2].body is None
    assert entries[2].query == {"integration_id": "9", "show_deleted": "true"}
    assert [e.invalid_mapping for e in entries] == [
        [],
        ["DELIVERED"],
        None,
        ["READY_TO_SEND", "DELIVERED"],
    ]
    stamps = [e.timestamp for e in entries]
    assert stamps == sorted(stamps)
    assert all(credentials[1] not in repr(e) for e in entries)
