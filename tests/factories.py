"""Small builders for desired and live states, so unit tests read like the YAML they stand for."""

from __future__ import annotations

from typing import Any

from reconciler.model import CATEGORIES, DesiredState, LiveMappingEntry, LiveState, StatusMapping


def desired(
    statuses: dict[str, dict[str, str]] | None = None,
    mapping: dict[str, str | None] | None = None,
    integration_id: int = 1,
) -> DesiredState:
    data: dict[str, Any] = {"integration_id": integration_id}
    if statuses is not None:
        data["statuses"] = statuses
    if mapping is not None:
        data["mapping"] = StatusMapping(**{c.value: mapping.get(c.value) for c in CATEGORIES})
    return DesiredState.model_validate(data)


def live(
    statuses: dict[str, dict[str, str]] | None = None,
    mapping: dict[str, str | None] | None = None,
    invalid: tuple[str, ...] = (),
    integration_id: int = 1,
) -> LiveState:
    statuses = statuses or {}
    mapping = mapping or {}
    entries = {
        c: LiveMappingEntry(
            external_id=mapping.get(c.value),
            is_valid=c.value not in invalid,
        )
        for c in CATEGORIES
    }
    return LiveState.model_validate(
        {"integration_id": integration_id, "statuses": statuses, "mapping": entries}
    )
