"""The fault matrix: every endpoint failing at every step of an apply; a crash; a race.

Each run either completes (the client retried) or stops that integration with a clear message;
either way a rerun converges, and no write ever leaves the mapping pointing at a missing status
(the simulator's request log flags the mapping's validity right after every write).

The scenario is the longest write sequence: status "3" is deleted while DELIVERED still points
at it, so apply writes the statuses (keeping "3"), then the mapping, then the final statuses.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pytest

from reconciler.apply import IntegrationResult, Outcome, apply_plan
from reconciler.config.loader import DesiredFile, load_paths
from reconciler.model import Category, Language
from reconciler.plan import Plan
from reconciler.planner import build_plan
from reconciler.sendcloud.client import RetryPolicy, SendcloudClient
from reconciler.simulator.faults import Fault
from reconciler.simulator.simulator import Simulator
from tests.apply.support import (
    MAPPING_PATH,
    STATUSES_PATH,
    Cli,
    assert_mapping_always_valid,
    fast_client,
    full_mapping,
    live_mapping,
    live_statuses,
    posted_ids,
    seed,
    write_file,
    writes,
)
from tests.support.simulator import BackgroundServer, disable_rate_limits

IID = 21
LIVE = {str(n): {"en-gb": f"Status {n}"} for n in range(1, 6)}
LIVE_MAPPING = {"READY_TO_SEND": "1", "IN_TRANSIT": "2", "DELIVERED": "3"}
DESIRED = {
    "1": LIVE["1"],
    "2": {"en-gb": "Shipped"},
    "4": LIVE["4"],
    "5": LIVE["5"],
    "6": {"en-gb": "Delivered"},
}
DESIRED_MAPPING = {"READY_TO_SEND": "1", "IN_TRANSIT": "2", "DELIVERED": "6"}

# The apply under test: a small timeout and a tiny backoff, so a transient fault is retried at
# once; the budget leaves room for a slow machine, except where the fault is meant to outlast it.
TIMEOUT = 0.3
RETRY = RetryPolicy(budget=2.0, initial=0.01, maximum=0.05, jitter=0.01)
SHORT_RETRY = RetryPolicy(budget=0.5, initial=0.01, maximum=0.05, jitter=0.01)
SLOW = 0.6  # longer than TIMEOUT: the client gives up on the answer and retries

Expect = Literal["applied", "failed", "either"]

# Messages a stopped integration ends with, one per place apply can stop.
STOPPED = (
    "could not read the live state, nothing was written",
    "failed and the integration stopped there",
    "failed, so it was not sent",
    "reading the result back to verify it failed",
    "does not hold the desired state after applying",
)


@dataclass(frozen=True)
class Step:
    name: str
    endpoint: str
    call: int  # which call of `endpoint` during the apply (1: the first)

    @property
    def is_write(self) -> bool:
        return self.endpoint.startswith("POST")


STEPS = (
    Step("initial-read", "GET /shop-order-statuses", 1),
    Step("initial-read", "GET /shop-order-statuses/mapping", 1),
    Step("statuses-write", "POST /shop-order-statuses", 1),
    Step("mapping-write", "POST /shop-order-statuses/mapping", 1),
    Step("final-statuses-write", "POST /shop-order-statuses", 2),
    # Before each write after the first, apply reads the live state again (a stale check).
    Step("re-read-before-write-2", "GET /shop-order-statuses", 2),
    Step("re-read-before-write-2", "GET /shop-order-statuses/mapping", 2),
    Step("re-read-before-write-3", "GET /shop-order-statuses", 3),
    Step("re-read-before-write-3", "GET /shop-order-statuses/mapping", 3),
    Step("verification-read", "GET /shop-order-statuses", 4),
    Step("verification-read", "GET /shop-order-statuses/mapping", 4),
)

# name: (Fault arguments, expected outcome when a read meets it, when a write meets it)
FAULTS: dict[str, tuple[dict[str, Any], Expect, Expect]] = {
    "500": ({"status": 500}, "failed", "failed"),  # not retried: may be a real server bug
    "502": ({"status": 502}, "applied", "applied"),
    "503": ({"status": 503}, "applied", "applied"),
    "429": ({"status": 429}, "applied", "applied"),
    "429-retry-after": ({"status": 429, "retry_after": "0"}, "applied", "applied"),
    # The server still runs a request the client gave up on, so a delayed write lands late,
    # possibly after its retry and the writes that followed: the read-back may catch that.
    "timeout": ({"action": "delay", "delay": SLOW}, "applied", "either"),
    "drop": ({"action": "drop"}, "applied", "applied"),
    "503-beyond-budget": ({"status": 503, "times": 1000}, "failed", "failed"),
}
AFTER_COMMIT: dict[str, tuple[dict[str, Any], Expect]] = {
    "500-after-commit": ({"status": 500}, "failed"),
    "502-after-commit": ({"status": 502}, "applied"),
    "drop-after-commit": ({"action": "drop"}, "applied"),
    "timeout-after-commit": ({"action": "delay", "delay": SLOW}, "applied"),
}


def _matrix() -> list[Any]:
    cases = []
    for step in STEPS:
        short = step.endpoint.replace("/shop-order-statuses", "statuses").replace(" ", "-")
        for name, (arguments, on_read, on_write) in FAULTS.items():
            expect = on_write if step.is_write else on_read
            cases.append(pytest.param(step, arguments, expect, id=f"{step.name}-{short}-{name}"))
        if step.is_write:
            for name, (arguments, expect) in AFTER_COMMIT.items():
                arguments = {**arguments, "after_commit": True}
                cases.append(
                    pytest.param(step, arguments, expect, id=f"{step.name}-{short}-{name}")
                )
    return cases


class FaultAtStep(SendcloudClient):
    """A client that queues a fault in the simulator just before the armed step's call."""

    armed: tuple[Simulator, Step, Fault] | None = None

    def arm(self, sim: Simulator, step: Step, fault: Fault) -> None:
        self.armed = (sim, step, fault)
        self._calls: dict[str, int] = {}

    def _before(self, endpoint: str) -> None:
        if self.armed is None:
            return
        sim, step, fault = self.armed
        self._calls[endpoint] = self._calls.get(endpoint, 0) + 1
        if endpoint == step.endpoint and self._calls[endpoint] == step.call:
            sim.inject(fault)

    async def get_statuses(self, integration_id: int, *, show_deleted: bool = False) -> Any:
        self._before("GET /shop-order-statuses")
        return await super().get_statuses(integration_id, show_deleted=show_deleted)

    async def get_mapping(self, integration_id: int) -> Any:
        self._before("GET /shop-order-statuses/mapping")
        return await super().get_mapping(integration_id)

    async def post_statuses(
        self,
        integration_id: int,
        statuses: Mapping[str, Mapping[Language, str]],
        *,
        on_send: Callable[[], None] | None = None,
    ) -> None:
        self._before("POST /shop-order-statuses")
        await super().post_statuses(integration_id, statuses, on_send=on_send)

    async def post_mapping(
        self,
        integration_id: int,
        mapping: Mapping[Category, str | None],
        *,
        on_send: Callable[[], None] | None = None,
    ) -> None:
        self._before("POST /shop-order-statuses/mapping")
        await super().post_mapping(integration_id, mapping, on_send=on_send)


@pytest.fixture
def sim(simulator_server: BackgroundServer) -> Simulator:
    simulator = simulator_server.simulator
    # The faults are injected; the simulator's own rate limits would only add noise.
    disable_rate_limits(simulator)
    return simulator


@pytest.fixture
def files(sim: Simulator, tmp_path: Path) -> list[DesiredFile]:
    seed(sim, {IID: (LIVE, LIVE_MAPPING)})
    return load_paths([write_file(tmp_path, IID, statuses=DESIRED, mapping=DESIRED_MAPPING)])


@pytest.fixture
async def client(
    simulator_server: BackgroundServer, credentials: tuple[str, str]
) -> AsyncIterator[SendcloudClient]:
    """A client without faults or tight timeouts: to plan, and to rerun after the fault."""
    async with fast_client(simulator_server.base_url, credentials) as made:
        yield made


def _faulty_client(
    server: BackgroundServer, credentials: tuple[str, str], retry: RetryPolicy
) -> FaultAtStep:
    return FaultAtStep(
        server.base_url,
        *credentials,
        timeout=TIMEOUT,
        retry=retry,
        reads_per_minute=60_000.0,
        writes_per_minute=60_000.0,
    )


async def _plan(client: SendcloudClient, files: list[DesiredFile]) -> Plan:
    plan, problems = await build_plan(client, files)
    assert problems == []
    assert plan.failures == ()
    return plan


async def _assert_converges(
    client: SendcloudClient, server: BackgroundServer, files: list[DesiredFile]
) -> None:
    """No straggler left, then a plain rerun finishes the job and a plan shows nothing to do."""
    assert server.wait_idle(5.0)
    sim = server.simulator
    sim.faults.clear()
    [rerun] = await apply_plan(client, await _plan(client, files))
    assert rerun.outcome in (Outcome.APPLIED, Outcome.IN_SYNC), rerun.message
    assert not (await _plan(client, files)).has_changes
    assert live_statuses(sim, IID) == DESIRED
    assert live_mapping(sim, IID) == full_mapping(DESIRED_MAPPING)
    assert_mapping_always_valid(sim)


@pytest.mark.parametrize(("step", "arguments", "expect"), _matrix())
async def test_fault_at_every_step(
    simulator_server: BackgroundServer,
    credentials: tuple[str, str],
    client: SendcloudClient,
    sim: Simulator,
    files: list[DesiredFile],
    step: Step,
    arguments: dict[str, Any],
    expect: Expect,
) -> None:
    plan = await _plan(client, files)
    assert [w.purpose for w in plan.integrations[0].writes] == [
        "statuses, keeping '3' until the mapping moves off",
        "mapping",
        "final statuses",
    ]
    lasting = arguments.get("times", 1) > 1
    faulty = _faulty_client(simulator_server, credentials, SHORT_RETRY if lasting else RETRY)
    faulty.arm(sim, step, Fault(step.endpoint, **arguments))

    async with faulty:
        [result] = await apply_plan(faulty, plan)

    assert simulator_server.wait_idle(5.0)  # a delayed request is logged when it ends
    assert any(entry.fault for entry in sim.log.entries()), "the fault was never met"
    if expect == "applied" or (expect == "either" and result.outcome is Outcome.APPLIED):
        assert result.outcome is Outcome.APPLIED, result.message
        assert result.writes == 3
    else:
        assert result.outcome is Outcome.FAILED
        assert any(phrase in result.message for phrase in STOPPED), result.message
    await _assert_converges(client, simulator_server, files)


async def _plan_and_apply(
    server: BackgroundServer, credentials: tuple[str, str], files: list[DesiredFile], delay: float
) -> IntegrationResult:
    """What one ``reconciler apply`` does: read and plan, then apply (its own client, pacing)."""
    await asyncio.sleep(delay)
    async with fast_client(server.base_url, credentials) as client:
        plan, _ = await build_plan(client, files)
        [result] = await apply_plan(client, plan)
    return result


# Two applies on one integration at once, the second starting this much later: together they
# cover both applies interleaving write by write, one refused as stale, one finding the other's
# half-done work, and one finding nothing left to do.
@pytest.mark.parametrize("offset", [0.0, 0.05, 0.08, 0.12, 0.3])
async def test_two_applies_at_once_converge_without_an_invalid_mapping(
    simulator_server: BackgroundServer,
    credentials: tuple[str, str],
    sim: Simulator,
    files: list[DesiredFile],
    offset: float,
) -> None:
    results = await asyncio.gather(
        _plan_and_apply(simulator_server, credentials, files, 0.0),
        _plan_and_apply(simulator_server, credentials, files, offset),
    )

    for result in results:
        # Every write is a full overwrite and each sequence is safe against the other's writes
        # landing in between; the worst case is a read-back that saw the other's earlier write,
        # or a re-read between two writes that saw it and stopped the integration as stale.
        assert result.outcome in (Outcome.APPLIED, Outcome.IN_SYNC, Outcome.STALE, Outcome.FAILED)
        if result.outcome is Outcome.FAILED:
            assert "does not hold the desired state after applying" in result.message
        if result.outcome is Outcome.STALE and result.writes:
            assert "live state changed during apply" in result.message
    assert_mapping_always_valid(sim)
    async with fast_client(simulator_server.base_url, credentials) as client:
        # Whatever each stopped after, a rerun finishes the job.
        if not any(result.outcome is Outcome.APPLIED for result in results):
            await apply_plan(client, await _plan(client, files))
        assert not (await _plan(client, files)).has_changes
    assert live_statuses(sim, IID) == DESIRED
    assert live_mapping(sim, IID) == full_mapping(DESIRED_MAPPING)


async def test_an_apply_planned_before_another_one_wrote_the_same_is_in_sync(
    client: SendcloudClient, sim: Simulator, files: list[DesiredFile]
) -> None:
    late = await _plan(client, files)
    [first] = await apply_plan(client, await _plan(client, files))

    [second] = await apply_plan(client, late)

    assert first.outcome is Outcome.APPLIED
    # The live state moved since `late` was planned, but to exactly what it wants: not stale.
    assert second.outcome is Outcome.IN_SYNC
    assert second.message == "already holds the plan's desired state"
    assert len(writes(sim)) == 3


@pytest.mark.parametrize("moment", ["before-the-mapping-write", "during-the-mapping-write"])
def test_a_crash_after_the_statuses_write_is_finished_by_a_rerun(
    simulator_server: BackgroundServer,
    credentials: tuple[str, str],
    sim: Simulator,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    moment: str,
) -> None:
    seed(sim, {IID: (LIVE, LIVE_MAPPING)})
    path = write_file(tmp_path, IID, statuses=DESIRED, mapping=DESIRED_MAPPING)
    public_key, secret_key = credentials
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "SENDCLOUD_"))}
    env.update(SENDCLOUD_PUBLIC_KEY=public_key, SENDCLOUD_SECRET_KEY=secret_key)
    if moment == "during-the-mapping-write":
        # The mapping write hangs in the server; the process dies waiting for its answer.
        sim.inject(Fault("POST /shop-order-statuses/mapping", action="delay", delay=1.0))
        writes_per_minute = "900"
    else:
        # Ten seconds between writes: the process dies long before it sends the mapping.
        writes_per_minute = "6"
    command = [sys.executable, "-m", "reconciler", "apply", str(path), "--auto-approve"]
    command += ["--api-url", simulator_server.base_url, "--reads-per-minute", "60000"]
    command += ["--writes-per-minute", writes_per_minute]
    process = subprocess.Popen(
        command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 20
        while not writes(sim) or (moment == "during-the-mapping-write" and sim.faults.pending()):
            assert process.poll() is None, process.communicate()[1]
            assert time.monotonic() < deadline, "the statuses write never came"
            time.sleep(0.005)
        process.send_signal(signal.SIGKILL)
    finally:
        process.kill()
        process.communicate()
    assert process.returncode == -signal.SIGKILL

    assert simulator_server.wait_idle(5.0)  # a request the dead process left in flight completes
    first = writes(sim)[0]
    assert first.path == STATUSES_PATH
    assert posted_ids(first) == ["1", "2", "3", "4", "5", "6"]  # "3" kept, as planned
    assert live_statuses(sim, IID) == {**DESIRED, "3": LIVE["3"]}

    monkeypatch.setenv("SENDCLOUD_PUBLIC_KEY", public_key)
    monkeypatch.setenv("SENDCLOUD_SECRET_KEY", secret_key)
    for name in ("GITHUB_ACTIONS", "SENDCLOUD_API_URL"):
        monkeypatch.delenv(name, raising=False)
    cli = Cli(simulator_server.base_url, capsys)
    before = len(writes(sim))
    rerun = cli("apply", path, "--auto-approve")

    assert rerun.code == 0, rerun.err
    finishing = [entry.path for entry in writes(sim)[before:]]
    if moment == "during-the-mapping-write":
        assert finishing == [STATUSES_PATH]  # the mapping write had reached the server
    else:
        assert finishing == [MAPPING_PATH, STATUSES_PATH]
    assert "Plan: no changes" in cli("plan", path).out
    assert live_statuses(sim, IID) == DESIRED
    assert_mapping_always_valid(sim)
