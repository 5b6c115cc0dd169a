"""The simulator answers like Sendcloud where it matters to a client.

Whitespace trimmed on write (a knob), unknown integrations (created on first use, or 404 when
strict), 415 for non-JSON writes, both paths with and without a trailing slash and never a
redirect, Sendcloud's 401 wording, the OAuth2 token endpoint and Bearer tokens, and the write
burst enforced as concurrent requests as well as per second.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from reconciler.simulator.ratelimit import RateLimits, RateRule
from reconciler.simulator.simulator import Simulator
from tests.support.simulator import BackgroundServer

LIST = "/shop-order-statuses"
MAPPING = "/shop-order-statuses/mapping"
IID = 4242


def _post_statuses(client: httpx.Client, *statuses: dict[str, Any]) -> httpx.Response:
    return client.post(LIST, json={"integration_id": IID, "statuses": list(statuses)})


def test_surrounding_whitespace_is_trimmed_on_write(client: httpx.Client) -> None:
    posted = {"external_id": " 7 ", "translations": [{"status": "  Paid\t", "language": "en-gb"}]}
    assert _post_statuses(client, posted).status_code == 200
    mapping = [
        {"status_category": c, "external_id": " 7" if c == "CANCEL" else None}
        for c in ("READY_TO_SEND", "IN_TRANSIT", "DELIVERED", "CANCEL")
    ]
    assert client.post(MAPPING, json={"integration_id": IID, "mapping": mapping}).status_code == 200

    [status] = client.get(LIST, params={"integration_id": IID}).json()["data"]
    assert status["external_id"] == "7"
    assert status["translations"] == [{"status": "Paid", "language": "en-gb"}]
    cancel = client.get(MAPPING, params={"integration_id": IID}).json()["data"]["mapping"][3]
    assert cancel == {"status_category": "CANCEL", "external_id": "7", "is_valid": True}


def test_a_name_of_only_whitespace_is_refused_when_trimming(client: httpx.Client) -> None:
    answer = _post_statuses(
        client, {"external_id": "7", "translations": [{"status": "   ", "language": "en-gb"}]}
    )
    assert answer.status_code == 400
    [problem] = answer.json()["errors"]
    assert problem["detail"] == "This field may not be blank."
    assert problem["source"] == {"pointer": "/statuses/0/translations/0/status"}


def test_trimming_is_a_knob(client: httpx.Client, sim: Simulator) -> None:
    sim.configure(trim_whitespace=False)
    posted = {"external_id": " 7 ", "translations": [{"status": " Paid ", "language": "en-gb"}]}
    assert _post_statuses(client, posted).status_code == 200
    [status] = client.get(LIST, params={"integration_id": IID}).json()["data"]
    assert (status["external_id"], status["status"]) == (" 7 ", " Paid ")


def test_unknown_integration_is_created_on_first_use_and_announced(
    client: httpx.Client, sim: Simulator
) -> None:
    seen: list[int] = []
    sim.on_new_integration = seen.append
    try:
        client.get(LIST, params={"integration_id": 999999})
        client.get(MAPPING, params={"integration_id": 999999})
    finally:
        sim.on_new_integration = None
    assert seen == [999999]
    assert "999999" in sim.get_state()["integrations"]


def test_strict_answers_404_like_sendcloud(client: httpx.Client, sim: Simulator) -> None:
    sim.configure(strict=True)
    answer = client.get(LIST, params={"integration_id": 999999})
    assert answer.status_code == 404
    assert answer.json()["errors"][0]["code"] == "not_found"
    assert sim.get_state()["integrations"] == {}


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_a_write_that_is_not_json_gets_415(client: httpx.Client, content_type: str) -> None:
    answer = client.post(
        LIST,
        content=b'{"integration_id": 4242, "statuses": []}',
        headers={"Content-Type": content_type},
    )
    assert answer.status_code == 415
    [problem] = answer.json()["errors"]
    assert problem["status"] == "415"
    assert content_type in problem["detail"]


def test_json_with_a_charset_is_json(client: httpx.Client) -> None:
    answer = client.post(
        LIST,
        content=b'{"integration_id": 4242, "statuses": []}',
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    assert answer.status_code == 200


@pytest.mark.parametrize("path", [f"{LIST}/", f"{MAPPING}/"])
def test_trailing_slash_paths_answer_directly_never_redirect(
    client: httpx.Client, path: str
) -> None:
    answer = client.get(path, params={"integration_id": IID})
    assert answer.status_code == 200
    assert "data" in answer.json()
    written = client.post(path, json={"integration_id": IID, "statuses": [], "mapping": []})
    assert written.status_code in (200, 400), "answered by the handler, not redirected"


def test_unknown_path_with_a_slash_is_404_not_a_redirect(client: httpx.Client) -> None:
    answer = client.get("/integrations/")
    assert answer.status_code == 404
    assert "location" not in answer.headers


def test_wrong_credentials_get_sendclouds_wording(
    simulator_server: BackgroundServer, credentials: tuple[str, str]
) -> None:
    answer = httpx.get(
        f"{simulator_server.base_url}{LIST}",
        params={"integration_id": IID},
        auth=(credentials[0], "wrong"),
    )
    assert answer.status_code == 401
    assert answer.json()["errors"][0] == {
        "status": "401",
        "code": "authentication_failed",
        "title": "Invalid username/password.",
        "detail": "The username or password provided is incorrect. Please make a request with "
        "the valid credentials.",
    }


def _token(server: BackgroundServer, auth: tuple[str, str] | None, **form: str) -> httpx.Response:
    return httpx.post(f"{server.root_url}/oauth2/token", data=form, auth=auth)


def test_token_endpoint_issues_bearer_tokens_that_expire(
    simulator_server: BackgroundServer, sim: Simulator, credentials: tuple[str, str]
) -> None:
    sim.configure(require_oauth2=True, token_lifetime=60)
    answer = _token(simulator_server, credentials, grant_type="client_credentials", scope="api")
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-store"
    token = answer.json()
    assert token["token_type"] == "bearer"
    assert token["expires_in"] == 60
    assert token["scope"] == "api"

    url = f"{simulator_server.base_url}{LIST}"
    bearer = {"Authorization": f"Bearer {token['access_token']}"}
    assert httpx.get(url, params={"integration_id": IID}, headers=bearer).status_code == 200
    basic = httpx.get(url, params={"integration_id": IID}, auth=credentials)
    assert basic.status_code == 401, "Basic is refused when OAuth2 is required"
    assert "OAuth2" in basic.json()["errors"][0]["detail"]

    sim.tokens.expire_all()
    expired = httpx.get(url, params={"integration_id": IID}, headers=bearer)
    assert expired.status_code == 401
    assert 'error="invalid_token"' in expired.headers["www-authenticate"]
    assert expired.json()["errors"][0]["code"] == "authentication_failed"


@pytest.mark.parametrize(
    ("auth", "form", "status", "error"),
    [
        (("test-public-key", "wrong"), {"grant_type": "client_credentials"}, 401, "invalid_client"),
        (None, {"grant_type": "client_credentials"}, 401, "invalid_client"),
        (None, {}, 400, "invalid_request"),
        ("ok", {"grant_type": "password"}, 400, "unsupported_grant_type"),
        ("ok", {"grant_type": "client_credentials", "scope": "admin"}, 400, "invalid_scope"),
    ],
    ids=["wrong-secret", "no-client-auth", "empty", "wrong-grant", "wrong-scope"],
)
def test_token_endpoint_refusals_follow_rfc_6749(
    simulator_server: BackgroundServer,
    credentials: tuple[str, str],
    auth: Any,
    form: dict[str, str],
    status: int,
    error: str,
) -> None:
    answer = _token(simulator_server, credentials if auth == "ok" else auth, **form)
    assert answer.status_code == status
    assert answer.json()["error"] == error
    assert answer.json()["error_description"]


def test_token_endpoint_accepts_client_secret_post(
    simulator_server: BackgroundServer, credentials: tuple[str, str]
) -> None:
    answer = _token(
        simulator_server,
        None,
        grant_type="client_credentials",
        client_id=credentials[0],
        client_secret=credentials[1],
    )
    assert answer.status_code == 200


async def test_write_burst_is_also_enforced_as_concurrent_requests(
    simulator_server: BackgroundServer, sim: Simulator, credentials: tuple[str, str]
) -> None:
    # Per-second and per-minute windows wide open; only "at most 2 writes at once" applies,
    # and each write takes 0.3 s: of 4 writes sent together, 2 are refused.
    sim.configure(
        latency=0.3,
        rate_limits=RateLimits(writes=(RateRule(1000, 1.0),), concurrent_writes=2),
    )
    async with httpx.AsyncClient(base_url=simulator_server.base_url, auth=credentials) as http:
        answers = await asyncio.gather(
            *(http.post(LIST, json={"integration_id": IID, "statuses": []}) for _ in range(4))
        )
    assert sorted(a.status_code for a in answers) == [200, 200, 429, 429]
    assert all(a.json()["errors"][0]["code"] == "invalid" for a in answers if a.status_code == 429)
