"""``plan --out`` then ``apply --plan``: exactly the reviewed plan, or a named refusal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reconciler.cli import main
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
    assert run.err.count("integration 12 (") == 1  # said once, in the summary
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


def test_a_saved_plan_applied_twice_is_in_sync_the_second_time(
    cli: Cli, sim: Simulator, tmp_path: Path
) -> None:
    paths = _two_integrations(sim, tmp_path)
    saved = tmp_path / "plan.json"
    assert cli("plan", *paths, "--out", saved).code == 0
    assert cli("apply", "--plan", saved, "--auto-approve").code == 0
    count = len(writes(sim))

    again = cli("apply", "--plan", saved, "--auto-approve")

    assert again.code == 0, again.err
    assert "Apply complete: 0 applied, 2 in sync, 0 failed (0 writes)." in again.err
    assert "stale" not in again.err
    assert "in sync: integration 11 (" in again.err
    assert "already holds the plan's desired state" in again.err
    assert len(writes(sim)) == count


def test_a_saved_plan_records_its_api_and_is_refused_against_another(
    cli: Cli, sim: Simulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = _two_integrations(sim, tmp_path)
    saved = tmp_path / "plan.json"
    assert cli("plan", *paths, "--out", saved).code == 0
    assert json.loads(saved.read_text())["api_url"] == cli.base_url

    other = "http://127.0.0.1:9/api/v3"
    code = main(["apply", "--plan", str(saved), "--auto-approve", "--api-url", other])

    err = capsys.readouterr().err
    assert code == 1
    assert (
        f"Error: plan file {saved} was made against {cli.base_url}, but this apply would "
        f"write to {other}; apply it with the same --api-url"
    ) in err
    assert writes(sim) == []


def test_a_sandbox_plan_is_refused_against_the_real_api_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    path = write_file(tmp_path, 11, statuses={"1": PAID})
    assert main(["--sandbox", "plan", str(path), "--out", "plan.json"]) == 0
    assert json.loads(Path("plan.json").read_text())["api_url"] == (
        "sandbox:.reconciler/sandbox.json"
    )
    monkeypatch.setenv("SENDCLOUD_PUBLIC_KEY", "p")
    monkeypatch.setenv("SENDCLOUD_SECRET_KEY", "s")
    monkeypatch.delenv("SENDCLOUD_API_URL", raising=False)
    assert main(["apply", "--plan", "plan.json", "--auto-approve"]) == 1
    assert (
        "was made against sandbox:.reconciler/sandbox.json, but this apply would write to "
        "https://panel.sendcloud.sc/api/v3" in capsys.readouterr().err
    )
