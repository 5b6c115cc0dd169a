"""plan --changed-since REF: plan only what a pull request touches, and say why."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.commands.simstate import integration
from tests.fleet.support import NL_KEYS, Fleet, ids_seen, reads

BASE = """\
statuses:
  "1": {en-gb: Awaiting payment}
  "2": {en-gb: Paid}
mapping: {READY_TO_SEND: "2", IN_TRANSIT: null, DELIVERED: null, CANCEL: null}
"""


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


def committed_fleet(fleet: Fleet, *, nl: int, be: int, base: bool = False) -> None:
    """``nl`` + ``be`` shops, all in sync live, committed to a fresh repository."""
    nl_ids = list(range(1, nl + 1))
    be_ids = list(range(1001, 1001 + be))
    for i in nl_ids:
        path = fleet.shop("nl", i)
        if base:
            path.write_text(f"integration_id: {i}\nextends: ../../bases/nl.yaml\n", "utf-8")
    for i in be_ids:
        fleet.shop("be", i)
    if base:
        (fleet.root / "bases").mkdir()
        (fleet.root / "bases" / "nl.yaml").write_text(BASE, "utf-8")
    fleet.seed(fleet.nl, nl_ids)
    fleet.seed(fleet.be, be_ids)
    git(fleet.root, "init", "-q", "-b", "main")
    git(fleet.root, "add", "-A")
    git(fleet.root, "commit", "-q", "-m", "fleet")


def test_a_one_file_change_costs_exactly_two_gets(fleet: Fleet) -> None:
    committed_fleet(fleet, nl=600, be=400)
    fleet.shop("nl", 12, paid="Paid now")

    code, out, _ = fleet.run("plan", "--changed-since", "main", "integrations/")

    assert code == 0
    assert len(reads(fleet.nl)) + len(reads(fleet.be)) == 2
    assert ids_seen(fleet.nl) == {12}
    assert "Selected integration 12: integrations/nl/12.yaml changed since main." in out
    assert (
        "Left out 999 integrations (unchanged since main (--changed-since)): "
        "1-11, 13-600, 1001-1400." in out
    )
    assert "Plan: 1 status to update across 1 integration (0 unchanged)." in out


def test_a_base_change_selects_every_file_that_extends_it(fleet: Fleet) -> None:
    committed_fleet(fleet, nl=5, be=3, base=True)
    (fleet.root / "bases" / "nl.yaml").write_text(BASE.replace("Paid", "Paid now"), "utf-8")

    code, out, _ = fleet.run("plan", "--changed-since", "main", "integrations/")

    assert code == 0
    assert ids_seen(fleet.nl) == {1, 2, 3, 4, 5}
    assert fleet.be.simulator.log.entries() == []
    assert "Selected integration 3: extends bases/nl.yaml, which changed since main." in out
    assert '~ 5 integrations: change status "2" (en-gb); 1 API write each' in out


def test_an_untracked_new_file_is_selected(fleet: Fleet) -> None:
    committed_fleet(fleet, nl=3, be=1)
    fleet.shop("nl", 50)

    code, out, _ = fleet.run("plan", "--changed-since", "main", "integrations/")

    assert code == 0
    assert ids_seen(fleet.nl) == {50}
    assert "Selected integration 50: integrations/nl/50.yaml changed since main." in out


def test_a_deleted_file_is_no_longer_managed_and_nothing_is_written(fleet: Fleet) -> None:
    committed_fleet(fleet, nl=3, be=1)
    (fleet.root / "integrations" / "nl" / "2.yaml").unlink()

    code, out, _ = fleet.run("plan", "--changed-since", "main", "--out", "p.json", "integrations/")
    assert code == 0
    code, _, _ = fleet.run("apply", "--auto-approve", "--plan", "p.json")

    assert code == 0
    assert (
        "integrations/nl/2.yaml was deleted since main: integration 2 is no longer managed, and "
        "nothing is written for it (Sendcloud keeps its statuses and mapping as they are)."
    ) in out
    assert fleet.nl.simulator.log.entries() == fleet.be.simulator.log.entries() == []


@pytest.mark.parametrize("ref", ["no-such-branch", "main~5"])
def test_an_unknown_ref_is_one_clear_error(fleet: Fleet, ref: str) -> None:
    committed_fleet(fleet, nl=1, be=1)

    code, out, err = fleet.run("plan", "--changed-since", ref, "integrations/")

    assert code == 1
    assert out == ""
    assert err.startswith(f"Error: --changed-since {ref}: git knows no commit '{ref}' in ")
    assert "fetch-depth: 0" in err
    assert fleet.nl.simulator.log.entries() == []


def test_a_change_to_a_base_of_a_base_selects_its_users(fleet: Fleet) -> None:
    committed_fleet(fleet, nl=2, be=1, base=True)
    bases = fleet.root / "bases"
    (bases / "inner.yaml").write_text('statuses:\n  "9": {en-gb: Archived}\n', "utf-8")
    (bases / "nl.yaml").write_text("extends: inner.yaml\n" + BASE, "utf-8")
    git(fleet.root, "add", "-A")
    git(fleet.root, "commit", "-q", "-m", "nested base")
    (bases / "inner.yaml").write_text('statuses:\n  "9": {en-gb: Archived for good}\n', "utf-8")

    code, out, _ = fleet.run("plan", "--changed-since", "HEAD", "integrations/")

    assert code == 0
    assert ids_seen(fleet.nl) == {1, 2}
    assert fleet.be.simulator.log.entries() == []
    assert "Selected integration 1: extends bases/inner.yaml, which changed since HEAD." in out


def unmanaged_fleet(fleet: Fleet) -> str:
    """Two nl and one be shop in sync, shop 1 with a module status the project leaves alone
    (``defaults.unmanaged``, policies from an included file), all committed; the project text."""
    project = (fleet.root / "reconciler.yaml").read_text("utf-8").replace(
        "defaults:\n", 'defaults:\n  unmanaged: ["module-*"]\n'
    ) + "policies:\n  - include: policies/common.yaml\n"
    fleet.write_project(project)
    (fleet.root / "policies").mkdir()
    (fleet.root / "policies" / "common.yaml").write_text(
        "policies:\n  - {kind: max-statuses, max: 10, severity: warning}\n", "utf-8"
    )
    committed_fleet(fleet, nl=2, be=1)
    live = integration(
        {"1": {"en-gb": "Awaiting payment"}, "2": {"en-gb": "Paid"}, "module-pay": {"en-gb": "X"}},
        {"READY_TO_SEND": "2"},
    )
    fleet.nl.simulator.replace_state(
        {"integrations": {"1": live, "2": fleet.nl.simulator.store.snapshot()["integrations"]["2"]}}
    )
    return project


def test_a_project_file_change_selects_every_integration_it_governs(fleet: Fleet) -> None:
    project = unmanaged_fleet(fleet)
    # No longer leaving module statuses alone: the merge's apply would delete module-pay.
    fleet.write_project(project.replace('  unmanaged: ["module-*"]\n', ""))

    code, out, _ = fleet.run("plan", "--changed-since", "main", "integrations/")
    _, matrix, _ = fleet.run("matrix", "--changed-since", "main", "integrations/")

    assert code == 0
    assert ids_seen(fleet.nl) == {1, 2}
    assert ids_seen(fleet.be) == {1001}
    assert (
        "Targeted: --changed-since main (reconciler.yaml (the project file) changed since main, "
        "which governs every integration: all 3 are planned)." in out
    )
    assert '- status "module-pay"' in out
    assert "Left out" not in out
    assert [entry["account"] for entry in json.loads(matrix)["include"]] == [
        "agency-nl",
        "agency-be",
    ]


def test_a_change_to_a_file_the_project_includes_selects_every_integration(
    fleet: Fleet,
) -> None:
    unmanaged_fleet(fleet)
    (fleet.root / "policies" / "common.yaml").write_text(
        "policies:\n  - {kind: max-statuses, max: 1, severity: warning}\n", "utf-8"
    )

    code, out, _ = fleet.run("plan", "--changed-since", "main", "integrations/")

    assert code == 0
    assert ids_seen(fleet.nl) == {1, 2}
    assert ids_seen(fleet.be) == {1001}
    assert (
        "(policies/common.yaml (included by reconciler.yaml) changed since main, which governs "
        "every integration: all 3 are planned)" in out
    )


def test_a_deleted_project_file_selects_every_integration(
    fleet: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    unmanaged_fleet(fleet)
    (fleet.root / "reconciler.yaml").unlink()
    # The files now belong to no account: the command line's key pair and API serve them.
    monkeypatch.setenv("SENDCLOUD_PUBLIC_KEY", "nl-public")
    monkeypatch.setenv("SENDCLOUD_SECRET_KEY", NL_KEYS[1])
    monkeypatch.setenv("SENDCLOUD_API_URL", fleet.nl.base_url)

    code, out, _ = fleet.run("plan", "--changed-since", "main", "integrations/")

    assert code == 0
    assert ids_seen(fleet.nl) == {1, 2, 1001}
    assert (
        "Targeted: --changed-since main (reconciler.yaml (the project file, deleted) changed "
        "since main, which governs every integration: all 3 are planned)." in out
    )
    assert "was deleted since main" not in out  # it described no integration


def test_an_unchanged_project_file_selects_nothing_more(fleet: Fleet) -> None:
    unmanaged_fleet(fleet)
    fleet.shop("nl", 2, paid="Paid now")

    code, out, _ = fleet.run("plan", "--changed-since", "main", "integrations/")

    assert code == 0
    assert ids_seen(fleet.nl) == {2}
    assert "Targeted: --changed-since main." in out
