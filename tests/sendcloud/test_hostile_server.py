"""A server that answers too deep, too slowly, too much, or with a certificate that lies.

Each answer is bounded (depth, time, size) and turns into the usual one-line error for the
request; TLS and DNS failures are final; a refused connection gets a few quick, announced tries.
"""

from __future__ import annotations

import asyncio
import gzip
import ssl
import subprocess
from pathlib import Path

import pytest

from reconciler.errors import ApiError, TransportError
from reconciler.sendcloud.client import RetryPolicy, SendcloudClient
from reconciler.sendcloud.transport import MAX_BODY_BYTES
from reconciler.simulator.faults import Fault
from reconciler.simulator.simulator import Simulator
from tests.sendcloud.fakeserver import fake_server, head, json_answer
from tests.sendcloud.support import FAST_RETRY, IID, ClientFactory

DEEP = b"[" * 1000 + b"]" * 1000
MAPPING = {"READY_TO_SEND": None, "IN_TRANSIT": None, "DELIVERED": None, "CANCEL": None}
QUICK = RetryPolicy(budget=2.0, initial=0.01, maximum=0.02, jitter=0.0, connect_attempts=3)


def _client(url: str, **overrides: object) -> SendcloudClient:
    settings: dict[str, object] = {"timeout": 1.0, "retry": QUICK}
    settings.update(overrides)
    return SendcloudClient(url, "public", "secret", **settings)  # type: ignore[arg-type]


async def test_deeply_nested_get_answer_is_a_contract_error() -> None:
    async with (
        fake_server(json_answer(b'{"data": ' + DEEP + b"}")) as server,
        _client(server.base_url) as client,
    ):
        with pytest.raises(ApiError, match="nested more than 32 levels") as caught:
            await client.get_statuses(IID)
    assert "\n" not in str(caught.value)


async def test_deeply_nested_post_answer_is_a_contract_error() -> None:
    async with fake_server(json_answer(DEEP)) as server, _client(server.base_url) as client:
        with pytest.raises(ApiError, match="nested more than 32 levels"):
            await client.post_mapping(IID, MAPPING)  # type: ignore[arg-type]


async def test_deeply_nested_error_answer_is_reported_not_crashed() -> None:
    async with (
        fake_server(json_answer(DEEP, "400 Bad Request")) as server,
        _client(server.base_url) as client,
    ):
        with pytest.raises(ApiError, match="HTTP 400"):
            await client.get_mapping(IID)


async def test_a_dripping_answer_is_cut_off_by_the_attempt_deadline() -> None:
    async def drip(writer: asyncio.StreamWriter) -> None:
        writer.write(head(content_type="application/json", content_length=1000))
        for _ in range(1000):
            writer.write(b" ")
            await writer.drain()
            await asyncio.sleep(0.05)  # each byte well within the 1 s read timeout

    async with fake_server(drip) as server, _client(server.base_url, deadline=0.3) as client:
        with pytest.raises(TransportError, match="deadline of an attempt") as caught:
            await client.get_statuses(IID)
    # The 2 s budget covers the attempts themselves: a handful, not an endless wait.
    assert 2 <= len(server.requests) <= 8
    assert "retry budget" in str(caught.value)


async def test_a_huge_answer_is_not_read_past_the_cap() -> None:
    sent = 0

    async def flood(writer: asyncio.StreamWriter) -> None:
        nonlocal sent
        writer.write(head(content_type="application/json", content_length=1 << 30))
        chunk = b" " * 65536
        while sent < 64 << 20:
            writer.write(chunk)
            await writer.drain()
            sent += len(chunk)

    async with fake_server(flood) as server, _client(server.base_url) as client:
        with pytest.raises(TransportError, match="larger than 4 MiB"):
            await client.get_statuses(IID)
    assert len(server.requests) == 1  # too large is not retried
    assert sent < 32 << 20  # the client hung up long before the end


async def test_a_gzip_bomb_is_inflated_only_up_to_the_cap() -> None:
    bomb = gzip.compress(b" " * (64 << 20), compresslevel=9)
    assert len(bomb) < 1 << 20
    answer = json_answer(bomb, content_encoding="gzip")
    async with fake_server(answer) as server, _client(server.base_url) as client:
        with pytest.raises(TransportError, match="larger than 4 MiB once decoded"):
            await client.get_statuses(IID)


async def test_a_gzipped_answer_within_the_cap_is_decoded() -> None:
    body = gzip.compress(b'{"data": []}' + b" " * (MAX_BODY_BYTES - 100))
    async with (
        fake_server(json_answer(body, content_encoding="gzip")) as server,
        _client(server.base_url) as client,
    ):
        assert await client.get_statuses(IID) == []


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory: pytest.TempPathFactory) -> ssl.SSLContext:
    directory = tmp_path_factory.mktemp("tls")
    key, cert = directory / "key.pem", directory / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


async def test_a_certificate_that_does_not_verify_fails_at_once(
    self_signed: ssl.SSLContext,
) -> None:
    notices: list[str] = []
    async with (
        fake_server(json_answer(b"{}"), tls=self_signed) as server,
        _client(server.base_url, notify=notices.append) as client,
    ):
        with pytest.raises(TransportError, match="TLS certificate") as caught:
            await client.get_statuses(IID)
    assert server.base_url in str(caught.value)
    assert "not retried" in str(caught.value)
    assert notices == []


async def test_a_host_name_that_does_not_resolve_fails_at_once() -> None:
    notices: list[str] = []
    async with _client("https://no-such-host.invalid/api/v3", notify=notices.append) as client:
        with pytest.raises(TransportError, match="could not be resolved") as caught:
            await client.get_statuses(IID)
    assert "no-such-host.invalid" in str(caught.value)
    # A name that does not exist is final; a resolver that did not answer gets the quick tries.
    assert client.stats.reads == 1 + len(notices) <= QUICK.connect_attempts


async def test_a_refused_connection_gets_a_few_announced_tries() -> None:
    notices: list[str] = []
    async with _client("http://127.0.0.1:9/api/v3", notify=notices.append) as client:
        with pytest.raises(TransportError) as caught:
            await client.get_statuses(IID)
    message = str(caught.value)
    assert "could not connect to http://127.0.0.1:9/api/v3 (connection refused" in message
    assert "3 attempt(s)" in message
    assert "Check the API URL" in message
    assert [n.rsplit(", ", 1)[1] for n in notices] == ["attempt 2 of 3", "attempt 3 of 3"]
    assert all("retrying in 0.0 s" in n for n in notices)


async def test_a_throttled_request_says_it_waits(
    make_client: ClientFactory, sim: Simulator
) -> None:
    notices: list[str] = []
    client = make_client(notify=notices.append, retry=FAST_RETRY)
    sim.inject(Fault("GET /shop-order-statuses", status=429))
    await client.get_statuses(IID)
    assert len(notices) == 1
    assert notices[0].startswith(
        f"429 from Sendcloud (GET /shop-order-statuses?integration_id={IID}), retrying in "
    )
    assert notices[0].endswith("attempt 2 of at most 10")


def test_retry_policy_bounds_attempts_by_default() -> None:
    policy = RetryPolicy()
    assert policy.connect_attempts <= 3
    assert policy.max_attempts <= 10


async def test_the_fake_server_serves_a_normal_answer(tmp_path: Path) -> None:
    # Guards the fixture itself: the failures above are the client's, not the server's.
    async with (
        fake_server(json_answer(b'{"data": []}')) as server,
        _client(server.base_url) as client,
    ):
        assert await client.get_statuses(IID) == []
