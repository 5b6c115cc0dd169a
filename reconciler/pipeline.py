"""Plan while the files load: each integration is read as soon as its file is resolved, and
diffed as soon as its live state arrives.

`reconciler.fleet.plan_fleet` loads every file, then reads, then diffs: start-up, loading (about
a millisecond of CPU per file) and the diff happen one after another around the reads, which
mostly wait on the network. Here they overlap: loading yields each file as it is resolved
(`reconciler.config.loader.FleetLoading`), its two GETs start at once on its account's client,
and the diff runs when they answer (`reconciler.sendcloud.live.LiveReads`), while the next
files load.

What only the whole fleet can tell (a duplicate integration id, a file that is neither an
integration nor an extended base, an invalid file, the policies' rules) is checked when loading
ends, by ``accept``. Until it has accepted the fleet nothing is printed but its problems, and
if it refuses, the reads in flight are cancelled: reads are GETs, so there is nothing to undo,
and no plan is ever made from a partly loaded fleet. Credentials are handled as in
`reconciler.sendcloud.accounts.per_account`, their error reported only after the files passed.

The plan is assembled as `plan_fleet` assembles it (accounts in the project file's order, files
by integration id within each), so its output is the same whatever order the reads finish in.
Used for untargeted runs against the API; targeting (which selects from the whole fleet) and
``--sandbox`` (whose reads register integrations in the sandbox state, a write) load first.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from reconciler.errors import CredentialsError, Problem
from reconciler.plan import IntegrationFailure, IntegrationPlan, Plan
from reconciler.sendcloud.accounts import (
    DEFAULT_ACCOUNT,
    AccountGroup,
    describe_failure,
    group_by_account,
    open_account_client,
)

if TYPE_CHECKING:
    from reconciler.config.loader import DesiredFile, FleetLoading
    from reconciler.errors import ReconcilerError
    from reconciler.fleet import Selected
    from reconciler.model import LiveState
    from reconciler.progress import RequestProgress
    from reconciler.sendcloud.client import SendcloudClient
    from reconciler.sendcloud.live import LiveReads
    from reconciler.sendcloud.options import GlobalOptions

Outcome = tuple[IntegrationPlan | IntegrationFailure, list[Problem]]


@dataclass
class _Account:
    """One account's client and reads, opened when its first file is loaded."""

    group: AccountGroup[DesiredFile]
    client: SendcloudClient | None = None
    error: CredentialsError | None = None
    reads: LiveReads[Outcome] | None = None
    files: dict[int, DesiredFile] = field(default_factory=dict)


async def plan_while_loading(
    options: GlobalOptions,
    env: Mapping[str, str],
    loading: FleetLoading,
    accept: Callable[[FleetLoading], Selected | None],
    *,
    progress_from: int | None = None,
) -> tuple[Plan, list[Problem]] | None:
    """Load, read and diff at once; None when ``accept`` refused the fleet.

    ``accept`` is called once every file is loaded: it calls `FleetLoading.finish` and checks
    the whole fleet, printing any problem and returning None to stop. A `CredentialsError`
    without a project file is raised after the files passed, as `plan_fleet` raises it. With
    one account and at least ``progress_from`` integrations, progress is shown once loading is
    done (counting the reads made while loading).
    """
    accounts: dict[str, _Account] = {}
    async with contextlib.AsyncExitStack() as clients:
        try:
            for desired in loading:
                name = desired.account or DEFAULT_ACCOUNT
                account = accounts.get(name)
                if account is None:
                    account = accounts[name] = _open(options, env, loading, name)
                    if account.client is not None:
                        await clients.enter_async_context(account.client)
                integration_id = desired.state.integration_id
                account.files.setdefault(integration_id, desired)
                if account.reads is not None:
                    account.reads.start(integration_id)
                # Let the answers that came in be handled (and the next reads go out).
                await asyncio.sleep(0)
            selected = accept(loading)
            if selected is None:
                return None
            return await _finish(options, selected, accounts, progress_from)
        finally:
            # Refused, failed or interrupted: no read may outlive the clients.
            await asyncio.gather(*(a.reads.aclose() for a in accounts.values() if a.reads))


def _open(
    options: GlobalOptions, env: Mapping[str, str], loading: FleetLoading, name: str
) -> _Account:
    from reconciler.planner import plan_file
    from reconciler.sendcloud.live import LiveReads

    group: AccountGroup[DesiredFile] = AccountGroup(
        name, loading.project.model.accounts.get(name), ()
    )
    account = _Account(group)
    try:
        account.client = open_account_client(options, group, env)
    except CredentialsError as exc:
        account.error = exc  # said once the files are known to be valid
        return account

    def then(integration_id: int, live: LiveState | ReconcilerError) -> Outcome:
        return plan_file(
            account.files[integration_id],
            live,
            describe=lambda error: describe_failure(group, error),
            account=name,
        )

    account.reads = LiveReads(account.client, then)
    return account


async def _finish(
    options: GlobalOptions,
    selected: Selected,
    accounts: dict[str, _Account],
    progress_from: int | None,
) -> tuple[Plan, list[Problem]]:
    groups = group_by_account(selected.files, selected.account_of, selected.project.model.accounts)
    # Without a project file a credentials problem is the whole run's: one error.
    single = len(groups) == 1 and groups[0].account is None
    error = accounts[groups[0].name].error if groups else None
    if single and error is not None:
        raise error
    outcomes = await _results(options, groups, accounts, progress_from)
    integrations: list[IntegrationPlan] = []
    failures: list[IntegrationFailure] = []
    problems: list[Problem] = []
    for group in groups:
        refused = accounts[group.name].error
        for desired in group.items:
            if refused is not None:
                failures.append(
                    IntegrationFailure(
                        desired.state.integration_id, desired.path, str(refused), account=group.name
                    )
                )
                continue
            outcome, found = outcomes[group.name][desired.state.integration_id]
            if isinstance(outcome, IntegrationPlan):
                # Diffed before the fleet's size per account was known.
                integrations.append(dataclasses.replace(outcome, account_size=desired.account_size))
            else:
                failures.append(outcome)
            problems += found
    return Plan(tuple(integrations), tuple(failures), selected.selection), problems


async def _results(
    options: GlobalOptions,
    groups: list[AccountGroup[DesiredFile]],
    accounts: dict[str, _Account],
    progress_from: int | None,
) -> dict[str, dict[int, Outcome]]:
    reading = {name: a.reads for name, a in accounts.items() if a.reads is not None}
    first = accounts[groups[0].name] if len(groups) == 1 else None
    if (
        first is None
        or first.client is None
        or progress_from is None
        or len(groups[0].items) < progress_from
    ):
        return await _gather(reading)
    from reconciler.progress import RequestProgress

    progress: RequestProgress = RequestProgress(
        "Reading live state",
        first.client.stats,
        reads=2 * len(groups[0].items),
        writes=0,
        reads_per_minute=options.reads_per_minute,
        writes_per_minute=options.writes_per_minute,
        counted_from=(0, 0),  # the reads made while loading count too
    )
    async with progress:
        return await _gather(reading)


async def _gather(reading: dict[str, LiveReads[Outcome]]) -> dict[str, dict[int, Outcome]]:
    found = await asyncio.gather(*(reads.results() for reads in reading.values()))
    return dict(zip(reading, found, strict=True))
