"""Plans at fleet size: per account, identical change sets shown once, and what was left out.

A change to a shared base gives hundreds of integrations exactly the same changes. The text and
Markdown renderings show such a set once, headed ``214 integrations: add status "12" ("Returned");
map CANCEL to "6"``, with the members listed compactly; the JSON keeps every integration. Two
integrations group only when their changes (old and new values alike), warnings and writes are
identical, so a grouped section says exactly what each member's own section would have said.

Pure: plans in, words out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from reconciler.changes import (
    Change,
    Counts,
    MappingChange,
    StatusCreate,
    StatusDelete,
    StatusUpdate,
)
from reconciler.model import Language
from reconciler.plan import IntegrationFailure, IntegrationPlan, Plan
from reconciler.quoting import quote
from reconciler.render.common import Mode, counts_phrase, mapped, plural
from reconciler.targeting import LeftOut, Selection

# A headline names at most this many changes; the section below it shows every one.
HEADLINE_CHANGES: Final = 4
# Left-out integrations are listed one by one up to this many per reason, then as id ranges.
LIST_LEFT_OUT: Final = 10


@dataclass(frozen=True)
class ChangeGroup:
    """Integrations with identical changes; ``members`` in integration-id order."""

    members: tuple[IntegrationPlan, ...]

    @property
    def first(self) -> IntegrationPlan:
        """The member with the lowest id: its changes are every member's."""
        return self.members[0]

    @property
    def is_group(self) -> bool:
        """More than one member (a single integration keeps its own section)."""
        return len(self.members) > 1


def by_account(plan: Plan) -> list[tuple[str, Plan]]:
    """The plan split per account (sorted by name); one entry ``("", plan)`` without accounts."""
    names = plan.accounts
    if names in ((), ("",)):
        return [("", plan)]
    return [
        (
            name,
            Plan(
                tuple(p for p in plan.integrations if p.account == name),
                tuple(f for f in plan.failures if f.account == name),
            ),
        )
        for name in names
    ]


def group_identical(items: Iterable[IntegrationPlan]) -> list[ChangeGroup]:
    """Integrations with changes, grouped by identical change set; groups in first-member order."""
    buckets: dict[tuple[str, ...], list[IntegrationPlan]] = {}
    for item in items:
        buckets.setdefault(_key(item), []).append(item)
    return [ChangeGroup(tuple(members)) for members in buckets.values()]


def _key(item: IntegrationPlan) -> tuple[str, ...]:
    # Changes and writes are frozen dataclasses whose dicts are built in sorted order, so their
    # reprs are canonical. The integration id is in no change or write.
    return (
        *(repr(c) for c in item.changes),
        "|",
        *(item.origin_of(c) or "" for c in item.changes),  # "from bases/nl.yaml:14"
        "|",
        *item.warnings,
        "|",
        *item.unmanaged,
        "|",
        *(repr(w) for w in item.writes),
    )


def headline(changes: Sequence[Change], mode: Mode) -> str:
    """``add status "12" ("Returned"); map CANCEL to "6"``: the changes in a few words, or their
    counts (``6 statuses to create, 4 mapping changes``) when there are many."""
    if len(changes) > HEADLINE_CHANGES:
        return counts_phrase(Counts.of(changes), mode)
    return "; ".join(describe(change, mode) for change in changes)


def describe(change: Change, mode: Mode) -> str:
    """One change in a few words, as plan (what apply does) or drift (how live differs) reads."""
    if isinstance(change, MappingChange):
        if mode == "drift":
            old, new = mapped(change.old), mapped(change.new)
            return f"{change.category.value} is {old} live, {new} in git"
        if change.new is None:
            return f"unmap {change.category.value}"
        return f"map {change.category.value} to {quote(change.new)}"
    status = f"status {quote(change.external_id)}"
    if isinstance(change, StatusCreate):
        name = _first_name(change.translations)
        return f"{status} missing live{name}" if mode == "drift" else f"add {status}{name}"
    if isinstance(change, StatusDelete):
        name = _first_name(change.translations)
        return f"{status} not in git{name}" if mode == "drift" else f"delete {status}{name}"
    assert isinstance(change, StatusUpdate)  # noqa: S101 - the four change kinds are exhaustive
    languages = ", ".join(t.language for t in change.translations)
    if mode == "drift":
        return f"{status} changed live ({languages})"
    return f"change {status} ({languages})"


def _first_name(translations: Mapping[Language, str]) -> str:
    return f" ({quote(next(iter(translations.values())))})" if translations else ""


def group_title(group: ChangeGroup, mode: Mode) -> str:
    """``214 integrations: add status "12" ("Returned"); 2 API writes each``."""
    first = group.first
    writes = f"; {plural(len(first.writes), 'API write')} each" if mode == "plan" else ""
    return f"{plural(len(group.members), 'integration')}: {headline(first.changes, mode)}{writes}"


def id_ranges(ids: Iterable[int]) -> str:
    """``1001-1003, 1010``: sorted ids with consecutive runs written as ranges."""
    ordered = sorted(set(ids))
    parts: list[str] = []
    start = prev = None
    for value in [*ordered, None]:
        if value is not None and prev is not None and value == prev + 1:
            prev = value
            continue
        if start is not None:
            parts.append(str(start) if start == prev else f"{start}-{prev}")
        start = prev = value
    return ", ".join(parts)


def failures_by_message(
    failures: Iterable[IntegrationFailure],
) -> list[tuple[str, tuple[IntegrationFailure, ...]]]:
    """Failures sharing one message (an account's missing key pair fails all its integrations
    alike), in first-seen order."""
    messages: dict[str, list[IntegrationFailure]] = {}
    for failure in failures:
        messages.setdefault(failure.message, []).append(failure)
    return [(message, tuple(items)) for message, items in messages.items()]


def failed_members(failures: Sequence[IntegrationFailure]) -> str:
    """``integration 12 (shops/12.yaml)`` for one, ``3 integrations (11-13)`` for several."""
    if len(failures) == 1:
        return f"integration {failures[0].integration_id} ({failures[0].source})"
    ids = id_ranges(f.integration_id for f in failures)
    return f"{plural(len(failures), 'integration')} ({ids})"


def in_sync_phrase(count: int, mode: Mode) -> str:
    """``300 integrations in sync`` (plan) or ``300 integrations match git`` (drift)."""
    state = "in sync" if mode == "plan" else ("matches git" if count == 1 else "match git")
    return f"{plural(count, 'integration')} {state}"


def member_list(group: Sequence[IntegrationPlan]) -> str:
    """Members by id and file when few, as id ranges when many."""
    if len(group) <= LIST_LEFT_OUT:
        return ", ".join(f"{p.integration_id} ({p.source})" for p in group)
    return id_ranges(p.integration_id for p in group)


def left_out_by_reason(left_out: Sequence[LeftOut]) -> list[tuple[str, tuple[LeftOut, ...]]]:
    """Left-out integrations grouped by reason, reasons in first-seen order."""
    reasons: dict[str, list[LeftOut]] = {}
    for item in left_out:
        reasons.setdefault(item.reason, []).append(item)
    return [(reason, tuple(items)) for reason, items in reasons.items()]


def selection_lines(selection: Selection) -> list[str]:
    """What a targeted run chose and left out, as plain sentences (renderers escape them)."""
    lines = [f"Targeted: {'; '.join(selection.criteria)}."] if selection.criteria else []
    lines += [f"Selected integration {i}: {why}." for i, why in selection.reasons]
    for reason, items in left_out_by_reason(selection.left_out):
        lines.append(f"Left out {plural(len(items), 'integration')} ({reason}): {members(items)}.")
    lines += [f"{note}." for note in selection.notes]
    return lines


def members(items: Sequence[LeftOut]) -> str:
    """Left-out integrations by id and file when few, as id ranges when many."""
    if len(items) <= LIST_LEFT_OUT:
        return ", ".join(f"{i.integration_id} ({i.source})" for i in items)
    return id_ranges(i.integration_id for i in items)
