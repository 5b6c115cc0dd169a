"""What apply sends, in which order: statuses, then mapping; nothing that is already right."""

from __future__ import annotations

from pathlib import Path

from reconciler.simulator.simulator import Simulator
from tests.apply.support import (
    MAPPING_PATH,
    STATUSES_PATH,
    Cli,
    assert_mapping_always_valid,
    live_mapping,
    live_statuses,
    posted_ids,
    seed,
    write_file,
    write_paths,
    writes,
)

PAID = {"en-gb": "Paid"}
SHIPPED = {"en-gb": "Shipped"}
DELIVERED = {"en-gb": "Delivered"}


def test_statuses_are_written_before_the_mapping(cli: Cli, sim: Simulator, tmp_path: Path) -> None:
    path = write_file(
        tmp_path,
        11,
        statuses={"1": PAID, "2": SHIPPED},
        mapping={"READY_TO_SEND": "1", "IN_TRANSIT": "2"},
    )

    run = cli("apply", path, "--auto-approve")

    assert run.code == 0, run.err
    assert write_paths(sim) == [STATUSES_PATH, MAPPING_PATH]
    assert live_statuses(sim, 11) == {"1": PAID, "2": SHIPPED}
    assert live_mapping(sim, 11) == {
        "READY_TO_SEND": "1",
        "IN_TRANSIT": "2",
        "DELIVERED": None,
        "CANCEL": None,
    }
    assert "Apply complete: 1 applied, 0 in sync, 0 failed (2 writes)." in run.err
    assert "Apply complete: 1 applied, 0 in sync, 0 failed (2 writes)." in run.err
    assert_mapping_always_valid(sim)


def test_only_the_mapping_is_written_when_only_the_mapping_changes(
    cli: Cli, sim: Simulator, tmp_path: Path
) -> None:
    seed(sim, {11: ({"1": PAID, "2": SHIPPED}, {"READY_TO_SEND": "1"})})
    path = write_file(
        tmp_path, 11, statuses={"1": PAID, "2": SHIPPED}, mapping={"READY_TO_SEND": "2"}
    )

    assert cli("apply", path, "--auto-approve").code == 0

    assert write_paths(sim) == [MAPPING_PATH]
    assert live_mapping(sim, 11)["READY_TO_SEND"] == "2"


def test_only_the_statuses_are_written_when_only_the_statuses_change(
    cli: Cli, sim: Simulator, tmp_path: Path
) -> None:
    seed(sim, {11: ({"1": PAID}, {"READY_TO_SEND": "1"})})
    path = write_file(
        tmp_path,
        11,
        statuses={"1": {"en-gb": "Paid!"}, "2": SHIPPED},
        mapping={"READY_TO_SEND": "1"},
    )

    assert cli("apply", path, "--auto-approve").code == 0

    assert write_paths(sim) == [STATUSES_PATH]
    assert live_statuses(sim, 11) == {"1": {"en-gb": "Paid!"}, "2": SHIPPED}


def test_an_integration_in_sync_costs_no_write(cli: Cli, sim: Simulator, tmp_path: Path) -> None:
    seed(sim, {11: ({"1": PAID}, {"READY_TO_SEND": "1"})})
    path = write_file(tmp_path, 11, statuses={"1": PAID}, mapping={"READY_TO_SEND": "1"})

    run = cli("apply", path)  # no --auto-approve needed: nothing to confirm

    assert run.code == 0, run.err
    assert writes(sim) == []
    assert "in sync" in run.out


def test_a_second_apply_writes_nothing(cli: Cli, sim: Simulator, tmp_path: Path) -> None:
    seed(sim, {11: ({"1": PAID, "9": {"en-gb": "Old"}}, {"READY_TO_SEND": "9"})})
    path = write_file(
        tmp_path, 11, statuses={"1": PAID, "2": SHIPPED}, mapping={"READY_TO_SEND": "2"}
    )
    assert cli("apply", path, "--auto-approve").code == 0
    first = len(writes(sim))

    again = cli("apply", path, "--auto-approve")

    assert again.code == 0, again.err
    assert first > 0
    assert len(writes(sim)) == first
    assert "Plan: no changes" in again.out


def test_a_status_still_mapped_is_kept_until_the_mapping_moves_off(
    cli: Cli, sim: Simulator, tmp_path: Path
) -> None:
    # "3" is deleted but IN_TRANSIT still points at it: deleting it first would leave the
    # mapping invalid, so it stays one write longer.
    seed(
        sim,
        {11: ({"1": PAID, "2": SHIPPED, "3": {"en-gb": "Sent"}}, {"IN_TRANSIT": "3"})},
    )
    path = write_file(
        tmp_path,
        11,
        statuses={"1": PAID, "2": SHIPPED, "4": DELIVERED},
        mapping={"IN_TRANSIT": "2", "DELIVERED": "4"},
    )

    run = cli("apply", path, "--auto-approve")

    assert run.code == 0, run.err
    sent = writes(sim, 11)
    assert [entry.path for entry in sent] == [STATUSES_PATH, MAPPING_PATH, STATUSES_PATH]
    assert posted_ids(sent[0]) == ["1", "2", "3", "4"]  # desired + the still-referenced "3"
    assert posted_ids(sent[2]) == ["1", "2", "4"]
    assert [entry.invalid_mapping for entry in sent] == [[], [], []]
    assert live_statuses(sim, 11) == {"1": PAID, "2": SHIPPED, "4": DELIVERED}
    assert "Apply complete: 1 applied, 0 in sync, 0 failed (3 writes)." in run.err


def test_no_interim_write_when_the_live_statuses_already_are_the_interim_ones(
    cli: Cli, sim: Simulator, tmp_path: Path
) -> None:
    # What a run stopped after its first write leaves behind: the rerun picks up from there.
    seed(sim, {11: ({"1": PAID, "3": {"en-gb": "Sent"}}, {"IN_TRANSIT": "3"})})
    path = write_file(tmp_path, 11, statuses={"1": PAID}, mapping={"IN_TRANSIT": "1"})

    assert cli("apply", path, "--auto-approve").code == 0

    assert write_paths(sim) == [MAPPING_PATH, STATUSES_PATH]
    assert_mapping_always_valid(sim)


def test_a_mapping_only_file_never_deletes_a_status(
    cli: Cli, sim: Simulator, tmp_path: Path
) -> None:
    seed(sim, {11: ({"1": PAID, "2": SHIPPED}, {"READY_TO_SEND": "1"})})
    path = write_file(tmp_path, 11, mapping={"READY_TO_SEND": "2", "IN_TRANSIT": "1"})

    assert cli("apply", path, "--auto-approve").code == 0

    assert write_paths(sim) == [MAPPING_PATH]
    assert live_statuses(sim, 11) == {"1": PAID, "2": SHIPPED}
    assert_mapping_always_valid(sim)


def test_a_statuses_only_file_never_touches_the_mapping(
    cli: Cli, sim: Simulator, tmp_path: Path
) -> None:
    seed(sim, {11: ({"1": PAID}, {"READY_TO_SEND": "1"})})
    path = write_file(tmp_path, 11, statuses={"1": PAID, "2": SHIPPED})

    assert cli("apply", path, "--auto-approve").code == 0

    assert write_paths(sim) == [STATUSES_PATH]
    assert live_mapping(sim, 11)["READY_TO_SEND"] == "1"
