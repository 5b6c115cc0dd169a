"""Several Sendcloud accounts in one repository: one client per account, failures stay local."""

from __future__ import annotations

import json

import pytest

from tests.fleet.support import Fleet, ids_seen, reads


def test_each_account_reads_its_own_integrations_with_its_own_key_pair(fleet: Fleet) -> None:
    for i in (1, 2):
        fleet.shop("nl", i)
    fleet.shop("be", 11, paid="Betaald")
    fleet.seed(fleet.nl, [1, 2])
    fleet.seed(fleet.be, [11])

    code, out, _ = fleet.run("plan", "integrations/")

    assert code == 0
    assert ids_seen(fleet.nl) == {1, 2}
    assert ids_seen(fleet.be) == {11}
    assert all(e.status == 200 for e in reads(fleet.nl) + reads(fleet.be))
    # The report groups by account, each with its own summary.
    assert "Account agency-be: Plan: 1 status to update across 1 integration" in out
    assert "Account agency-nl: Plan: no changes across 2 integrations (2 unchanged)." in out
    assert out.index("Account agency-be") < out.index("Account agency-nl")


def test_a_missing_credential_fails_that_account_only(
    fleet: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BE_SENDCLOUD_SECRET_KEY")
    fleet.shop("nl", 1, paid="Paid now")
    for i in (11, 12, 13):
        fleet.shop("be", i)
    fleet.seed(fleet.nl, [1])

    code, out, err = fleet.run("plan", "integrations/")

    assert code == 1
    assert "~ integration 1 (integrations/nl/1.yaml): 1 status to update" in out
    # One line for the account, not one per integration (the text report says it once).
    assert (
        "! 3 integrations (11-13): could not read live state: account agency-be: "
        "BE_SENDCLOUD_SECRET_KEY is not set; set BE_SENDCLOUD_PUBLIC_KEY and "
        "BE_SENDCLOUD_SECRET_KEY to the key pair of Sendcloud account agency-be"
    ) in out
    assert out.count("BE_SENDCLOUD_SECRET_KEY is not set") == 1
    # Elsewhere than the text report (here JSON), the error goes to stderr, once.
    code, _, err = fleet.run("plan", "--format", "json", "integrations/")
    assert code == 1
    assert err.startswith("Error: 3 integrations (11-13): account agency-be: ")
    assert err.count("\n") == 1
    assert fleet.be.simulator.log.entries() == []  # nothing sent without a key pair


def test_a_rejected_key_pair_fails_that_account_and_stops_its_reads(
    fleet: Fleet,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BE_SENDCLOUD_SECRET_KEY", "wrong-secret")
    fleet.shop("nl", 1)
    for i in range(11, 41):
        fleet.shop("be", i)
    fleet.seed(fleet.nl, [1])

    code, out, err = fleet.run("plan", "integrations/")

    assert code == 1
    assert "= integration 1 (integrations/nl/1.yaml): in sync" in out
    assert "Sendcloud rejected the key pair of account agency-be (HTTP 401 on GET " in out
    assert "check that BE_SENDCLOUD_PUBLIC_KEY and BE_SENDCLOUD_SECRET_KEY hold" in out
    refused = [e for e in fleet.be.simulator.log.entries() if e.status == 401]
    # Thirty integrations would be sixty refused reads; the first refusal stops the rest.
    assert 0 < len(refused) < 30
    assert "wrong-secret" not in out + err


def test_apply_writes_each_account_with_its_client_and_journals_the_account(fleet: Fleet) -> None:
    fleet.shop("nl", 1, paid="Paid now")
    fleet.shop("be", 11, paid="Betaald")
    fleet.seed(fleet.nl, [1])
    fleet.seed(fleet.be, [11])

    code, _, err = fleet.run("apply", "--auto-approve", "--journal", "j.jsonl", "integrations/")

    assert code == 0, err
    assert [e.integration_id for e in fleet.nl.simulator.log.writes()] == [1]
    assert [e.integration_id for e in fleet.be.simulator.log.writes()] == [11]
    records = [json.loads(line) for line in (fleet.root / "j.jsonl").read_text().splitlines()]
    # Each write has a "sending" record before its outcome; both name the account.
    assert {r["account"] for r in records if r["result"] == "sending"} == {"agency-be", "agency-nl"}
    outcomes = [r for r in records if r["result"] != "sending"]
    assert sorted((r["account"], r["integration_id"]) for r in outcomes) == [
        ("agency-be", 11),
        ("agency-nl", 1),
    ]


def test_apply_with_one_account_missing_applies_the_other(
    fleet: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    fleet.shop("nl", 1, paid="Paid now")
    fleet.shop("be", 11, paid="Betaald")
    fleet.seed(fleet.nl, [1])
    fleet.seed(fleet.be, [11])
    code, _, _ = fleet.run("plan", "--out", "plan.json", "integrations/")
    assert code == 0
    monkeypatch.delenv("BE_SENDCLOUD_PUBLIC_KEY")

    code, _, err = fleet.run("apply", "--auto-approve", "--plan", "plan.json")

    assert code == 1
    assert [e.integration_id for e in fleet.nl.simulator.log.writes()] == [1]
    assert fleet.be.simulator.log.writes() == []
    assert "failed: integration 11 (integrations/be/11.yaml): failed: nothing was written: " in err
    assert "BE_SENDCLOUD_PUBLIC_KEY is not set" in err


def test_labels_assign_a_file_to_an_account(fleet: Fleet) -> None:
    fleet.shop("elsewhere", 21, labels="be")
    fleet.seed(fleet.be, [21])

    code, out, _ = fleet.run("plan", "integrations/")

    assert code == 0
    assert ids_seen(fleet.be) == {21}
    assert ids_seen(fleet.nl) == set()
    assert "Account agency-be" in out


def test_an_oauth2_account_uses_bearer_tokens_while_the_other_uses_basic(
    fleet: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = (fleet.root / "reconciler.yaml").read_text()
    fleet.write_project(
        project.replace("    labels: [be]\n", "    labels: [be]\n    auth: oauth2\n")
    )
    fleet.shop("nl", 1)
    fleet.shop("be", 11)
    fleet.seed(fleet.nl, [1])
    fleet.seed(fleet.be, [11])
    # The BE simulator refuses Basic: only a token from its own endpoint gets in.
    fleet.be.simulator.configure(require_oauth2=True)
    monkeypatch.setenv("SENDCLOUD_TOKEN_URL", f"{fleet.be.root_url}/oauth2/token")
    try:
        code, out, _ = fleet.run("plan", "integrations/")
    finally:
        fleet.be.simulator.configure(require_oauth2=False)

    assert code == 0, out
    assert "= integration 1 (integrations/nl/1.yaml): in sync" in out
    assert "= integration 11 (integrations/be/11.yaml): in sync" in out
    assert all(e.status == 200 for e in reads(fleet.be))
