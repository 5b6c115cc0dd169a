"""Section 6: a fleet of accounts planned side by side, each under its own rate limits.

Ten accounts, each its own simulator process (as ten Sendcloud accounts are ten sets of limits),
each at the benchmark latency and enforcing the documented read limit (scaled like section 2).
The fleet is planned in-process exactly as ``reconciler plan`` does (`reconciler.fleet`): one
client and one pacer per account, all accounts at once. The bound is what per-account
parallelism allows: the slowest account's reads, paced at its limit (first read at once, then
one per interval) or in flight `parallelism` at a time, whichever is slower, plus one latency.
"""

from __future__ import annotations

import asyncio
import os
import time
from contextlib import ExitStack
from pathlib import Path

from reconciler.config.loader import load_fleet
from reconciler.fleet import Targeting, narrow, plan_fleet
from reconciler.sendcloud.options import GlobalOptions
from tests.benchmarks import workload
from tests.benchmarks.common import throttled
from tests.benchmarks.ratelimited import scaled_limits
from tests.benchmarks.report import Figure, Section, ratio, seconds
from tests.benchmarks.settings import READS_PER_WINDOW, Settings
from tests.benchmarks.simproc import SimulatorProcess

ACCOUNTS = 10
RATIO_TARGET = 1.2
# "About 10x" one account under the real limits, with the same 1.2 tolerance as the bound: ten
# accounts can at best be 10x one (the bound), so 10 / 1.2.
THROUGHPUT_TARGET = 10 / RATIO_TARGET


def write_fleet(root: Path, settings: Settings, sims: list[SimulatorProcess]) -> dict[str, str]:
    """Files in ``integrations/acct-NN/``, a project file naming each account's simulator and
    variables, and the live state seeded in sync; returns the credential variables to set."""
    env: dict[str, str] = {}
    lines = ["accounts:"]
    for index, sim in enumerate(sims):
        name = f"acct-{index:02d}"
        ids = range(index + 1, settings.integrations + 1, ACCOUNTS)
        workload.write_files(root / "integrations" / name, map(workload.base_shop, ids))
        sim.put_state(workload.simulator_state(map(workload.base_shop, ids)))
        variable = f"BENCH_ACCT_{index:02d}"
        env[f"{variable}_PUBLIC"], env[f"{variable}_SECRET"] = sim.credentials
        lines += [
            f"  {name}:",
            f'    paths: ["integrations/{name}/**"]',
            f"    public_key_env: {variable}_PUBLIC",
            f"    secret_key_env: {variable}_SECRET",
            f"    api_url: {sim.base_url}",
        ]
    (root / "reconciler.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / ".git").mkdir()  # the project file search stops here
    return env


def bound_seconds(settings: Settings, per_account: list[int], reads_per_minute: float) -> float:
    interval = 60.0 / reads_per_minute
    return max(
        max((2 * n - 1) * interval, 2 * n * settings.latency / settings.parallelism)
        + settings.latency
        for n in per_account
    )


def run(settings: Settings, root: Path) -> Section:
    scale = settings.rate_scale
    reads_per_minute = READS_PER_WINDOW * scale
    section = Section(
        6,
        "Fleet: accounts in parallel",
        f"{settings.integrations} integrations in {ACCOUNTS} accounts, each account its own "
        f"simulator process at {settings.latency * 1000:g} ms latency enforcing "
        f"{READS_PER_WINDOW} reads per {60 / scale:g} s; planned in-process as `reconciler plan` "
        f"does (one client and pacer per account, all at once), each client paced at "
        f"{reads_per_minute:g} reads/min, parallelism {settings.parallelism}. Bound = the "
        "slowest account's paced reads (or its reads at the parallelism, if slower) + latency.",
    )
    with ExitStack() as stack:
        sims = [stack.enter_context(SimulatorProcess()) for _ in range(ACCOUNTS)]
        for sim in sims:
            sim.configure(latency=settings.latency, rate_limits=scaled_limits(scale))
        env = write_fleet(root, settings, sims)
        os.environ.update(env)
        try:
            fleet = narrow(load_fleet([root / "integrations"]), Targeting(), [])
            options = GlobalOptions(
                parallelism=settings.parallelism, reads_per_minute=reads_per_minute
            )
            server_cpu = [sim.cpu_seconds() or 0.0 for sim in sims]
            started, cpu = time.perf_counter(), time.process_time()
            plan, problems = asyncio.run(plan_fleet(options, os.environ, fleet))
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu
            server = sum(
                (sim.cpu_seconds() or 0.0) - before
                for sim, before in zip(sims, server_cpu, strict=True)
            )
        finally:
            for name in env:
                os.environ.pop(name, None)
        logs = [sim.log() for sim in sims]
    per_account = [sum(1 for e in log if e["method"] == "GET") // 2 for log in logs]
    reads = sum(2 * n for n in per_account)
    bound = bound_seconds(settings, per_account, reads_per_minute)
    limited = sum(throttled(log) for log in logs)
    one_account = (reads - 1) * 60.0 / reads_per_minute + settings.latency
    section.add(Figure("fleet_plan_seconds", f"Plan wall time ({reads} GETs)", wall, seconds(wall)))
    section.add(
        Figure("fleet_bound_seconds", "Per-account parallelism bound", bound, seconds(bound))
    )
    section.add(
        Figure(
            "fleet_ratio_to_bound",
            "Plan / bound",
            wall / bound,
            ratio(wall / bound),
            f"≤ {RATIO_TARGET:.1f}x",
            wall / bound <= RATIO_TARGET,
        )
    )
    speedup = one_account / wall
    section.add(
        Figure(
            "fleet_throughput_vs_one_account",
            "Throughput / one account under the same limits",
            speedup,
            f"{speedup:.1f}x",
            f"≥ {THROUGHPUT_TARGET:.1f}x",
            speedup >= THROUGHPUT_TARGET,
        )
    )
    section.add(Figure("fleet_client_cpu_seconds", "Client CPU during the plan", cpu, seconds(cpu)))
    section.add(
        Figure("fleet_simulators_cpu_seconds", "Simulators' CPU (all ten)", server, seconds(server))
    )
    section.add(Figure("fleet_429", "429 answers", limited, str(limited), "0", limited == 0))
    failed = len(plan.failures) + len(problems)
    section.add(
        Figure("fleet_failed", "Integrations not planned", failed, str(failed), "0", failed == 0)
    )
    return section
