"""Say in a few words how the live state moved since a plan was made (for stale-plan refusals)."""

from __future__ import annotations

from reconciler.changes import MappingChange, StatusCreate, StatusDelete
from reconciler.diff import diff_mapping, diff_statuses
from reconciler.model import LiveState

_MAX_NAMED = 5


def describe_live_changes(recorded: LiveState, current: LiveState) -> str:
    changes = [
        *diff_statuses(current.statuses, recorded.statuses),
        *diff_mapping(current.mapped_ids(), recorded.mapped_ids()),
    ]
    if not changes:
        return "mapping validity changed"
    words = []
    for change in changes[:_MAX_NAMED]:
        if isinstance(change, MappingChange):
            words.append(f"mapping {change.category.value} now {change.new or 'unmapped'!r}")
        elif isinstance(change, StatusCreate):
            words.append(f"status {change.external_id!r} added")
        elif isinstance(change, StatusDelete):
            words.append(f"status {change.external_id!r} deleted")
        else:
            words.append(f"status {change.external_id!r} edited")
    more = len(changes) - _MAX_NAMED
    return ", ".join(words) + (f" and {more} more" if more > 0 else "")
