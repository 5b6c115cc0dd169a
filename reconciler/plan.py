"""The Plan: per integration, the changes, the writes that make them, and the safety verdict
(judged by `reconciler.safety`).

Pure: no I/O. The same Plan drives every rendering (text, Markdown, JSON), the saved plan file
and ``apply``, so what a reviewer approves is exactly what is executed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from reconciler.changes import (
    Change,
    Counts,
    MappingChange,
    StatusDelete,
    StatusUpdate,
)
from reconciler.diff import diff_integration, look_alike_warnings
from reconciler.model import Category, DesiredState, LiveState
from reconciler.policy import Violation
from reconciler.project import Safety
from reconciler.safety import (
    UnsafeReason,
    carried_statuses,
    orphaned_mapping,
    unmanaged_dangling,
    unsafe_reasons,
    with_fleet_limits,
)
from reconciler.targeting import Selection
from reconciler.writes import Write, plan_writes

__all__ = [
    "IntegrationFailure",
    "IntegrationPlan",
    "Plan",
    "Summary",
    "UnsafeReason",
    "Write",
    "live_checksum",
    "orphaned_mapping",
    "plan_integration",
    "plan_writes",
]

# Sendcloud's write limits: 100 per minute, at most 15 per second.
MAX_WRITES_PER_SECOND = 15.0


@dataclass(frozen=True)
class IntegrationPlan:
    """The plan for one integration: its file (``source``), both states, the ordered changes,
    the POSTs that make them (``writes``, in order), the safety verdict, and the checksum of the
    live state it was made from (apply refuses the plan if the live state moved since)."""

    integration_id: int
    source: str
    desired: DesiredState
    live: LiveState
    changes: tuple[Change, ...]
    writes: tuple[Write, ...]
    unsafe_reasons: tuple[UnsafeReason, ...]
    invalid_live_mapping: tuple[tuple[Category, str | None], ...]
    dangling_mapping: tuple[tuple[Category, str], ...]
    live_checksum: str
    account: str = ""  # the project file's account it belongs to; "" without one
    # Effective thresholds (project defaults < account < bases < file).
    safety: Safety = field(default_factory=Safety)
    # Live statuses left alone (unmanaged): copied unchanged into every statuses write.
    unmanaged: tuple[str, ...] = ()
    # Where values set by another file (a base) came from: ("statuses", "4") -> "from b.yaml:3".
    provenance: Mapping[tuple[str, ...], str] = field(default_factory=dict, compare=False)
    # Integrations of this account in the whole fleet (0: unknown, the plan's own count is used).
    account_size: int = 0

    @property
    def has_changes(self) -> bool:
        """Whether anything differs."""
        return bool(self.changes)

    def origin_of(self, change: Change) -> str | None:
        """``from bases/nl.yaml:14`` when a base set what ``change`` writes, else None."""
        if isinstance(change, MappingChange):
            return self.provenance.get(("mapping", change.category.value))
        if isinstance(change, StatusDelete):
            return self.provenance.get(("statuses", change.external_id))
        # The texts written decide: a status the base defines but this file renames is this
        # file's doing.
        languages = (
            [t.language for t in change.translations if t.new is not None]
            if isinstance(change, StatusUpdate)
            else list(change.translations)
        )
        for language in languages:
            found = self.provenance.get(("statuses", change.external_id, language))
            if found:
                return found
        return None

    @property
    def warnings(self) -> tuple[str, ...]:
        """Sentences for the reviewer: invalid live mapping entries, then each unsafe reason."""
        live_problems = tuple(
            f"live mapping {category.value} points at status {external_id!r}, which does not "
            "exist (Sendcloud marks it invalid)"
            for category, external_id in self.invalid_live_mapping
        )
        unsafe = tuple(f"unsafe: {reason}" for reason in self.unsafe_reasons)
        return self.live.notes + live_problems + unsafe + look_alike_warnings(self.changes)


@dataclass(frozen=True)
class IntegrationFailure:
    """An integration that could not be planned: the rest of the plan still stands.

    ``read_failed``: its live state could not be read; otherwise it was read but the file cannot
    be applied to it (a mapping-only file mapping onto a status Sendcloud does not have).
    """

    integration_id: int
    source: str
    message: str
    read_failed: bool = True
    account: str = ""


@dataclass(frozen=True)
class Summary:
    """Totals over a whole plan: change counts, integrations ``changed`` / ``unchanged`` /
    ``failed`` (unread), and the number of API ``writes``."""

    creates: int
    updates: int
    deletes: int
    mapping_changes: int
    changed: int
    unchanged: int
    failed: int
    writes: int

    @property
    def counts(self) -> Counts:
        """The change counts alone."""
        return Counts(self.creates, self.updates, self.deletes, self.mapping_changes)

    def write_seconds(self, writes_per_minute: float) -> float:
        """How long the writes take when paced at the write limit (the first one goes at once)."""
        interval = max(60.0 / writes_per_minute, 1.0 / MAX_WRITES_PER_SECOND)
        return max(self.writes - 1, 0) * interval


@dataclass(frozen=True)
class Plan:
    """The plans of every integration read, and the ``failures`` that could not be; both sorted
    by integration id on construction, so the same inputs always give the same plan."""

    integrations: tuple[IntegrationPlan, ...]
    failures: tuple[IntegrationFailure, ...] = field(default=())
    # What --only/--exclude/--changed-since left out, and why (empty for an untargeted plan).
    selection: Selection = field(default_factory=Selection)
    # Rules of the project file the desired state breaks (`reconciler.policy`); sorted.
    policy: tuple[Violation, ...] = field(default=())
    # `apply --force`: the forceable unsafe reasons are overridden, so no report may tell the
    # reader to pass --force (set by apply for its own report, never saved in a plan file).
    forced: bool = False

    def __post_init__(self) -> None:
        # Deterministic order whatever order the live reads finished in.
        ordered = tuple(
            sorted(with_fleet_limits(self.integrations), key=lambda p: p.integration_id)
        )
        object.__setattr__(self, "integrations", ordered)
        failures = tuple(sorted(self.failures, key=lambda f: f.integration_id))
        object.__setattr__(self, "failures", failures)
        object.__setattr__(self, "policy", tuple(sorted(self.policy)))

    @property
    def has_changes(self) -> bool:
        """Whether any integration has a change."""
        return any(p.has_changes for p in self.integrations)

    @property
    def is_safe(self) -> bool:
        """Whether no integration has an unsafe reason."""
        return not any(p.unsafe_reasons for p in self.integrations)

    @property
    def accounts(self) -> tuple[str, ...]:
        """The accounts this plan spans, sorted; ``("",)`` without a project file."""
        names = {p.account for p in self.integrations} | {f.account for f in self.failures}
        return tuple(sorted(names))

    def summary(self) -> Summary:
        """The totals the renderings print."""
        counts = Counts.of(c for p in self.integrations for c in p.changes)
        changed = sum(1 for p in self.integrations if p.has_changes)
        return Summary(
            creates=counts.creates,
            updates=counts.updates,
            deletes=counts.deletes,
            mapping_changes=counts.mapping_changes,
            changed=changed,
            unchanged=len(self.integrations) - changed,
            failed=len(self.failures),
            writes=sum(len(p.writes) for p in self.integrations),
        )


def plan_integration(
    source: str,
    desired: DesiredState,
    live: LiveState,
    *,
    safety: Safety | None = None,
    unmanaged: Sequence[str] = (),
    provenance: Mapping[tuple[str, ...], str] | None = None,
    account: str = "",
    account_size: int = 0,
) -> IntegrationPlan:
    """Diff one integration. ``unmanaged``: patterns of live statuses to carry over unchanged.

    Carrying over is done by adding those live statuses to the desired ones, so they are never
    a difference, never deleted and always in the statuses write (which replaces the whole
    list); the plan lists them in ``unmanaged``.
    """
    safety = safety or Safety()
    carried = carried_statuses(desired, live, unmanaged)
    if carried:
        statuses = {**(desired.statuses or {}), **{ext: live.statuses[ext] for ext in carried}}
        desired = desired.model_copy(update={"statuses": statuses})
    diff = diff_integration(desired, live)
    dangling = diff.dangling_mapping + unmanaged_dangling(desired, live, unmanaged)
    return IntegrationPlan(
        integration_id=desired.integration_id,
        source=source,
        desired=desired,
        live=live,
        changes=diff.changes,
        writes=plan_writes(desired, live, diff.changes),
        unsafe_reasons=unsafe_reasons(desired, live, diff.changes, safety, len(carried)),
        invalid_live_mapping=diff.invalid_live_mapping,
        dangling_mapping=dangling,
        live_checksum=live_checksum(live),
        account=account,
        safety=safety,
        unmanaged=carried,
        provenance=dict(provenance or {}),
        account_size=account_size,
    )


def live_checksum(live: LiveState) -> str:
    """``sha256:<hex>`` of the canonical JSON of ``live``; apply compares it to refuse stale
    plans."""
    canonical = json.dumps(live.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()
