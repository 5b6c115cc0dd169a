"""``plan --out`` then ``apply --plan``: exactly the reviewed plan, or a named refusal."""

from __future__ import annotations

import json
from pathlib import Path

from reconciler.simulator.simulator import Simulator
from tests.apply.support import Cli, live_mapping, live_statuses, seed, write_file, writes

PAID = {"en-gb": "Paid"}
SHIPPED = {"en-gb": "Shipped"}


def _two_integrations(sim: Simulator, tmp_path: Path) -> list[Path]:
    seed(
        sim,
        {
            11: ({"1": PAID}, {"READY_TO_SEND": "1"}),
            12: ({"1": PAID, "2": SHIPPED}, {"READY_TO_SEND": "1"}),
        },
    )
    return [
        write_file(tmp_path, 11, statuses={"1": PAID, "2": SHIPPED}, mapping={"IN_TRANSIT": "2"}),
        write_file(tmp_path, 12, statuses={"1": PAID, "2": SHIPPED}, mapping={"IN_TRANSIT": "2"}),
    ]


def test_a_saved_plan_is_applied(cli: Cli, sim: Simulator, tmp_path: Path) -> None:
    paths = _two_integrations(sim, tmp_path)
    saved = tmp_path / "plan.json"
    assert cli("plan", *paths, "--out", saved).code == 0
    for path in paths:
        path.unlink()  # apply --plan needs only the saved plan

    run = cli("apply", "--plan", saved, "--auto-approve")

    assert run.code == 0, run.err
    assert "Apply complete: 2 applied, 0 in sync, 0 failed (3 writes)." in run.err
    assert live_mapping(sim, 11)["IN_TRANSIT"] == live_mapping(sim, 12)["IN_TRANSIT"] == "2"


def test_an_integration_changed_since_the_plan_is_refused_as_stale(
    cli: Cli, sim: Simulator, tmp_path: Path
) -> None:
    paths = _two_integrations(sim, tmp_path)
    saved = tmp_path / "plan.json"
    assert cli("plan", *paths, "--out", saved).code == 0
    # Someone renames status "2" of integration 12 in the panel after the plan was reviewed.
    state = sim.get_state()
    state["integrations"]["12"]["statuses"][1]["translations"][0]["status"] = "Sent"
    sim.replace_state(state)

    run = cli("apply", "--plan", saved, "--auto-approve")

    assert run.code == 1
    assert "Apply complete: 1 applied, 0 in sync, 1 failed (2 writes)." in run.err
    [stale] = [line for line in run.err.splitlines() if line.startswith("  failed:")]
    assert "integration 12" in stale
    assert "stale" in stale
    assert 'status "2" en-gb was "Shipped", now "Sent"' in stale
    assert writes(sim, 12) == []
    assert live_statuses(sim, 12)["2"] == {"en-gb": "Sent"}
    assert live_mapping(sim, 11)["IN_TRANSIT"] == "2"


def test_a_saved_plan_edited_by_hand_is_refused(cli: Cli, sim: Simulator, tmp_path: Path) -> None:
    paths = _two_integrations(sim, tmp_path)
    saved = tmp_path / "plan.json"
    assert cli("plan", *paths, "--out", saved).code == 0
    document = json.loads(saved.read_text())
    document["integrations"][0]["desired"]["mapping"]["CANCEL"] = "1"
    saved.write_text(json.dumps(document))

    run = cli("apply", "--plan", saved, "--auto-approve")

    assert run.code == 1
    assert "does not match its checksum" in run.err
    assert writes(sim) == []
