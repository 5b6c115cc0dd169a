"""Client → live state: what Sendcloud holds for one integration, or for many at once."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import TYPE_CHECKING

from reconciler.errors import AuthenticationError, ReconcilerError
from reconciler.model import CATEGORIES, Language, LiveMappingEntry, LiveState

if TYPE_CHECKING:
    from reconciler.sendcloud import bodies as wire
    from reconciler.sendcloud.client import SendcloudClient


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
    ids = list(dict.fromkeys(integration_ids))
    tasks = {i: asyncio.ensure_future(_read_one(client, i)) for i in ids}
    rejected: list[AuthenticationError] = []

    def stop_on_rejection(task: asyncio.Task[LiveState | ReconcilerError]) -> None:
        # A refused key pair is refused for every integration: stop instead of sending the
        # remaining reads only to be refused each time (costly under the rate limits).
        if task.cancelled() or task.exception() is not None or rejected:
            return
        result = task.result()
        if isinstance(result, AuthenticationError):
            rejected.append(result)
            for other in tasks.values():
                other.cancel()

    for task in tasks.values():
        task.add_done_callback(stop_on_rejection)
    await asyncio.gather(*tasks.values(), return_exceptions=True)
    results: dict[int, LiveState | ReconcilerError] = {}
    for integration_id, task in tasks.items():
        if task.cancelled():
            results[integration_id] = rejected[0] if rejected else _cancelled()
        else:
            results[integration_id] = task.result()
    return results


def _cancelled() -> ReconcilerError:
    raise asyncio.CancelledError


async def _read_one(client: SendcloudClient, integration_id: int) -> LiveState | ReconcilerError:
    try:
        return await read_live(client, integration_id)
    except ReconcilerError as exc:
        return exc
