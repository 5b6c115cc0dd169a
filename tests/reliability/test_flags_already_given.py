"""No message tells the user to pass a flag they already passed, or one that would not help.

`apply --force` must not end its report with "apply refuses this plan without --force"; a
reason --force does not override must not be answered with "without --force"; an error seen
with `--debug` must not say "run with --debug".
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.simulator.faults import Fault
from reconciler.simulator.simulator import Simulator
from tests.apply.support import FAST_RATES, live_statuses, seed, write_file
from tests.reliability.conftest import VALID, Run

pytestmark = pytest.mark.usefixtures("isolated", "fast_client")

FIVE = {str(n): {"en-gb": f"Status {n}"} for n in range(1, 6)}
ASKS_FOR_FORCE = ("without --force", "re-run with --force", "rerun with --force")


@pytest.fixture
def actions(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Inside GitHub Actions: the Markdown step summary is written here."""
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.setenv("GITHUB_OUTPUT", str(tmp_path / "outputs.txt"))
    return summary


def test_apply_with_force_does_not_ask_for_force(
    cli: Run, api_url: str, sim: Simulator, tmp_path: Path, actions: Path
) -> None:
    seed(sim, {11: (FIVE, {})})
    path = write_file(tmp_path, 11, statuses={"1": FIVE["1"]})
    api = ["--api-url", api_url, *FAST_RATES]

    refused = cli(*api, "apply", "--auto-approve", path)
    assert refused.code == 1
    assert "Unsafe: apply refuses this plan without --force (see the warnings)." in refused.out
    actions.unlink()

    forced = cli(*api, "apply", "--auto-approve", "--force", path)

    assert forced.code == 0, forced.text
    assert live_statuses(sim, 11) == {"1": FIVE["1"]}
    assert "Unsafe: --force was given, so apply goes ahead despite the warnings." in forced.out
    summary = actions.read_text(encoding="utf-8")
    assert "--force was given" in summary
    for said in (forced.text, summary):
        for words in ASKS_FOR_FORCE:
            assert words not in said


def test_a_reason_force_does_not_override_is_not_answered_with_force(
    cli: Run, api_url: str, sim: Simulator, tmp_path: Path
) -> None:
    # Deleting the status the live mapping uses: refused even with --force.
    seed(sim, {11: (FIVE, {"CANCEL": "5"})})
    path = write_file(tmp_path, 11, statuses={n: FIVE[n] for n in ("1", "2", "3", "4")})
    api = ["--api-url", api_url, *FAST_RATES]

    planned = cli(*api, "plan", path)
    forced = cli(*api, "apply", "--auto-approve", "--force", path)

    assert planned.code == 0, planned.text
    assert "Unsafe: apply refuses this plan even with --force (see the warnings)." in planned.out
    assert forced.code == 1
    assert "Unsafe: apply refuses this plan even with --force (see the warnings)." in forced.out
    assert "--force does not override this" in forced.text
    for said in (planned.text, forced.text):
        for words in ASKS_FOR_FORCE:
            assert words not in said
    assert live_statuses(sim, 11) == FIVE


@pytest.mark.parametrize(
    "fault",
    [
        Fault("GET /shop-order-statuses", status=400, json_body={"errors": [{"detail": "no"}]}),
        Fault("GET /shop-order-statuses", status=200, json_body={"unexpected": True}),
    ],
    ids=["refused", "contract-violation"],
)
def test_an_error_seen_with_debug_points_at_the_log_not_at_debug(
    cli: Run, api_url: str, sim: Simulator, fault: Fault
) -> None:
    Path("shop.yaml").write_text(VALID, encoding="utf-8")

    sim.inject(fault)
    plain = cli("--api-url", api_url, "plan", "shop.yaml")
    sim.inject(fault)
    debug = cli("--api-url", api_url, "--debug", "plan", "shop.yaml")

    assert plain.code == debug.code == 1
    assert "run with --debug to see the exchange" in plain.text
    assert "the debug lines above show the exchange" in debug.text
    assert "--debug" not in debug.text
