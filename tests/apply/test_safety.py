"""The safety rail: a plan deleting many or all statuses is applied only with --force."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.simulator.simulator import Simulator
from tests.apply.support import Cli, live_statuses, seed, write_file, writes

FIVE = {str(n): {"en-gb": f"Status {n}"} for n in range(1, 6)}
KEEP_THREE = {n: FIVE[n] for n in ("1", "2", "3")}


@pytest.mark.parametrize(
    ("desired", "warning"),
    [
        (KEEP_THREE, "unsafe: deletes 2 of 5 live statuses (more than 30%)"),
        ({}, "unsafe: deletes all 5 live statuses"),
    ],
    ids=["more-than-30-percent", "all"],
)
def test_an_unsafe_plan_is_refused_without_force_and_applied_with_it(
    cli: Cli, sim: Simulator, tmp_path: Path, desired: dict[str, dict[str, str]], warning: str
) -> None:
    seed(sim, {11: (FIVE, {})})
    path = write_file(tmp_path, 11, statuses=desired)

    planned = cli("plan", path)
    assert planned.code == 0, planned.err
    assert warning in planned.out

    refused = cli("apply", path, "--auto-approve")
    assert refused.code == 1
    assert "refused (unsafe)" in refused.err
    assert "--force" in refused.err
    assert writes(sim) == []

    forced = cli("apply", path, "--auto-approve", "--force")
    assert forced.code == 0, forced.err
    assert live_statuses(sim, 11) == desired


def test_deleting_a_few_statuses_is_not_unsafe(cli: Cli, sim: Simulator, tmp_path: Path) -> None:
    seed(sim, {11: (FIVE, {})})
    path = write_file(tmp_path, 11, statuses={n: FIVE[n] for n in ("1", "2", "3", "4")})

    run = cli("apply", path, "--auto-approve")

    assert run.code == 0, run.err
    assert "unsafe" not in run.out


def test_an_unsafe_integration_does_not_hold_back_a_safe_one(
    cli: Cli, sim: Simulator, tmp_path: Path
) -> None:
    seed(sim, {11: (FIVE, {}), 12: ({"1": FIVE["1"]}, {})})
    unsafe = write_file(tmp_path, 11, statuses={})
    safe = write_file(tmp_path, 12, statuses=FIVE)

    run = cli("apply", unsafe, safe, "--auto-approve")

    assert run.code == 1
    assert "Apply complete: 1 applied, 0 in sync, 1 failed (1 write)." in run.err
    assert live_statuses(sim, 11) == FIVE
    assert live_statuses(sim, 12) == FIVE


def test_deleting_a_status_an_unmanaged_mapping_uses_is_refused_even_with_force(
    cli: Cli, sim: Simulator, tmp_path: Path
) -> None:
    seed(sim, {11: (FIVE, {"CANCEL": "5"})})
    path = write_file(tmp_path, 11, statuses={n: FIVE[n] for n in ("1", "2", "3", "4")})

    planned = cli("plan", path)
    assert "the live mapping CANCEL still uses" in planned.out
    forced = cli("apply", path, "--auto-approve", "--force")

    assert forced.code == 1
    assert "--force does not override this" in forced.err
    assert writes(sim) == []
    assert live_statuses(sim, 11) == FIVE
