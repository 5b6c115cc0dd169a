"""Integrations are independent: one that fails does not stop or spoil the others."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.apply import Outcome, apply_plan
from reconciler.config.loader import load_paths
from reconciler.planner import build_plan
from reconciler.simulator.faults import Fault
from reconciler.simulator.simulator import Simulator
from tests.apply.support import (
    MAPPING_PATH,
    Cli,
    assert_mapping_always_valid,
    fast_client,
    live_statuses,
    seed,
    write_file,
    writes,
)
from tests.support.simulator import BackgroundServer

PAID = {"en-gb": "Paid"}
SHIPPED = {"en-gb": "Shipped"}
RENAMED = {"en-gb": "Payment received"}


def _three_integrations(sim: Simulator, tmp_path: Path) -> list[Path]:
    """11 and 13 change only statuses; 12 changes only its mapping."""
    seed(
        sim,
        {
            11: ({"1": PAID}, {"READY_TO_SEND": "1"}),
            12: ({"1": PAID, "2": SHIPPED}, {"READY_TO_SEND": "1"}),
            13: ({"1": PAID}, {"READY_TO_SEND": "1"}),
        },
    )
    return [
        write_file(tmp_path, 11, statuses={"1": RENAMED}, mapping={"READY_TO_SEND": "1"}),
        write_file(
            tmp_path, 12, statuses={"1": PAID, "2": SHIPPED}, mapping={"READY_TO_SEND": "2"}
        ),
        write_file(tmp_path, 13, statuses={"1": RENAMED}, mapping={"READY_TO_SEND": "1"}),
    ]


@pytest.mark.usefixtures("fast_retries")
def test_one_integration_failing_after_retries_does_not_stop_the_others(
    cli: Cli, sim: Simulator, tmp_path: Path
) -> None:
    paths = _three_integrations(sim, tmp_path)
    # Only integration 12 writes its mapping, so only it meets the failing endpoint.
    sim.inject(Fault("POST /shop-order-statuses/mapping", status=503, times=1000))

    run = cli("apply", *paths, "--auto-approve")

    assert run.code == 1
    assert "Apply complete: 2 applied, 0 in sync, 1 failed (2 writes)." in run.err
    assert "applied: integration 11" in run.err
    assert "applied: integration 13" in run.err
    failed = [line for line in run.err.splitlines() if line.startswith("  failed:")]
    assert len(failed) == 1
    assert "integration 12" in failed[0]
    assert "write 1 of 1 (mapping) failed" in failed[0]
    assert "HTTP 503" in failed[0]
    assert live_statuses(sim, 11) == live_statuses(sim, 13) == {"1": RENAMED}

    sim.faults.clear()
    rerun = cli("apply", *paths, "--auto-approve")

    assert rerun.code == 0, rerun.err
    assert "Apply complete: 1 applied, 2 in sync, 0 failed (1 write)." in rerun.err
    assert [entry.path for entry in writes(sim, 12)][-1] == MAPPING_PATH
    assert "Plan: no changes" in cli("plan", *paths).out
    assert_mapping_always_valid(sim)


def test_an_integration_that_cannot_be_read_does_not_stop_the_others(
    cli: Cli, sim: Simulator, tmp_path: Path
) -> None:
    paths = _three_integrations(sim, tmp_path)
    state = sim.get_state()
    del state["integrations"]["12"]
    sim.replace_state(state)
    sim.configure(strict=True)  # an unknown integration answers 404, as Sendcloud does

    run = cli("apply", *paths, "--auto-approve")

    assert run.code == 1
    assert "Apply complete: 2 applied, 0 in sync, 1 failed (2 writes)." in run.err
    failed = [line for line in run.err.splitlines() if line.startswith("  failed:")]
    assert len(failed) == 1
    assert "integration 12" in failed[0]
    assert "does not exist" in failed[0]
    assert writes(sim, 12) == []

    rerun = cli("apply", *paths, "--auto-approve")

    assert rerun.code == 1  # 12 still does not exist; the others stay as applied
    assert len(writes(sim)) == 2
    # Nothing left to apply: the failure is said once, in the plan's `!` line.
    [said] = [line for line in (rerun.out + rerun.err).splitlines() if "integration 12" in line]
    assert said.startswith("! integration 12 (")
    assert "could not read live state" in said


async def test_an_integration_gone_between_plan_and_apply_fails_alone(
    simulator_server: BackgroundServer, credentials: tuple[str, str], tmp_path: Path
) -> None:
    sim = simulator_server.simulator
    files = load_paths(_three_integrations(sim, tmp_path))
    async with fast_client(simulator_server.base_url, credentials) as client:
        plan, _ = await build_plan(client, files)
        state = sim.get_state()
        del state["integrations"]["12"]
        sim.replace_state(state)
        sim.configure(strict=True)

        results = await apply_plan(client, plan)

    assert [(r.integration_id, r.outcome) for r in results] == [
        (11, Outcome.APPLIED),
        (12, Outcome.FAILED),
        (13, Outcome.APPLIED),
    ]
    assert "could not read the live state, nothing was written" in results[1].message
    assert "HTTP 404" in results[1].message
