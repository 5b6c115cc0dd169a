"""The live-state snapshot: ``snapshot --out FILE`` writes it; ``plan --live FILE`` reads it.

A snapshot lets a job without credentials (a pull request's plan) plan offline against the live
state a trusted job (on the default branch, with the key pair) read earlier. The JSON document:

- ``kind`` ``"reconciler-snapshot"``, ``format_version`` 1, ``generator``;
- ``taken_at``: when the reads finished, ISO 8601 in UTC (``2026-11-30T21:05:00Z``);
- ``api_url``: the API it was read from (``connect.target``); a plan made from the snapshot
  records it, so ``apply --plan`` refuses to apply it to another API;
- ``integrations``: per integration its ``live`` state (the model's JSON form, as in a saved plan)
  and ``live_checksum``;
- ``checksum``: sha256 of the canonical document without that field, so an edited file is refused.

It holds no credential (an API URL never carries one: ``client.check_base_url``). A plan made
from it records the snapshot's live states, so ``apply --plan`` refuses, per integration, any
whose live state moved since the snapshot (the stale-plan check).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from pydantic import ValidationError

from reconciler import __version__
from reconciler.errors import FileRefused, SnapshotError
from reconciler.files import read_user_file
from reconciler.jsondoc import load_json
from reconciler.model import LiveState
from reconciler.plan import live_checksum
from reconciler.render.json import CHECKSUM_FIELD, document_checksum

KIND: Final = "reconciler-snapshot"
FORMAT_VERSION: Final = 1
# A snapshot of a thousand integrations is a few MiB; far more is not a snapshot (as plan files).
MAX_SNAPSHOT_BYTES = 64 * 1024 * 1024
_RETAKE = "take a new one with `reconciler snapshot --out FILE`"


@dataclass(frozen=True)
class Snapshot:
    path: Path
    taken_at: datetime  # timezone-aware, UTC
    api_url: str
    lives: Mapping[int, LiveState]


def snapshot_document(
    lives: Mapping[int, LiveState], taken_at: datetime, api_url: str
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "api_url": api_url,
        "kind": KIND,
        "format_version": FORMAT_VERSION,
        "generator": f"reconciler {__version__}",
        "taken_at": taken_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "integrations": [
            {
                "integration_id": integration_id,
                "live": lives[integration_id].model_dump(mode="json"),
                "live_checksum": live_checksum(lives[integration_id]),
            }
            for integration_id in sorted(lives)
        ],
    }
    document[CHECKSUM_FIELD] = document_checksum(document)
    return document


def write_snapshot(
    path: Path, lives: Mapping[int, LiveState], *, taken_at: datetime, api_url: str
) -> None:
    """Write atomically: a reader sees the old file or the whole new one, never a part."""
    document = snapshot_document(lives, taken_at, api_url)
    text = json.dumps(document, sort_keys=True, indent=2) + "\n"
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="ascii", newline="\n") as handle:
                handle.write(text)
            os.chmod(temporary, 0o644)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise SnapshotError(f"cannot write snapshot {path}: {exc.strerror or exc}") from exc


def read_snapshot(path: Path) -> Snapshot:
    """Read and verify a snapshot; every refusal is a ``SnapshotError`` naming the file."""
    if not path.exists() and not path.is_symlink():
        raise SnapshotError(f"snapshot {path} does not exist; {_RETAKE}")
    try:
        raw = read_user_file(path, limit=MAX_SNAPSHOT_BYTES)
    except FileRefused as exc:
        raise SnapshotError(f"snapshot {path}: {exc}") from None
    try:
        # The bounded reader: a document nested a thousand deep is refused, not a crash.
        document = load_json(raw)
    except ValueError as exc:
        raise SnapshotError(f"snapshot {path} cannot be read: {exc}; {_RETAKE}") from None
    if not isinstance(document, dict) or document.get("kind") != KIND:
        raise SnapshotError(f"{path} is not a reconciler snapshot; {_RETAKE}")
    if document.get("format_version") != FORMAT_VERSION:
        raise SnapshotError(
            f"snapshot {path} has format_version {json.dumps(document.get('format_version'))}, "
            f"but this reconciler reads {FORMAT_VERSION}; {_RETAKE}"
        )
    if document.get(CHECKSUM_FIELD) != document_checksum(document):
        raise SnapshotError(f"snapshot {path} does not match its checksum; {_RETAKE}")
    try:
        taken_at = datetime.strptime(document["taken_at"], "%Y-%m-%dT%H:%M:%SZ")
        api_url = str(document["api_url"])
        lives = {
            int(entry["integration_id"]): LiveState.model_validate(entry["live"])
            for entry in document["integrations"]
        }
    except (KeyError, TypeError, ValueError, ValidationError) as exc:
        raise SnapshotError(f"snapshot {path} is malformed ({exc}); {_RETAKE}") from None
    for integration_id, live in lives.items():
        if live.integration_id != integration_id:
            raise SnapshotError(f"snapshot {path}: integration {integration_id} holds another's")
    return Snapshot(path, taken_at.replace(tzinfo=UTC), api_url, lives)


def describe_age(taken_at: datetime, now: datetime) -> str:
    """``"3 hours ago"``-style age, rounded down; ``"just now"`` under a minute."""
    seconds = int((now - taken_at).total_seconds())
    if seconds < 0:
        return "in the future (check the clocks)"
    for unit, size in (("day", 86_400), ("hour", 3_600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    return "just now"
