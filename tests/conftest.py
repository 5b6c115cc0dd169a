"""Shared fixtures: a real simulator server on loopback and the key pair it accepts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from reconciler.simulator.simulator import Simulator
from tests.support.simulator import BackgroundServer

# Distinctive, so a test can grep any output for the secret and prove it never leaks.
TEST_PUBLIC_KEY = "test-public-key"
TEST_SECRET_KEY = "s3cr3t-TEST-do-not-leak-7f3a"


@pytest.fixture(scope="session")
def credentials() -> tuple[str, str]:
    """The only key pair the test simulator accepts: (public key, secret key)."""
    return (TEST_PUBLIC_KEY, TEST_SECRET_KEY)


@pytest.fixture(scope="session")
def _simulator_session_server(credentials: tuple[str, str]) -> Iterator[BackgroundServer]:
    with BackgroundServer(Simulator(credentials=credentials)) as server:
        yield server


@pytest.fixture
def simulator_server(_simulator_session_server: BackgroundServer) -> Iterator[BackgroundServer]:
    """A uvicorn simulator on 127.0.0.1 (ephemeral port), reset before and after each test.

    `.base_url` is the API root (``http://127.0.0.1:PORT/api/v3``), `.simulator` the knobs.
    """
    simulator = _simulator_session_server.simulator
    simulator.reset()
    yield _simulator_session_server
    _simulator_session_server.wait_idle()  # let abandoned requests finish before resetting
    simulator.reset()


@pytest.fixture(autouse=True)
def _no_oauth2_token_from_another_test(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Basic auth unless a test asks for OAuth2, and no token cached from another test."""
    from reconciler.sendcloud.oauth2 import forget_tokens

    monkeypatch.delenv("SENDCLOUD_AUTH", raising=False)
    monkeypatch.delenv("SENDCLOUD_TOKEN_URL", raising=False)
    forget_tokens()
    yield
    forget_tokens()
