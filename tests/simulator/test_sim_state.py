"""State: persistence across restarts, atomic writes, seeding and the JSON form."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from reconciler.simulator.simulator import Simulator
from reconciler.simulator.state import SimulatorState
from tests.support.simulator import BackgroundServer

BODY = {
    "integration_id": 3,
    "statuses": [
        {"external_id": "a", "translations": [{"status": "A", "language": "en-gb"}]},
        {"external_id": "b", "translations": [{"status": "B", "language": "nl-nl"}]},
    ],
}
MAPPING = {
    "integration_id": 3,
    "mapping": [
        {"status_category": "READY_TO_SEND", "external_id": "a"},
        {"status_category": "IN_TRANSIT", "external_id": "b"},
        {"status_category": "DELIVERED", "external_id": None},
        {"status_category": "CANCEL", "external_id": None},
    ],
}


def _serve(path: Path, credentials: tuple[str, str], **kwargs: bool) -> BackgroundServer:
    return BackgroundServer(Simulator(credentials=credentials, state_path=path, **kwargs))


def test_state_survives_a_restart(tmp_path: Path, credentials: tuple[str, str]) -> None:
    state_file = tmp_path / "state.json"
    with (
        _serve(state_file, credentials) as server,
        httpx.Client(base_url=server.base_url, auth=credentials) as http,
    ):
        http.post("/shop-order-statuses", json=BODY)
        http.post("/shop-order-statuses", json={**BODY, "statuses": BODY["statuses"][:1]})
        http.post("/shop-order-statuses/mapping", json=MAPPING)
        before = server.simulator.get_state()

    # strict: integration 3 must come from the file, not from auto-registration.
    with (
        _serve(state_file, credentials, strict=True) as server,
        httpx.Client(base_url=server.base_url, auth=credentials) as http,
    ):
        assert server.simulator.get_state() == before
        listed = http.get("/shop-order-statuses", params={"integration_id": 3, "show_deleted": 1})
        mapping = http.get("/shop-order-statuses/mapping", params={"integration_id": 3})

    assert [(s["external_id"], s["deleted_at"] is None) for s in listed.json()["data"]] == [
        ("a", True),
        ("b", False),
    ]
    assert [m["is_valid"] for m in mapping.json()["data"]["mapping"]] == [True, False, True, True]


def test_writes_are_atomic_and_leave_no_temp_files(tmp_path: Path) -> None:
    state_file = tmp_path / "state.json"
    sim = Simulator(state_path=state_file)
    for integration_id in range(1, 6):
        sim.replace_state({"integrations": {str(integration_id): {}}})

    # The lock file stays (removing it would race with a process about to take it).
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json", "state.json.lock"]
    assert json.loads(state_file.read_text())["integrations"].keys() == {"5"}


def test_a_missing_state_file_starts_empty_and_is_created_on_write(tmp_path: Path) -> None:
    state_file = tmp_path / "state.json"
    sim = Simulator(state_path=state_file)

    assert sim.get_state() == {"integrations": {}}
    assert not state_file.exists()
    sim.reset()
    assert json.loads(state_file.read_text()) == {"integrations": {}}


def test_json_form_round_trips() -> None:
    data = {
        "integrations": {
            "3": {
                "statuses": [
                    {
                        "external_id": "a",
                        "translations": [{"status": "A", "language": "en-gb"}],
                        "deleted_at": "2023-11-04T14:15:22Z",
                    }
                ],
                "mapping": {
                    "READY_TO_SEND": "a",
                    "IN_TRANSIT": None,
                    "DELIVERED": None,
                    "CANCEL": None,
                },
            }
        }
    }

    assert SimulatorState.from_json(data).to_json() == data


@pytest.mark.parametrize(
    "bad",
    [
        [],
        {"integrations": []},
        {"integrations": {"x": {}}},
        {"integrations": {"1": {"statuses": [{"external_id": "a"}]}}},
        {"integrations": {"1": {"statuses": [{"external_id": "a", "translations": []}]}}},
        {"integrations": {"1": {"mapping": {"LOST": None}}}},
        {"integrations": {"1": {"mapping": {"CANCEL": 5}}}},
    ],
)
def test_malformed_state_is_refused(bad: object) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - each case has its own message
        SimulatorState.from_json(bad)


def test_seeded_state_is_served(client: httpx.Client, sim: Simulator) -> None:
    sim.replace_state(
        {
            "integrations": {
                "3": {
                    "statuses": [
                        {"external_id": "x", "translations": [{"status": "X", "language": "fr-fr"}]}
                    ]
                }
            }
        }
    )

    listed = client.get("/shop-order-statuses", params={"integration_id": 3}).json()

    assert listed["data"][0]["status"] == "X"
