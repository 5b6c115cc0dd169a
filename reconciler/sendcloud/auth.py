"""How requests prove who they are: HTTP Basic with the API key pair.

Sendcloud's v3 APIs accept HTTP Basic with the integration's public key as user name and its
secret key as password (Sendcloud "Authentication" page; ``HTTPBasicAuth`` security scheme of
the v3 OpenAPI documents). The header value is the only place the secret lives after start-up.
"""

from __future__ import annotations

import base64

from reconciler.errors import CredentialsError

__all__ = ["BasicCredentials"]


class BasicCredentials:
    """``Authorization: Basic base64(public_key:secret_key)`` on every request (RFC 7617)."""

    scheme = "basic"

    def __init__(self, public_key: str, secret_key: str) -> None:
        if not public_key.strip() or not secret_key.strip():
            raise CredentialsError(
                "The Sendcloud API key pair is incomplete: set both SENDCLOUD_PUBLIC_KEY and "
                "SENDCLOUD_SECRET_KEY."
            )
        self.public_key = public_key
        token = base64.b64encode(f"{public_key}:{secret_key}".encode()).decode("ascii")
        self._header = f"Basic {token}"

    def __repr__(self) -> str:
        return f"BasicCredentials(public_key={self.public_key!r})"

    async def header(self) -> str:
        """The Authorization header value."""
        return self._header
