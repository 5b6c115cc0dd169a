"""Authentication, base-URL rules and the secret's confinement."""

from __future__ import annotations

import logging
import traceback

import httpx
import pytest

from reconciler import __version__
from reconciler.errors import AuthenticationError, CredentialsError
from reconciler.sendcloud.client import SendcloudClient, check_base_url
from reconciler.sendcloud.connect import open_client
from reconciler.sendcloud.options import GlobalOptions
from reconciler.simulator.simulator import Simulator
from tests.sendcloud.support import IID, SHORT_RETRY, ClientFactory
from tests.support.simulator import BackgroundServer


async def test_right_key_pair_reads(client: SendcloudClient, sim: Simulator) -> None:
    assert await client.get_statuses(IID) == []
    assert [entry.status for entry in sim.log.entries()] == [200]


async def test_wrong_key_pair_is_an_authentication_error(
    make_client: ClientFactory, credentials: tuple[str, str], sim: Simulator
) -> None:
    client = make_client(keys=(credentials[0], "wrong-secret"))
    with pytest.raises(AuthenticationError) as caught:
        await client.get_mapping(IID)
    error = caught.value
    assert error.http_status == 401
    assert error.code == "authentication_failed"
    assert error.request == f"GET /shop-order-statuses/mapping?integration_id={IID}"
    assert "SENDCLOUD_PUBLIC_KEY" in str(error)
    assert "SENDCLOUD_SECRET_KEY" in str(error)
    assert len(sim.log.entries()) == 1, "a 401 is not retried"


async def test_missing_credentials_fail_before_any_request(
    simulator_server: BackgroundServer, sim: Simulator
) -> None:
    options = GlobalOptions(api_url=simulator_server.base_url)
    for env in ({}, {"SENDCLOUD_PUBLIC_KEY": "only-public"}, {"SENDCLOUD_SECRET_KEY": " "}):
        with pytest.raises(CredentialsError) as caught:
            open_client(options, env)
        assert "SENDCLOUD_SECRET_KEY" in str(caught.value)
    with pytest.raises(CredentialsError) as caught:
        open_client(options, {})
    assert "SENDCLOUD_PUBLIC_KEY and SENDCLOUD_SECRET_KEY" in str(caught.value)
    assert sim.log.entries() == []


@pytest.mark.parametrize(
    "url",
    [
        "http://panel.sendcloud.sc/api/v3",
        "http://10.0.0.5:8080/api/v3",
        "http://localhost.evil.example/api/v3",
    ],
)
def test_plain_http_is_refused_for_remote_hosts(url: str) -> None:
    with pytest.raises(CredentialsError, match="https://"):
        SendcloudClient(url, "public", "secret")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/api/v3",
        "http://127.1.2.3/api/v3",
        "http://[::1]:9000/api/v3/",
        "http://localhost:8080/api/v3",
        "https://panel.sendcloud.sc/api/v3/",
    ],
)
def test_https_and_loopback_http_are_accepted(url: str) -> None:
    assert check_base_url(url) == url.rstrip("/")


@pytest.mark.parametrize(
    "url", ["https://me:pw@panel.sendcloud.sc/api/v3", "https://me@panel.sendcloud.sc/api/v3"]
)
def test_credentials_in_the_url_are_refused(url: str) -> None:
    with pytest.raises(CredentialsError, match="never go in a URL") as caught:
        check_base_url(url)
    assert "pw" not in str(caught.value)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://panel.sendcloud.sc/api/v3",
        "panel.sendcloud.sc/api/v3",
        "",
        "http://[::1",
        "https://panel.sendcloud.sc:port/api/v3",
    ],
)
def test_urls_that_are_not_http_are_refused(url: str) -> None:
    with pytest.raises(CredentialsError):
        check_base_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://panel.sendcloud.sc/api/v3?x=1",
        "https://panel.sendcloud.sc/api/v3?",
        "https://panel.sendcloud.sc/api/v3#top",
        "http://127.0.0.1:8080/api/v3?x=1",
    ],
)
def test_a_query_or_fragment_in_a_base_url_is_refused(url: str) -> None:
    # Request paths are appended to the base: '?x=1' would land inside every request's URL.
    with pytest.raises(CredentialsError, match=r"has a query or fragment .*base URL alone"):
        check_base_url(url, source="--api-url")


def test_url_comes_from_option_then_environment() -> None:
    env = {
        "SENDCLOUD_PUBLIC_KEY": "public",
        "SENDCLOUD_SECRET_KEY": "secret",
        "SENDCLOUD_API_URL": "https://env.example/api/v3",
    }
    assert open_client(GlobalOptions(), env).base_url == "https://env.example/api/v3"
    chosen = open_client(GlobalOptions(api_url="https://opt.example/api/v3"), env)
    assert chosen.base_url == "https://opt.example/api/v3"
    default = open_client(GlobalOptions(), {k: v for k, v in env.items() if "URL" not in k})
    assert default.base_url == "https://panel.sendcloud.sc/api/v3"
    with pytest.raises(CredentialsError):
        open_client(GlobalOptions(), {**env, "SENDCLOUD_API_URL": "http://env.example/api/v3"})
    with pytest.raises(CredentialsError):  # given but empty: never a silent fallback
        open_client(GlobalOptions(api_url=""), env)


async def test_proxies_from_the_environment_never_see_plain_http(
    simulator_server: BackgroundServer,
    credentials: tuple[str, str],
    sim: Simulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(name, "http://proxy.invalid:3128")
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    async with SendcloudClient(simulator_server.base_url, *credentials) as client:
        await client.get_statuses(IID)
    assert len(sim.log.entries()) == 1


async def test_user_agent_and_accept_headers() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"data": []})

    transport = httpx.MockTransport(answer)
    async with SendcloudClient("https://x.invalid/api/v3", "p", "s", transport=transport) as c:
        await c.get_statuses(IID)
    assert seen[0].headers["User-Agent"] == f"sendcloud-reconciler/{__version__} (+python-httpx)"
    assert seen[0].headers["Accept"] == "application/json"
    assert str(seen[0].url) == f"https://x.invalid/api/v3/shop-order-statuses?integration_id={IID}"


async def test_secret_stays_out_of_reprs_logs_and_errors(
    make_client: ClientFactory,
    credentials: tuple[str, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    secret = credentials[1]
    caplog.set_level(logging.DEBUG)
    client = make_client(debug=True, base_url="http://127.0.0.1:9/api/v3", retry=SHORT_RETRY)
    assert secret not in repr(client)
    assert secret not in repr(vars(client))
    with pytest.raises(Exception) as caught:  # noqa: PT011 - any error, its text is the point
        await client.get_statuses(IID)
    rendered = "".join(traceback.format_exception(caught.value))
    chain: list[BaseException] = []
    error: BaseException | None = caught.value
    while error is not None:  # neither cause nor context may hold an httpx request
        chain.append(error)
        error = error.__cause__ or error.__context__
    assert not any(isinstance(e, httpx.HTTPError) for e in chain)
    assert secret not in rendered
    assert secret not in caplog.text
