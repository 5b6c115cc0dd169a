"""How requests prove who they are: HTTP Basic with the API key pair, or an OAuth2 token.

Sendcloud's v3 APIs accept HTTP Basic with the integration's public key as user name and its
secret key as password, or a Bearer token from the OAuth2 client credentials grant with the
same pair as client id and secret (Sendcloud "Authentication" page; the ``HTTPBasicAuth`` and
``OAuth2ClientCreds`` security schemes of the v3 Integrations OpenAPI document). An
integration set to "Use OAuth2 authentication" refuses Basic. Either way the secret lives only
in a header value (or Authlib's client), never in a message.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

from reconciler.errors import CredentialsError
from reconciler.sendcloud.urls import check_base_url, setting_phrase

TOKEN_URL_ENV = "SENDCLOUD_TOKEN_URL"  # noqa: S105 - the variable's name, not its value

if TYPE_CHECKING:
    import httpx

    from reconciler.sendcloud.oauth2 import Paced
    from reconciler.sendcloud.retries import Retrier

__all__ = ["BasicCredentials", "Credentials", "build_credentials"]


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

    async def aclose(self) -> None:
        """Nothing to close."""


class Credentials(Protocol):
    """What the client needs from a scheme: a header value per request, and closing."""

    scheme: str  # "basic" or "oauth2"

    async def header(self) -> str:
        """The Authorization header value for the next request (may fetch a token first)."""
        ...

    async def aclose(self) -> None:
        """Release what the scheme holds open (the OAuth2 token client)."""
        ...


def build_credentials(
    scheme: str,
    public_key: str,
    secret_key: str,
    *,
    token_url: str | None,
    transport: httpx.AsyncBaseTransport | None,
    token_url_source: str | None = None,
    timeout: float,
    user_agent: str,
    retrier: Retrier,
    paced: Paced,
    debug: bool = False,
) -> Credentials:
    """Basic (the default) or OAuth2 credentials from the same key pair.

    `scheme` is "basic" or "oauth2" (SENDCLOUD_AUTH); for OAuth2 the key pair is the client
    id and secret and `token_url` (default Sendcloud's) is checked like the API URL unless a
    `transport` replaces the network. Raises `CredentialsError` for an incomplete key pair,
    an unknown scheme or an unsafe token URL; nothing is sent yet.
    """
    basic = BasicCredentials(public_key, secret_key)  # validates the pair for both schemes
    if scheme == "basic":
        return basic
    if scheme != "oauth2":
        raise CredentialsError(
            f"SENDCLOUD_AUTH={scheme!r} is not an authentication scheme: use basic or oauth2."
        )
    from reconciler.sendcloud.oauth2 import DEFAULT_TOKEN_URL, OAuth2Credentials, TokenSource

    url = (token_url or DEFAULT_TOKEN_URL).strip()
    # Named in every message about the URL: the variable (or project file key) that set it.
    given = token_url_source or (
        f"from {TOKEN_URL_ENV}" if token_url else f"Sendcloud's, as {TOKEN_URL_ENV} is not set"
    )
    url = (
        url.rstrip("/")
        if transport is not None
        else check_base_url(url, what="token URL", source=given)
    )
    source = TokenSource(
        url,
        public_key,
        secret_key,
        transport=transport,
        timeout=timeout,
        # As for the API: proxies from the environment only for https.
        trust_env=urlsplit(url).scheme == "https",
        user_agent=user_agent,
        debug=debug,
        setting=setting_phrase("token URL", given),
    )
    return OAuth2Credentials(source, retrier=retrier, paced=paced)
