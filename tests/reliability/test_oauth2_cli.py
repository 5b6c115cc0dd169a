"""A Bearer-only integration end to end: validate, plan, apply and drift with OAuth2 settings
against a simulator that refuses Basic, and a clear failure with Basic; the sandbox too."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.sendcloud.oauth2 import forget_tokens
from reconciler.simulator.simulator import Simulator
from tests.reliability.conftest import IID, VALID, Outcome, Run, assert_no_crash
from tests.support.simulator import BackgroundServer

pytestmark = pytest.mark.usefixtures("isolated", "fast_client")


@pytest.fixture
def bearer_only(sim: Simulator, tmp_path: Path) -> Path:
    sim.configure(require_oauth2=True)
    path = tmp_path / "integrations" / f"{IID}.yaml"
    path.parent.mkdir()
    path.write_text(VALID, encoding="utf-8")
    return path


def test_validate_plan_apply_drift_work_with_oauth2(
    bearer_only: Path,
    cli: Run,
    sim: Simulator,
    api_url: str,
    simulator_server: BackgroundServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SENDCLOUD_AUTH", "oauth2")
    monkeypatch.setenv("SENDCLOUD_TOKEN_URL", f"{simulator_server.root_url}/oauth2/token")
    api = ["--api-url", api_url]

    def run(*args: str) -> Outcome:
        forget_tokens()  # each run of the CLI is its own process, with no token yet
        return cli(*args)

    assert run("validate", "integrations").code == 0
    planned = run("plan", *api, "--detailed-exitcode", "integrations")
    assert planned.code == 2, planned.text
    assert "Payment accepted" in planned.out
    applied = run("apply", *api, "--auto-approve", "integrations")
    assert applied.code == 0, applied.text
    drift = run("drift", *api, "integrations")
    assert drift.code == 0, drift.text

    assert sim.get_state()["integrations"][str(IID)]["mapping"]["IN_TRANSIT"] == "4"
    # apply plans and then applies with two clients: they share the run's one token.
    assert sim.tokens.issued == 3, "one token per run (plan, apply, drift), none per call"
    assert {entry.status for entry in sim.log.entries()} == {200}


def test_basic_against_a_bearer_only_integration_fails_clearly(
    bearer_only: Path, cli: Run, sim: Simulator, api_url: str, crash_dir: Path
) -> None:
    outcome = cli("plan", "--api-url", api_url, "integrations")

    assert outcome.code == 1
    assert_no_crash(outcome, crash_dir)
    assert "HTTP 401" in outcome.text
    assert "set SENDCLOUD_AUTH=oauth2" in outcome.text
    assert sim.log.writes() == []


def test_sandbox_serves_tokens_too(
    cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SENDCLOUD_AUTH", "oauth2")
    (tmp_path / "integrations").mkdir()
    (tmp_path / "integrations" / f"{IID}.yaml").write_text(VALID, encoding="utf-8")

    applied = cli("apply", "--sandbox", "--auto-approve", "integrations")
    drift = cli("drift", "--sandbox", "integrations")

    assert applied.code == 0, applied.text
    assert drift.code == 0, drift.text


def test_sandbox_says_once_that_an_unknown_integration_is_new(cli: Run, tmp_path: Path) -> None:
    (tmp_path / "integrations").mkdir()
    (tmp_path / "integrations" / f"{IID}.yaml").write_text(VALID, encoding="utf-8")
    notice = f"integration {IID} is new in the sandbox: it starts empty"

    first = cli("plan", "--sandbox", "integrations")
    second = cli("plan", "--sandbox", "integrations")

    assert first.code == 0, first.text
    assert first.err.count(notice) == 1
    assert notice not in first.out
    assert notice not in second.err, "the integration exists from the first run on"


def test_unknown_auth_scheme_is_a_one_line_error(
    bearer_only: Path, cli: Run, api_url: str, monkeypatch: pytest.MonkeyPatch, crash_dir: Path
) -> None:
    monkeypatch.setenv("SENDCLOUD_AUTH", "bearer")
    outcome = cli("plan", "--api-url", api_url, "integrations")

    assert outcome.code == 1
    assert_no_crash(outcome, crash_dir)
    assert "SENDCLOUD_AUTH='bearer' is not an authentication scheme" in outcome.err
    assert len(outcome.err.strip().splitlines()) == 1
