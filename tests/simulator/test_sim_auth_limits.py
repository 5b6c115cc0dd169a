"""401 (auth), 404 (strict integrations) and 429 (rate limits)."""

from __future__ import annotations

import time

import httpx
import pytest

from reconciler.simulator.ratelimit import RateLimits, RateRule
from reconciler.simulator.simulator import Simulator
from tests.conftest import TEST_SECRET_KEY
from tests.support.simulator import BackgroundServer, disable_rate_limits

LIST = "/shop-order-statuses"
WRITE_BODY = {"integration_id": 1, "statuses": []}


def test_no_credentials_is_401_no_credentials(anonymous: httpx.Client) -> None:
    response = anonymous.get(LIST, params={"integration_id": 1})

    assert response.status_code == 401
    [error] = response.json()["errors"]
    assert (error["status"], error["code"], error["title"]) == (
        "401",
        "authentication_failed",
        "No credentials",
    )
    assert response.headers["www-authenticate"].startswith("Basic")


@pytest.mark.parametrize(
    "auth",
    [
        ("test-public-key", "wrong-secret"),
        ("wrong-public-key", TEST_SECRET_KEY),
        ("test-public-key", ""),
    ],
)
def test_wrong_credentials_is_401_invalid(
    anonymous: httpx.Client, auth: tuple[str, str], sim: Simulator
) -> None:
    response = anonymous.post(LIST, json=WRITE_BODY, auth=auth)

    assert response.status_code == 401
    assert response.json() == {
        "errors": [
            {
                "status": "401",
                "code": "authentication_failed",
                "title": "Invalid username/password.",
                "detail": "The username or password provided is incorrect. Please make a "
                "request with the valid credentials.",
            }
        ]
    }
    assert sim.get_state() == {"integrations": {}}


@pytest.mark.parametrize("header", ["Basic not-base64!!", "Basic " + "bm9jb2xvbg==", "Bearer x"])
def test_malformed_authorization_is_401(anonymous: httpx.Client, header: str) -> None:
    response = anonymous.get(LIST, params={"integration_id": 1}, headers={"Authorization": header})

    assert response.status_code == 401


def test_secret_never_reaches_log_or_answers(
    client: httpx.Client, anonymous: httpx.Client, sim: Simulator, admin: httpx.Client
) -> None:
    client.post(LIST, json=WRITE_BODY)
    bad = anonymous.get(LIST, params={"integration_id": 1}, auth=("test-public-key", "nope"))

    for text in (
        bad.text,
        admin.get("/log").text,
        admin.get("/config").text,
        repr(sim.credentials),
    ):
        assert TEST_SECRET_KEY not in text


def test_strict_mode_answers_404_for_unknown_integrations(
    client: httpx.Client, sim: Simulator
) -> None:
    sim.replace_state({"integrations": {"5": {}}})
    sim.configure(strict=True)

    assert client.get(LIST, params={"integration_id": 5}).status_code == 200
    for response in (
        client.get(LIST, params={"integration_id": 6}),
        client.get(f"{LIST}/mapping", params={"integration_id": 6}),
        client.post(LIST, json={"integration_id": 6, "statuses": []}),
    ):
        assert response.status_code == 404
        assert response.json() == {
            "errors": [
                {
                    "status": 404,
                    "code": "not_found",
                    "title": "Not Found",
                    "detail": "The Integration could not be found with the search criteria given",
                }
            ]
        }
    assert set(sim.get_state()["integrations"]) == {"5"}


def test_lenient_mode_registers_integrations_on_first_use(
    client: httpx.Client, sim: Simulator
) -> None:
    client.get(f"{LIST}/mapping", params={"integration_id": 6})

    assert sim.get_state()["integrations"]["6"] == {
        "statuses": [],
        "mapping": dict.fromkeys(["READY_TO_SEND", "IN_TRANSIT", "DELIVERED", "CANCEL"]),
    }


def test_default_limits_are_sendclouds() -> None:
    limits = RateLimits()

    assert limits.reads == (RateRule(1000, 60.0),)
    assert limits.writes == (RateRule(100, 60.0), RateRule(15, 1.0))
    assert limits.retry_after is None


def test_reads_over_the_limit_get_429_and_recover_after_the_window(
    client: httpx.Client, sim: Simulator
) -> None:
    sim.configure(rate_limits=RateLimits(reads=(RateRule(5, 0.5),)))
    params = {"integration_id": 1}

    assert [client.get(LIST, params=params).status_code for _ in range(5)] == [200] * 5
    throttled = client.get(LIST, params=params)
    assert throttled.status_code == 429
    assert throttled.json()["errors"][0]["status"] == "429"
    assert "retry-after" not in throttled.headers
    # Writes have their own budget.
    assert client.post(LIST, json=WRITE_BODY).status_code == 200

    time.sleep(0.55)
    assert client.get(LIST, params=params).status_code == 200


def test_writes_have_a_burst_and_a_sustained_limit(client: httpx.Client, sim: Simulator) -> None:
    sim.configure(rate_limits=RateLimits(writes=(RateRule(4, 5.0), RateRule(2, 0.3))))

    statuses = [client.post(LIST, json=WRITE_BODY).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]  # the burst rule
    time.sleep(0.35)
    statuses = [client.post(LIST, json=WRITE_BODY).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]  # now the sustained rule (4 in 5 s)
    time.sleep(0.35)
    assert client.post(LIST, json=WRITE_BODY).status_code == 429


def test_limits_can_send_retry_after_or_be_disabled(client: httpx.Client, sim: Simulator) -> None:
    sim.configure(rate_limits=RateLimits(reads=(RateRule(1, 10.0),), retry_after=3))
    client.get(LIST, params={"integration_id": 1})
    assert client.get(LIST, params={"integration_id": 1}).headers["retry-after"] == "3"

    disable_rate_limits(sim)
    assert all(client.get(LIST, params={"integration_id": 1}).status_code == 200 for _ in range(5))


def test_limits_are_per_credential(credentials: tuple[str, str]) -> None:
    # Requests with wrong keys are answered 401 before they count against anyone's budget.
    sim = Simulator(credentials=credentials, rate_limits=RateLimits(reads=(RateRule(2, 10.0),)))
    with BackgroundServer(sim) as server, httpx.Client(base_url=server.base_url) as http:
        for _ in range(3):
            assert http.get(LIST, params={"integration_id": 1}, auth=("x", "y")).status_code == 401
        codes = [
            http.get(LIST, params={"integration_id": 1}, auth=credentials).status_code
            for _ in range(3)
        ]
    assert codes == [200, 200, 429]
