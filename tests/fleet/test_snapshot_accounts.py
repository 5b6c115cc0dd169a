"""`snapshot` reads each integration with its account's client, so `plan --live` agrees with a
live plan for a fleet of several accounts (it once read every file with the command line's
credentials, and saved an empty state for each: "30 statuses to create")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reconciler.cli import main
from tests.fleet.support import Fleet, ids_seen


def test_snapshot_reads_each_account_with_its_own_client(fleet: Fleet) -> None:
    for i in (1, 2):
        fleet.shop("nl", i)
    fleet.shop("be", 11, paid="Betaald")
    fleet.seed(fleet.nl, [1, 2], paid="Paid long ago")
    fleet.seed(fleet.be, [11])

    code, out, err = fleet.run("snapshot", "--out", "s.json", "integrations/")

    assert (code, err) == (0, "")
    assert out == "Snapshot of 3 integrations saved to s.json.\n"
    assert ids_seen(fleet.nl) == {1, 2}
    assert ids_seen(fleet.be) == {11}
    saved = json.loads(Path("s.json").read_text(encoding="utf-8"))
    texts = {i["integration_id"]: i["live"]["statuses"]["2"] for i in saved["integrations"]}
    assert texts == {
        1: {"en-gb": "Paid long ago"},
        2: {"en-gb": "Paid long ago"},
        11: {"en-gb": "Paid"},
    }

    _, live_plan, _ = fleet.run("plan", "integrations/")
    code, offline_plan, _ = fleet.run("plan", "--live", "s.json", "integrations/")

    assert code == 0
    assert offline_plan == live_plan
    assert "Account agency-nl: Plan: 2 statuses to update across 2 integrations" in offline_plan
    assert "Account agency-be: Plan: 1 status to update across 1 integration" in offline_plan


def test_a_missing_account_key_pair_writes_no_snapshot(
    fleet: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BE_SENDCLOUD_SECRET_KEY")
    fleet.shop("nl", 1)
    fleet.shop("be", 11)

    code, _, err = fleet.run("snapshot", "--out", "s.json", "integrations/")

    assert code == 1
    assert "integration 11 (integrations/be/11.yaml): account agency-be: " in err
    assert "BE_SENDCLOUD_SECRET_KEY is not set" in err
    assert not Path("s.json").exists()
    assert fleet.be.simulator.log.entries() == []


SANDBOX_PROJECT = """\
accounts:
  agency-nl:
    paths: ["integrations/nl/**"]
    public_key_env: NL_KEY
    secret_key_env: NL_SECRET
  agency-be:
    paths: ["integrations/be/**"]
    public_key_env: BE_KEY
    secret_key_env: BE_SECRET
"""
SHOP = """\
integration_id: {id}
statuses:
  "1": {{en-gb: Awaiting payment}}
  "2": {{en-gb: {paid}}}
mapping: {{READY_TO_SEND: "2", IN_TRANSIT: null, DELIVERED: null, CANCEL: null}}
"""


def test_in_the_sandbox_plan_live_agrees_with_a_live_plan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / "reconciler.yaml").write_text(SANDBOX_PROJECT, encoding="utf-8")
    for country, integration_id, live, desired in (
        ("nl", 1, "Paid", "Paid"),
        ("nl", 2, "Paid", "Paid now"),
        ("be", 3, "Betaald", "Betaald"),
    ):
        path = tmp_path / "integrations" / country / f"{integration_id}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(SHOP.format(id=integration_id, paid=live), encoding="utf-8")
        state = f"sb.agency-{country}.json"  # each account's sandbox (next to --sandbox-state)
        assert main(["sandbox", "set", str(integration_id), str(path), "--state", state]) == 0
        path.write_text(SHOP.format(id=integration_id, paid=desired), encoding="utf-8")

    sandbox = ["--sandbox", "--sandbox-state", "sb.json"]
    capsys.readouterr()
    assert main([*sandbox, "snapshot", "--out", "s.json", "integrations/"]) == 0
    assert capsys.readouterr().out == "Snapshot of 3 integrations saved to s.json.\n"
    assert main([*sandbox, "plan", "integrations/"]) == 0
    live_plan = capsys.readouterr().out
    assert main(["plan", "--live", "s.json", "integrations/"]) == 0
    offline_plan = capsys.readouterr().out

    assert offline_plan == live_plan
    assert "Account agency-nl: Plan: 1 status to update across 2 integrations" in offline_plan
    assert "Account agency-be: Plan: no changes across 1 integration" in offline_plan
    assert "to create" not in offline_plan
