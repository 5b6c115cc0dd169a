"""The simulator's state: integrations, their statuses (soft-deletable) and their mappings.

`SimulatorState` is plain data with a JSON form (the one served by ``GET /_simulator/state``
and written to the state file). `StateStore` owns one state, guards it with a lock and
persists every change atomically when it was given a path.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from filelock import FileLock

from reconciler.errors import FileRefused
from reconciler.files import read_user_file, write_atomically
from reconciler.jsondoc import load_json
from reconciler.model import MAX_INTEGRATION_ID

LANGUAGES = ("en-us", "en-gb", "fr-fr", "de-de", "nl-nl", "es-es", "it-it")
DEFAULT_LANGUAGE = "en-gb"
CATEGORIES = ("READY_TO_SEND", "IN_TRANSIT", "DELIVERED", "CANCEL")


def utc_now_iso() -> str:
    """The current time as Sendcloud formats ``deleted_at``: ISO-8601, seconds, ``Z``."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class StoredStatus:
    """One shop status; ``translations`` maps language -> name in the order they were posted."""

    external_id: str
    translations: dict[str, str]
    deleted_at: str | None = None

    def name_in(self, language: str) -> str:
        """The name in `language`, else en-gb, else the alphabetically first language."""
        for candidate in (language, DEFAULT_LANGUAGE):
            if candidate in self.translations:
                return self.translations[candidate]
        return self.translations[min(self.translations)]


def _empty_mapping() -> dict[str, str | None]:
    return dict.fromkeys(CATEGORIES)


@dataclass
class IntegrationState:
    """Statuses (live first in posted order, then deleted ones) and the category mapping."""

    statuses: dict[str, StoredStatus] = field(default_factory=dict)
    mapping: dict[str, str | None] = field(default_factory=_empty_mapping)

    def is_live(self, external_id: str) -> bool:
        status = self.statuses.get(external_id)
        return status is not None and status.deleted_at is None

    def invalid_categories(self) -> list[str]:
        """Categories whose mapping points at a missing or soft-deleted status."""
        return [
            category
            for category, external_id in self.mapping.items()
            if external_id is not None and not self.is_live(external_id)
        ]

    def overwrite_statuses(self, posted: list[StoredStatus]) -> None:
        """Apply a full overwrite: posted statuses become live, all others are soft-deleted."""
        now = utc_now_iso()
        posted_ids = {status.external_id for status in posted}
        kept = {status.external_id: status for status in posted}
        for external_id, old in self.statuses.items():
            if external_id not in posted_ids:
                kept[external_id] = StoredStatus(
                    external_id, old.translations, old.deleted_at or now
                )
        self.statuses = kept


@dataclass
class SimulatorState:
    """All integrations the simulator knows, keyed by integration id."""

    integrations: dict[int, IntegrationState] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The JSON form: ``{"integrations": {"<id>": {"statuses": [...], "mapping": {...}}}}``."""
        return {
            "integrations": {
                str(integration_id): {
                    "statuses": [
                        {
                            "external_id": status.external_id,
                            "translations": [
                                {"status": name, "language": language}
                                for language, name in status.translations.items()
                            ],
                            "deleted_at": status.deleted_at,
                        }
                        for status in integration.statuses.values()
                    ],
                    "mapping": dict(integration.mapping),
                }
                for integration_id, integration in self.integrations.items()
            }
        }

    @classmethod
    def from_json(cls, data: Any) -> SimulatorState:
        """Parse the JSON form; raise `ValueError` saying what is wrong."""
        if not isinstance(data, dict) or not isinstance(data.get("integrations", {}), dict):
            raise ValueError('state must be an object {"integrations": {...}}')
        state = cls()
        for key, raw in data.get("integrations", {}).items():
            text = str(key)
            is_id = text.isascii() and text.isdigit() and len(text) <= 19
            if not (is_id and 0 < int(text) <= MAX_INTEGRATION_ID) or not isinstance(raw, dict):
                raise ValueError(f"integration {key!r}: expected a numeric key and an object")
            state.integrations[int(key)] = _integration_from_json(key, raw)
        return state


def _integration_from_json(key: str, raw: dict[str, Any]) -> IntegrationState:
    integration = IntegrationState()
    for item in raw.get("statuses", []):
        try:
            translations = {t["language"]: t["status"] for t in item["translations"]}
            status = StoredStatus(str(item["external_id"]), translations, item.get("deleted_at"))
        except (KeyError, TypeError) as exc:
            raise ValueError(f"integration {key}: malformed status {item!r}") from exc
        if not translations or not set(translations) <= set(LANGUAGES):
            raise ValueError(f"integration {key}: status {status.external_id!r} translations")
        integration.statuses[status.external_id] = status
    mapping = raw.get("mapping", {})
    if not isinstance(mapping, dict) or not set(mapping) <= set(CATEGORIES):
        raise ValueError(f"integration {key}: mapping must be an object keyed by category")
    for category in CATEGORIES:
        value = mapping.get(category)
        if value is not None and not isinstance(value, str):
            raise ValueError(f"integration {key}: mapping {category} must be a string or null")
        integration.mapping[category] = value
    return integration


# A sandbox with thousands of integrations is a few MiB; far more is not a state file.
MAX_STATE_BYTES = 64 * 1024 * 1024
# How long a process waits for another one's change to the state file before giving up.
LOCK_TIMEOUT = 60.0


def _load(path: Path) -> SimulatorState:
    """The state in the file at `path`; `ValueError` saying why it cannot be used."""
    try:
        data = load_json(read_user_file(path, limit=MAX_STATE_BYTES))
    except FileRefused as exc:
        raise ValueError(str(exc)) from None
    except ValueError as exc:
        raise ValueError(f"the state file cannot be read: {exc}") from None
    return SimulatorState.from_json(data)


def _signature(path: Path) -> tuple[int, int, int] | None:
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    return (info.st_ino, info.st_size, info.st_mtime_ns)


class StateStore:
    """Holds a `SimulatorState`, serialises changes and persists them when given a path.

    With a path, several processes may share the file (two ``--sandbox`` commands, or one next
    to ``sandbox serve``): every read and every read-modify-write holds a lock on the file
    (`filelock`, next to it as ``<name>.lock``) and re-reads the file first if another process
    replaced it, so no change is lost. Within a process a `threading.Lock` serialises too:
    tests drive the state from the test thread while uvicorn serves requests on another
    thread's event loop, and a critical section never awaits.
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._state = SimulatorState()
        self._file_lock = (
            FileLock(path.with_name(path.name + ".lock"), timeout=LOCK_TIMEOUT)
            if path is not None
            else None
        )
        self._seen: tuple[int, int, int] | None = None
        with self._locked():
            pass  # loads the file, so a corrupt one is refused at once

    @contextmanager
    def _locked(self) -> Iterator[None]:
        with self._lock:
            if self.path is None or self._file_lock is None or not self.path.parent.is_dir():
                # No directory yet: nothing to read, and no other process to share it with;
                # saving will say why it cannot.
                yield
                return
            with self._file_lock:
                seen = _signature(self.path)
                if seen != self._seen:
                    # Another process wrote the file since this one last read or wrote it.
                    self._state = _load(self.path) if seen is not None else SimulatorState()
                    self._seen = seen
                yield

    @contextmanager
    def transaction(self) -> Iterator[SimulatorState]:
        """Lock the state for a change; persist it afterwards unless the block raised."""
        with self._locked():
            yield self._state
            self._save()

    @contextmanager
    def reading(self) -> Iterator[SimulatorState]:
        """Lock the state for a consistent read (no persistence)."""
        with self._locked():
            yield self._state

    def snapshot(self) -> dict[str, Any]:
        """A deep copy of the state in its JSON form."""
        with self._locked():
            return self._state.to_json()

    def replace(self, state: SimulatorState) -> None:
        """Replace the whole state (and persist it)."""
        with self._locked():
            self._state = state
            self._save()

    def _save(self) -> None:
        if self.path is None:
            return
        payload = json.dumps(self._state.to_json(), indent=2, sort_keys=True)
        # Atomic: a crash or a reader in another process never sees a half-written file.
        try:
            write_atomically(self.path, payload)
        except FileRefused as exc:
            raise OSError(exc.reason or str(exc)) from None
        self._seen = _signature(self.path)
