"""Which API URLs the key pair may be sent to.

The key pair (or an OAuth2 token) goes in every request, so plain http is refused except to this
machine (a local simulator), and credentials embedded in a URL are refused outright.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from reconciler.errors import CredentialsError

__all__ = [
    "API_URL_SETTING",
    "EXAMPLES",
    "TOKEN_URL_SETTING",
    "check_base_url",
    "is_loopback",
    "setting_phrase",
]

# What a good value looks like, per kind of URL, for the messages that refuse one.
EXAMPLES = {
    "API URL": "https://panel.sendcloud.sc/api/v3",
    "token URL": "https://account.sendcloud.com/oauth2/token",
}

_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback IP literals (127.0.0.0/8, ::1)."""
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def setting_phrase(what: str, source: str | None) -> str:
    """``the token URL (SENDCLOUD_TOKEN_URL)``: a URL named with the setting that supplied it."""
    return f"the {what} ({source})" if source else f"the {what}"


# Where a URL came from when the caller does not say more precisely.
API_URL_SETTING = "the API URL (--api-url, SENDCLOUD_API_URL)"
TOKEN_URL_SETTING = "the token URL (SENDCLOUD_TOKEN_URL)"  # noqa: S105 - words, not a secret


def check_base_url(url: str, *, what: str = "API URL", source: str | None = None) -> str:
    """Return `url` without surrounding spaces or a trailing slash, or raise `CredentialsError`.

    Accepted: ``https://host[:port][/path]``, or ``http://`` to a loopback host. Refused, with a
    one-line message naming `what` ("API URL", "token URL"), the setting it came from
    (`source`: ``SENDCLOUD_TOKEN_URL``, ``--api-url``...) and an example of a good one:
    unparsable URLs, other schemes, a missing host, a query or fragment, and a user name or
    password in the URL.
    """
    named = setting_phrase(what, source)
    named_ = named[0].upper() + named[1:]  # at the start of a sentence
    example = EXAMPLES.get(what, EXAMPLES["API URL"])
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - parsing the port is what raises on "host:notaport"
    except ValueError as exc:
        raise CredentialsError(
            f"{named_} cannot be parsed ({exc}); give one like {example}."
        ) from None
    if parts.username is not None or parts.password is not None:
        raise CredentialsError(
            f"{named_} contains a user name or password; credentials never go in a "
            "URL. Remove them and set SENDCLOUD_PUBLIC_KEY and SENDCLOUD_SECRET_KEY instead."
        )
    host = parts.hostname or ""
    if parts.scheme not in ("https", "http") or not host:
        raise CredentialsError(
            f"{named_} is {url!r}, not an https:// URL with a host (e.g. {example})."
        )
    if parts.query or parts.fragment or url.strip().endswith(("?", "#")):
        # Request paths are appended to the base URL: a query or fragment would end up in the
        # middle of every request's URL.
        raise CredentialsError(
            f"{named_} is {url!r}, which has a query or fragment ('?' or '#'); give the base "
            f"URL alone (e.g. {example})."
        )
    if parts.scheme == "http" and not is_loopback(host):
        raise CredentialsError(
            f"Refusing to send the API key pair over plain http to {host}, the host of {named}: "
            "use https://. "
            "(http:// is allowed only for loopback hosts such as a local simulator.)"
        )
    return url.strip().rstrip("/")
