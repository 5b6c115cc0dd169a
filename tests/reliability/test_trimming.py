"""Against an API that trims text on write (Sendcloud, and the simulator by default).

A name or id with surrounding whitespace would be stored trimmed, so apply could never verify it
and every plan would show it again: validation refuses it, located, before any request (the
loader's text check). Inner whitespace is kept and converges.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.simulator.simulator import Simulator
from tests.reliability.conftest import Run, assert_no_crash

pytestmark = pytest.mark.usefixtures("isolated", "fast_client")

PADDED = """\
integration_id: 7
statuses:
  " 2":
    en-gb: "Paid "
    nl-nl: Betaald
  "4":
    en-gb: "\\tShipped"
mapping:
  READY_TO_SEND: " 2"
  IN_TRANSIT: "4"
  DELIVERED: null
  CANCEL: null
"""


@pytest.fixture
def padded(tmp_path: Path) -> Path:
    path = tmp_path / "integrations" / "7.yaml"
    path.parent.mkdir()
    path.write_text(PADDED, encoding="utf-8")
    return path


def test_validate_refuses_text_the_api_would_trim(padded: Path, cli: Run, crash_dir: Path) -> None:
    outcome = cli("validate", "integrations")

    assert outcome.code == 1
    assert_no_crash(outcome, crash_dir)
    problems = outcome.err.strip().splitlines()[:-1]
    where = [line.split(": ", 1)[0].rsplit(":", 2)[1:] for line in problems]
    assert where == [["3", "3"], ["7", "12"], ["9", "18"]]  # the id, the tab, the mapped id
    assert all(_SAYS in line for line in problems), problems


_SAYS = "Sendcloud trims surrounding whitespace, so it would never read back as written"


def test_apply_sends_nothing_for_such_a_file(
    padded: Path, cli: Run, sim: Simulator, api_url: str
) -> None:
    outcome = cli("apply", "--api-url", api_url, "--auto-approve", "integrations")

    assert outcome.code == 1
    assert _SAYS in outcome.text
    assert sim.log.entries() == []


def test_inner_whitespace_is_kept_and_converges(
    tmp_path: Path, cli: Run, sim: Simulator, api_url: str
) -> None:
    path = tmp_path / "integrations" / "7.yaml"
    path.parent.mkdir()
    path.write_text(
        'integration_id: 7\nstatuses:\n  "2":\n    en-gb: "Payment  accepted"\n', encoding="utf-8"
    )

    assert cli("apply", "--api-url", api_url, "--auto-approve", "integrations").code == 0
    assert cli("drift", "--api-url", api_url, "integrations").code == 0
    [status] = sim.get_state()["integrations"]["7"]["statuses"]
    assert status["translations"] == [{"language": "en-gb", "status": "Payment  accepted"}]
