"""Inputs modelled on public bug reports of comparable tools: each class of fault, end to end.

Digits that are not ASCII digits and digit runs too long for ``int()`` (in files, in live state,
in headers); text that only looks equal (Unicode normalisation). Each runs the real command
line against the loopback simulator and asserts on what a user sees.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.changes import natural_key
from reconciler.sendcloud.pacing import parse_retry_after
from reconciler.simulator.faults import Fault
from reconciler.simulator.simulator import Simulator
from tests.commands.simstate import integration
from tests.reliability.conftest import IID, Run, assert_no_crash

pytestmark = pytest.mark.usefixtures("isolated", "fast_client")

LONG_ID = "9" * 5000


def seed(sim: Simulator, statuses: dict[str, dict[str, str]]) -> None:
    sim.replace_state({"integrations": {str(IID): integration(statuses, {})}})


def write(text: str) -> Path:
    path = Path("shop.yaml")
    path.write_text(f"integration_id: {IID}\n{text}", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "odd_id", ["²", "٣", "①", LONG_ID, "0" * 5000 + "1", "Send-" + LONG_ID, "\U0001d7d9"]
)
@pytest.mark.parametrize("command", ["plan", "drift", "adopt"])
def test_odd_ids_in_files_and_live_state_never_crash(
    cli: Run, sim: Simulator, api_url: str, crash_dir: Path, odd_id: str, command: str
) -> None:
    seed(sim, {odd_id: {"en-gb": "Odd"}, "10": {"en-gb": "Ten"}, "2": {"en-gb": "Two"}})
    # `? key` / `: value`: YAML allows no implicit key over 1,024 characters.
    path = write(f'statuses:\n  ? "{odd_id}"\n  : {{en-gb: Odd}}\n  "3": {{en-gb: Three}}\n')

    outcome = cli("--api-url", api_url, command, path)

    assert_no_crash(outcome, crash_dir)
    assert outcome.code in (0, 2), outcome.text


def test_import_of_an_integration_with_odd_ids_writes_a_file_that_validates(
    cli: Run, sim: Simulator, api_url: str, crash_dir: Path
) -> None:
    seed(sim, {"²": {"en-gb": "Squared"}, LONG_ID: {"en-gb": "Long"}, "10": {"en-gb": "Ten"}})

    outcome = cli("--api-url", api_url, "import", "--dir", ".", str(IID))

    assert_no_crash(outcome, crash_dir)
    assert outcome.code == 0, outcome.text
    text = Path(f"{IID}.yaml").read_text(encoding="utf-8")
    assert text.index('"10"') < text.index(f'"{LONG_ID}"') < text.index('"²"')
    assert cli("validate", f"{IID}.yaml").out == "1 file valid.\n"


def test_natural_order_is_total_on_any_text() -> None:
    ids = ["10", "2", "²", "٣", LONG_ID, "007", "7", "Send-4", "Send-10", "", "\udcff", "a"]
    ordered = sorted(ids, key=natural_key)
    assert ordered[:6] == ["", "2", "007", "7", "10", LONG_ID]
    assert ordered.index("Send-4") < ordered.index("Send-10")
    # Distinct texts never tie, so the order does not depend on the input order.
    assert len({natural_key(i) for i in ids}) == len(ids)
    shuffled = ids[5:] + ids[:5]
    assert sorted(shuffled, key=natural_key) == ordered


@pytest.mark.parametrize(
    "header", ["²", "٣", "9" * 5000, "Wed, 01 May 99999999999 11:00:00 GMT", "1\u00a0", "①"]
)
def test_odd_retry_after_values_are_treated_as_absent_or_bounded(header: str) -> None:
    value = parse_retry_after(header)
    assert value is None or 0 <= value <= 366 * 24 * 3600


def test_a_retry_after_header_with_an_odd_byte_is_ignored_not_fatal(
    cli: Run, sim: Simulator, api_url: str, crash_dir: Path
) -> None:
    # Starlette sends header values as Latin-1: "²" goes out as the single byte 0xB2.
    sim.inject(Fault("GET /shop-order-statuses", status=503, retry_after="²"))
    seed(sim, {"2": {"en-gb": "Two"}})
    path = write('statuses:\n  "2": {en-gb: Two}\n')

    outcome = cli("--api-url", api_url, "plan", path)

    assert_no_crash(outcome, crash_dir)
    assert outcome.code == 0, outcome.text
    assert [e.status for e in sim.log.entries()][:2] == [503, 200]


@pytest.mark.parametrize("query", ["²", "٣", "9" * 5000, "-0", " 7"])
def test_the_simulator_answers_odd_integration_ids_like_drf(
    sim: Simulator, api_url: str, credentials: tuple[str, str], query: str
) -> None:
    import httpx

    response = httpx.get(
        f"{api_url}/shop-order-statuses", params={"integration_id": query}, auth=credentials
    )
    assert response.status_code in (200, 400, 404), response.text
    if len(query) > 1000:
        assert "String value too large." in response.text


def test_text_typed_decomposed_matches_the_same_text_live_composed(
    cli: Run, sim: Simulator, api_url: str
) -> None:
    seed(sim, {"4": {"fr-fr": "Expédié"}})  # NFC, as Sendcloud's panel stores it
    path = write('statuses:\n  "4": {fr-fr: "Expe\u0301die\u0301"}\n')  # NFD, as macOS types

    outcome = cli("--api-url", api_url, "plan", "--detailed-exitcode", path)

    assert outcome.code == 0, outcome.text
    assert "Plan: no changes" in outcome.out


def test_ids_that_differ_only_invisibly_are_explained_in_the_plan(
    cli: Run, sim: Simulator, api_url: str
) -> None:
    seed(sim, {"Café": {"en-gb": "Coffee"}})
    path = write('statuses:\n  "Cafe\u0301": {en-gb: Coffee}\n')

    outcome = cli("--api-url", api_url, "plan", path)

    assert outcome.code == 0, outcome.text
    assert "look the same but differ only in Unicode normalisation" in outcome.out
    assert "U+0065 U+0301 in the first, U+00E9 in the second" in outcome.out
