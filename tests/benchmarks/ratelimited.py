"""Section 2: plan and apply under the documented rate limits (optionally scaled in time)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from reconciler.apply import Outcome, apply_plan
from reconciler.config.loader import DesiredFile
from reconciler.planner import build_plan
from tests.benchmarks import workload
from tests.benchmarks.common import (
    accepted_stamps,
    api_client,
    peak_in_window,
    steady_rate_per_minute,
    throttled,
)
from tests.benchmarks.report import Figure, Section, seconds
from tests.benchmarks.settings import (
    BURST_SECONDS,
    READS_PER_WINDOW,
    WINDOW_SECONDS,
    WRITE_BURST,
    WRITES_PER_WINDOW,
    Settings,
)
from tests.benchmarks.simproc import SimulatorProcess

SHARE_TARGET = 0.98


def scaled_limits(scale: int) -> dict[str, Any]:
    """The documented limits with every window `scale` times shorter and the same counts."""
    return {
        "enabled": True,
        "reads": [[READS_PER_WINDOW, WINDOW_SECONDS / scale]],
        "writes": [
            [WRITES_PER_WINDOW, WINDOW_SECONDS / scale],
            [WRITE_BURST, BURST_SECONDS / scale],
        ],
        "retry_after": None,
    }


def live_shops(settings: Settings, files: Sequence[DesiredFile]) -> list[workload.Shop]:
    """In sync, except the first `apply_integrations`: status 8 missing, CANCEL on status 7.

    Applying those takes two writes each: the statuses (creating 8), then the mapping.
    """
    shops = [workload.base_shop(f.state.integration_id) for f in files]
    for index in range(min(settings.apply_integrations, len(shops))):
        shop = shops[index]
        shops[index] = shop.with_statuses(workload.without(shop.statuses, "8")).with_mapping(
            CANCEL="7"
        )
    return shops


async def run(sim: SimulatorProcess, settings: Settings, files: Sequence[DesiredFile]) -> Section:
    scale = settings.rate_scale
    reads_limit = READS_PER_WINDOW * scale  # per real minute
    writes_limit = WRITES_PER_WINDOW * scale
    window = WINDOW_SECONDS / scale
    scaled = "the documented limits" if scale == 1 else f"the documented limits scaled {scale}x"
    section = Section(
        2,
        "Rate-limited plan and apply",
        f"in-process `build_plan` then `apply_plan` on one client (as `reconciler apply` does), "
        f"{len(files)} integrations of which {min(settings.apply_integrations, len(files))} need "
        f"2 writes; simulator at {scaled} (reads {READS_PER_WINDOW}/{window:g} s, writes "
        f"{WRITES_PER_WINDOW}/{window:g} s and {WRITE_BURST}/{BURST_SECONDS / scale:g} s), "
        f"latency {settings.latency * 1000:g} ms; client paced at {reads_limit:g} reads/min and "
        f"{writes_limit:g} writes/min, parallelism {settings.parallelism}. Rates are measured "
        "from the simulator's request log, first to last accepted request.",
    )
    sim.reset()
    sim.configure(latency=settings.latency, rate_limits=scaled_limits(scale))
    sim.put_state(workload.simulator_state(live_shops(settings, files)))
    async with api_client(
        sim,
        parallelism=settings.parallelism,
        reads_per_minute=reads_limit,
        writes_per_minute=writes_limit,
    ) as client:
        sim.clear_log()
        started = time.perf_counter()
        plan, _ = await build_plan(client, files)
        plan_wall = time.perf_counter() - started
        plan_log = sim.log()
        sim.clear_log()
        started = time.perf_counter()
        results = await apply_plan(client, plan)
        apply_wall = time.perf_counter() - started
        apply_log = sim.log()
        stats = client.stats.to_json()

    reads = accepted_stamps(plan_log, "GET")
    writes = accepted_stamps(apply_log, "POST")
    read_rate = steady_rate_per_minute(reads)
    write_rate = steady_rate_per_minute(writes)
    changed = [r for r in results if r.writes or r.outcome is not Outcome.IN_SYNC]
    applied = sum(1 for r in changed if r.outcome is Outcome.APPLIED)
    section.add(
        _share("plan_reads_share", f"Plan: reads/min ({len(reads)} reads)", read_rate, reads_limit)
    )
    section.add(
        Figure(
            "plan_429",
            "Plan: 429 answers",
            throttled(plan_log),
            str(throttled(plan_log)),
            "0",
            throttled(plan_log) == 0,
        )
    )
    section.add(
        _share(
            "apply_writes_share",
            f"Apply: writes/min ({len(writes)} writes)",
            write_rate,
            writes_limit,
        )
    )
    section.add(
        Figure(
            "apply_429",
            "Apply: 429 answers",
            throttled(apply_log),
            str(throttled(apply_log)),
            "0",
            throttled(apply_log) == 0,
        )
    )
    section.add(
        Figure(
            "apply_applied",
            "Apply: integrations applied",
            applied,
            f"{applied} of {len(changed)}",
            "all",
            applied == len(changed),
        )
    )
    section.add(Figure("plan_seconds", "Plan wall time", plan_wall, seconds(plan_wall)))
    section.add(Figure("apply_seconds", "Apply wall time", apply_wall, seconds(apply_wall)))
    peak_reads = peak_in_window(reads, window)
    peak_writes = peak_in_window(writes, window)
    peak_burst = peak_in_window(writes, BURST_SECONDS / scale)
    section.notes += [
        f"Busiest sliding window seen by the limiter: {peak_reads} of {READS_PER_WINDOW} reads "
        f"and {peak_writes} of {WRITES_PER_WINDOW} writes per {window:g} s, {peak_burst} of "
        f"{WRITE_BURST} writes per {BURST_SECONDS / scale:g} s.",
        "The client spaces requests evenly at the limit plus 2% headroom "
        "(reconciler.sendcloud.pacing), so about 98% is the most it will ever use; it never "
        "bursts into the window's allowance.",
        f"The apply also read {sum(1 for e in apply_log if e['method'] == 'GET')} times (each "
        "changed integration is read before writing, to refuse a stale plan, and after, to "
        "verify).",
    ]
    if scale > 1:
        section.notes.append(
            f"Scaled run: a 60 s window became {window:g} s with the same counts, so "
            f"{reads_limit:g} reads/min here is {READS_PER_WINDOW}/min at the documented scale."
        )
    failed = [r for r in results if not r.ok]
    if failed:
        section.notes.append(f"Anomaly: {len(failed)} integrations failed, e.g. {failed[0]}.")
    section.raw = {
        "rate_scale": scale,
        "window_seconds": window,
        "reads_limit_per_minute": reads_limit,
        "writes_limit_per_minute": writes_limit,
        "plan_reads": len(reads),
        "plan_read_rate_per_minute": read_rate,
        "apply_writes": len(writes),
        "apply_write_rate_per_minute": write_rate,
        "plan_429": throttled(plan_log),
        "apply_429": throttled(apply_log),
        "peak_reads_in_window": peak_reads,
        "peak_writes_in_window": peak_writes,
        "peak_writes_in_burst_window": peak_burst,
        "plan_seconds": plan_wall,
        "apply_seconds": apply_wall,
        "client_stats": stats,
    }
    return section


def _share(key: str, label: str, rate: float, limit: float) -> Figure:
    share = rate / limit
    return Figure(
        key,
        label,
        share,
        f"{rate:,.0f}/min = {share:.1%} of {limit:,.0f}",
        f"≥ {SHARE_TARGET:.0%} of the limit",
        share >= SHARE_TARGET,
    )
