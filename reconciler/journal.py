"""The apply journal: written ahead, one whole JSON line per record, on disk before it counts.

Each write gets two records: ``"result": "sending"`` before the request goes out, then its outcome
(``"ok"`` or ``"error: ..."``). So a crash while Sendcloud is answering leaves a "sending" line
with no outcome: that write may have been taken. A record is written with one ``write`` call,
flushed and fsynced; a write that fails is cut back off the file (no torn line), the journal
refuses every later record (`JournalError`), and apply sends nothing it could not record first.

Records hold what a user needs after an incident (which integration, which endpoint, the exact
body sent, the live state before, the result and when), never a credential: bodies hold only
statuses and mappings, and the client keeps the key pair to itself. ``live_before`` is the live
state apply read just before the integration's first write: the state to restore to, repeated
on each line so every line stands alone. ``live_after`` is the state Sendcloud holds once it has
taken this write (computed from ``live_before`` and the writes sent so far): restore compares it
with the live state to tell whether someone changed Sendcloud since.

Every record also carries the audit fields of its run (`reconciler.audit`): ``apply_id``,
``tool_version`` and, inside GitHub Actions, ``github`` (repository, commit, actor, run URL).
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from reconciler.audit import Audit
from reconciler.errors import JournalError
from reconciler.files import append_whole, open_for_append
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

    Opening creates the parent directory and is the check that the file can be written.
    Raises `JournalError` when the file cannot be opened for appending (a missing directory
    that cannot be made, a read-only file system, not a regular file) or a record cannot be
    written; after a failed record every later one is refused too.
    """

    def __init__(self, path: str | os.PathLike[str], audit: Audit | None = None) -> None:
        self.path = Path(path)
        self.audit = audit or Audit()
        self._broken: str | None = None
        try:
            self._fd = open_for_append(self.path)
        except OSError as exc:
            raise self._error(exc, "cannot be opened for appending") from None

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
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def record_write(
        self,
        integration_id: int,
        write: Write,
        before: LiveState,
        *,
        result: str,
        account: str = "",
        after: LiveState | None = None,
    ) -> None:
        """Append one record for ``write`` and fsync it before returning; `JournalError`.

        ``result`` is ``"sending"`` (before the request), ``"ok"`` or ``"error: ..."``;
        ``before`` is the live state read before the integration's first write, ``after`` the
        state once Sendcloud has taken this write (when the caller knows it). The body is
        what ``POST /shop-order-statuses`` or ``POST /shop-order-statuses/mapping`` was sent.
        ``account`` is the project file's account ("" without one), so a fleet's journal reads
        per account (``jq 'select(.account == "agency-nl")'``).
        """
        record = {
            "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "account": account,
            "integration_id": integration_id,
            "endpoint": ENDPOINTS[write.endpoint],
            "purpose": write.purpose,
            "body": request_body(integration_id, write),
            "live_before": before.model_dump(mode="json"),
            "result": result,
            **self.audit.fields(),
        }
        if after is not None:
            record["live_after"] = after.model_dump(mode="json")
        self._append((json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n").encode())

    def _append(self, line: bytes) -> None:
        if self._broken is not None:
            raise JournalError(self._broken)
        try:
            append_whole(self._fd, line)
        except OSError as exc:
            error = self._error(exc, "could not be written")
            self._broken = str(error)
            raise error from None

    def _error(self, exc: OSError, what: str) -> JournalError:
        return JournalError(
            f"the journal {self.path} {what} ({exc.strerror or exc}); apply sends nothing it "
            "cannot record first, so it stopped writing to Sendcloud"
        )
