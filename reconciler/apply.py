"""Execute a plan: per integration, re-check the live state, write in the safe order, verify.

Integrations are independent: each runs as its own task under the client's pacing, and a failure
(an API refusal, a stale plan, an unsafe plan without ``--force``) stops that integration only.
Every write is journaled before it is sent and again with its outcome, so after an incident the
journal says exactly what Sendcloud was sent and what it held before; a journal that cannot be
written stops the writes. Before each write after the first, the live state is read again and
the integration stops as stale if someone else changed it (Sendcloud offers no lock, so this
narrows the window to the time between that read and the write).

An integration stops at the first write that fails (after the client's retries). Whatever it
stopped after, the state it leaves is one the plan's write order allows (the mapping never points
at a missing status), and a rerun plans from that state and finishes the job.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from reconciler.changes import RESIDUAL, describe_changes
from reconciler.diff import describe_live_changes, diff_integration
from reconciler.errors import JournalError, ReconcilerError
from reconciler.journal import Journal
from reconciler.model import Category, Language, LiveMappingEntry, LiveState
from reconciler.plan import IntegrationPlan, Plan, Write, live_checksum
from reconciler.sendcloud.live import read_live

if TYPE_CHECKING:
    from reconciler.sendcloud.client import SendcloudClient


READS_PER_LIVE_STATE = 2  # `read_live`: the statuses and the mapping


def planned_requests(item: IntegrationPlan, *, force: bool) -> tuple[int, int]:
    """(reads, writes) applying ``item`` takes if all goes well.

    The live state is read before the first write, again before each later one (the stale
    check), and once more to verify: one live read per write, plus one.
    """
    refused = any(not r.forceable for r in item.unsafe_reasons) or (
        bool(item.unsafe_reasons) and not force
    )
    if not item.writes or refused:
        return 0, 0
    return (len(item.writes) + 1) * READS_PER_LIVE_STATE, len(item.writes)


class Outcome(StrEnum):
    """How one integration's apply ended; the value is what the summary prints."""

    APPLIED = "applied"
    IN_SYNC = "in sync"
    FAILED = "failed"
    STALE = "stale"
    UNSAFE = "refused (unsafe)"


@dataclass(frozen=True)
class IntegrationResult:
    """One integration's apply: its ``outcome``, how many ``writes`` Sendcloud accepted, and a
    ``message`` saying why when it did not succeed."""

    integration_id: int
    source: str
    outcome: Outcome
    writes: int
    message: str = ""
    # API requests made for it (re-read and read back; writes tried), for progress
    requests: tuple[int, int] = (0, 0)

    @property
    def ok(self) -> bool:
        """Applied or already in sync."""
        return self.outcome in (Outcome.APPLIED, Outcome.IN_SYNC)


@dataclass
class WriteLedger:
    """What apply knows has reached Sendcloud so far, kept as it goes, so that an interrupted
    run (Ctrl-C) can say which writes landed: per integration id, the writes Sendcloud accepted
    (``accepted``), the write sent and not yet answered (``in_flight``, its 1-based number and
    purpose), and the results of the integrations that finished (``finished``)."""

    accepted: dict[int, int] = field(default_factory=dict)
    in_flight: dict[int, tuple[int, str]] = field(default_factory=dict)
    finished: dict[int, IntegrationResult] = field(default_factory=dict)

    def sending(self, integration_id: int, write: Write) -> None:
        """``write`` of ``integration_id`` is going out (its pacing slot taken)."""
        number = self.accepted.get(integration_id, 0) + 1
        self.in_flight[integration_id] = (number, write.purpose)

    def answered(self, integration_id: int, *, ok: bool) -> None:
        """Sendcloud answered the write in flight: accepted (``ok``) or refused."""
        self.in_flight.pop(integration_id, None)
        if ok:
            self.accepted[integration_id] = self.accepted.get(integration_id, 0) + 1

    def finish(self, result: IntegrationResult) -> None:
        """The integration is done, with ``result``."""
        self.finished[result.integration_id] = result


async def apply_plan(
    client: SendcloudClient,
    plan: Plan,
    *,
    force: bool = False,
    journal: Journal | None = None,
    expected_checksums: Mapping[int, str] | None = None,
    on_result: Callable[[IntegrationResult], None] | None = None,
    ledger: WriteLedger | None = None,
) -> list[IntegrationResult]:
    """Apply every integration of ``plan``; results come back in integration-id order.

    ``expected_checksums`` (from a saved plan) are the live states the reviewed plan was made
    from; without it, the plan's own live states are used. Either way the live state is read
    again just before writing, and an integration that changed since is refused as stale.
    ``on_result`` is called as each integration finishes. Never raises ``ReconcilerError``: a
    failure is an integration's result; each write is journaled to ``journal`` when given,
    and noted in ``ledger`` as it is sent and answered.
    """

    async def one(item: IntegrationPlan) -> IntegrationResult:
        expected = (expected_checksums or {}).get(item.integration_id, item.live_checksum)
        result = await _apply_integration(
            client, item, expected, force=force, journal=journal, ledger=ledger
        )
        if ledger is not None:
            ledger.finish(result)
        if on_result is not None:
            on_result(result)
        return result

    results = await asyncio.gather(*(one(item) for item in plan.integrations))
    return sorted(results, key=lambda r: r.integration_id)


async def _apply_integration(
    client: SendcloudClient,
    item: IntegrationPlan,
    expected_checksum: str,
    *,
    force: bool,
    journal: Journal | None,
    ledger: WriteLedger | None = None,
) -> IntegrationResult:
    reads = writes_tried = 0

    def result(outcome: Outcome, writes: int = 0, message: str = "") -> IntegrationResult:
        return IntegrationResult(
            item.integration_id, item.source, outcome, writes, message, (reads, writes_tried)
        )

    if not item.writes:
        return result(Outcome.IN_SYNC)
    unforceable = [str(r) for r in item.unsafe_reasons if not r.forceable]
    if unforceable:
        return result(Outcome.UNSAFE, message="; ".join(unforceable))
    if item.unsafe_reasons and not force:
        reasons = "; ".join(str(r) for r in item.unsafe_reasons)
        return result(Outcome.UNSAFE, message=f"{reasons}; re-run with --force if intended")
    reads += READS_PER_LIVE_STATE
    try:
        before = await read_live(client, item.integration_id)
    except ReconcilerError as exc:
        return result(
            Outcome.FAILED, message=f"could not read the live state, nothing was written: {exc}"
        )
    if live_checksum(before) != expected_checksum:
        if not diff_integration(item.desired, before).changes:
            # Typically a saved plan applied a second time: nothing is left to do, which is
            # what the reviewer wanted, so it is not refused as stale.
            return result(Outcome.IN_SYNC, message="already holds the plan's desired state")
        changed = describe_live_changes(item.live, before)
        return result(
            Outcome.STALE,
            message=f"live state changed since the plan was made ({changed}); "
            "run plan again and review the new plan",
        )
    done = 0
    expected = before
    for write in item.writes:
        if done:
            # Sendcloud has no lock or version: re-reading just before each write (reads are
            # cheap) narrows the window in which another writer's change is overwritten.
            reads += READS_PER_LIVE_STATE
            try:
                current = await read_live(client, item.integration_id)
            except ReconcilerError as exc:
                return result(
                    Outcome.FAILED,
                    done,
                    f"re-reading the live state before write {done + 1} of {len(item.writes)} "
                    f"failed, so it was not sent: {_sentence(exc)} Run apply again to finish.",
                )
            if _held(current) != _held(expected):
                changed = describe_live_changes(expected, current)
                return result(
                    Outcome.STALE,
                    done,
                    f"live state changed during apply, after write {done} of "
                    f"{len(item.writes)} ({changed}): another writer is at work on this "
                    "integration, so it stopped there; run plan again and review the new plan",
                )
        next_state = _after(expected, write)
        writes_tried += 1
        try:
            await _write(client, item, write, before, journal, after=next_state, ledger=ledger)
        except JournalError as exc:
            return result(Outcome.FAILED, done, _sentence(exc))
        except WriteNotSent as exc:
            return result(
                Outcome.FAILED,
                done,
                f"write {done + 1} of {len(item.writes)} ({write.purpose}) was not sent and the "
                f"integration stopped there: {_sentence(exc)} Run apply again to finish.",
            )
        except ReconcilerError as exc:
            return result(
                Outcome.FAILED,
                done,
                f"write {done + 1} of {len(item.writes)} ({write.purpose}) failed and the "
                "integration stopped there; Sendcloud may or may not have taken that write: "
                f"{_sentence(exc)} Run apply again to finish: it plans from the live state.",
            )
        done += 1
        expected = next_state
    reads += READS_PER_LIVE_STATE
    try:
        after = await read_live(client, item.integration_id)
    except ReconcilerError as exc:
        return result(
            Outcome.FAILED,
            done,
            f"all {done} writes were accepted, but reading the result back to verify it "
            f"failed: {_sentence(exc)} Run plan to check that nothing is left to do.",
        )
    residual = diff_integration(item.desired, after).changes
    if residual:
        fields = describe_changes(residual, RESIDUAL)
        return result(
            Outcome.FAILED,
            done,
            f"Sendcloud does not hold the desired state after applying: {fields} (the API "
            "may have normalised a value, or someone changed it meanwhile); run plan to see "
            "the difference",
        )
    return result(Outcome.APPLIED, done)


async def _write(
    client: SendcloudClient,
    item: IntegrationPlan,
    write: Write,
    before: LiveState,
    journal: Journal | None,
    *,
    after: LiveState,
    ledger: WriteLedger | None = None,
) -> None:
    """Send one write, journaled as it goes out ("sending") and after (its outcome).

    The "sending" record is written when the client is about to send, its pacing slot taken
    (a write still waiting for its slot when apply is interrupted was never sent, and the
    journal must not say it may have been). Raises `JournalError` when a record cannot be
    written (the write is then not sent, or its outcome is missing from the journal, as the
    message says), `WriteNotSent` for a failure before the request went out, else the
    client's errors.
    """
    integration_id, account = item.integration_id, item.account
    sent = False

    def sending() -> None:
        nonlocal sent
        if sent:  # a retry of the same write: it is already journaled as going out
            return
        if journal is not None:
            try:
                journal.record_write(
                    integration_id, write, before, result="sending", account=account, after=after
                )
            except JournalError as exc:
                raise JournalError(f"{exc}; this write ({write.purpose}) was not sent") from None
        sent = True
        if ledger is not None:
            ledger.sending(integration_id, write)

    try:
        if write.endpoint == "statuses":
            assert write.statuses is not None  # noqa: S101 - Write is built that way
            await client.post_statuses(integration_id, write.statuses, on_send=sending)
        else:
            assert write.mapping is not None  # noqa: S101
            await client.post_mapping(integration_id, write.mapping, on_send=sending)
    except JournalError:
        raise
    except ReconcilerError as exc:
        if not sent:  # e.g. no OAuth2 token: nothing went out, so nothing to journal
            raise WriteNotSent(str(exc)) from exc
        if ledger is not None:
            ledger.answered(integration_id, ok=False)
        _record_outcome(journal, item, write, (before, after), f"error: {exc}")
        raise
    if ledger is not None:
        ledger.answered(integration_id, ok=True)
    _record_outcome(journal, item, write, (before, after), "ok")


class WriteNotSent(ReconcilerError):
    """A write failed before its request went out: Sendcloud never saw it."""


def _record_outcome(
    journal: Journal | None,
    item: IntegrationPlan,
    write: Write,
    states: tuple[LiveState, LiveState],
    outcome: str,
) -> None:
    if journal is None:
        return
    before, after = states
    try:
        journal.record_write(
            item.integration_id, write, before, result=outcome, account=item.account, after=after
        )
    except JournalError as exc:
        raise JournalError(
            f"{exc}; this write ({write.purpose}) was sent (Sendcloud answered "
            f"{outcome!r}) but only its 'sending' record is in the journal"
        ) from None


def _held(live: LiveState) -> tuple[dict[str, dict[Language, str]], dict[Category, str | None]]:
    """What a write changes: the statuses and where the mapping points (validity follows)."""
    return live.statuses, live.mapped_ids()


def _after(live: LiveState, write: Write) -> LiveState:
    """The live state once Sendcloud has taken ``write``."""
    if write.statuses is not None:
        statuses = {ext: dict(names) for ext, names in write.statuses.items()}
        return live.model_copy(update={"statuses": statuses})
    assert write.mapping is not None  # noqa: S101 - Write is built that way
    mapping = {
        category: LiveMappingEntry(external_id=ext, is_valid=True)
        for category, ext in write.mapping.items()
    }
    return live.model_copy(update={"mapping": mapping})


def _sentence(exc: Exception) -> str:
    text = str(exc).rstrip()
    return text if text.endswith((".", "!", "?")) else text + "."
