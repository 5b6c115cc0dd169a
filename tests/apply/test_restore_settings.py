"""Restore follows the settings every plan follows: unmanaged statuses are left alone (a status
the shop's module added or removed since the apply neither makes the restore stale nor is
deleted or re-created), and a file's own safety thresholds judge its restore when PATHS hold it."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.simulator.simulator import Simulator
from tests.apply.support import Cli, live_statuses, seed, write_file

PAID = {"en-gb": "Paid"}
MODULE = {"en-gb": "Paid by module"}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository whose project file leaves ``module-*`` statuses alone."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "reconciler.yaml").write_text('defaults:\n  unmanaged: ["module-*"]\n')
    (tmp_path / "shops").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _apply_rename(cli: Cli, sim: Simulator, project: Path) -> Path:
    """Live: '1' Paid and module-old; the apply renames '1'. Returns the journal."""
    seed(sim, {31: ({"1": PAID, "module-old": MODULE}, {"READY_TO_SEND": "1"})})
    write_file(project / "shops", 31, statuses={"1": {"en-gb": "Paid!"}})
    run = cli("apply", "shops", "--auto-approve", "--journal", "journal.jsonl")
    assert run.code == 0, run.err
    return project / "journal.jsonl"


def test_a_module_status_added_since_the_apply_is_neither_stale_nor_deleted(
    cli: Cli, sim: Simulator, project: Path
) -> None:
    journal = _apply_rename(cli, sim, project)
    statuses = {**live_statuses(sim, 31), "module-new": MODULE}
    seed(sim, {31: (statuses, {"READY_TO_SEND": "1"})})

    planned = cli("restore", "--journal", journal, "--out", "restore.json")

    assert planned.code == 0, planned.err
    assert "changed since" not in planned.err
    assert 'status "1"' in planned.out
    assert '- status "module-new"' not in planned.out
    applied = cli("apply", "--plan", "restore.json", "--auto-approve")
    assert applied.code == 0, applied.err
    assert live_statuses(sim, 31) == {"1": PAID, "module-old": MODULE, "module-new": MODULE}


def test_a_module_status_removed_since_the_apply_is_not_recreated(
    cli: Cli, sim: Simulator, project: Path
) -> None:
    journal = _apply_rename(cli, sim, project)
    seed(sim, {31: ({"1": {"en-gb": "Paid!"}}, {"READY_TO_SEND": "1"})})

    applied = cli("restore", "--journal", journal, "--out", "restore.json")
    assert applied.code == 0, applied.err
    assert cli("apply", "--plan", "restore.json", "--auto-approve").code == 0

    assert live_statuses(sim, 31) == {"1": PAID}


def test_a_managed_change_since_the_apply_still_refuses_the_restore(
    cli: Cli, sim: Simulator, project: Path
) -> None:
    journal = _apply_rename(cli, sim, project)
    statuses = {**live_statuses(sim, 31), "2": {"en-gb": "Added by hand"}}
    seed(sim, {31: (statuses, {"READY_TO_SEND": "1"})})

    refused = cli("restore", "--journal", journal)

    assert refused.code == 1
    assert 'Sendcloud changed since this apply (status "2" added' in refused.out + refused.err


def test_a_files_own_safety_thresholds_judge_its_restore(
    cli: Cli, sim: Simulator, project: Path
) -> None:
    # The apply adds four statuses to four; the restore deletes four of eight (50 %), over the
    # built-in 30 %, within the file's own max_delete_share of 0.6.
    before = {str(i): {"en-gb": f"S{i}"} for i in range(1, 5)}
    seed(sim, {32: (before, {"READY_TO_SEND": "1"})})
    after = {str(i): {"en-gb": f"S{i}"} for i in range(1, 9)}
    path = write_file(project / "shops", 32, statuses=after)
    path.write_text(path.read_text() + "safety:\n  max_delete_share: 0.6\n")
    assert cli("apply", "shops", "--auto-approve", "--journal", "journal.jsonl").code == 0

    without_files = cli("restore", "--journal", "journal.jsonl")
    with_files = cli("restore", "--journal", "journal.jsonl", "shops")

    assert "Unsafe" in without_files.out  # the project file's (built-in) thresholds
    assert "Unsafe" not in with_files.out, with_files.out
    assert '- status "8"' in with_files.out
