"""Section 3: request economy, counted per integration from the simulator's request log."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from reconciler.apply import IntegrationResult, apply_plan
from reconciler.config.loader import load_paths
from reconciler.planner import build_plan
from tests.benchmarks import workload
from tests.benchmarks.common import UNPACED, api_client, per_integration
from tests.benchmarks.report import Figure, Section
from tests.benchmarks.settings import Settings
from tests.benchmarks.simproc import SimulatorProcess

OUT_OF_STOCK = {"en-gb": "Out of stock", "fr-fr": "En rupture de stock"}


@dataclass(frozen=True)
class Case:
    name: str
    desired: list[workload.Shop]
    live: list[workload.Shop]


@dataclass(frozen=True)
class Observed:
    integrations: list[int]
    plan_gets: Counter[int]
    plan_posts: int
    apply_posts: Counter[int]
    apply_gets: Counter[int]
    write_paths: dict[int, list[str]]
    left_invalid: int  # writes after which some category pointed at a missing status
    results: list[IntegrationResult]

    def writes_per_integration(self) -> set[int]:
        return {self.apply_posts[i] for i in self.integrations}


def cases(count: int) -> list[Case]:
    """Four cases of `count` integrations each, in disjoint id ranges."""

    def ids(case: int) -> range:
        return range(case * 10_000 + 1, case * 10_000 + count + 1)

    base = workload.base_shop
    # Live holds status 9 (mapped on CANCEL) and lacks 8; git removes 9 and adds 8, moving CANCEL
    # to 6. Deleting 9 while CANCEL points at it would leave the mapping invalid in between.
    doomed = {**workload.without(workload.BASE_STATUSES, "8"), "9": OUT_OF_STOCK}
    return [
        Case("plan", [base(i) for i in ids(1)], [base(i) for i in ids(1)]),
        Case("in sync", [base(i) for i in ids(2)], [base(i) for i in ids(2)]),
        Case(
            "mapping only",
            [base(i) for i in ids(3)],
            [base(i).with_mapping(CANCEL="7") for i in ids(3)],
        ),
        Case(
            "reference-safe delete",
            [base(i) for i in ids(4)],
            [base(i).with_statuses(doomed).with_mapping(CANCEL="9") for i in ids(4)],
        ),
    ]


async def observe(sim: SimulatorProcess, settings: Settings, case: Case, root: Path) -> Observed:
    directory = workload.write_files(root / case.name.replace(" ", "-"), case.desired)
    files = load_paths([directory])
    sim.put_state(workload.simulator_state(case.live))
    async with api_client(sim, parallelism=settings.parallelism, writes_per_minute=UNPACED) as c:
        sim.clear_log()
        plan, _ = await build_plan(c, files)
        plan_log = sim.log()
        sim.clear_log()
        results = await apply_plan(c, plan)
        apply_log = sim.log()
    writes = [e for e in apply_log if e["method"] == "POST"]
    paths: dict[int, list[str]] = {}
    for entry in writes:
        paths.setdefault(int(entry["integration_id"]), []).append(entry["path"])
    return Observed(
        integrations=[s.integration_id for s in case.desired],
        plan_gets=per_integration(plan_log, "GET"),
        plan_posts=sum(1 for e in plan_log if e["method"] == "POST"),
        apply_posts=per_integration(apply_log, "POST"),
        apply_gets=per_integration(apply_log, "GET"),
        write_paths=paths,
        left_invalid=sum(1 for e in writes if e["invalid_mapping"]),
        results=results,
    )


def _exactly(values: set[int]) -> str:
    return str(next(iter(values))) if len(values) == 1 else f"varies {sorted(values)}"


async def run(sim: SimulatorProcess, settings: Settings, root: Path) -> Section:
    count = settings.economy_integrations
    section = Section(
        3,
        "Request economy",
        f"in-process plan then apply, {count} integrations per case, no latency or rate limit; "
        "requests counted per integration in the simulator's request log.",
    )
    sim.reset()
    observed = {case.name: await observe(sim, settings, case, root) for case in cases(count)}

    gets = {n for o in observed.values() for n in (o.plan_gets[i] for i in o.integrations)}
    planned = sum(len(o.integrations) for o in observed.values())
    plan_posts = sum(o.plan_posts for o in observed.values())
    section.add(
        Figure(
            "plan_reads_per_integration",
            f"Plan: GETs per integration ({planned} integrations)",
            max(gets),
            _exactly(gets),
            "exactly 2",
            gets == {2},
        )
    )
    section.add(
        Figure("plan_writes", "Plan: writes", plan_posts, str(plan_posts), "0", plan_posts == 0)
    )
    for key, name, target in (
        ("in_sync_writes", "in sync", 0),
        ("mapping_only_writes", "mapping only", 1),
        ("reference_safe_delete_writes", "reference-safe delete", 3),
    ):
        values = observed[name].writes_per_integration()
        section.add(
            Figure(
                key,
                f"Apply, {name}: writes per integration",
                max(values),
                _exactly(values),
                f"exactly {target}",
                values == {target},
            )
        )
    delete = observed["reference-safe delete"]
    section.add(
        Figure(
            "reference_safe_delete_invalid",
            "Reference-safe delete: writes leaving a category on a missing status",
            delete.left_invalid,
            str(delete.left_invalid),
            "0",
            delete.left_invalid == 0,
        )
    )

    mapping = observed["mapping only"]
    sync = observed["in sync"]
    sequence = next(iter(delete.write_paths.values()), [])
    section.notes += [
        "Mapping-only writes: "
        + _exactly({len(p) for p in mapping.write_paths.values()})
        + f" POST to {sorted({x for p in mapping.write_paths.values() for x in p})}.",
        f"Reference-safe delete order: {' → '.join('POST ' + p for p in sequence)} "
        "(interim statuses keeping the mapped one, mapping moves off, final statuses).",
        f"Apply reads per changed integration: {_exactly(set(mapping.apply_gets.values()))} "
        "(2 to refuse a stale plan, 2 to verify); an integration in sync costs the apply "
        f"{sum(sync.apply_gets.values()) + sum(sync.apply_posts.values())} requests.",
    ]
    failed = [r for o in observed.values() for r in o.results if not r.ok]
    if failed:
        section.notes.append(f"Anomaly: {len(failed)} integrations failed, e.g. {failed[0]}.")
    section.raw = {
        name: {
            "plan_gets_per_integration": sorted({o.plan_gets[i] for i in o.integrations}),
            "apply_writes_per_integration": sorted(o.writes_per_integration()),
            "apply_gets_per_integration": sorted({o.apply_gets[i] for i in o.integrations}),
            "write_sequence": next(iter(o.write_paths.values()), []),
            "writes_leaving_invalid_mapping": o.left_invalid,
        }
        for name, o in observed.items()
    }
    return section
