"""Run every section against one simulator process and print the report."""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from reconciler.config.loader import load_paths
from tests.benchmarks import economy, fleet, latency, peers, ratelimited, startup, workload
from tests.benchmarks.report import Section, load_average, machine_facts, render, to_json
from tests.benchmarks.settings import Settings, parse_args
from tests.benchmarks.simproc import BenchError, SimulatorProcess


def progress(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def latency_live(ids: Sequence[int]) -> list[workload.Shop]:
    """Live state for section 1: in sync, except every tenth integration renamed a status."""
    shops = [workload.base_shop(i) for i in ids]
    return [
        s.with_statuses(workload.renamed(s.statuses, "3")) if i % 10 == 0 else s
        for i, s in enumerate(shops)
    ]


def run_all(settings: Settings, root: Path) -> list[Section]:
    n = settings.integrations
    progress(f"generating {n} desired-state files")
    ids = list(range(1, n + 1))
    plan_dir = workload.write_files(root / "integrations", map(workload.base_shop, ids))
    started = time.perf_counter()
    files = load_paths([plan_dir])
    load_seconds = time.perf_counter() - started
    sections: list[Section] = []
    with SimulatorProcess() as sim:
        progress(f"simulator process on {sim.base_url}")
        sim.configure(latency=settings.latency, rate_limits={"enabled": False})
        sim.put_state(workload.simulator_state(latency_live(ids)))
        progress(f"1/7 latency-bound plan: {n} integrations, then a one-at-a-time sample")
        first = asyncio.run(latency.run(sim, settings, files))
        first.notes.append(
            f"Loading the {n} files (`config.loader.load_paths`) took {load_seconds:.2f} s "
            "before the timed plan; it is not part of the plan figure."
        )
        sections.append(first)
        progress("5/7 peak memory (measured now, on the same data): `reconciler plan` subprocesses")
        one_file = next(iter(sorted(plan_dir.iterdir())))
        plan_many = startup.cli_plan(settings, plan_dir, sim.base_url)
        plan_one = startup.cli_plan(settings, one_file, sim.base_url)
        big = settings.memory_integrations
        progress(f"5/7 peak memory: `reconciler plan` on {big} integrations")
        big_dir = workload.write_files(root / "memory", map(workload.base_shop, range(1, big + 1)))
        sim.put_state(workload.simulator_state(latency_live(list(range(1, big + 1)))))
        plan_big = startup.cli_plan(settings, big_dir, sim.base_url)
        sim.put_state(workload.simulator_state(latency_live(ids)))
        memory = startup.footprint(settings, plan_many, plan_one, n, (big, plan_big))
        progress(f"2/7 rate-limited plan and apply (scale {settings.rate_scale}x)")
        sections.append(asyncio.run(ratelimited.run(sim, settings, files)))
        progress("3/7 request economy")
        sections.append(asyncio.run(economy.run(sim, settings, root / "economy")))
        progress("7/7 the CLI against the aiohttp and httpx peers")
        sim.reset()
        sim.configure(latency=settings.latency, rate_limits={"enabled": False})
        sim.put_state(workload.simulator_state(latency_live(ids)))
        peer_section = peers.run(sim, settings, plan_dir)
    progress(f"4/7 start-up ({settings.repeats} runs each)")
    many = settings.validate_files
    many_dir = (
        plan_dir
        if many == n
        else workload.write_files(root / "validate", map(workload.base_shop, range(1, many + 1)))
    )
    sections.append(startup.startup(settings, one_file, many_dir, many))
    sections.append(memory)
    progress(f"6/7 fleet: {n} integrations in {fleet.ACCOUNTS} accounts, one simulator each")
    sections.append(fleet.run(settings, root / "fleet"))
    sections.append(peer_section)
    return sections


def main(argv: Sequence[str] | None = None) -> int:
    invocation = parse_args(argv)
    settings = invocation.settings
    machine = machine_facts()
    started = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory(prefix="reconciler-bench-") as tmp:
            sections = run_all(settings, Path(tmp))
    except BenchError as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1
    machine["load_average_end"] = load_average()
    progress(f"done in {time.perf_counter() - started:.0f} s")
    print(render(machine, settings, sections), end="")
    if invocation.json_path is not None:
        data = to_json(machine, settings, sections)
        data["total_seconds"] = time.perf_counter() - started
        invocation.json_path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return 0
