"""Bad answers from the API: ``plan`` names the request and the integration, and plans nothing.

Each answer is injected with the simulator's fault knob (a raw body or a JSON value with any
status). Whatever comes back, the integration it concerns must be reported as failed, with the
endpoint and the integration id in the message, exit 1 and no saved plan; it must never be shown
as unchanged or as having changes, because both would be a plan made from a guess.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from reconciler.simulator.faults import Fault
from reconciler.simulator.simulator import Simulator
from tests.reliability.conftest import IID, VALID, Run, assert_no_crash

pytestmark = pytest.mark.usefixtures("isolated", "fast_client")
STATUSES = "GET /shop-order-statuses"
MAPPING = "GET /shop-order-statuses/mapping"
CATEGORIES = ("READY_TO_SEND", "IN_TRANSIT", "DELIVERED", "CANCEL")
HTML = "<!DOCTYPE html><html><body><h1>Service Unavailable</h1></body></html>"


def mapping_body(items: list[dict[str, Any]], integration_id: int = IID) -> dict[str, Any]:
    return {"data": {"integration_id": integration_id, "mapping": items}}


def item(category: str, external_id: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"status_category": category, "external_id": external_id, "is_valid": True, **extra}


def status(external_id: Any, *translations: tuple[str, str], **extra: Any) -> dict[str, Any]:
    return {
        "external_id": external_id,
        "deleted_at": None,
        "translations": [{"language": lang, "status": text} for lang, text in translations],
        **extra,
    }


ALL_UNMAPPED = [item(c) for c in CATEGORIES]


@dataclass(frozen=True)
class BadAnswer:
    name: str
    fault: Fault
    says: str  # words the error must contain besides the request and the integration


BAD_ANSWERS = [
    BadAnswer("html-200-statuses", Fault(STATUSES, status=200, body=HTML), "not JSON"),
    BadAnswer("html-200-mapping", Fault(MAPPING, status=200, body=HTML), "not JSON"),
    BadAnswer("html-502-statuses", Fault(STATUSES, status=502, body=HTML, times=1000), "HTTP 502"),
    BadAnswer("html-502-mapping", Fault(MAPPING, status=502, body=HTML, times=1000), "HTTP 502"),
    BadAnswer("html-500-statuses", Fault(STATUSES, status=500, body=HTML), "not a JSON:API error"),
    BadAnswer(
        "truncated-json-statuses",
        Fault(
            STATUSES,
            status=200,
            body='{"data": [{"external_id": "2", "transl',
            content_type="application/json",
        ),
        "not JSON",
    ),
    BadAnswer(
        "truncated-json-mapping",
        Fault(
            MAPPING,
            status=200,
            body='{"data": {"integration_id": 7, "mapp',
            content_type="application/json",
        ),
        "not JSON",
    ),
    BadAnswer(
        "empty-body-200",
        Fault(STATUSES, status=200, body="", content_type="application/json"),
        "not JSON",
    ),
    BadAnswer(
        "null-body-200",
        Fault(STATUSES, status=200, body="null", content_type="application/json"),
        "should be an object",
    ),
    BadAnswer("list-body-200", Fault(STATUSES, status=200, json_body=[]), "should be an object"),
    BadAnswer(
        "unknown-category",
        Fault(MAPPING, status=200, json_body=mapping_body([*ALL_UNMAPPED, item("RETURNED")])),
        "status category 'RETURNED', which this reconciler does not know",
    ),
    BadAnswer(
        "duplicate-category",
        Fault(MAPPING, status=200, json_body=mapping_body([*ALL_UNMAPPED[:3], item("IN_TRANSIT")])),
        "lists a category twice",
    ),
    BadAnswer(
        "wrong-integration-in-mapping",
        Fault(MAPPING, status=200, json_body=mapping_body(ALL_UNMAPPED, integration_id=8)),
        "describes integration 8 instead",
    ),
    BadAnswer(
        "integration-id-as-text-in-mapping",
        Fault(MAPPING, status=200, json_body={"data": {"integration_id": "7", "mapping": []}}),
        "integration_id",
    ),
    BadAnswer(
        "errors-document-with-200-statuses",
        Fault(
            STATUSES,
            status=200,
            json_body={
                "errors": [
                    {"status": "400", "code": "invalid", "detail": "integration_id is not valid"}
                ]
            },
        ),
        "the answer is 200 but the body is an error: invalid: integration_id is not valid",
    ),
    BadAnswer(
        "errors-document-with-200-mapping",
        Fault(MAPPING, status=200, json_body={"errors": {"status": 500, "detail": "oops"}}),
        "the answer is 200 but the body is an error: oops",
    ),
    BadAnswer(
        "unknown-language",
        Fault(STATUSES, status=200, json_body={"data": [status("2", ("pt-br", "Pago"))]}),
        "language",
    ),
    BadAnswer(
        "external-id-as-number",
        Fault(STATUSES, status=200, json_body={"data": [status(2, ("en-gb", "Paid"))]}),
        "external_id",
    ),
    BadAnswer(
        "repeated-live-status",
        Fault(
            STATUSES,
            status=200,
            json_body={"data": [status("2", ("en-gb", "A")), status("2", ("en-gb", "B"))]},
        ),
        "listed twice",
    ),
    BadAnswer(
        "status-without-translations",
        Fault(STATUSES, status=200, json_body={"data": [status("2")]}),
        "translations",
    ),
    BadAnswer(
        "data-is-not-a-list",
        Fault(STATUSES, status=200, json_body={"data": {"2": "Paid"}}),
        "data",
    ),
    BadAnswer(
        "error-status-as-integer",
        Fault(
            STATUSES,
            status=400,
            json_body={
                "errors": [
                    {
                        "status": 400,
                        "code": "invalid",
                        "detail": "Bad integration",
                        "source": {"parameter": "integration_id"},
                    }
                ]
            },
        ),
        "HTTP 400",
    ),
    BadAnswer(
        "error-status-as-string",
        Fault(
            STATUSES,
            status=400,
            json_body={
                "errors": [
                    {
                        "status": "400",
                        "code": "invalid",
                        "detail": "Bad integration",
                        "source": {"parameter": "integration_id"},
                    }
                ]
            },
        ),
        "HTTP 400",
    ),
    BadAnswer(
        "error-document-malformed",
        Fault(MAPPING, status=422, json_body={"errors": "everything is wrong"}),
        "HTTP 422",
    ),
    BadAnswer("error-404", Fault(MAPPING, status=404), "does not exist"),
]


def endpoint_named(text: str, fault: Fault) -> bool:
    method, path = fault.endpoint.split()
    return f"{method} {path}?integration_id={IID}" in text


@pytest.mark.parametrize("case", BAD_ANSWERS, ids=lambda c: c.name)
def test_plan_names_the_request_and_the_integration_and_plans_nothing(
    case: BadAnswer, cli: Run, sim: Simulator, api_url: str, crash_dir: Path, tmp_path: Path
) -> None:
    (tmp_path / "7.yaml").write_text(VALID, encoding="utf-8")
    sim.inject(replace(case.fault))  # a copy: the simulator counts its uses down
    outcome = cli("plan", "--api-url", api_url, "--out", "plan.json", "7.yaml")
    assert outcome.code == 1, outcome.text
    assert_no_crash(outcome, crash_dir)
    # Said once: in the text report's `!` line, not again on stderr.
    named = f"integration {IID} (7.yaml)"
    errors = [line for line in outcome.text.splitlines() if named in line]
    assert len(errors) == 1, outcome.text
    error = errors[0]
    assert error.startswith(f"! {named}: could not read live state: ")
    assert endpoint_named(error, case.fault), error
    assert case.says in error, error
    if case.fault.status in (502, 503, 504):
        assert "retry budget" in error, error
    # Reported as failed: neither unchanged nor with changes.
    assert "(0 unchanged, 1 failed)" in outcome.out
    assert not (tmp_path / "plan.json").exists()
    assert sim.log.writes() == []


@pytest.mark.parametrize("case", BAD_ANSWERS[:6], ids=lambda c: c.name)
def test_json_report_lists_the_failure_and_no_plan_for_it(
    case: BadAnswer, cli: Run, sim: Simulator, api_url: str, tmp_path: Path
) -> None:
    (tmp_path / "7.yaml").write_text(VALID, encoding="utf-8")
    sim.inject(replace(case.fault))  # a copy: the simulator counts its uses down
    outcome = cli("plan", "--api-url", api_url, "--format", "json", "7.yaml")
    assert outcome.code == 1
    document = json.loads(outcome.out)
    assert document["integrations"] == []
    assert [f["integration_id"] for f in document["failures"]] == [IID]
    assert endpoint_named(document["failures"][0]["message"], case.fault)
    assert document["summary"]["failed"] == 1
    assert document["summary"]["unchanged"] == 0


def test_one_bad_answer_does_not_hide_or_spoil_the_other_integrations(
    cli: Run, sim: Simulator, api_url: str, tmp_path: Path
) -> None:
    (tmp_path / "7.yaml").write_text(VALID, encoding="utf-8")
    (tmp_path / "8.yaml").write_text(VALID.replace("integration_id: 7", "integration_id: 8"))
    # Integration 7 gets the other's mapping: it must not be planned from it.
    sim.inject(Fault(MAPPING, status=200, json_body=mapping_body(ALL_UNMAPPED, integration_id=8)))
    outcome = cli("plan", "--api-url", api_url, "--format", "json", ".")
    assert outcome.code == 1
    document = json.loads(outcome.out)
    assert [i["integration_id"] for i in document["integrations"]] == [8]
    assert [f["integration_id"] for f in document["failures"]] == [7]
    assert "describes integration 8 instead" in document["failures"][0]["message"]


def test_unexpected_extra_fields_are_ignored_and_the_plan_is_right(
    cli: Run, sim: Simulator, api_url: str, tmp_path: Path
) -> None:
    (tmp_path / "7.yaml").write_text(VALID, encoding="utf-8")
    statuses = {
        "data": [
            status("2", ("en-gb", "Payment accepted"), colour="#00ff00", shop={"id": 1}),
            status("4", ("en-gb", "Shipped")),
        ],
        "meta": {"next": None},
    }
    items = [item("READY_TO_SEND", "2", note="x"), item("IN_TRANSIT", "4"), *ALL_UNMAPPED[2:]]
    sim.inject(Fault(STATUSES, status=200, json_body=statuses))
    sim.inject(Fault(MAPPING, status=200, json_body={**mapping_body(items), "links": {}}))
    outcome = cli("plan", "--api-url", api_url, "--detailed-exitcode", "7.yaml")
    assert outcome.code == 0, outcome.text
    assert "Plan: no changes across 1 integration (1 unchanged)." in outcome.out


def test_drift_and_apply_stop_on_a_bad_answer_too(
    cli: Run, sim: Simulator, api_url: str, crash_dir: Path, tmp_path: Path
) -> None:
    (tmp_path / "7.yaml").write_text(VALID, encoding="utf-8")
    sim.inject(Fault(MAPPING, status=200, body=HTML, times=2))
    drift = cli("drift", "--api-url", api_url, "7.yaml")
    applied = cli("apply", "--api-url", api_url, "--auto-approve", "7.yaml")
    for outcome in (drift, applied):
        assert outcome.code == 1, outcome.text
        assert_no_crash(outcome, crash_dir)
        assert f"GET /shop-order-statuses/mapping?integration_id={IID}" in outcome.text
    assert sim.log.writes() == []


def test_a_write_answered_with_html_is_reported_not_trusted(
    cli: Run, sim: Simulator, api_url: str, crash_dir: Path, tmp_path: Path
) -> None:
    (tmp_path / "7.yaml").write_text(VALID, encoding="utf-8")
    sim.inject(Fault("POST /shop-order-statuses", status=200, body=HTML))
    outcome = cli("apply", "--api-url", api_url, "--auto-approve", "7.yaml")
    assert outcome.code == 1, outcome.text
    assert_no_crash(outcome, crash_dir)
    assert "POST /shop-order-statuses" in outcome.err
    assert "not JSON" in outcome.err
    # The mapping must not be written onto statuses whose write was not confirmed.
    assert [w.path for w in sim.log.writes()] == ["/shop-order-statuses"]
