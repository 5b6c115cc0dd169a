"""The Plan: per integration, the changes, the writes that make them, and the safety verdict.

Pure: no I/O. The same Plan drives every rendering (text, Markdown, JSON), the saved plan file
and ``apply``, so what a reviewer approves is exactly what is executed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from reconciler.changes import Change, Counts, deleted_ids, natural_key
from reconciler.diff import diff_integration, look_alike_warnings
from reconciler.model import Category, DesiredState, Language, LiveState
from reconciler.policy import Violation

# A plan that deletes more than this share of an integration's live statuses (when it has at
# least MIN_STATUSES_FOR_RATIO of them), or all of them, is unsafe; apply needs --force.
MAX_DELETE_RATIO = 0.30
MIN_STATUSES_FOR_RATIO = 4
# Sendcloud's write limits: 100 per minute, at most 15 per second.
MAX_WRITES_PER_SECOND = 15.0


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


@dataclass(frozen=True)
class Write:
    """One POST the apply will send, in order, and why (``purpose``, shown to the reviewer).

    ``endpoint`` ``statuses``: ``POST /shop-order-statuses`` with ``statuses``
    (``{external_id: {language: name}}``, the full list: Sendcloud soft-deletes what it omits).
    ``mapping``: ``POST /shop-order-statuses/mapping`` with all four categories.
    """

    endpoint: Literal["statuses", "mapping"]
    purpose: str
    statuses: dict[str, dict[Language, str]] | None = None
    mapping: dict[Category, str | None] | None = None


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

    @property
    def has_changes(self) -> bool:
        """Whether anything differs."""
        return bool(self.changes)

    @property
    def warnings(self) -> tuple[str, ...]:
        """Sentences for the reviewer: invalid live mapping entries, then each unsafe reason."""
        live_problems = tuple(
            f"live mapping {category.value} points at status {external_id!r}, which does not "
            "exist (Sendcloud marks it invalid)"
            for category, external_id in self.invalid_live_mapping
        )
        unsafe = tuple(f"unsafe: {reason}" for reason in self.unsafe_reasons)
        return live_problems + unsafe + look_alike_warnings(self.changes)


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
    # Rules of the project file the desired state breaks (`reconciler.policy`); sorted.
    policy: tuple[Violation, ...] = field(default=())

    def __post_init__(self) -> None:
        # Deterministic order whatever order the live reads finished in.
        ordered = tuple(sorted(self.integrations, key=lambda p: p.integration_id))
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


def plan_integration(source: str, desired: DesiredState, live: LiveState) -> IntegrationPlan:
    """Diff, order the writes and judge the safety of one integration; pure."""
    diff = diff_integration(desired, live)
    return IntegrationPlan(
        integration_id=desired.integration_id,
        source=source,
        desired=desired,
        live=live,
        changes=diff.changes,
        writes=plan_writes(desired, live, diff.changes),
        unsafe_reasons=unsafe_reasons(desired, live, diff.changes),
        invalid_live_mapping=diff.invalid_live_mapping,
        dangling_mapping=diff.dangling_mapping,
        live_checksum=live_checksum(live),
    )


def plan_writes(
    desired: DesiredState, live: LiveState, changes: Sequence[Change]
) -> tuple[Write, ...]:
    """The POSTs that take ``live`` to ``desired`` without a mapping ever pointing nowhere.

    Statuses go first, then the mapping. When the new statuses delete a status the live mapping
    still uses, the deleted status is kept for one more write: statuses (desired plus the still
    referenced ones), then the mapping moves off them, then the final statuses.
    """
    status_changed = any(c.target == "status" for c in changes)
    mapping_changed = any(c.target == "mapping" for c in changes)
    writes: list[Write] = []
    if status_changed and desired.statuses is not None:
        final = _sorted_statuses(desired.statuses)
        deleted = set(deleted_ids(changes))
        in_use = sorted(
            {ext for ext in live.mapped_ids().values() if ext in deleted}, key=natural_key
        )
        if in_use and desired.mapping is not None:
            interim = _sorted_statuses({**final, **{ext: live.statuses[ext] for ext in in_use}})
            if interim != _sorted_statuses(live.statuses):
                kept = ", ".join(repr(ext) for ext in in_use)
                writes.append(Write("statuses", f"statuses, keeping {kept} until the mapping "
                                    "moves off", statuses=interim))  # fmt: skip
            writes.append(Write("mapping", "mapping", mapping=desired.mapping.as_dict()))
            writes.append(Write("statuses", "final statuses", statuses=final))
            return tuple(writes)
        writes.append(Write("statuses", "statuses", statuses=final))
    if mapping_changed and desired.mapping is not None:
        writes.append(Write("mapping", "mapping", mapping=desired.mapping.as_dict()))
    return tuple(writes)


def unsafe_reasons(
    desired: DesiredState, live: LiveState, changes: Sequence[Change]
) -> tuple[UnsafeReason, ...]:
    """The safety verdict: empty when the plan is safe.

    Deleting every live status, or more than ``MAX_DELETE_RATIO`` of them (from
    ``MIN_STATUSES_FOR_RATIO`` statuses on), needs ``--force``; deleting a status the live
    mapping uses while the file does not manage the mapping is refused even with it.
    """
    deleted = deleted_ids(changes)
    total = len(live.statuses)
    reasons: list[UnsafeReason] = []
    if deleted and len(deleted) == total:
        reasons.append(UnsafeReason(f"deletes all {total} live statuses"))
    elif total >= MIN_STATUSES_FOR_RATIO and len(deleted) / total > MAX_DELETE_RATIO:
        reasons.append(
            UnsafeReason(
                f"deletes {len(deleted)} of {total} live statuses "
                f"(more than {MAX_DELETE_RATIO:.0%})"
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


def live_checksum(live: LiveState) -> str:
    """``sha256:<hex>`` of the canonical JSON of ``live``; apply compares it to refuse stale
    plans."""
    canonical = json.dumps(live.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def _sorted_statuses(
    statuses: Mapping[str, Mapping[Language, str]],
) -> dict[str, dict[Language, str]]:
    return {ext: dict(sorted(statuses[ext].items())) for ext in sorted(statuses, key=natural_key)}
