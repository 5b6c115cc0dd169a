"""The API writes a plan makes, in the order that never leaves the mapping pointing nowhere.

Pure: no I/O. `plan_writes` turns an integration's changes into the POSTs apply sends;
``reconciler.plan`` attaches them to each integration's plan (and re-exports `Write`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from reconciler.changes import Change, deleted_ids, natural_key
from reconciler.model import Category, DesiredState, Language, LiveState


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


def _sorted_statuses(
    statuses: Mapping[str, Mapping[Language, str]],
) -> dict[str, dict[Language, str]]:
    return {ext: dict(sorted(statuses[ext].items())) for ext in sorted(statuses, key=natural_key)}
