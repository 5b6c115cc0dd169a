"""Restore from the journal: the plan back to the state before an apply's first write. Pure.

For each integration an apply wrote to, the journal holds ``live_before`` (what Sendcloud held
before that apply's first write to it) and, on each write, ``live_after`` (what it holds once it
has taken that write). The restore target is ``live_before`` as a desired state managing both
statuses and mapping, so the ordinary planner re-creates (or revives, Sendcloud undoes a soft
delete when a status is posted again) what the apply removed, removes what it added, and orders
the writes so the mapping never points at a missing status.

Reference safety: ``live_before`` may hold a mapping entry Sendcloud flagged invalid (a category
pointing at a status deleted before the apply). The target holds no such status, so restoring
that entry verbatim would write a mapping onto a missing status. Such a category is left alone
when the live mapping already points there (the restore changes nothing about it), and restored
as unmapped otherwise, with a warning (`Restore.warnings`).

The stale check: the live state must still be what the apply left, i.e. the ``live_after`` of
its last accepted write, or of a later write whose outcome is unknown or failed (Sendcloud may
have taken it). Anything else means someone changed Sendcloud since; restoring would silently
undo their change too, so that integration is refused unless forced.

Unmanaged statuses (the project file's and the file's ``unmanaged`` patterns) are left alone, as
every plan leaves them: the restore neither re-creates, renames nor deletes them, and a change
to them since the apply does not make the restore stale.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from pydantic import ValidationError

from reconciler.diff import describe_live_changes
from reconciler.errors import ReconcilerError
from reconciler.history import OK, ApplyRun, IntegrationRun
from reconciler.model import (
    CATEGORIES,
    Category,
    DesiredState,
    LiveMappingEntry,
    LiveState,
    StatusMapping,
)
from reconciler.plan import IntegrationFailure, IntegrationPlan, Plan, plan_integration
from reconciler.project import Safety, is_unmanaged
from reconciler.targeting import Selection, Selector, Target, TargetingError, select
from reconciler.targeting import parse_selectors as parse_targeting


@dataclass(frozen=True)
class RestoreTarget:
    """One integration to restore: the ``desired`` state (its live state before the apply) and
    the states the apply may have left it in (empty when the journal predates ``live_after``).

    ``before`` is the recorded state with every mapping entry that points outside its statuses
    flagged invalid (so ``--to-files`` writes it as null); ``orphaned`` lists those entries.
    """

    integration_id: int
    account: str
    source: str  # what the plan names it by: its file, else the journal and apply
    desired: DesiredState
    before: LiveState
    left_in: tuple[LiveState, ...]
    # (category, status id, why it is not in the target), e.g. deleted before the apply.
    orphaned: tuple[tuple[Category, str, str], ...] = ()


@dataclass(frozen=True)
class Restore:
    """The restore plan (refusals are its failures) and one-line warnings about what it could
    not put back verbatim."""

    plan: Plan
    warnings: tuple[str, ...] = ()


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


def parse_selectors(
    option: str, values: Iterable[str], accounts: Collection[str]
) -> list[Selector]:
    """``--only``/``--exclude`` values as selectors the journal can answer: integration ids
    (``12``, ``id:12``) and accounts (``account:NAME``, or a bare NAME in ``accounts``).

    Raises `TargetingError` for labels, file globs and unknown words: the journal records
    neither labels nor files.
    """
    selectors: list[Selector] = []
    for raw in values:
        for item in (part.strip() for part in raw.split(",")):
            prefix, sep, _ = item.partition(":")
            if (
                not item
                or item.isdigit()
                or (sep and prefix in ("id", "account"))
                or item in accounts
            ):
                # An empty selector is refused there ("everything" it must never mean); an
                # account the apply did not write to is named by `restore_targets`.
                selectors += parse_targeting(
                    option, [item], accounts=accounts, labels=(), check_names=False
                )
                continue
            names = f", one of {', '.join(sorted(accounts))}" if accounts else ""
            raise TargetingError(
                f"{option} {item!r}: restore selects by what the journal records: an integration "
                f"id (12) or an account (account:NAME{names}); labels and file globs are not in "
                "the journal"
            )
    return selectors


def restore_targets(
    run: ApplyRun,
    only: Sequence[Selector] = (),
    exclude: Sequence[Selector] = (),
    *,
    source_of: Callable[[int], str],
) -> tuple[list[RestoreTarget], Selection]:
    """The integrations of ``run`` that ``only``/``exclude`` select, their restore targets, and
    what was left out.

    Raises `ReconcilerError` when a selector names an integration or account the run did not
    write to, or the selection leaves nothing.
    """
    apply_name = f"apply {run.apply_id or '(no id)'}"
    selectors = [*only, *exclude]
    missing = sorted({int(s.value) for s in selectors if s.kind == "id"} - set(run.integrations))
    if missing:
        ids = ", ".join(str(i) for i in missing)
        raise ReconcilerError(
            f"{apply_name} did not write to integration {ids}; "
            f"it wrote to {', '.join(str(i) for i in run.integrations)}"
        )
    wrote = {item.account for item in run.integrations.values()}
    unknown = sorted({s.value for s in selectors if s.kind == "account"} - wrote)
    if unknown:
        named = ", ".join(sorted(a or "(the default account)" for a in wrote))
        raise ReconcilerError(
            f"{apply_name} did not write to account {', '.join(unknown)}; it wrote to {named}"
        )
    items = sorted(run.integrations.values(), key=lambda item: item.integration_id)
    candidates = [
        Target(item.integration_id, source_of(item.integration_id), item.account) for item in items
    ]
    chosen, selection = select(candidates, only, exclude)
    if not chosen:
        raise ReconcilerError(f"--only/--exclude leave no integration of {apply_name} to restore")
    kept = {t.integration_id for t in chosen}
    targets = [_target(item, source_of(item.integration_id)) for item in items]
    return [t for t in targets if t.integration_id in kept], selection


def _target(item: IntegrationRun, source: str) -> RestoreTarget:
    recorded = item.live_before
    orphaned = tuple(
        (
            category,
            entry.external_id,
            "a status already deleted then (Sendcloud marked that mapping invalid)"
            if not entry.is_valid
            else "a status the state recorded before the apply does not hold",
        )
        for category, entry in recorded.mapping.items()
        if entry.external_id is not None
        and (not entry.is_valid or entry.external_id not in recorded.statuses)
    )
    flagged = {category for category, *_ in orphaned}
    # Flag what points outside the statuses, whatever Sendcloud said: the target holds no such
    # status, and a file (--to-files) can only hold such an entry as null.
    before = recorded.model_copy(
        update={
            "mapping": {
                category: LiveMappingEntry(external_id=entry.external_id, is_valid=False)
                if category in flagged
                else entry
                for category, entry in recorded.mapping.items()
            }
        }
    )
    try:
        desired = DesiredState(
            integration_id=item.integration_id,
            statuses=recorded.statuses,
            mapping=StatusMapping.from_dict(recorded.mapped_ids()),
        )
    except ValidationError as exc:
        raise ReconcilerError(
            f"integration {item.integration_id}: the state recorded before the apply is not "
            f"one a file could hold ({exc.errors()[0]['msg']}), so it cannot be restored"
        ) from None
    last_ok = max((i for i, w in enumerate(item.writes) if w.result == OK), default=-1)
    # The apply left the state after its last accepted write (before, if none was accepted),
    # or after any later write Sendcloud may have taken without the journal knowing.
    candidates = [item.writes[last_ok].live_after if last_ok >= 0 else recorded]
    candidates += [w.live_after for w in item.writes[last_ok + 1 :]]
    left_in = tuple(state for state in candidates if state is not None)
    if last_ok >= 0 and candidates[0] is None:
        left_in = ()  # written before live_after was journaled: the check cannot be made
    return RestoreTarget(
        item.integration_id, item.account, source, desired, before, left_in, orphaned
    )


def restore_plan(
    targets: Sequence[RestoreTarget],
    lives: Mapping[int, LiveState | ReconcilerError],
    *,
    force: bool,
    selection: Selection | None = None,
    safety: Mapping[int, Safety] | None = None,
    unmanaged: Mapping[int, Sequence[str]] | None = None,
) -> Restore:
    """The plan to the restore targets from the current ``lives``; refusals are its failures.

    An integration whose live state could not be read, or changed since the apply (unless
    ``force``), is a failure whose message says why. ``safety`` and ``unmanaged``: the effective
    thresholds and patterns per integration id (project defaults, account, bases and file;
    built-in thresholds and none for an id they do not name).
    """
    plans: list[IntegrationPlan] = []
    failures: list[IntegrationFailure] = []
    warnings: list[str] = []
    for target in targets:
        live = lives[target.integration_id]
        patterns = tuple((unmanaged or {}).get(target.integration_id, ()))
        if isinstance(live, ReconcilerError):
            refusal: str | None = str(live)
        else:
            refusal = None if force else stale_reason(target, live, patterns)
        if refusal is not None or isinstance(live, ReconcilerError):
            # A refusal is "not planned", an unreadable live state "could not read live state".
            failures.append(
                IntegrationFailure(
                    target.integration_id,
                    target.source,
                    str(refusal),
                    read_failed=isinstance(live, ReconcilerError),
                    account=target.account,
                )
            )
            continue
        desired, said = reference_safe(target, live)
        warnings += said
        plans.append(
            plan_integration(
                target.source,
                _managed(desired, patterns),
                live,
                safety=(safety or {}).get(target.integration_id),
                unmanaged=patterns,
                account=target.account,
            )
        )
    return Restore(Plan(tuple(plans), tuple(failures), selection or Selection()), tuple(warnings))


def reference_safe(target: RestoreTarget, live: LiveState) -> tuple[DesiredState, list[str]]:
    """The target with each orphaned mapping entry left as it is live, or else unmapped.

    Left alone only when ``live`` maps the category onto that same missing status and the
    restore writes no mapping (nothing to change); otherwise restoring it would post a mapping
    onto a status the restore does not re-create, so it becomes null and a warning says which
    category, which status and why.
    """
    if not target.orphaned or target.desired.mapping is None:
        return target.desired, []
    mapping = target.desired.mapping.as_dict()
    live_ids = live.mapped_ids()
    untouched = {
        category
        for category, external_id, _ in target.orphaned
        if live_ids[category] == external_id and external_id not in live.statuses
    }
    for category, _, _ in target.orphaned:
        if category not in untouched:
            mapping[category] = None
    # A mapping write posts all four categories, and Sendcloud's mapping POST takes a live
    # external_id or null (post-shop-order-statuses-mapping): an entry is left alone only
    # while the restore writes no mapping at all.
    if any(mapping[c] != live_ids[c] for c in CATEGORIES if c not in untouched):
        untouched = set()
    warnings: list[str] = []
    for category, external_id, why in target.orphaned:
        if category in untouched:
            continue
        mapping[category] = None
        warnings.append(
            f"integration {target.integration_id}: before the apply {category.value} was "
            f"mapped to status {external_id!r}, {why}; the restore does not re-create that "
            f"status, so {category.value} is restored as unmapped (null)"
        )
    ordered = {category: mapping[category] for category in CATEGORIES}
    desired = target.desired.model_copy(update={"mapping": StatusMapping.from_dict(ordered)})
    return desired, warnings


def stale_reason(
    target: RestoreTarget, live: LiveState, unmanaged: Sequence[str] = ()
) -> str | None:
    """Why restoring over ``live`` would undo someone else's change; None when it would not.

    Statuses matching ``unmanaged`` are not compared: the restore leaves them alone.
    """
    held = _held(live, unmanaged)
    # Already back where the apply started (restored before): nothing to undo, nothing stale.
    if any(held == _held(state, unmanaged) for state in (*target.left_in, target.before)):
        return None
    if not target.left_in:
        return (
            "the journal does not record the state this apply left (written by an older "
            "version), so a later change cannot be ruled out; re-run with --force to restore "
            "anyway"
        )
    changed = describe_live_changes(
        _without(target.left_in[0], unmanaged), _without(live, unmanaged)
    )
    return (
        f"Sendcloud changed since this apply ({changed}); restoring would undo that change "
        "too, so it is refused: re-run with --force to restore anyway, or leave it out with "
        "--only"
    )


def _held(live: LiveState, unmanaged: Sequence[str]) -> tuple[object, object]:
    return _without(live, unmanaged).statuses, live.mapped_ids()


def _without(live: LiveState, unmanaged: Sequence[str]) -> LiveState:
    """``live`` without the statuses the restore leaves alone."""
    if not unmanaged:
        return live
    kept = {ext: t for ext, t in live.statuses.items() if not is_unmanaged(ext, unmanaged)}
    return live.model_copy(update={"statuses": kept})


def _managed(desired: DesiredState, unmanaged: Sequence[str]) -> DesiredState:
    """``desired`` without unmanaged statuses: the planner carries the live ones over as they
    are, so the restore never re-creates one the shop's module has removed since."""
    if not unmanaged or desired.statuses is None:
        return desired
    kept = {e: t for e, t in desired.statuses.items() if not is_unmanaged(e, unmanaged)}
    return desired.model_copy(update={"statuses": kept})
