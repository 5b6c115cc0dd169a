"""Credentials the simulator accepts.

This module is imported by the CLI at start-up, so it must stay free of heavy imports
(no starlette, no httpx): only the standard library.
"""

from __future__ import annotations

import os
from typing import NamedTuple

SANDBOX_PUBLIC_KEY = "sandbox-public-key"
SANDBOX_SECRET_KEY = "sandbox-secret-key"  # noqa: S105 - a published sandbox value, not a secret

PUBLIC_KEY_ENV = "SENDCLOUD_PUBLIC_KEY"
SECRET_KEY_ENV = "SENDCLOUD_SECRET_KEY"  # noqa: S105 - the variable's name, not its value


class Credentials(NamedTuple):
    """An HTTP Basic key pair: username = public key, password = secret key."""

    public_key: str
    secret_key: str

    def __repr__(self) -> str:
        # Never let the secret reach a log line or a test failure message.
        return f"Credentials(public_key={self.public_key!r}, secret_key='***')"


def default_credentials() -> Credentials:
    """The key pair from the environment when both variables are set, else the sandbox pair."""
    public_key = os.environ.get(PUBLIC_KEY_ENV)
    secret_key = os.environ.get(SECRET_KEY_ENV)
    if public_key and secret_key:
        return Credentials(public_key, secret_key)
    return Credentials(SANDBOX_PUBLIC_KEY, SANDBOX_SECRET_KEY)
