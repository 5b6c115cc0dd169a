"""The safety verdict of a plan, and what "unmanaged" means for one: pure, no I/O.

`unsafe_reasons` judges one integration against its thresholds (`reconciler.project.Safety`):
deleting every live status, or more than ``max_delete_share`` of them (from
``min_live_statuses`` on), needs ``--force``; leaving the live mapping on a deleted status is
refused even with it. `with_fleet_limits` judges a whole plan, per account, against
``max_integration_share``. `carried_statuses` are the live statuses a file leaves alone
(unmanaged): copied unchanged into every statuses write.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from reconciler.changes import Change, deleted_ids, natural_key
from reconciler.model import Category, DesiredState, LiveState
from reconciler.project import Safety, is_unmanaged

if TYPE_CHECKING:
    from reconciler.plan import IntegrationPlan

FLEET_LIMIT = "the max_integration_share"


@dataclass(frozen=True)
class UnsafeReason:
    """Why apply refuses an integration's plan unless told otherwise.

    ``forceable``: whether ``apply --force`` overrides it (deleting many statuses: yes; leaving
    the mapping pointing at a deleted status: never). ``fix`` says what to do instead when it
    is not. ``str()`` is the sentence every rendering shows.
    """

    message: str
    forceable: bool = True
    fix: str = ""

    def __str__(self) -> str:
        if self.forceable:
            return self.message
        return f"{self.message} ({self.fix}; --force does not override this)"


def carried_statuses(
    desired: DesiredState, live: LiveState, unmanaged: Sequence[str]
) -> tuple[str, ...]:
    """Live statuses the file does not manage but must keep: those matching ``unmanaged``."""
    if desired.statuses is None or not unmanaged:
        return ()
    return tuple(
        sorted(
            (
                ext
                for ext in live.statuses
                if ext not in desired.statuses and is_unmanaged(ext, unmanaged)
            ),
            key=natural_key,
        )
    )


def unmanaged_dangling(
    desired: DesiredState, live: LiveState, unmanaged: Sequence[str]
) -> tuple[tuple[Category, str], ...]:
    # A file with statuses may map onto an unmanaged status: it must exist live (the mapping-only
    # case is already checked by the diff).
    if desired.statuses is None or desired.mapping is None:
        return ()
    return tuple(
        (category, ext)
        for category, ext in desired.mapping.as_dict().items()
        if ext is not None
        and ext not in desired.statuses
        and ext not in live.statuses
        and is_unmanaged(ext, unmanaged)
    )


def unsafe_reasons(
    desired: DesiredState,
    live: LiveState,
    changes: Sequence[Change],
    safety: Safety | None = None,
    carried: int = 0,
) -> tuple[UnsafeReason, ...]:
    """The safety verdict: empty when the plan is safe.

    Deleting every live status, or more than ``safety.max_delete_share`` of them (from
    ``safety.min_live_statuses`` statuses on), needs ``--force``; deleting a status the live
    mapping uses while the file does not manage the mapping is refused even with it. The
    delete share counts the live statuses this file manages (``carried`` unmanaged ones are
    never deleted and do not count).
    """
    safety = safety or Safety()
    deleted = deleted_ids(changes)
    total = len(live.statuses) - carried
    reasons: list[UnsafeReason] = []
    if deleted and len(deleted) == total:
        reasons.append(UnsafeReason(f"deletes all {total} live statuses"))
    elif total >= safety.min_live_statuses and len(deleted) / total > safety.max_delete_share:
        reasons.append(
            UnsafeReason(
                f"deletes {len(deleted)} of {total} live statuses "
                f"(more than {safety.max_delete_share:.0%})"
            )
        )
    for category, external_id in orphaned_mapping(desired, live, changes):
        reasons.append(
            UnsafeReason(
                f"deletes status {external_id!r}, which the live mapping {category.value} "
                "still uses, and this file does not manage the mapping",
                forceable=False,
                fix="add the mapping to this file or keep the status",
            )
        )
    return tuple(reasons)


def orphaned_mapping(
    desired: DesiredState, live: LiveState, changes: Sequence[Change]
) -> tuple[tuple[Category, str], ...]:
    """Live mapping entries a statuses-only file would leave pointing at a deleted status.

    Without the mapping in the file, apply cannot move the mapping off first, so it refuses
    these even with --force: the reconciler never makes a mapping invalid.
    """
    if desired.mapping is not None:
        return ()
    deleted = set(deleted_ids(changes))
    return tuple(
        (category, external_id)
        for category, external_id in live.mapped_ids().items()
        if external_id is not None and external_id in deleted
    )


def with_fleet_limits(items: Sequence[IntegrationPlan]) -> tuple[IntegrationPlan, ...]:
    """Mark every changed integration unsafe when its account's plan changes too many of them.

    ``max_integration_share`` is per account: a base edit touching 400 shops must be deliberate
    (``--force``, or a higher limit in the project file). The share is of the account's
    integrations in the whole fleet, so a targeted plan (``--only``) is not judged by its subset,
    and a plan split per account (rendering, apply) reaches the same verdict.
    """
    by_account: dict[str, list[IntegrationPlan]] = {}
    for item in items:
        by_account.setdefault(item.account, []).append(item)
    result: list[IntegrationPlan] = []
    for account, members in by_account.items():
        limits = [m.safety.max_integration_share for m in members]
        limit = min((x for x in limits if x is not None), default=None)
        changed = sum(1 for m in members if m.has_changes)
        total = max(max(m.account_size for m in members), len(members))
        reason: UnsafeReason | None = None
        if limit is not None and changed / total > limit:
            where = f" of account {account}" if account else ""
            reason = UnsafeReason(
                f"the plan changes {changed} of {total} integrations{where} (more than "
                f"{limit:.0%}, {FLEET_LIMIT}); a change this wide must be deliberate"
            )
        for member in members:
            marked = any(FLEET_LIMIT in r.message for r in member.unsafe_reasons)
            if reason and member.has_changes and not marked:
                member = replace(member, unsafe_reasons=(*member.unsafe_reasons, reason))
            result.append(member)
    return tuple(result)
