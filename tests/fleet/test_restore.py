"""``restore`` in a fleet: each integration read with the key pair of the account the journal
names, the saved plan applied by ``apply --plan`` with those accounts, ``--only`` by account."""

from __future__ import annotations

import os

import pytest

from tests.fleet.support import PROJECT, Fleet, ids_seen, reads
from tests.support.simulator import BackgroundServer


def _paid(server: BackgroundServer, integration_id: int) -> str:
    state = server.simulator.get_state()["integrations"][str(integration_id)]
    [status] = [s for s in state["statuses"] if s["external_id"] == "2"]
    return str(status["translations"][0]["status"])


def _apply_with_journal(fleet: Fleet, journal: str = "j.jsonl") -> None:
    """Live 'Paid' in both accounts; the files rename it; apply journals both accounts."""
    fleet.shop("nl", 1, paid="Paid now")
    fleet.shop("be", 11, paid="Betaald")
    fleet.seed(fleet.nl, [1])
    fleet.seed(fleet.be, [11])
    code, _, err = fleet.run("apply", "--auto-approve", "--journal", journal, "integrations/")
    assert code == 0, err
    assert (_paid(fleet.nl, 1), _paid(fleet.be, 11)) == ("Paid now", "Betaald")
    for server in (fleet.nl, fleet.be):
        server.simulator.log.clear()


def test_restore_reads_each_account_with_its_key_pair_and_apply_plan_writes_it_back(
    fleet: Fleet, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # The journal outside the project: the plan names the integrations by it, and apply --plan
    # still finds the project file (from the current directory, as restore did).
    journal = str(tmp_path_factory.mktemp("journals") / "j.jsonl")
    _apply_with_journal(fleet, journal)

    code, out, err = fleet.run("restore", "--journal", journal, "--out", "restore.json")

    assert code == 0, err
    # Each account's simulator accepts only its own key pair: every read answered 200.
    assert ids_seen(fleet.nl) == {1}
    assert ids_seen(fleet.be) == {11}
    assert all(e.status == 200 for e in reads(fleet.nl) + reads(fleet.be))
    assert "Account agency-nl: Plan: 1 status to update across 1 integration" in out
    assert "Account agency-be: Plan: 1 status to update across 1 integration" in out
    assert err.endswith(
        "Restore plan saved to restore.json; apply it with: reconciler apply --plan restore.json\n"
    )

    code, _, err = fleet.run("apply", "--plan", "restore.json", "--auto-approve")

    assert code == 0, err
    assert [e.integration_id for e in fleet.nl.simulator.log.writes()] == [1]
    assert [e.integration_id for e in fleet.be.simulator.log.writes()] == [11]
    assert (_paid(fleet.nl, 1), _paid(fleet.be, 11)) == ("Paid", "Paid")


def test_only_and_exclude_select_by_account(fleet: Fleet) -> None:
    _apply_with_journal(fleet)

    for selection in (("--only", "agency-be"), ("--only", "account:agency-be")):
        code, out, err = fleet.run("restore", "--journal", "j.jsonl", *selection)
        assert code == 0, err
        assert "integration 11 (j.jsonl apply " in out
        assert "integration 1 (" not in out
    assert ids_seen(fleet.nl) == set()  # an account left out is not even read

    code, out, err = fleet.run("restore", "--journal", "j.jsonl", "--exclude", "agency-be")
    assert code == 0, err
    assert "integration 1 (j.jsonl apply " in out
    assert "integration 11 (" not in out

    code, _, err = fleet.run("restore", "--journal", "j.jsonl", "--only", "account:agency-fr")
    assert code == 1
    assert "did not write to account agency-fr; it wrote to agency-be, agency-nl" in err
    assert err.count("\n") == 1


def test_an_account_the_project_file_does_not_define_is_refused_on_one_line(
    fleet: Fleet,
) -> None:
    _apply_with_journal(fleet)
    nl_only = PROJECT.format(nl_url=fleet.nl.base_url, be_url=fleet.be.base_url).split(
        "  agency-be:"
    )[0]
    fleet.write_project(nl_only)

    code, _, err = fleet.run("restore", "--journal", "j.jsonl", "--out", "restore.json")

    assert code == 1
    assert err.count("\n") == 1
    assert (
        "wrote integration 11 with account agency-be, but reconciler.yaml does not define it" in err
    )
    assert not (fleet.root / "restore.json").exists()
    assert fleet.be.simulator.log.entries() == []  # no other account's key pair was tried


def test_paths_find_the_project_file_from_elsewhere_and_the_plan_names_the_files(
    fleet: Fleet, tmp_path_factory: pytest.TempPathFactory
) -> None:
    _apply_with_journal(fleet)
    journal = str(fleet.root / "j.jsonl")
    below = fleet.root / "integrations" / "nl"
    os.chdir(below)  # the fixture's monkeypatch.chdir restores the directory afterwards
    code, _, err = fleet.run("restore", "--journal", journal)
    assert code == 0, err  # found upward from the current directory, as other commands do
    os.chdir(tmp_path_factory.mktemp("elsewhere"))
    code, _, err = fleet.run("restore", "--journal", journal)
    assert code == 1
    assert "but no project file from the current directory" in err

    integrations = str(fleet.root / "integrations")
    code, out, err = fleet.run("restore", "--journal", journal, "--out", "r.json", integrations)

    assert code == 0, err
    assert f"integration 1 ({integrations}/nl/1.yaml)" in out
    assert "Restore of apply " in err  # the journal and the apply are named once, on stderr
    code, _, err = fleet.run("apply", "--plan", "r.json", "--auto-approve")
    assert code == 0, err
    assert (_paid(fleet.nl, 1), _paid(fleet.be, 11)) == ("Paid", "Paid")


def test_an_empty_selector_is_refused_not_everything(fleet: Fleet) -> None:
    _apply_with_journal(fleet)

    for option in ("--only", "--exclude"):
        code, out, err = fleet.run("restore", "--journal", "j.jsonl", option, " ")
        assert code == 1
        assert f"{option} '': an empty selector selects nothing" in err
        assert out == ""
    assert ids_seen(fleet.nl) == ids_seen(fleet.be) == set()
