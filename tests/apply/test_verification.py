"""After writing, apply reads the integration back; whatever still differs is an error."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from reconciler.apply import Outcome, apply_plan
from reconciler.config.loader import load_paths
from reconciler.model import Category
from reconciler.planner import build_plan
from reconciler.sendcloud.client import SendcloudClient
from reconciler.simulator.simulator import Simulator
from tests.apply.support import Cli, fast_client, live_mapping, seed, write_file
from tests.support.simulator import BackgroundServer

PAID = {"en-gb": "Paid"}
SHIPPED = {"en-gb": "Shipped"}


def _tamper(sim: Simulator, integration_id: int) -> None:
    """Someone edits the integration in the Sendcloud panel right after apply's last write."""
    state = sim.get_state()
    integration = state["integrations"][str(integration_id)]
    for status in integration["statuses"]:
        if status["external_id"] == "2":
            status["translations"] = [{"language": "en-gb", "status": "Shipped (edited)"}]
    integration["mapping"]["CANCEL"] = "1"
    sim.replace_state(state)


class TamperingClient(SendcloudClient):
    """Changes the simulator's state after its mapping write is answered, before the read-back."""

    sim: Simulator

    async def post_mapping(
        self,
        integration_id: int,
        mapping: Mapping[Category, str | None],
        *,
        on_send: Callable[[], None] | None = None,
    ) -> None:
        await super().post_mapping(integration_id, mapping, on_send=on_send)
        _tamper(self.sim, integration_id)


def _scenario(sim: Simulator, tmp_path: Path) -> Path:
    seed(sim, {11: ({"1": PAID, "2": SHIPPED}, {"READY_TO_SEND": "1"})})
    return write_file(
        tmp_path, 11, statuses={"1": PAID, "2": SHIPPED}, mapping={"READY_TO_SEND": "2"}
    )


async def test_a_residual_difference_fails_the_integration_naming_the_fields(
    simulator_server: BackgroundServer, credentials: tuple[str, str], tmp_path: Path
) -> None:
    sim = simulator_server.simulator
    files = load_paths([_scenario(sim, tmp_path)])
    async with fast_client(simulator_server.base_url, credentials) as client:
        plan, problems = await build_plan(client, files)
    assert problems == []
    tampering = TamperingClient(simulator_server.base_url, *credentials, timeout=2.0)
    tampering.sim = sim

    async with tampering:
        [result] = await apply_plan(tampering, plan)

    assert result.outcome is Outcome.FAILED
    assert result.writes == 1
    assert "does not hold the desired state after applying" in result.message
    assert 'status "2" en-gb is "Shipped (edited)", desired "Shipped"' in result.message
    assert 'mapping CANCEL is "1", desired unmapped' in result.message


def test_the_cli_reports_the_residual_and_exits_1(
    cli: Cli, sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _scenario(sim, tmp_path)
    post_mapping = SendcloudClient.post_mapping

    async def post_then_tamper(
        self: SendcloudClient,
        integration_id: int,
        mapping: Mapping[Category, str | None],
        *,
        on_send: Callable[[], None] | None = None,
    ) -> None:
        await post_mapping(self, integration_id, mapping, on_send=on_send)
        _tamper(sim, integration_id)

    monkeypatch.setattr(SendcloudClient, "post_mapping", post_then_tamper)

    run = cli("apply", path, "--auto-approve")

    assert run.code == 1
    assert "1 failed" in run.err
    assert "failed: integration 11" in run.err
    assert 'status "2" en-gb is "Shipped (edited)", desired "Shipped"' in run.err
    assert live_mapping(sim, 11)["READY_TO_SEND"] == "2"  # the write itself did land
