"""Desired files + live reads → Plan. Shared by plan, apply and drift."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from reconciler.config.loader import DesiredFile
from reconciler.errors import Problem, ReconcilerError
from reconciler.model import LiveState
from reconciler.plan import IntegrationFailure, IntegrationPlan, Plan, plan_integration
from reconciler.sendcloud.live import read_many

if TYPE_CHECKING:
    from reconciler.sendcloud.client import SendcloudClient


async def build_plan(
    client: SendcloudClient,
    files: Sequence[DesiredFile],
    *,
    describe: Callable[[ReconcilerError], str] = str,
    account: str = "",
) -> tuple[Plan, list[Problem]]:
    """Read every integration (two GETs each, in parallel under the client's pacing) and diff.

    An integration whose live state cannot be read becomes a failure in the plan; the others are
    planned all the same. A mapping-only file that maps onto a status Sendcloud does not hold is a
    problem located in the file: applying it would leave an invalid mapping.
    """
    lives = await read_many(client, [f.state.integration_id for f in files])
    return plan_from_lives(files, lives, describe=describe, account=account)


def plan_from_lives(
    files: Sequence[DesiredFile],
    lives: Mapping[int, LiveState | ReconcilerError],
    *,
    describe: Callable[[ReconcilerError], str] = str,
    account: str = "",
) -> tuple[Plan, list[Problem]]:
    """Diff the files against live states already read (by `build_plan`, or from a snapshot).

    Every file's integration must be a key of ``lives``; an error value becomes a failure.
    """
    plans: list[IntegrationPlan] = []
    failures: list[IntegrationFailure] = []
    problems: list[Problem] = []
    for desired in files:
        outcome, found = plan_file(
            desired, lives[desired.state.integration_id], describe=describe, account=account
        )
        if isinstance(outcome, IntegrationPlan):
            plans.append(outcome)
        else:
            failures.append(outcome)
        problems += found
    return Plan(tuple(plans), tuple(failures)), problems


def plan_file(
    desired: DesiredFile,
    live: LiveState | ReconcilerError,
    *,
    describe: Callable[[ReconcilerError], str] = str,
    account: str = "",
) -> tuple[IntegrationPlan | IntegrationFailure, list[Problem]]:
    """One file against its live state (or the error reading it): its plan, or its failure with
    the problems located in the file (see `build_plan`)."""
    integration_id = desired.state.integration_id
    if isinstance(live, ReconcilerError):
        return IntegrationFailure(integration_id, desired.path, describe(live), account=account), []
    item = plan_integration(
        desired.path,
        desired.state,
        live,
        account=account,
        safety=desired.safety,
        unmanaged=desired.unmanaged,
        provenance=provenance(desired),
        account_size=desired.account_size,
    )
    if not item.dangling_mapping:
        return item, []
    problems: list[Problem] = []
    for category, external_id in item.dangling_mapping:
        line, col = desired.locate("mapping", category.value)
        problems.append(
            Problem(
                desired.path,
                line,
                col,
                f"mapping {category.value} points at status {external_id!r}, which "
                f"integration {integration_id} does not have in Sendcloud; add the "
                "status in the shop (or to this file's statuses) or change the mapping"
                + _from(desired, "mapping", category.value),
            )
        )
    missing = ", ".join(f"{c.value} → {e!r}" for c, e in item.dangling_mapping)
    message = (
        f"its mapping points at statuses Sendcloud does not have ({missing}); "
        "applying it would leave the mapping invalid"
    )
    failure = IntegrationFailure(
        integration_id, desired.path, message, read_failed=False, account=account
    )
    return failure, problems


def provenance(desired: DesiredFile) -> dict[tuple[str, ...], str]:
    """What the plan says about values another file set: "from bases/nl.yaml:14"."""
    found = {
        loc: f"from {origin}"
        for loc, origin in desired.origins.items()
        if origin.path != desired.path
    }
    for external_id, origin in desired.removed.items():
        found[("statuses", external_id)] = f"removed at {origin}"
    return found


def _from(desired: DesiredFile, *location: str) -> str:
    origin = desired.provenance(*location)
    return f" (from {origin})" if origin else ""
