"""The apply journal: one JSON line per write, flushed before the next write starts.

It records what a user needs after an incident (which integration, which endpoint, the exact body
sent, the live state before, the result and when), and never a credential: bodies hold only
statuses and mappings, and the client keeps the key pair to itself.

``live_before`` is the live state apply read just before the integration's first write: the
state to restore to, repeated on each of that integration's lines so every line stands alone.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from reconciler.model import LiveState
from reconciler.plan import Write
from reconciler.sendcloud.bodies import PostMappingBody, PostStatusesBody

ENDPOINTS = {
    "statuses": "POST /shop-order-statuses",
    "mapping": "POST /shop-order-statuses/mapping",
}


def request_body(integration_id: int, write: Write) -> dict[str, Any]:
    """The JSON body the client sends for ``write`` (built by the same wire models)."""
    if write.endpoint == "statuses":
        assert write.statuses is not None  # noqa: S101 - Write is built that way
        return PostStatusesBody.build(integration_id, write.statuses).model_dump(mode="json")
    assert write.mapping is not None  # noqa: S101
    return PostMappingBody.build(integration_id, write.mapping).model_dump(mode="json")


class Journal:
    """An append-only JSON-lines file (``apply --journal FILE``); a context manager.

    Opening creates the parent directory; ``OSError`` if the file cannot be opened.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file: IO[str] = self.path.open("a", encoding="utf-8")

    def __enter__(self) -> Journal:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the file (every record is already on disk)."""
        self._file.close()

    def record_write(
        self, integration_id: int, write: Write, before: LiveState, *, result: str
    ) -> None:
        """Append one record for ``write`` and fsync it before returning.

        ``result`` is ``"ok"`` or ``"error: ..."``; ``before`` is the live state read before
        the integration's first write. The body is what ``POST /shop-order-statuses`` or
        ``POST /shop-order-statuses/mapping`` was sent.
        """
        record = {
            "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "integration_id": integration_id,
            "endpoint": ENDPOINTS[write.endpoint],
            "purpose": write.purpose,
            "body": request_body(integration_id, write),
            "live_before": before.model_dump(mode="json"),
            "result": result,
        }
        self._file.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
        # A crash right after a write must not lose its record.
        self._file.flush()
        os.fsync(self._file.fileno())
