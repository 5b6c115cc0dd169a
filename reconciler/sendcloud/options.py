"""Options every command shares, gathered by the CLI and handed to whatever needs the API."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULT_API_URL = "https://panel.sendcloud.sc/api/v3"
DEFAULT_SANDBOX_STATE = Path(".reconciler/sandbox.json")
# Sendcloud's documented limits (requests per minute; writes also at most 15 per second).
DEFAULT_READS_PER_MINUTE = 1000.0
DEFAULT_WRITES_PER_MINUTE = 100.0
DEFAULT_PARALLELISM = 8
# Seconds one attempt may take in all (connect, send, read the whole answer).
DEFAULT_REQUEST_DEADLINE = 30.0


@dataclass(frozen=True)
class GlobalOptions:
    """The options every command shares: where the API is, sandbox, debug log, pacing.

    Rates are requests per minute; `parallelism` is requests in flight at once. Credentials
    and the authentication scheme are not options: they come from the environment
    (`connect.credentials_from_env`, `connect.auth_scheme`), so they never show in a process
    list or a shell history.
    """

    api_url: str | None = None  # None: SENDCLOUD_API_URL, else DEFAULT_API_URL
    sandbox: bool = False
    sandbox_state: Path = DEFAULT_SANDBOX_STATE
    debug: bool = False
    parallelism: int = DEFAULT_PARALLELISM
    reads_per_minute: float = DEFAULT_READS_PER_MINUTE
    writes_per_minute: float = DEFAULT_WRITES_PER_MINUTE
    request_deadline: float = DEFAULT_REQUEST_DEADLINE
