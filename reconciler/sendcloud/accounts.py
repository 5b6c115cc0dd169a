"""Several Sendcloud accounts in one run: one client (and one pacing) per account, in parallel.

Sendcloud's rate limits are per key pair, so each account gets its own `SendcloudClient` with its
own pacer and connection pool, and accounts run side by side: a fleet of ten accounts reads about
ten times as fast as one. An account whose credentials are missing gets a `CredentialsError`
instead of a client; its integrations fail with that message and the other accounts proceed.

The project file names the environment variables holding each account's credentials (never the
credentials themselves). Integrations outside every account use the command line's credentials
(``SENDCLOUD_PUBLIC_KEY`` / ``SENDCLOUD_SECRET_KEY``), as without a project file.

In ``--sandbox`` mode every account gets its own in-process simulator whose state lives next to
the ``--sandbox-state`` file (``sandbox.json`` -> ``sandbox.agency-nl.json``): separate accounts
hold separate integrations, as in Sendcloud. Its key pair is the account's variables when set,
else the published sandbox pair.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar

from reconciler.errors import AuthenticationError, CredentialsError, ReconcilerError
from reconciler.sendcloud import connect
from reconciler.sendcloud.connect import AUTH_ENV, TOKEN_URL_ENV, api_url
from reconciler.sendcloud.options import GlobalOptions

if TYPE_CHECKING:
    from reconciler.model import LiveState
    from reconciler.project import Account
    from reconciler.sendcloud.client import SendcloudClient

T = TypeVar("T")
R = TypeVar("R")

DEFAULT_ACCOUNT = ""  # integrations no account of the project file claims


@dataclass(frozen=True)
class AccountGroup(Generic[T]):
    """The items (files, integration ids...) one account's client works on."""

    name: str  # DEFAULT_ACCOUNT: the command line's credentials
    account: Account | None
    items: tuple[T, ...]

    @property
    def title(self) -> str:
        return f"account {self.name}" if self.name else "the default account"


def group_by_account(
    items: Sequence[T],
    account_of: Callable[[T], str],
    accounts: Mapping[str, Account],
) -> list[AccountGroup[T]]:
    """Items grouped by account name, accounts in the project file's order, the default last."""
    buckets: dict[str, list[T]] = {}
    for item in items:
        buckets.setdefault(account_of(item), []).append(item)
    order = [name for name in accounts if name in buckets]
    if DEFAULT_ACCOUNT in buckets:
        order.append(DEFAULT_ACCOUNT)
    return [AccountGroup(name, accounts.get(name), tuple(buckets[name])) for name in order]


def credentials_for(name: str, account: Account, env: Mapping[str, str]) -> tuple[str, str]:
    """The account's key pair from the variables it names, or `CredentialsError` naming them."""
    public_key = env.get(account.public_key_env, "").strip()
    secret_key = env.get(account.secret_key_env, "").strip()
    pairs = ((account.public_key_env, public_key), (account.secret_key_env, secret_key))
    missing = [var for var, value in pairs if not value]
    if missing:
        verb = "is" if len(missing) == 1 else "are"
        raise CredentialsError(
            f"account {name}: {' and '.join(missing)} {verb} not set; set "
            f"{account.public_key_env} and {account.secret_key_env} to the key pair of "
            f"Sendcloud account {name} (Settings > Integrations), or use --sandbox"
        )
    return public_key, secret_key


def open_account_client(
    options: GlobalOptions, group: AccountGroup[T], env: Mapping[str, str]
) -> SendcloudClient:
    """The client for one account; raises `CredentialsError` before any request."""
    account = group.account
    if account is None:
        return connect.open_client(options, env)
    if account.api_url is not None:
        options = replace(options, api_url=account.api_url)
    if options.sandbox:
        return _sandbox_account_client(options, group.name, account, env)
    from reconciler.sendcloud.connect import _client

    public_key, secret_key = credentials_for(group.name, account, env)
    # Messages about the URL name the key that set it: the account's, else the usual settings.
    source = f"from accounts.{group.name}.api_url in the project file" if account.api_url else None
    token_url, token_source = token_url_for(group.name, account, env)
    _debug(options)
    # The account's `auth` decides the scheme (not SENDCLOUD_AUTH); oauth2 takes its token from
    # the account's token_url, else SENDCLOUD_TOKEN_URL, else Sendcloud's token endpoint.
    return _client(
        options,
        {**env, AUTH_ENV: account.auth},
        api_url(options, env, source=source),
        public_key,
        secret_key,
        retry=None,
        timeout=30.0,
        token_url=token_url,
        api_url_source=source,
        token_url_source=token_source,
    )


def token_url_for(
    name: str, account: Account, env: Mapping[str, str]
) -> tuple[str | None, str | None]:
    """The OAuth2 token endpoint of account ``name`` and the setting that gave it, for messages:
    its own ``token_url``, else SENDCLOUD_TOKEN_URL, else (None, None): Sendcloud's."""
    if account.token_url is not None:
        return account.token_url, f"from accounts.{name}.token_url in the project file"
    return env.get(TOKEN_URL_ENV, "").strip() or None, None


def sandbox_state_for(state: Path, name: str) -> Path:
    """Where one account's sandbox keeps its state: ``sandbox.json`` -> ``sandbox.NAME.json``."""
    return state.with_name(f"{state.stem}.{name}{state.suffix or '.json'}")


def _sandbox_account_client(
    options: GlobalOptions, name: str, account: Account, env: Mapping[str, str]
) -> SendcloudClient:
    try:
        keys = credentials_for(name, account, env)
    except CredentialsError:
        from reconciler.simulator.credentials import SANDBOX_PUBLIC_KEY, SANDBOX_SECRET_KEY

        keys = (SANDBOX_PUBLIC_KEY, SANDBOX_SECRET_KEY)
    sandbox_env = {
        "SENDCLOUD_PUBLIC_KEY": keys[0],
        "SENDCLOUD_SECRET_KEY": keys[1],
        AUTH_ENV: account.auth,
    }
    state = sandbox_state_for(options.sandbox_state, name)
    return connect.open_client(replace(options, sandbox_state=state), sandbox_env)


def _debug(options: GlobalOptions) -> None:
    if options.debug:
        from reconciler.sendcloud.connect import _enable_debug_log

        _enable_debug_log()


def describe_failure(group: AccountGroup[T], error: ReconcilerError) -> str:
    """An integration's failure, naming the account's variables when its key pair was refused."""
    if isinstance(error, AuthenticationError) and group.account is not None:
        account = group.account
        return (
            f"Sendcloud rejected the key pair of account {group.name} (HTTP 401 on "
            f"{error.request}); check that {account.public_key_env} and "
            f"{account.secret_key_env} hold the public and secret key of that account"
        )
    return str(error)


async def per_account(
    options: GlobalOptions,
    env: Mapping[str, str],
    groups: Sequence[AccountGroup[T]],
    work: Callable[[SendcloudClient, AccountGroup[T]], Awaitable[R]],
) -> list[tuple[AccountGroup[T], R | CredentialsError]]:
    """Run ``work`` for every account at once, each with its own client.

    An account whose client cannot be made (missing variables, unsafe URL) gets its
    `CredentialsError` as its result; the others run all the same. Results keep ``groups``' order.
    With only the default account (no project file) the `CredentialsError` is raised.
    """

    # Without a project file (one group, the command line's credentials) a credentials problem
    # is the whole run's: one error, as before accounts existed.
    single = len(groups) == 1 and groups[0].account is None

    async def one(group: AccountGroup[T]) -> R | CredentialsError:
        try:
            client = open_account_client(options, group, env)
        except CredentialsError as exc:
            if single:
                raise
            return exc
        async with client:
            return await work(client, group)

    results = await asyncio.gather(*(one(group) for group in groups))
    return list(zip(groups, results, strict=True))


async def read_accounts(
    options: GlobalOptions,
    env: Mapping[str, str],
    accounts: Mapping[str, Account],
    account_of: Mapping[int, str],
) -> dict[int, LiveState | ReconcilerError]:
    """Read integrations (id -> account name) per account, all accounts at once.

    An account without usable credentials yields its `CredentialsError` for each of its ids; a
    refused key pair is reworded to name the account's variables.
    """
    from reconciler.sendcloud.live import read_many

    groups = group_by_account(list(account_of), lambda i: account_of[i], accounts)

    async def work(
        client: SendcloudClient, group: AccountGroup[int]
    ) -> dict[int, LiveState | ReconcilerError]:
        return await read_many(client, group.items)

    found: dict[int, LiveState | ReconcilerError] = {}
    for group, result in await per_account(options, env, groups, work):
        for integration_id in group.items:
            live = result if isinstance(result, CredentialsError) else result[integration_id]
            if isinstance(live, AuthenticationError) and group.account is not None:
                live = CredentialsError(describe_failure(group, live))
            found[integration_id] = live
    return found
