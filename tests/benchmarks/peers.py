"""Section 7: ``reconciler plan`` against the lean peers, in the same run, on the same simulator.

Three programs do the same 2·N GETs against the simulator process, each in its own process:
the CLI as a user runs it (start-up, loading the files, pacing, retries, validation, diff and
rendering included) and two minimal asyncio scripts (`tests.benchmarks.peer`, aiohttp and
httpx). Wall and CPU time are medians over the runs; the simulator's own CPU is reported so a
CPU-bound simulator cannot pass for a slow client.
"""

from __future__ import annotations

import resource
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.benchmarks.report import Figure, Section, ratio, seconds
from tests.benchmarks.settings import Settings
from tests.benchmarks.simproc import SimulatorProcess
from tests.benchmarks.startup import reconciler_command, run_timed

BOUND_TARGET = 1.10
CPU_PER_GET_TARGET = 0.0006


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float  # seconds of the child process (user + system)
    server_cpu: float | None


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(sim: SimulatorProcess, command: list[str], what: str) -> Run:
    server_before, cpu_before = sim.cpu_seconds(), _children_cpu()
    wall = run_timed(command, what)
    server_after = sim.cpu_seconds()
    server = None if server_before is None or server_after is None else server_after - server_before
    return Run(wall, _children_cpu() - cpu_before, server)


def _median_run(runs: list[Run]) -> Run:
    servers = [r.server_cpu for r in runs if r.server_cpu is not None]
    return Run(
        statistics.median(r.wall for r in runs),
        statistics.median(r.cpu for r in runs),
        statistics.median(servers) if servers else None,
    )


def _cli(sim: SimulatorProcess, settings: Settings, plan_dir: Path) -> Run:
    args = ["plan", str(plan_dir), "--api-url", sim.base_url, "--parallelism",
            str(settings.parallelism), "--reads-per-minute", "10000000"]  # fmt: skip
    return _timed(sim, reconciler_command() + args, "`reconciler plan`")


def _peer(sim: SimulatorProcess, settings: Settings, kind: str) -> Run:
    command = [sys.executable, "-m", "tests.benchmarks.peer", kind, sim.base_url, "1",
               str(settings.integrations), str(settings.parallelism)]  # fmt: skip
    return _timed(sim, command, f"the {kind} peer")


def _measure(sim: SimulatorProcess, settings: Settings, plan_dir: Path) -> dict[str, Run]:
    """Median runs of the three programs, interleaved so drift in machine load hits all alike."""
    rounds = 1 if settings.quick else 3
    runs: dict[str, list[Run]] = {"cli": [], "aiohttp": [], "httpx": []}
    for _ in range(rounds):
        runs["cli"].append(_cli(sim, settings, plan_dir))
        for kind in ("aiohttp", "httpx"):
            runs[kind].append(_peer(sim, settings, kind))
    return {name: _median_run(each) for name, each in runs.items()}


def run(sim: SimulatorProcess, settings: Settings, plan_dir: Path) -> Section:
    """Needs the simulator without rate limits, seeded for the files in `plan_dir`."""
    n, p, latency = settings.integrations, settings.parallelism, settings.latency
    gets = 2 * n
    section = Section(
        7,
        "The CLI against lean peers",
        f"`reconciler plan` on {n} files (subprocess, end to end) and two minimal asyncio "
        f"scripts doing the same {gets} GETs with {p} in flight (aiohttp; httpx.AsyncClient), "
        f"each in its own process, medians of {1 if settings.quick else 3} interleaved runs; "
        f"simulator latency {latency * 1000:g} ms, then 0 ms for CPU per GET.",
    )
    sim.configure(latency=latency, rate_limits={"enabled": False})
    slow = _measure(sim, settings, plan_dir)
    sim.configure(latency=0.0, rate_limits={"enabled": False})
    fast = _measure(sim, settings, plan_dir)
    sim.configure(latency=latency, rate_limits={"enabled": False})
    bound = settings.lower_bound
    cli, aio, hx = slow["cli"], slow["aiohttp"], slow["httpx"]
    for key, label, value in (
        ("cli_wall_seconds", f"`reconciler plan` wall, {n} integrations", cli.wall),
        ("aiohttp_wall_seconds", "aiohttp peer wall", aio.wall),
        ("httpx_wall_seconds", "httpx peer wall", hx.wall),
    ):
        section.add(Figure(key, label, value, seconds(value)))
    section.add(
        Figure("cli_to_bound", "CLI wall / lower bound 2·N·latency/P", cli.wall / bound,
               ratio(cli.wall / bound), f"≤ {BOUND_TARGET:.2f}x", cli.wall / bound <= BOUND_TARGET)
    )  # fmt: skip
    section.add(Figure("cli_to_aiohttp_wall", "CLI wall / aiohttp wall", cli.wall / aio.wall,
                       ratio(cli.wall / aio.wall)))  # fmt: skip
    section.add(Figure("cli_to_httpx_wall", "CLI wall / httpx wall", cli.wall / hx.wall,
                       ratio(cli.wall / hx.wall)))  # fmt: skip
    cpu_words = f"{seconds(cli.cpu)} / {seconds(aio.cpu)} = {ratio(cli.cpu / aio.cpu)}"
    section.add(Figure("cli_to_aiohttp_cpu", "CLI CPU / aiohttp CPU", cli.cpu / aio.cpu, cpu_words))
    per_get = fast["cli"].cpu / gets
    section.add(
        Figure("cli_cpu_per_get", "CLI CPU per GET at 0 ms latency (whole run / GETs)", per_get,
               f"{per_get * 1000:.2f} ms", f"≤ {CPU_PER_GET_TARGET * 1000:.1f} ms",
               per_get <= CPU_PER_GET_TARGET)
    )  # fmt: skip
    for name in ("aiohttp", "httpx"):
        section.notes.append(
            f"{name} peer at 0 ms: {fast[name].cpu / gets * 1000:.2f} ms CPU per GET "
            f"({seconds(fast[name].wall)} wall)."
        )
    servers = {name: r.server_cpu for name, r in slow.items()}
    section.notes.append(
        "Simulator CPU per run at "
        f"{latency * 1000:g} ms: "
        + ", ".join(
            f"{name} {'unknown' if cpu is None else seconds(cpu)}" for name, cpu in servers.items()
        )
        + "; the simulator runs in its own process, so its CPU is not the client's."
    )
    section.raw = {
        name: {label: vars(r) for label, r in (("latency", slow[name]), ("zero", fast[name]))}
        for name in slow
    }
    section.raw["lower_bound_seconds"] = bound
    return section
