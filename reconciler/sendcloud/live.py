"""Client → live state: what Sendcloud holds for one integration, or for many at once."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Generic, TypeVar

from reconciler.errors import AuthenticationError, ReconcilerError
from reconciler.model import CATEGORIES, Language, LiveMappingEntry, LiveState

if TYPE_CHECKING:
    from reconciler.sendcloud import bodies as wire
    from reconciler.sendcloud.client import SendcloudClient

T = TypeVar("T")


async def read_live(client: SendcloudClient, integration_id: int) -> LiveState:
    """The live statuses and mapping of one integration: two GETs, issued together.

    Soft-deleted statuses are not live, so they are not asked for (and a status without
    ``deleted_at`` is live). Categories the mapping answer leaves out read as unmapped, with a
    note in `LiveState.notes`. When both calls fail, the statuses call's error is the one
    raised, so the same failure always reads the same. Raises what the client raises
    (`ApiError`, `TransportError`).
    """
    statuses, mapping = await asyncio.gather(
        client.get_statuses(integration_id),
        client.get_mapping(integration_id),
        return_exceptions=True,  # let the other call finish rather than leave it running
    )
    if isinstance(statuses, BaseException):
        raise statuses
    if isinstance(mapping, BaseException):
        raise mapping
    entries = {
        item.status_category: LiveMappingEntry(external_id=item.external_id, is_valid=item.is_valid)
        for item in mapping.mapping
    }
    absent = mapping.absent_categories()
    notes: tuple[str, ...] = ()
    if absent:
        # A new integration may have no mapping yet; an absent category maps nothing.
        names = ", ".join(category.value for category in absent)
        notes = (f"Sendcloud's mapping answer leaves out {names}; read as unmapped",)
    for category in absent:
        entries[category] = LiveMappingEntry(external_id=None, is_valid=True)
    return LiveState(
        integration_id=integration_id,
        statuses=_live_statuses(statuses),
        mapping={category: entries[category] for category in CATEGORIES},
        notes=notes,
    )


def _live_statuses(statuses: list[wire.WireStatus]) -> dict[str, dict[Language, str]]:
    # The API lists deleted statuses only when asked, but never trust a deleted one as live.
    return {
        status.external_id: {t.language: t.status for t in status.translations}
        for status in statuses
        if status.deleted_at is None
    }


async def read_many(
    client: SendcloudClient, integration_ids: Iterable[int]
) -> dict[int, LiveState | ReconcilerError]:
    """Read several integrations concurrently, within the client's pacing and parallelism.

    One integration's failure (unknown id, contract violation, exhausted retries) is its entry
    in the result and does not stop the others; anything that is not a `ReconcilerError` is a
    bug and propagates.
    """
    reads: LiveReads[LiveState | ReconcilerError] = LiveReads(client, lambda _, live: live)
    for integration_id in integration_ids:
        reads.start(integration_id)
    return await reads.results()


class LiveReads(Generic[T]):
    """Reads started one integration at a time (`start`), all running concurrently within the
    client's pacing and parallelism; `results` waits for every one.

    ``then(integration_id, live)`` turns each live state (or its `ReconcilerError`) into the
    result, as soon as it arrives (``plan`` diffs there, while other reads are in flight). Once
    Sendcloud refuses the key pair (`AuthenticationError`), it is refused for every integration:
    the reads in flight are cancelled and later ones not sent (costly under the rate limits),
    each getting that refusal instead.
    """

    def __init__(
        self,
        client: SendcloudClient,
        then: Callable[[int, LiveState | ReconcilerError], T],
    ) -> None:
        self._client = client
        self._then = then
        self._tasks: dict[int, asyncio.Task[T]] = {}
        self._skipped: list[int] = []  # started after a refusal: never sent
        self.rejected: AuthenticationError | None = None

    def start(self, integration_id: int) -> None:
        """Start reading ``integration_id`` (again: nothing, it is already read)."""
        if integration_id in self._tasks or integration_id in self._skipped:
            return
        if self.rejected is not None:
            self._skipped.append(integration_id)
            return
        self._tasks[integration_id] = asyncio.ensure_future(self._read(integration_id))

    async def aclose(self) -> None:
        """Cancel every read still in flight and wait until they have stopped (their results
        will not be used; finished reads are left as they are)."""
        for task in self._tasks.values():
            task.cancel()
        await asyncio.gather(*self._tasks.values(), return_exceptions=True)

    async def results(self) -> dict[int, T]:
        """Every integration started, in the order started; raises `CancelledError` for a read
        cancelled otherwise than by a refusal."""
        await asyncio.gather(*self._tasks.values(), return_exceptions=True)
        found: dict[int, T] = {}
        for integration_id, task in self._tasks.items():
            if not task.cancelled():
                found[integration_id] = task.result()
            elif self.rejected is not None:
                found[integration_id] = self._then(integration_id, self.rejected)
            else:
                raise asyncio.CancelledError
        for integration_id in self._skipped:
            found[integration_id] = self._then(integration_id, self.rejected or _cancelled())
        return found

    async def _read(self, integration_id: int) -> T:
        live = await _read_one(self._client, integration_id)
        if isinstance(live, AuthenticationError) and self.rejected is None:
            self.rejected = live
            this = asyncio.current_task()
            for task in self._tasks.values():
                if task is not this:
                    task.cancel()
        return self._then(integration_id, live)


def _cancelled() -> ReconcilerError:
    raise asyncio.CancelledError


async def _read_one(client: SendcloudClient, integration_id: int) -> LiveState | ReconcilerError:
    try:
        return await read_live(client, integration_id)
    except ReconcilerError as exc:
        return exc
