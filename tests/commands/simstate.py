"""The simulator's JSON form of one integration, for seeding live state in command tests."""

from __future__ import annotations

from typing import Any

from tests.support.simulator import BackgroundServer


def integration(
    statuses: dict[str, dict[str, str]],
    mapping: dict[str, str | None],
    deleted: dict[str, dict[str, str]] | None = None,
) -> dict[str, Any]:
    """One integration in the simulator's JSON form; translations in the order given."""

    def status(external_id: str, names: dict[str, str], deleted_at: str | None) -> dict[str, Any]:
        translations = [{"language": lang, "status": text} for lang, text in names.items()]
        return {"external_id": external_id, "translations": translations, "deleted_at": deleted_at}

    return {
        "statuses": [status(e, n, None) for e, n in statuses.items()]
        + [status(e, n, "2024-05-01T10:00:00Z") for e, n in (deleted or {}).items()],
        "mapping": {
            c: mapping.get(c) for c in ("READY_TO_SEND", "IN_TRANSIT", "DELIVERED", "CANCEL")
        },
    }


def seed(api: BackgroundServer, integrations: dict[int, dict[str, Any]]) -> None:
    """Replace the simulator's state with these integrations."""
    api.simulator.replace_state({"integrations": {str(k): v for k, v in integrations.items()}})
