"""The apply journal read back: its runs, their integrations, each write and how it ended.

A journal (``apply --journal FILE``) holds one JSON record per line (see `reconciler.journal`):
a ``"sending"`` record before each write and one with its outcome after. Reading pairs them: a
write whose outcome is missing was cut off (a crash while Sendcloud answered) and counts as
``unknown``. Records are grouped by ``apply_id`` (one per run of ``apply``; records written
before apply ids existed form one group without an id), in the order the runs started.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from reconciler.errors import FileRefused, JournalError
from reconciler.files import read_user_file
from reconciler.jsondoc import load_json
from reconciler.model import LiveState

# A journal grows by two lines of a few KiB per write; a quarter GiB is years of applies.
MAX_JOURNAL_BYTES = 256 * 1024 * 1024
SENDING, OK = "sending", "ok"
UNKNOWN = "unknown"


@dataclass
class WriteRecord:
    """One write as the journal tells it: ``result`` is ``ok``, ``error: ...`` or ``unknown``."""

    endpoint: str
    purpose: str
    result: str
    timestamp: str
    line: int
    live_after: LiveState | None

    @property
    def outcome(self) -> str:
        """``ok``, ``failed`` or ``unknown``."""
        return self.result if self.result in (OK, UNKNOWN) else "failed"


@dataclass
class IntegrationRun:
    """One integration within one apply: the state before its first write, and its writes.

    ``account`` is the project file's account whose key pair wrote it ("" without one, and in
    journals written before accounts existed)."""

    integration_id: int
    live_before: LiveState
    writes: list[WriteRecord] = field(default_factory=list)
    account: str = ""


@dataclass
class ApplyRun:
    """One run of ``apply``: its audit fields and integrations (in first-write order)."""

    apply_id: str | None
    tool_version: str | None
    github: dict[str, str]
    started: str
    ended: str
    integrations: dict[int, IntegrationRun] = field(default_factory=dict)

    @property
    def writes(self) -> list[WriteRecord]:
        """Every write of the run, integration by integration."""
        return [w for run in self.integrations.values() for w in run.writes]


def read_journal(path: str | os.PathLike[str]) -> list[ApplyRun]:
    """The runs recorded in the journal at ``path``, oldest first.

    Raises `JournalError` (one line, naming the file and line) when the file cannot be read or a
    line is not a journal record.
    """
    source = Path(path)
    try:
        raw = read_user_file(source, limit=MAX_JOURNAL_BYTES)
    except FileRefused as exc:
        raise JournalError(f"journal {source}: {exc}") from None
    runs: dict[str | None, ApplyRun] = {}
    for number, line in enumerate(raw.split(b"\n"), start=1):
        if not line.strip():
            continue
        try:
            record = _record(load_json(line))
        except (ValueError, ValidationError, KeyError, TypeError) as exc:
            reason = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
            raise JournalError(
                f"journal {source} line {number}: not a journal record ({reason}); "
                "give a file written by `reconciler apply --journal`"
            ) from None
        _add(runs, record, number)
    return list(runs.values())


def _record(document: Any) -> dict[str, Any]:
    if not isinstance(document, dict):
        raise TypeError("not a JSON object")
    for key, kind in (
        ("integration_id", int),
        ("endpoint", str),
        ("purpose", str),
        ("result", str),
        ("timestamp", str),
    ):
        if not isinstance(document.get(key), kind):
            raise TypeError(f"{key!r} missing or not {kind.__name__}")
    document["live_before"] = LiveState.model_validate(document["live_before"])
    if document.get("live_after") is not None:
        document["live_after"] = LiveState.model_validate(document["live_after"])
    account = document.get("account", "")
    if not isinstance(account, str):
        raise TypeError("'account' not str")
    document["account"] = account
    github = document.get("github")
    document["github"] = (
        {str(k): str(v) for k, v in github.items()} if isinstance(github, dict) else {}
    )
    return document


def _add(runs: dict[str | None, ApplyRun], record: dict[str, Any], line: int) -> None:
    apply_id = record.get("apply_id") if isinstance(record.get("apply_id"), str) else None
    run = runs.get(apply_id)
    if run is None:
        version = record.get("tool_version")
        run = runs[apply_id] = ApplyRun(
            apply_id,
            version if isinstance(version, str) else None,
            record["github"],
            record["timestamp"],
            record["timestamp"],
        )
    run.ended = record["timestamp"]
    integration_id = record["integration_id"]
    integration = run.integrations.get(integration_id)
    if integration is None:
        integration = run.integrations[integration_id] = IntegrationRun(
            integration_id, record["live_before"], account=record["account"]
        )
    pending = integration.writes[-1] if integration.writes else None
    result = record["result"]
    if (
        result != SENDING
        and pending is not None
        and pending.result == UNKNOWN
        and pending.endpoint == record["endpoint"]
    ):
        pending.result = result  # the outcome of the write announced by the "sending" line
        return
    integration.writes.append(
        WriteRecord(
            endpoint=record["endpoint"],
            purpose=record["purpose"],
            result=UNKNOWN if result == SENDING else result,
            timestamp=record["timestamp"],
            line=line,
            live_after=record.get("live_after"),
        )
    )
