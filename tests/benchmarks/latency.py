"""Section 1: a plan bound by latency alone, against its lower bound and a one-at-a-time loop."""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Sequence

from reconciler.config.loader import DesiredFile
from reconciler.planner import build_plan
from tests.benchmarks.common import api_client, per_integration, throttled
from tests.benchmarks.report import Figure, Section, ratio, seconds
from tests.benchmarks.settings import Settings
from tests.benchmarks.simproc import SimulatorProcess

RATIO_TARGET = 1.15
SPEEDUP_TARGET = 10.0


async def run(sim: SimulatorProcess, settings: Settings, files: Sequence[DesiredFile]) -> Section:
    """Needs the simulator at `settings.latency` without rate limits, seeded for `files`."""
    n, p, latency = len(files), settings.parallelism, settings.latency
    section = Section(
        1,
        "Latency-bound plan",
        f"in-process `build_plan` (real client, HTTP to the simulator process) over {n} "
        f"generated files; simulator latency {latency * 1000:g} ms, no rate limit; client "
        f"parallelism {p}, pacing set far above reach so it cannot bind. Lower bound = "
        "2·N·latency / parallelism.",
    )
    sim.clear_log()
    server_cpu = sim.cpu_seconds()
    async with api_client(sim, parallelism=p) as client:
        started, cpu = time.perf_counter(), time.process_time()
        plan, problems = await build_plan(client, files)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        stats = client.stats.to_json()
    server_end = sim.cpu_seconds()
    server = None if server_cpu is None or server_end is None else server_end - server_cpu
    log = sim.log()
    bound = settings.lower_bound
    sample = [f.state.integration_id for f in files[: settings.sequential_sample]]
    sequential = await _sequential(sim, sample)
    per_get = sequential / (2 * len(sample))
    extrapolated = per_get * 2 * n
    speedup = extrapolated / wall

    section.add(
        Figure(
            "plan_seconds", f"Plan wall time ({n} integrations, {2 * n} GETs)", wall, seconds(wall)
        )
    )
    section.add(Figure("lower_bound_seconds", "Lower bound 2·N·latency/P", bound, seconds(bound)))
    section.add(
        Figure(
            "ratio_to_bound",
            "Plan / lower bound",
            wall / bound,
            ratio(wall / bound),
            f"≤ {RATIO_TARGET:.2f}x",
            wall / bound <= RATIO_TARGET,
        )
    )
    section.add(
        Figure(
            "sequential_seconds",
            f"Same GETs one at a time (measured on {len(sample)}, scaled to {n})",
            extrapolated,
            seconds(extrapolated),
        )
    )
    section.add(
        Figure(
            "speedup",
            "Speed-up over the one-at-a-time loop",
            speedup,
            f"{speedup:.1f}x",
            f"≥ {SPEEDUP_TARGET:g}x",
            speedup >= SPEEDUP_TARGET,
        )
    )
    overhead = per_get - latency
    section.notes += [
        f"Throughput {2 * n / wall:.0f} GETs/s; the ideal with {p} in flight is "
        f"{p / latency:.0f}/s. The one-at-a-time loop took {per_get * 1000:.1f} ms per GET, "
        f"i.e. {overhead * 1000:.1f} ms of client + server + loopback work on top of the "
        f"simulated {latency * 1000:g} ms.",
        f"The loop is {len(sample)} integrations of `await get_statuses(i); await "
        f"get_mapping(i)` on the same client class, measured for {seconds(sequential)} and "
        "scaled linearly to N (each GET costs the same).",
    ]
    section.notes += _cpu_notes(
        settings, cpu / (2 * n), None if server is None else server / (2 * n)
    )
    gets = per_integration(log, "GET")
    if plan.failures or problems or throttled(log) or set(gets.values()) != {2}:
        section.notes.append(
            f"Anomaly: {len(plan.failures)} failed integrations, {len(problems)} problems, "
            f"{throttled(log)} answers 429, GETs per integration {sorted(set(gets.values()))}."
        )
    section.raw = {
        "integrations": n,
        "parallelism": p,
        "latency": latency,
        "plan_seconds": wall,
        "lower_bound_seconds": bound,
        "sequential_sample": len(sample),
        "sequential_measured_seconds": sequential,
        "sequential_extrapolated_seconds": extrapolated,
        "seconds_per_sequential_get": per_get,
        "client_cpu_seconds": cpu,
        "server_cpu_seconds": server,
        "sniffio_installed": _has_sniffio(),
        "client_stats": stats,
        "changed_integrations": plan.summary().changed,
    }
    return section


async def _sequential(sim: SimulatorProcess, integration_ids: Sequence[int]) -> float:
    """Seconds for the GETs of `integration_ids`, strictly one request at a time."""
    async with api_client(sim, parallelism=1) as client:
        started = time.perf_counter()
        for integration_id in integration_ids:
            await client.get_statuses(integration_id)
            await client.get_mapping(integration_id)
        return time.perf_counter() - started


def _has_sniffio() -> bool:
    return importlib.util.find_spec("sniffio") is not None


def _cpu_notes(settings: Settings, client: float, server: float | None) -> list[str]:
    """Whether CPU, not latency, set the pace: each side has latency/P of CPU per request."""
    budget = settings.latency / settings.parallelism
    served = "unknown" if server is None else f"{server * 1000:.2f} ms"
    notes = [
        f"CPU per GET: client {client * 1000:.2f} ms (this process: requests, decoding and the "
        f"diff), simulator {served}. To stay latency-bound each side must spend less than "
        f"latency/P = {budget * 1000:.2f} ms per request; above that, the single-threaded "
        "event loop, not the latency, sets the pace."
    ]
    if not _has_sniffio():
        notes.append(
            "sniffio is not installed: httpcore calls `import sniffio` on every lock and "
            "semaphore it sets up (httpcore/_synchronization.py, current_async_library), and a "
            "failed import is not cached, so each request pays several scans of sys.path. "
            "Installing sniffio removed about a quarter of the client's CPU per request here."
        )
    return notes
