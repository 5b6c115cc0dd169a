"""Fixtures for the simulator's own tests: an httpx client that checks every answer."""

from __future__ import annotations

import ssl
from collections.abc import Iterator

import httpx
import pytest

from reconciler.simulator.simulator import Simulator
from tests.openapi_check import check_response, documented_statuses
from tests.support.simulator import BackgroundServer

# Built once: creating an SSL context per client costs ~0.1 s, even for plain-HTTP clients.
_SSL_CONTEXT = ssl.create_default_context()


def _check_documented(response: httpx.Response) -> None:
    # Every answer whose status the OpenAPI document lists must match its schema; injected
    # faults with other statuses (502, 503, ...) are checked by the tests themselves.
    response.read()
    request = response.request
    path = request.url.path
    if path.startswith("/api/v3/shop-order-statuses") and response.status_code in (
        documented_statuses(request.method, path)
    ):
        check_response(response)


@pytest.fixture
def sim(simulator_server: BackgroundServer) -> Simulator:
    return simulator_server.simulator


@pytest.fixture
def client(
    simulator_server: BackgroundServer, credentials: tuple[str, str]
) -> Iterator[httpx.Client]:
    """Authenticated client on the API root; every documented answer is schema-checked."""
    with httpx.Client(
        base_url=simulator_server.base_url,
        auth=credentials,
        timeout=5.0,
        verify=_SSL_CONTEXT,
        event_hooks={"response": [_check_documented]},
    ) as http:
        yield http


@pytest.fixture
def anonymous(simulator_server: BackgroundServer) -> Iterator[httpx.Client]:
    """Client without credentials (answers are schema-checked too)."""
    with httpx.Client(
        base_url=simulator_server.base_url,
        timeout=5.0,
        verify=_SSL_CONTEXT,
        event_hooks={"response": [_check_documented]},
    ) as http:
        yield http


@pytest.fixture
def admin(simulator_server: BackgroundServer) -> Iterator[httpx.Client]:
    """Client on the admin root ``/_simulator``."""
    with httpx.Client(
        base_url=simulator_server.admin_url, timeout=5.0, verify=_SSL_CONTEXT
    ) as http:
        yield http
