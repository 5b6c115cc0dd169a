"""An interrupted apply: writes still waiting for their pacing slot were never sent, and the
journal (and so `journal show` and `restore`) must not say they may have been.

The write rate is scaled down to 6 a minute: the first write goes at once, every other one
waits 10 s for its slot, which is when the apply is interrupted.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from reconciler.apply import IntegrationResult, Outcome, apply_plan
from reconciler.config.loader import load_file
from reconciler.journal import Journal
from reconciler.planner import build_plan
from reconciler.simulator.credentials import Credentials
from reconciler.simulator.faults import Fault
from reconciler.simulator.simulator import Simulator
from tests.apply.support import fast_client, seed, write_file, writes
from tests.support.simulator import BackgroundServer

PAID = {"en-gb": "Paid"}
SENT = {"en-gb": "Sent"}
SHOPS = range(11, 17)
SLOW_WRITES = ("--reads-per-minute", "60000", "--writes-per-minute", "6")


def shops(sim: Simulator, tmp_path: Path) -> list[Path]:
    """Six integrations, each one statuses write away from its file."""
    seed(sim, {n: ({"1": PAID}, {}) for n in SHOPS})
    return [write_file(tmp_path, n, statuses={"1": PAID, "2": SENT}) for n in SHOPS]


def results(journal: Path) -> list[tuple[int, str]]:
    """(integration id, result) of each whole record written so far."""
    text = journal.read_text(encoding="utf-8") if journal.exists() else ""
    whole = text[: text.rfind("\n") + 1]
    records = [json.loads(line) for line in whole.splitlines()]
    return [(r["integration_id"], r["result"]) for r in records]


def wait_for(what: str, check: Callable[[], bool]) -> None:
    for _ in range(3000):
        if check():
            return
        time.sleep(0.01)
    raise AssertionError(f"never happened: {what}")


def test_ctrl_c_while_writes_wait_for_their_slot_journals_only_the_sent_write(
    sim: Simulator,
    tmp_path: Path,
    simulator_server: BackgroundServer,
    credentials: tuple[str, str],
) -> None:
    files = shops(sim, tmp_path)
    journal = tmp_path / "apply.jsonl"
    env = {**os.environ, "SENDCLOUD_PUBLIC_KEY": credentials[0]}
    env["SENDCLOUD_SECRET_KEY"] = credentials[1]
    env.pop("GITHUB_ACTIONS", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "reconciler", "apply", *map(str, files), "--auto-approve",
         "--journal", str(journal), "--api-url", simulator_server.base_url, *SLOW_WRITES],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        # The first write answered: every other one is now waiting for its slot.
        wait_for("the first write's outcome", lambda: any(r == "ok" for _, r in results(journal)))
        process.send_signal(signal.SIGINT)  # Ctrl-C
        _, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert simulator_server.wait_idle()

    assert process.returncode == 130, err
    [sent] = writes(sim)
    assert results(journal) == [(sent.integration_id, "sending"), (sent.integration_id, "ok")]

    shown = subprocess.run(
        [sys.executable, "-m", "reconciler", "journal", "show", str(journal)],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    assert "1 integration, 1 write (1 ok, 0 failed, 0 unknown)." in shown.stdout


def test_cancelling_an_apply_leaves_no_sending_record_for_a_write_never_sent(
    sim: Simulator, tmp_path: Path, simulator_server: BackgroundServer, credentials: tuple[str, str]
) -> None:
    files = [load_file(path) for path in shops(sim, tmp_path)]
    journal_path = tmp_path / "apply.jsonl"

    async def interrupted() -> None:
        async with fast_client(
            simulator_server.base_url, credentials, writes_per_minute=6.0
        ) as client:
            plan, _ = await build_plan(client, files)
            with Journal(journal_path) as journal:
                task = asyncio.create_task(apply_plan(client, plan, journal=journal))
                while not writes(sim):
                    await asyncio.sleep(0.01)
                await asyncio.sleep(0.2)  # the others are well inside their 10 s wait
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    asyncio.run(interrupted())

    [sent] = writes(sim)
    assert results(journal_path) == [(sent.integration_id, "sending"), (sent.integration_id, "ok")]


def test_a_write_that_fails_before_going_out_is_said_not_sent_and_not_journaled(
    sim: Simulator,
    tmp_path: Path,
    simulator_server: BackgroundServer,
    credentials: tuple[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # OAuth2 tokens of 2 s, renewed after 1.5 s. Apply's re-read before the write still uses
    # the planning's token but is answered slowly, so the write needs a new token, which the
    # token endpoint refuses (the key pair changed): the write fails before it could go out.
    sim.configure(require_oauth2=True, token_lifetime=2)
    files = [load_file(path) for path in shops(sim, tmp_path)[:1]]
    journal_path = tmp_path / "apply.jsonl"
    token_url = f"{simulator_server.root_url}/oauth2/token"

    async def refused() -> list[IntegrationResult]:
        async with fast_client(
            simulator_server.base_url, credentials, auth="oauth2", token_url=token_url
        ) as client:
            plan, _ = await build_plan(client, files)
            assert sim.tokens.issued == 1
            sim.inject(Fault("GET /shop-order-statuses/mapping", action="delay", delay=1.8))
            monkeypatch.setattr(sim, "credentials", Credentials("someone", "else"))
            with Journal(journal_path) as journal:
                return await apply_plan(client, plan, journal=journal)

    [result] = asyncio.run(refused())

    assert writes(sim) == []
    assert results(journal_path) == []
    assert result.outcome is Outcome.FAILED
    assert result.message.startswith("write 1 of 1 (statuses) was not sent and the integration ")
    assert "may or may not" not in result.message


def _interrupted_apply(
    tmp_path: Path, env: dict[str, str], args: list[str], journal: Path, sim: Simulator
) -> tuple[int, str]:
    """Run apply in a subprocess and press Ctrl-C once its first write was answered."""
    process = subprocess.Popen(
        [sys.executable, "-m", "reconciler", "apply", *args, "--auto-approve", *SLOW_WRITES],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        if args.count("--journal"):
            wait_for("the first write's outcome", lambda: "ok" in dict(results(journal)).values())
        else:
            wait_for("the first write", lambda: bool(writes(sim)))
            time.sleep(0.3)  # its answer is back well within this on loopback
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
    finally:
        process.kill()
    return process.returncode, err


def _env(credentials: tuple[str, str]) -> dict[str, str]:
    env = {**os.environ, "SENDCLOUD_PUBLIC_KEY": credentials[0]}
    env["SENDCLOUD_SECRET_KEY"] = credentials[1]
    env.pop("GITHUB_ACTIONS", None)
    return env


def test_ctrl_c_says_which_writes_landed_that_a_rerun_converges_and_where_the_journal_is(
    sim: Simulator,
    tmp_path: Path,
    simulator_server: BackgroundServer,
    credentials: tuple[str, str],
) -> None:
    files = shops(sim, tmp_path)
    journal = tmp_path / "apply.jsonl"
    args = [*map(str, files), "--journal", str(journal), "--api-url", simulator_server.base_url]

    code, err = _interrupted_apply(tmp_path, _env(credentials), args, journal, sim)
    assert simulator_server.wait_idle()

    assert code == 130, err
    [sent] = writes(sim)
    assert (
        "Interrupted (Ctrl-C): apply stopped before it finished; 1 write reached Sendcloud." in err
    )
    landed = f"  integration {sent.integration_id} ({tmp_path}/integration-{sent.integration_id}"
    assert any(
        line.startswith(landed) and line.endswith(("applied, 1 of 1 write landed",
                                                   "stopped, 1 of 1 write landed"))
        for line in err.splitlines()
    ), err  # fmt: skip
    for other in set(SHOPS) - {sent.integration_id}:
        assert (
            f"  integration {other} ({tmp_path}/integration-{other}.yaml): stopped before its "
            "first write, nothing written"
        ) in err
    assert "Run the same command again to finish: it plans from the live state as it is now" in err
    assert f"Every write sent is in the journal {journal}: reconciler journal show {journal}" in err
    assert "Aborted." not in err

    rerun = subprocess.run(
        [sys.executable, "-m", "reconciler", "apply", *args, "--auto-approve",
         "--reads-per-minute", "60000", "--writes-per-minute", "900"],
        cwd=tmp_path, env=_env(credentials), capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert rerun.returncode == 0, rerun.stderr
    assert "Apply complete: 5 applied, 1 in sync, 0 failed (5 writes)." in rerun.stderr


def test_ctrl_c_between_the_writes_of_a_saved_plan_says_its_rerun_refuses_that_integration(
    sim: Simulator,
    tmp_path: Path,
    simulator_server: BackgroundServer,
    credentials: tuple[str, str],
) -> None:
    """Statuses, then the mapping: interrupted between them, the integration is partway."""
    seed(sim, {21: ({"1": PAID}, {"READY_TO_SEND": "1"})})
    path = write_file(tmp_path, 21, statuses={"1": PAID, "2": SENT}, mapping={"IN_TRANSIT": "2"})
    env = _env(credentials)
    api = ["--api-url", simulator_server.base_url]
    planned = subprocess.run(
        [sys.executable, "-m", "reconciler", "plan", str(path), "--out", "plan.json", *api],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert planned.returncode == 0, planned.stderr

    code, err = _interrupted_apply(
        tmp_path, env, ["--plan", "plan.json", *api], tmp_path / "none.jsonl", sim
    )
    assert simulator_server.wait_idle()

    assert code == 130, err
    assert len(writes(sim)) == 1
    assert f"  integration 21 ({path}): stopped, 1 of 2 writes landed" in err
    assert (
        "Running the same command again applies what was not written yet, but refuses "
        "integration 21 as stale"
    ) in err
    assert "journal" not in err
