"""The OpenAPI document is valid, and the simulator honours it under property-based testing."""

from __future__ import annotations

import pytest
import schemathesis
from openapi_spec_validator import validate
from schemathesis.config import HealthCheck, SchemathesisConfig

from reconciler.simulator.app import build_app
from reconciler.simulator.ratelimit import RateLimits
from reconciler.simulator.simulator import Simulator
from tests.conftest import TEST_PUBLIC_KEY, TEST_SECRET_KEY
from tests.openapi_check import OPENAPI_PATH, check_request_body, openapi_document


def test_document_is_a_valid_openapi_3_1_document() -> None:
    document = openapi_document()

    validate(document)  # type: ignore[arg-type]
    assert document["openapi"].startswith("3.1")
    assert document["servers"] == [
        {"url": "https://panel.sendcloud.sc/api/v3", "description": "Sendcloud Production"}
    ]
    assert set(document["paths"]) == {"/shop-order-statuses", "/shop-order-statuses/mapping"}
    assert not any("_simulator" in path for path in document["paths"])


def test_documented_request_examples_match_their_schemas() -> None:
    for path, item in openapi_document()["paths"].items():
        if "post" in item:
            content = item["post"]["requestBody"]["content"]["application/json"]
            for example in content["examples"].values():
                check_request_body("POST", path, example["value"])


def _config() -> SchemathesisConfig:
    config = SchemathesisConfig()
    project = config.projects.default
    project.update(
        basic_auth=(TEST_PUBLIC_KEY, TEST_SECRET_KEY),
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    project.generation.update(max_examples=20, database="none")
    # The API rejects what no JSON Schema can express (a repeated external_id, a repeated
    # language, a repeated category), so data valid by the schema may rightly get 400.
    project.checks.update(excluded_check_names=["positive_data_acceptance"])
    return config


_SIMULATOR = Simulator(
    credentials=(TEST_PUBLIC_KEY, TEST_SECRET_KEY), rate_limits=RateLimits(enabled=False)
)
schema = schemathesis.openapi.from_path(OPENAPI_PATH, config=_config())
schema.app = build_app(_SIMULATOR)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@schema.parametrize()
def test_simulator_conforms_to_the_document(case: schemathesis.Case) -> None:
    case.call_and_validate()
