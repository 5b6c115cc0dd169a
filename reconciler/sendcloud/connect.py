"""From the command line's options and the environment to a ready `SendcloudClient`.

With ``--sandbox`` the client talks to an in-process simulator whose state lives in a file, so
every command can be tried without a Sendcloud account; otherwise to the real API (or
``--api-url`` / ``SENDCLOUD_API_URL``). ``SENDCLOUD_AUTH`` picks HTTP Basic (the default) or
OAuth2 client credentials (``oauth2``, token from ``SENDCLOUD_TOKEN_URL`` or Sendcloud's token
endpoint; in the sandbox, the simulator's). The simulator is imported only in sandbox mode: it
pulls in starlette, and the CLI's start-up must stay fast.
"""

from __future__ import annotations

import logging
import stat
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from reconciler.errors import ConfigError, CredentialsError, Problem
from reconciler.sendcloud.auth import TOKEN_URL_ENV as TOKEN_URL_ENV
from reconciler.sendcloud.client import RetryPolicy, SendcloudClient, check_base_url
from reconciler.sendcloud.options import DEFAULT_API_URL, GlobalOptions

if TYPE_CHECKING:
    import httpx

PUBLIC_KEY_ENV = "SENDCLOUD_PUBLIC_KEY"
SECRET_KEY_ENV = "SENDCLOUD_SECRET_KEY"  # noqa: S105 - the variable's name, not its value
API_URL_ENV = "SENDCLOUD_API_URL"
AUTH_ENV = "SENDCLOUD_AUTH"
SANDBOX_BASE_URL = "http://sandbox.invalid/api/v3"
SANDBOX_TOKEN_URL = "http://sandbox.invalid/oauth2/token"  # noqa: S105 - a URL
DOCUMENTED_PATH = "/api/v3"
DOCUMENTED_CALL = "/shop-order-statuses"


def credentials_from_env(env: Mapping[str, str]) -> tuple[str, str]:
    """The (public, secret) key pair, or `CredentialsError` naming both variables."""
    public_key = env.get(PUBLIC_KEY_ENV, "").strip()
    secret_key = env.get(SECRET_KEY_ENV, "").strip()
    if not public_key or not secret_key:
        missing = [name for name, value in _pairs(public_key, secret_key) if not value]
        raise CredentialsError(
            f"No Sendcloud API key pair: {' and '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} not set. Set {PUBLIC_KEY_ENV} and "
            f"{SECRET_KEY_ENV} to the public and secret key of an API integration "
            "(Sendcloud panel: Settings > Integrations), or use --sandbox to try without one."
        )
    return public_key, secret_key


def _pairs(public_key: str, secret_key: str) -> list[tuple[str, str]]:
    return [(PUBLIC_KEY_ENV, public_key), (SECRET_KEY_ENV, secret_key)]


def auth_scheme(env: Mapping[str, str]) -> str:
    """SENDCLOUD_AUTH as "basic" (also when unset or empty) or "oauth2"; else `CredentialsError`."""
    scheme = env.get(AUTH_ENV, "").strip().lower() or "basic"
    if scheme not in ("basic", "oauth2"):
        raise CredentialsError(
            f"{AUTH_ENV}={env[AUTH_ENV].strip()!r} is not an authentication scheme: set it to "
            "basic (HTTP Basic with the API key pair, the default) or oauth2 (OAuth2 client "
            "credentials with the same pair)."
        )
    return scheme


def api_url_source_of(options: GlobalOptions, env: Mapping[str, str]) -> str:
    """Which setting gives the API URL, as messages about the URL name it: ``from --api-url``."""
    if options.api_url is not None:
        return "from --api-url"
    if env.get(API_URL_ENV, "").strip():
        return f"from {API_URL_ENV}"
    return f"Sendcloud's, as --api-url and {API_URL_ENV} are not set"


def api_url(options: GlobalOptions, env: Mapping[str, str], *, source: str | None = None) -> str:
    """``--api-url``, else SENDCLOUD_API_URL, else Sendcloud's production URL; checked.

    An explicitly given but empty ``--api-url`` is refused rather than read as "not given": a
    typo must never silently fall back to production. An empty variable counts as unset.
    `source` names the setting in messages when it is not one of those (a project file key).
    """
    source = source or api_url_source_of(options, env)
    if options.api_url is not None:
        url = check_base_url(options.api_url, source=source)
    else:
        url = check_base_url(env.get(API_URL_ENV, "").strip() or DEFAULT_API_URL, source=source)
    if urlsplit(url).path.rstrip("/") != DOCUMENTED_PATH:
        warn(
            f"the API URL {url} does not end in {DOCUMENTED_PATH}, the path Sendcloud "
            f"documents (e.g. {DEFAULT_API_URL}); requests go to {url}{DOCUMENTED_CALL}"
        )
    return url


def warn(message: str) -> None:
    """One line on stderr, looked up at call time so a test runner's capture sees it."""
    print(f"Warning: {message}", file=sys.stderr, flush=True)


def _retry_notice(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def target(options: GlobalOptions, env: Mapping[str, str]) -> str:
    """Which API the options talk to, as a saved plan records it: the URL, or ``sandbox:FILE``."""
    if options.sandbox:
        return f"sandbox:{options.sandbox_state.as_posix()}"
    return api_url(options, env)


def open_client(
    options: GlobalOptions,
    env: Mapping[str, str],
    *,
    retry: RetryPolicy | None = None,
    timeout: float = 30.0,
) -> SendcloudClient:
    """A client configured by `options`; nothing is sent until a call is made.

    Raises `CredentialsError` (missing keys, unsafe URL) before any request.
    """
    if options.debug:
        _enable_debug_log()
    if options.sandbox:
        return _sandbox_client(options, env, retry=retry, timeout=timeout)
    public_key, secret_key = credentials_from_env(env)
    base_url = api_url(options, env)
    token_url = env.get(TOKEN_URL_ENV, "").strip() or None
    return _client(
        options,
        env,
        base_url,
        public_key,
        secret_key,
        retry=retry,
        timeout=timeout,
        token_url=token_url,
    )


def _client(
    options: GlobalOptions,
    env: Mapping[str, str],
    base_url: str,
    public_key: str,
    secret_key: str,
    *,
    retry: RetryPolicy | None,
    timeout: float,
    token_url: str | None,
    transport: httpx.AsyncBaseTransport | None = None,
    api_url_source: str | None = None,
    token_url_source: str | None = None,
) -> SendcloudClient:
    return SendcloudClient(
        base_url,
        public_key,
        secret_key,
        auth=auth_scheme(env),
        token_url=token_url,
        transport=transport,
        timeout=timeout,
        parallelism=options.parallelism,
        reads_per_minute=options.reads_per_minute,
        writes_per_minute=options.writes_per_minute,
        retry=retry,
        debug=options.debug,
        deadline=options.request_deadline,
        notify=_retry_notice,
        api_url_source=api_url_source or api_url_source_of(options, env),
        token_url_source=token_url_source,
    )


def _sandbox_client(
    options: GlobalOptions,
    env: Mapping[str, str],
    *,
    retry: RetryPolicy | None,
    timeout: float,
) -> SendcloudClient:
    from reconciler.simulator.credentials import SANDBOX_PUBLIC_KEY, SANDBOX_SECRET_KEY
    from reconciler.simulator.simulator import Simulator
    from reconciler.simulator.transport import in_process_transport

    public_key = env.get(PUBLIC_KEY_ENV, "").strip()
    secret_key = env.get(SECRET_KEY_ENV, "").strip()
    if not (public_key and secret_key):
        public_key, secret_key = SANDBOX_PUBLIC_KEY, SANDBOX_SECRET_KEY
    path = options.sandbox_state
    # Every sandbox command may write the state (a read registers a new integration): say so
    # now rather than fail mid-run. The mode bits, not access(): root may write anything.
    if path.is_file() and not path.stat().st_mode & stat.S_IWUSR:
        problem = (
            "the sandbox state file is read-only, and sandbox commands write it (even plan "
            "registers the integrations it reads); make it writable (chmod u+w) or choose "
            "another --sandbox-state"
        )
        raise ConfigError([Problem(str(path), 1, 1, problem)])
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        simulator = Simulator(
            credentials=(public_key, secret_key),
            state_path=path,
            on_new_integration=_announce_new_integration,
        )
    except (OSError, ValueError) as exc:
        problem = f"the sandbox state cannot be used ({exc}); fix or delete the file"
        raise ConfigError([Problem(str(path), 1, 1, problem)]) from None
    transport = in_process_transport(simulator)
    return _client(
        options,
        env,
        SANDBOX_BASE_URL,
        public_key,
        secret_key,
        retry=retry,
        timeout=timeout,
        token_url=SANDBOX_TOKEN_URL,
        transport=transport,
    )


def _announce_new_integration(integration_id: int) -> None:
    # Sendcloud would answer 404 for an integration it does not know; the sandbox creates it
    # instead (so a newcomer can try any id), and says so. Each id is created once per state
    # file, so this prints once per run at most.
    print(
        f"sandbox: integration {integration_id} is new in the sandbox: it starts empty "
        "(the real API answers 404 for an integration it does not know).",
        file=sys.stderr,
    )


class _OneLineFormatter(logging.Formatter):
    """Each record as one printable line: a server's text in a URL or an error summary can
    neither start a GitHub Actions workflow command nor send escape sequences to a terminal."""

    def format(self, record: logging.LogRecord) -> str:
        from reconciler.console import one_line

        return one_line(super().format(record))


def _enable_debug_log() -> None:
    """Show the HTTP exchange on stderr, unless logging is already set up elsewhere."""
    logger = logging.getLogger("reconciler.http")
    logger.setLevel(logging.DEBUG)
    if not logger.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(_OneLineFormatter("debug: %(message)s"))
        logger.addHandler(handler)
