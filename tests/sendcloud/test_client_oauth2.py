"""OAuth2 client credentials against the loopback simulator's token endpoint.

One token per client, fetched on first use, refreshed before it expires and once after a 401,
never per call; the token request is paced and retried like any other; a Bearer-only
integration refuses Basic with a message that says what to set.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest

from reconciler.errors import AuthenticationError, CredentialsError
from reconciler.model import CATEGORIES
from reconciler.sendcloud.client import SendcloudClient
from reconciler.simulator.simulator import Simulator
from tests.sendcloud.support import IID, ClientFactory
from tests.support.simulator import BackgroundServer


@pytest.fixture
def token_url(simulator_server: BackgroundServer) -> str:
    return f"{simulator_server.root_url}/oauth2/token"


@pytest.fixture
def oauth_client(make_client: ClientFactory, token_url: str) -> SendcloudClient:
    return make_client(auth="oauth2", token_url=token_url)


async def test_one_token_serves_every_call(oauth_client: SendcloudClient, sim: Simulator) -> None:
    sim.configure(require_oauth2=True)

    await asyncio.gather(*(oauth_client.get_statuses(IID) for _ in range(5)))
    await oauth_client.post_mapping(IID, dict.fromkeys(CATEGORIES))

    assert sim.tokens.issued == 1, "concurrent first calls wait for the one token exchange"
    assert oauth_client.stats.token_requests == 1
    assert [entry.status for entry in sim.log.entries()] == [200] * 6


async def test_basic_is_refused_by_an_oauth2_only_integration_with_a_clear_message(
    client: SendcloudClient, sim: Simulator
) -> None:
    sim.configure(require_oauth2=True)

    with pytest.raises(AuthenticationError) as caught:
        await client.get_mapping(IID)

    message = str(caught.value)
    assert "HTTP 401" in message
    assert "set SENDCLOUD_AUTH=oauth2" in message
    assert "OAuth2 authentication" in message  # the simulator's detail is quoted


async def test_token_is_refreshed_before_it_expires(
    oauth_client: SendcloudClient, sim: Simulator
) -> None:
    # Two-second tokens: the client renews a quarter of the lifetime early, so after 1.6 s
    # it must already have asked for a new one instead of sending the old one into a 401.
    sim.configure(require_oauth2=True, token_lifetime=2)
    await oauth_client.get_statuses(IID)
    await asyncio.sleep(1.6)
    await oauth_client.get_statuses(IID)

    assert sim.tokens.issued == 2
    assert [entry.status for entry in sim.log.entries()] == [200, 200], "no 401 on the way"


async def test_a_revoked_token_is_replaced_once_after_a_401(
    oauth_client: SendcloudClient, sim: Simulator
) -> None:
    sim.configure(require_oauth2=True)
    await oauth_client.get_statuses(IID)
    sim.tokens.revoke_all()

    await oauth_client.get_statuses(IID)

    assert sim.tokens.issued == 2
    assert [entry.status for entry in sim.log.entries()] == [200, 401, 200]


async def test_a_token_refused_twice_is_an_authentication_error(
    oauth_client: SendcloudClient, sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    sim.configure(require_oauth2=True)
    # Every token is dead on arrival: the retry with a fresh token fails too, and it stops.
    monkeypatch.setattr(sim.tokens, "check", lambda token: "expired")

    with pytest.raises(AuthenticationError, match="even a freshly issued one"):
        await oauth_client.get_statuses(IID)

    assert sim.tokens.issued == 2
    assert [entry.status for entry in sim.log.entries()] == [401, 401]


async def test_wrong_client_secret_is_refused_at_the_token_endpoint(
    make_client: ClientFactory, sim: Simulator, token_url: str, credentials: tuple[str, str]
) -> None:
    client = make_client(auth="oauth2", token_url=token_url, keys=(credentials[0], "wrong"))

    with pytest.raises(AuthenticationError) as caught:
        await client.get_statuses(IID)

    message = str(caught.value)
    assert "token endpoint refused the client credentials" in message
    assert "invalid_client" in message
    assert "SENDCLOUD_AUTH=oauth2" in message
    assert sim.log.entries() == [], "no API request without a token"


async def test_token_request_is_retried_like_any_other(
    simulator_server: BackgroundServer, sim: Simulator, make_client: ClientFactory
) -> None:
    # A loopback fake in front of the simulator: the token endpoint is unavailable twice.
    answers = iter([503, 429])
    forwarded: list[str] = []

    async def flaky(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth2/token":
            status = next(answers, None)
            if status is not None:
                return httpx.Response(status, json={"error": "temporarily_unavailable"})
        forwarded.append(request.url.path)
        async with httpx.AsyncClient() as real:
            return await real.send(
                real.build_request(
                    request.method, request.url, headers=request.headers, content=request.content
                )
            )

    client = make_client(
        auth="oauth2",
        token_url=f"{simulator_server.root_url}/oauth2/token",
        transport=httpx.MockTransport(flaky),
    )
    await client.get_mapping(IID)

    assert client.stats.token_requests == 3
    assert client.stats.retries == 2
    assert forwarded == ["/oauth2/token", "/api/v3/shop-order-statuses/mapping"]
    assert sim.tokens.issued == 1


def test_unknown_scheme_and_unsafe_token_url_are_refused_before_any_request(
    simulator_server: BackgroundServer, credentials: tuple[str, str]
) -> None:
    with pytest.raises(CredentialsError, match="basic or oauth2"):
        SendcloudClient(simulator_server.base_url, *credentials, auth="digest")
    with pytest.raises(CredentialsError, match="token URL"):
        SendcloudClient(
            simulator_server.base_url,
            *credentials,
            auth="oauth2",
            token_url="http://auth.example.com/oauth2/token",
        )
