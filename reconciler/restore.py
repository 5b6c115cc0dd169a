"""Restore from the journal: the plan back to the state before an apply's first write. Pure.

For each integration an apply wrote to, the journal holds ``live_before`` (what Sendcloud held
before that apply's first write to it) and, on each write, ``live_after`` (what it holds once it
has taken that write). The restore target is ``live_before`` as a desired state managing both
statuses and mapping, so the ordinary planner re-creates (or revives, Sendcloud undoes a soft
delete when a status is posted again) what the apply removed, removes what it added, and orders
the writes so the mapping never points at a missing status.

The stale check: the live state must still be what the apply left, i.e. the ``live_after`` of
its last accepted write, or of a later write whose outcome is unknown or failed (Sendcloud may
have taken it). Anything else means someone changed Sendcloud since; restoring would silently
undo their change too, so that integration is refused unless forced.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pydantic import ValidationError

from reconciler.diff import describe_live_changes
from reconciler.errors import ReconcilerError
from reconciler.history import OK, ApplyRun, IntegrationRun
from reconciler.model import DesiredState, LiveState, StatusMapping
from reconciler.plan import IntegrationFailure, IntegrationPlan, Plan, plan_integration


@dataclass(frozen=True)
class RestoreTarget:
    """One integration to restore: the ``desired`` state (its live state before the apply) and
    the states the apply may have left it in (empty when the journal predates ``live_after``)."""

    integration_id: int
    desired: DesiredState
    before: LiveState
    left_in: tuple[LiveState, ...]


def choose_run(runs: Sequence[ApplyRun], apply_id: str | None) -> ApplyRun:
    """The run with ``apply_id`` (a unique prefix will do), else the last run that wrote.

    Raises `ReconcilerError` when the journal has no run, or none (or several) match.
    """
    if not runs:
        raise ReconcilerError("the journal records no apply; there is nothing to restore")
    if apply_id is None:
        return runs[-1]
    matches = [r for r in runs if r.apply_id and r.apply_id.startswith(apply_id)]
    if len(matches) != 1:
        known = ", ".join(r.apply_id or "(no id)" for r in runs)
        what = "no apply" if not matches else "several applies"
        raise ReconcilerError(
            f"{what} in the journal match --apply-id {apply_id!r}; it records: {known}"
        )
    return matches[0]


def restore_targets(run: ApplyRun, only: Sequence[int] = ()) -> list[RestoreTarget]:
    """The integrations of ``run`` (those in ``only`` when given) and their restore targets.

    Raises `ReconcilerError` when an id of ``only`` is not in the run.
    """
    missing = sorted(set(only) - set(run.integrations))
    if missing:
        ids = ", ".join(str(i) for i in missing)
        raise ReconcilerError(
            f"apply {run.apply_id or '(no id)'} did not write to integration {ids}; "
            f"it wrote to {', '.join(str(i) for i in run.integrations)}"
        )
    return [
        _target(item)
        for integration_id, item in sorted(run.integrations.items())
        if not only or integration_id in only
    ]


def _target(item: IntegrationRun) -> RestoreTarget:
    before = item.live_before
    try:
        desired = DesiredState(
            integration_id=item.integration_id,
            statuses=before.statuses,
            mapping=StatusMapping.from_dict(before.mapped_ids()),
        )
    except ValidationError as exc:
        raise ReconcilerError(
            f"integration {item.integration_id}: the state recorded before the apply is not "
            f"one a file could hold ({exc.errors()[0]['msg']}), so it cannot be restored"
        ) from None
    last_ok = max((i for i, w in enumerate(item.writes) if w.result == OK), default=-1)
    # The apply left the state after its last accepted write (before, if none was accepted),
    # or after any later write Sendcloud may have taken without the journal knowing.
    candidates = [item.writes[last_ok].live_after if last_ok >= 0 else before]
    candidates += [w.live_after for w in item.writes[last_ok + 1 :]]
    left_in = tuple(state for state in candidates if state is not None)
    if last_ok >= 0 and candidates[0] is None:
        left_in = ()  # written before live_after was journaled: the check cannot be made
    return RestoreTarget(item.integration_id, desired, before, left_in)


def restore_plan(
    source: str,
    targets: Sequence[RestoreTarget],
    lives: Mapping[int, LiveState | ReconcilerError],
    *,
    force: bool,
) -> Plan:
    """The plan to the restore targets from the current ``lives``; refusals are its failures.

    ``source`` names the journal and apply in every line of the plan. An integration whose live
    state could not be read, or changed since the apply (unless ``force``), is a failure whose
    message says why.
    """
    plans: list[IntegrationPlan] = []
    failures: list[IntegrationFailure] = []
    for target in targets:
        live = lives[target.integration_id]
        if isinstance(live, ReconcilerError):
            failures.append(IntegrationFailure(target.integration_id, source, str(live)))
            continue
        refusal = None if force else stale_reason(target, live)
        if refusal:
            failures.append(IntegrationFailure(target.integration_id, source, refusal))
            continue
        plans.append(plan_integration(source, target.desired, live))
    return Plan(tuple(plans), tuple(failures))


def stale_reason(target: RestoreTarget, live: LiveState) -> str | None:
    """Why restoring over ``live`` would undo someone else's change; None when it would not."""
    # Already back where the apply started (restored before): nothing to undo, nothing stale.
    if any(_held(live) == _held(state) for state in (*target.left_in, target.before)):
        return None
    if not target.left_in:
        return (
            "the journal does not record the state this apply left (written by an older "
            "version), so a later change cannot be ruled out; re-run with --force to restore "
            "anyway"
        )
    changed = describe_live_changes(target.left_in[0], live)
    return (
        f"Sendcloud changed since this apply ({changed}); restoring would undo that change "
        "too, so it is refused: re-run with --force to restore anyway, or leave it out with "
        "--only"
    )


def _held(live: LiveState) -> tuple[object, object]:
    return live.statuses, live.mapped_ids()
