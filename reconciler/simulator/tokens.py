"""OAuth2 access tokens the simulator has issued, and when each expires.

Standard library only: `Simulator` holds one, and importing the simulator must stay cheap.
Tokens are kept in memory only: they are secrets and never reach the state file.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable


class TokenIssuer:
    """Issued access tokens and when each expires (on the simulator's clock, in seconds)."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._expiry: dict[str, float] = {}
        self.issued = 0  # tokens handed out since the last `clear`

    def issue(self, lifetime: float) -> str:
        """A new opaque token valid for `lifetime` seconds (Hydra's tokens start ``ory_at_``)."""
        token = f"ory_at_{secrets.token_urlsafe(24)}"
        with self._lock:
            self._expiry[token] = self._clock() + lifetime
            self.issued += 1
        return token

    def check(self, token: str) -> str | None:
        """None for a live token, else why it is refused ("expired" or "unknown")."""
        with self._lock:
            expiry = self._expiry.get(token)
        if expiry is None:
            return "unknown"
        return None if self._clock() < expiry else "expired"

    def known(self) -> list[str]:
        """Every token issued and not forgotten (tests search outputs for them)."""
        with self._lock:
            return list(self._expiry)

    def expire_all(self) -> None:
        """Let every token expire now, as the clock would after its lifetime."""
        with self._lock:
            now = self._clock()
            self._expiry = dict.fromkeys(self._expiry, now)

    def revoke_all(self) -> None:
        """Forget every token: the next Bearer request gets a 401 (tests of the 401 refresh)."""
        with self._lock:
            self._expiry.clear()

    def clear(self) -> None:
        """Forget every token and reset the count."""
        self.revoke_all()
        self.issued = 0
