"""Restore never leaves the mapping on a status it does not re-create.

The state recorded before an apply may map a category onto a status that was already deleted
(Sendcloud reads it back ``is_valid: false``). Restoring that entry verbatim would write the
mapping onto a missing status; the restore leaves it alone when the live mapping already points
there, and otherwise restores it as unmapped, with a warning. Verified by reading Sendcloud back
and by the simulator's log of every write (no write ever left a category invalid).
"""

from __future__ import annotations

from pathlib import Path

from reconciler.simulator.simulator import Simulator
from tests.apply.support import (
    Cli,
    assert_mapping_always_valid,
    full_mapping,
    live_mapping,
    live_statuses,
    write_file,
    write_paths,
    writes,
)
from tests.commands.simstate import integration

PAID = {"en-gb": "Paid"}
SENT = {"en-gb": "Sent"}
CANCELLED = {"en-gb": "Cancelled"}
RETURNED = {"en-gb": "Returned"}


def _seed(sim: Simulator, state: dict[str, object]) -> None:
    sim.replace_state({"integrations": {"11": state}})


def _soft_deleted(sim: Simulator) -> set[str]:
    statuses = sim.get_state()["integrations"]["11"]["statuses"]
    return {s["external_id"] for s in statuses if s["deleted_at"] is not None}


def _apply(cli: Cli, path: Path, journal: Path) -> None:
    run = cli("apply", path, "--auto-approve", "--journal", journal)
    assert run.code == 0, run.err


def _restore_and_apply(cli: Cli, sim: Simulator, journal: Path, saved: Path) -> str:
    """Restore to ``saved``, apply it with a clean write log; what restore said on stderr."""
    planned = cli("restore", "--journal", journal, "--out", saved)
    assert planned.code == 0, planned.out + planned.err
    sim.log.clear()
    applied = cli("apply", "--plan", saved, "--auto-approve")
    assert applied.code == 0, applied.out + applied.err
    return planned.err


def test_a_category_on_a_status_deleted_before_the_apply_is_restored_unmapped(
    cli: Cli, sim: Simulator, tmp_path: Path
) -> None:
    # Before: CANCEL points at "9", soft-deleted long ago (Sendcloud: is_valid false).
    _seed(
        sim,
        integration(
            {"1": PAID, "2": SENT}, {"IN_TRANSIT": "2", "CANCEL": "9"}, {"9": {"en-gb": "Old"}}
        ),
    )
    journal = tmp_path / "apply.jsonl"
    path = write_file(
        tmp_path,
        11,
        statuses={"1": PAID, "4": RETURNED},
        mapping={"IN_TRANSIT": "4", "CANCEL": "4"},
    )
    _apply(cli, path, journal)

    said = _restore_and_apply(cli, sim, journal, tmp_path / "restore.json")

    [warning] = [line for line in said.splitlines() if line.startswith("Warning:")]
    assert warning == (
        "Warning: integration 11: before the apply CANCEL was mapped to status '9', a status "
        "already deleted then (Sendcloud marked that mapping invalid); the restore does not "
        "re-create that status, so CANCEL is restored as unmapped (null)"
    )
    assert live_statuses(sim, 11) == {"1": PAID, "2": SENT}
    assert live_mapping(sim, 11) == full_mapping({"IN_TRANSIT": "2"})
    assert _soft_deleted(sim) == {"4", "9"}
    # '2' is revived before the mapping moves onto it; '4' goes once the mapping is off it.
    assert write_paths(sim, 11) == [
        "/shop-order-statuses",
        "/shop-order-statuses/mapping",
        "/shop-order-statuses",
    ]
    assert_mapping_always_valid(sim)


def test_a_category_still_on_that_deleted_status_is_left_alone(
    cli: Cli, sim: Simulator, tmp_path: Path
) -> None:
    _seed(
        sim,
        integration({"1": PAID}, {"READY_TO_SEND": "1", "CANCEL": "9"}, {"9": {"en-gb": "Old"}}),
    )
    journal = tmp_path / "apply.jsonl"
    # The apply manages statuses only: CANCEL stays on the deleted '9'.
    _apply(cli, write_file(tmp_path, 11, statuses={"1": PAID, "2": SENT}), journal)

    said = _restore_and_apply(cli, sim, journal, tmp_path / "restore.json")

    assert "Warning: integration 11" not in said  # nothing about CANCEL changes
    assert live_statuses(sim, 11) == {"1": PAID}
    assert live_mapping(sim, 11) == full_mapping({"READY_TO_SEND": "1", "CANCEL": "9"})
    assert write_paths(sim, 11) == ["/shop-order-statuses"]  # no mapping write at all


def test_a_status_the_apply_revived_is_deleted_again_only_once_the_mapping_is_off_it(
    cli: Cli, sim: Simulator, tmp_path: Path
) -> None:
    # Before: '3' soft-deleted, CANCEL still on it. The apply revives '3' (posts it again), so
    # CANCEL is valid afterwards; restoring deletes '3' again and must move CANCEL off it first.
    _seed(
        sim,
        integration({"1": PAID, "2": SENT}, {"IN_TRANSIT": "2", "CANCEL": "3"}, {"3": CANCELLED}),
    )
    journal = tmp_path / "apply.jsonl"
    path = write_file(
        tmp_path,
        11,
        statuses={"1": PAID, "2": SENT, "3": CANCELLED},
        mapping={"IN_TRANSIT": "2", "CANCEL": "3"},
    )
    _apply(cli, path, journal)
    assert _soft_deleted(sim) == set()

    said = _restore_and_apply(cli, sim, journal, tmp_path / "restore.json")

    assert "so CANCEL is restored as unmapped (null)" in said
    assert live_statuses(sim, 11) == {"1": PAID, "2": SENT}
    assert _soft_deleted(sim) == {"3"}
    assert live_mapping(sim, 11) == full_mapping({"IN_TRANSIT": "2"})
    # The mapping moves off '3' first, then '3' is deleted: never a dangling CANCEL.
    assert write_paths(sim, 11) == ["/shop-order-statuses/mapping", "/shop-order-statuses"]
    assert_mapping_always_valid(sim)


def test_to_files_writes_such_a_category_as_null_with_adopts_comment(
    cli: Cli, sim: Simulator, tmp_path: Path
) -> None:
    _seed(
        sim,
        integration(
            {"1": PAID, "2": SENT}, {"IN_TRANSIT": "2", "CANCEL": "9"}, {"9": {"en-gb": "Old"}}
        ),
    )
    shop = tmp_path / "shop"
    shop.mkdir()
    path = write_file(
        shop, 11, statuses={"1": PAID, "4": RETURNED}, mapping={"IN_TRANSIT": "4", "CANCEL": "4"}
    )
    journal = tmp_path / "apply.jsonl"
    _apply(cli, path, journal)

    run = cli("restore", "--journal", journal, "--to-files", shop)

    assert run.code == 0, run.err
    text = path.read_text(encoding="utf-8")
    assert "CANCEL: null  # live mapping pointed at status '9', which was deleted\n" in text
    assert f"Warning: {path}: live mapping CANCEL points at status '9', which no longer exists" in (
        run.err
    )
    assert cli("validate", shop).code == 0
    # Planning the rewritten file is the way back, and applying it never maps onto a gap.
    sim.log.clear()
    assert cli("apply", shop, "--auto-approve").code == 0
    assert live_statuses(sim, 11) == {"1": PAID, "2": SENT}
    assert live_mapping(sim, 11) == full_mapping({"IN_TRANSIT": "2"})
    assert_mapping_always_valid(sim)


def test_a_restore_that_posts_the_mapping_never_posts_the_deleted_status(
    cli: Cli, sim: Simulator, tmp_path: Path
) -> None:
    # CANCEL on the long-deleted '9' throughout; the apply adds '2' (statuses only), then
    # someone moves READY_TO_SEND by hand. A forced restore posts the mapping (all four
    # categories): Sendcloud's POST takes a live external_id or null, so CANCEL goes to null.
    _seed(
        sim,
        integration({"1": PAID}, {"READY_TO_SEND": "1", "CANCEL": "9"}, {"9": {"en-gb": "Old"}}),
    )
    journal = tmp_path / "apply.jsonl"
    _apply(cli, write_file(tmp_path, 11, statuses={"1": PAID, "2": SENT}), journal)
    state = sim.get_state()
    state["integrations"]["11"]["mapping"]["READY_TO_SEND"] = "2"
    sim.replace_state(state)

    planned = cli("restore", "--journal", journal, "--force", "--out", tmp_path / "r.json")
    assert planned.code == 0, planned.err
    assert "so CANCEL is restored as unmapped (null)" in planned.err
    sim.log.clear()
    assert cli("apply", "--plan", tmp_path / "r.json", "--auto-approve").code == 0

    assert live_mapping(sim, 11) == full_mapping({"READY_TO_SEND": "1"})
    [posted] = [e for e in writes(sim, 11) if e.path.endswith("/mapping")]
    assert {m["external_id"] for m in posted.body["mapping"]} == {"1", None}
    assert_mapping_always_valid(sim)
