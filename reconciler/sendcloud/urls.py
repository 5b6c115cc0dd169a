"""Which API URLs the key pair may be sent to.

The key pair (or an OAuth2 token) goes in every request, so plain http is refused except to this
machine (a local simulator), and credentials embedded in a URL are refused outright.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from reconciler.errors import CredentialsError

__all__ = ["check_base_url", "is_loopback"]

_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback IP literals (127.0.0.0/8, ::1)."""
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_base_url(url: str, *, what: str = "API URL") -> str:
    """Return `url` without surrounding spaces or a trailing slash, or raise `CredentialsError`.

    Accepted: ``https://host[:port][/path]``, or ``http://`` to a loopback host. Refused, with a
    one-line message naming `what` ("API URL", "token URL"): unparsable URLs, other schemes, a
    missing host, and a user name or password in the URL.
    """
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - parsing the port is what raises on "host:notaport"
    except ValueError as exc:
        raise CredentialsError(
            f"The {what} cannot be parsed ({exc}); give one like https://panel.sendcloud.sc/api/v3."
        ) from None
    if parts.username is not None or parts.password is not None:
        raise CredentialsError(
            f"The {what} contains a user name or password; credentials never go in a URL. "
            "Remove them and set SENDCLOUD_PUBLIC_KEY and SENDCLOUD_SECRET_KEY instead."
        )
    host = parts.hostname or ""
    if parts.scheme not in ("https", "http") or not host:
        raise CredentialsError(
            f"The {what} {url!r} is not an https:// URL with a host "
            "(e.g. https://panel.sendcloud.sc/api/v3)."
        )
    if parts.scheme == "http" and not is_loopback(host):
        raise CredentialsError(
            f"Refusing to send the API key pair over plain http to {host} (the {what}): use "
            "https://. "
            "(http:// is allowed only for loopback hosts such as a local simulator.)"
        )
    return url.strip().rstrip("/")
