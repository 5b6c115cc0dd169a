"""The simulator and the client against Sendcloud's own published documents (schemas/sendcloud/).

Breaks the circle of checking the simulator only against the project's document: the
simulator's answers (success bodies, every kind of error answer, the token answer) and the
client's requests (bodies, query parameters, the token request) are validated against the
vendored v3 Integrations and Authentication documents.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
import schemathesis
from openapi_spec_validator import validate
from schemathesis.config import HealthCheck, SchemathesisConfig

from reconciler.model import CATEGORIES, Category
from reconciler.sendcloud.client import SendcloudClient
from reconciler.simulator.app import build_app
from reconciler.simulator.faults import Fault
from reconciler.simulator.ratelimit import RateLimits, RateRule
from reconciler.simulator.simulator import Simulator
from reconciler.simulator.transport import in_process_transport
from tests.conftest import TEST_PUBLIC_KEY, TEST_SECRET_KEY
from tests.sendcloud_spec import AUTH, INTEGRATIONS
from tests.support.simulator import BackgroundServer

IID = 23452345
LIST = "/shop-order-statuses"
MAPPING = "/shop-order-statuses/mapping"


@pytest.mark.parametrize("spec", [INTEGRATIONS, AUTH], ids=["integrations", "auth"])
def test_vendored_documents_are_valid_openapi_and_say_where_they_come_from(spec: Any) -> None:
    validate(spec.document)
    header = spec.path.read_text(encoding="utf-8").split("openapi:")[0]
    assert "sendcloud.dev/.openapi/v3/" in header
    assert "vendored: 20" in header


def test_vendored_integrations_document_covers_the_four_operations() -> None:
    paths = INTEGRATIONS.document["paths"]
    assert {(p, m) for p, item in paths.items() for m in item} == {
        (LIST, "get"),
        (LIST, "post"),
        (MAPPING, "get"),
        (MAPPING, "post"),
    }
    schemes = INTEGRATIONS.document["components"]["securitySchemes"]
    token_url = schemes["OAuth2ClientCreds"]["flows"]["clientCredentials"]["tokenUrl"]
    assert token_url.rstrip("/") == "https://account.sendcloud.com/oauth2/token"


def _config() -> SchemathesisConfig:
    config = SchemathesisConfig()
    project = config.projects.default
    project.update(
        basic_auth=(TEST_PUBLIC_KEY, TEST_SECRET_KEY),
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    project.generation.update(max_examples=15, database="none")
    # As for the project's document: a repeated external_id, language or category is valid by
    # the schema but refused by the API, so valid-looking data may rightly get a 400.
    # Sendcloud's document lists only 200 and 400 per operation (it defines an Unauthorized
    # response but references it nowhere), so 401, 404, 405, 415 and 429 would all count as
    # undocumented: their bodies are checked against its error schema one by one below.
    project.checks.update(
        excluded_check_names=["positive_data_acceptance", "status_code_conformance"]
    )
    return config


_SIMULATOR = Simulator(
    credentials=(TEST_PUBLIC_KEY, TEST_SECRET_KEY), rate_limits=RateLimits(enabled=False)
)
schema = schemathesis.openapi.from_path(INTEGRATIONS.path, config=_config())
schema.app = build_app(_SIMULATOR)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@schema.parametrize()
def test_simulator_conforms_to_sendclouds_document(case: schemathesis.Case) -> None:
    case.call_and_validate()


@pytest.fixture
def http(
    simulator_server: BackgroundServer, credentials: tuple[str, str]
) -> Callable[..., httpx.Response]:
    def send(method: str, path: str, *, auth: Any = credentials, **kwargs: Any) -> httpx.Response:
        url = f"{simulator_server.base_url}{path}"
        return httpx.request(method, url, auth=auth, timeout=5.0, **kwargs)

    return send


def _seed(sim: Simulator) -> None:
    sim.replace_state(
        {
            "integrations": {
                str(IID): {
                    "statuses": [
                        {
                            "external_id": "11",
                            "translations": [{"language": "en-gb", "status": "Paid"}],
                            "deleted_at": None,
                        },
                        {
                            "external_id": "1",
                            "translations": [{"language": "nl-nl", "status": "Oud"}],
                            "deleted_at": "2023-11-04T14:15:22Z",
                        },
                    ],
                    "mapping": {
                        "READY_TO_SEND": "11",
                        "IN_TRANSIT": None,
                        "DELIVERED": None,
                        "CANCEL": "1",
                    },
                }
            }
        }
    )


def test_success_answers_fit_sendclouds_schemas(
    http: Callable[..., httpx.Response], sim: Simulator
) -> None:
    _seed(sim)
    for params in ({"integration_id": IID}, {"integration_id": IID, "show_deleted": "true"}):
        answer = http("GET", LIST, params=params)
        INTEGRATIONS.check_response_body("GET", LIST, 200, answer.json())
    answer = http("GET", MAPPING, params={"integration_id": IID})
    INTEGRATIONS.check_response_body("GET", MAPPING, 200, answer.json())
    body = {"integration_id": IID, "statuses": []}
    INTEGRATIONS.check_response_body("POST", LIST, 200, http("POST", LIST, json=body).json())


def test_every_error_answer_fits_sendclouds_error_schema(
    http: Callable[..., httpx.Response], sim: Simulator, simulator_server: BackgroundServer
) -> None:
    answers = [
        http("GET", LIST),  # 400: no integration_id
        http("GET", LIST, params={"integration_id": "x", "language": "xx"}),
        http("POST", LIST, json=[]),  # 400: not an object
        http("POST", LIST, json={"integration_id": 0, "statuses": [{"external_id": None}]}),
        http("POST", MAPPING, json={"integration_id": IID, "mapping": [{"status_category": "X"}]}),
        http("POST", LIST, content=b"{}", headers={"Content-Type": "text/plain"}),  # 415
        http("GET", LIST, params={"integration_id": IID}, auth=None),  # 401: no credentials
        http("GET", LIST, params={"integration_id": IID}, auth=("a", "b")),  # 401: wrong
        http("GET", LIST, params={"integration_id": IID}, headers={"Authorization": "Bearer x"}),
        http("PUT", LIST),  # 405
        http("GET", "/unknown"),  # 404
    ]
    sim.configure(strict=True)
    answers.append(http("GET", LIST, params={"integration_id": 999}))  # 404: unknown integration
    sim.configure(require_oauth2=True)
    answers.append(http("GET", LIST, params={"integration_id": IID}))  # 401: OAuth2 required
    sim.configure(rate_limits=RateLimits(reads=(RateRule(1, 60.0),)), require_oauth2=False)
    answers += [http("GET", LIST, params={"integration_id": IID}) for _ in range(2)]  # 429
    for fault_status in (401, 403, 404, 429, 500, 503):
        sim.inject(Fault(f"GET {MAPPING}", status=fault_status))
        answers.append(http("GET", MAPPING, params={"integration_id": IID}))

    statuses = sorted({answer.status_code for answer in answers})
    assert statuses == [200, 400, 401, 403, 404, 405, 415, 429, 500, 503]
    for answer in answers:
        if answer.status_code != 200:
            INTEGRATIONS.check_error_body(answer.json())


def test_token_answer_fits_sendclouds_authentication_document(
    simulator_server: BackgroundServer, credentials: tuple[str, str]
) -> None:
    answer = httpx.post(
        f"{simulator_server.root_url}/oauth2/token",
        data={"grant_type": "client_credentials", "scope": "api"},
        auth=credentials,
    )
    AUTH.check_response_body("POST", "/oauth2/token", 200, answer.json())


async def test_the_clients_requests_fit_sendclouds_documents(credentials: tuple[str, str]) -> None:
    sim = Simulator(credentials=credentials, require_oauth2=True)
    inner = in_process_transport(sim)
    sent: list[httpx.Request] = []

    class Recording(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            await request.aread()
            sent.append(request)
            return await inner.handle_async_request(request)

    async with SendcloudClient(
        "http://sandbox.invalid/api/v3",
        *credentials,
        auth="oauth2",
        token_url="http://sandbox.invalid/oauth2/token",
        transport=Recording(),
    ) as client:
        await client.post_statuses(
            IID, {"11": {"en-gb": "Paid", "nl-nl": "Betaald"}, "12": {"en-gb": "Shipped"}}
        )
        await client.post_mapping(
            IID, {c: "11" if c is Category.READY_TO_SEND else None for c in CATEGORIES}
        )
        await client.get_statuses(IID, show_deleted=True)
        await client.get_mapping(IID)

    token_request, *api_requests = sent
    form = dict(parse_qsl(token_request.content.decode()))
    AUTH.check_request_body("POST", "/oauth2/token", form, "application/x-www-form-urlencoded")
    assert form == {"grant_type": "client_credentials", "scope": "api"}
    assert token_request.headers["authorization"].startswith("Basic ")
    assert [f"{r.method} {r.url.path}" for r in api_requests] == [
        "POST /api/v3/shop-order-statuses",
        "POST /api/v3/shop-order-statuses/mapping",
        "GET /api/v3/shop-order-statuses",
        "GET /api/v3/shop-order-statuses/mapping",
    ]
    for request in api_requests:
        assert request.headers["authorization"].startswith("Bearer ")
        if request.method == "POST":
            assert request.headers["content-type"] == "application/json"
            body = httpx.Response(200, content=request.content).json()
            INTEGRATIONS.check_request_body("POST", request.url.path, body, "application/json")
        else:
            INTEGRATIONS.check_query("GET", request.url.path, dict(request.url.params))
