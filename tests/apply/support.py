"""Shared by the apply and reliability tests: seed the simulator, write files, run the CLI.

Statuses are written the way the YAML reads (``{"1": {"en-gb": "Paid"}}``) and mappings as
``{"READY_TO_SEND": "1"}`` (categories left out are unmapped), so a test states its scenario in
the same terms a user would.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from reconciler.cli import main
from reconciler.model import CATEGORIES
from reconciler.sendcloud.client import RetryPolicy, SendcloudClient
from reconciler.simulator.requestlog import LogEntry
from reconciler.simulator.simulator import Simulator

Statuses = Mapping[str, Mapping[str, str]]
MappingSpec = Mapping[str, str | None]

STATUSES_PATH = "/shop-order-statuses"
MAPPING_PATH = "/shop-order-statuses/mapping"

# Millisecond backoff within about a second: a lasting failure gives up without slowing the suite.
FAST_RETRY = RetryPolicy(budget=1.0, initial=0.01, maximum=0.05, jitter=0.01)
# The same backoff with room for a loaded machine, for clients that are not meant to fail.
PATIENT_RETRY = RetryPolicy(budget=5.0, initial=0.01, maximum=0.05, jitter=0.01)
# Reads barely paced; writes at the simulator's 15-per-second burst limit (the client never
# goes faster), which is well inside its 100-per-minute limit for one test's few writes.
FAST_RATES = ("--reads-per-minute", "60000", "--writes-per-minute", "900")


def full_mapping(mapping: MappingSpec) -> dict[str, str | None]:
    return {category.value: mapping.get(category.value) for category in CATEGORIES}


def seed(sim: Simulator, integrations: Mapping[int, tuple[Statuses, MappingSpec]]) -> None:
    """Replace the simulator's state with these integrations (statuses live, mapping as given)."""
    sim.replace_state(
        {
            "integrations": {
                str(integration_id): {
                    "statuses": [
                        {
                            "external_id": external_id,
                            "translations": [
                                {"language": language, "status": text}
                                for language, text in translations.items()
                            ],
                            "deleted_at": None,
                        }
                        for external_id, translations in statuses.items()
                    ],
                    "mapping": full_mapping(mapping),
                }
                for integration_id, (statuses, mapping) in integrations.items()
            }
        }
    )


def live_statuses(sim: Simulator, integration_id: int) -> dict[str, dict[str, str]]:
    """The integration's live (not soft-deleted) statuses as the simulator holds them."""
    integration = sim.get_state()["integrations"][str(integration_id)]
    return {
        status["external_id"]: {t["language"]: t["status"] for t in status["translations"]}
        for status in integration["statuses"]
        if status["deleted_at"] is None
    }


def live_mapping(sim: Simulator, integration_id: int) -> dict[str, str | None]:
    return dict(sim.get_state()["integrations"][str(integration_id)]["mapping"])


def write_file(
    directory: Path,
    integration_id: int,
    *,
    statuses: Statuses | None = None,
    mapping: MappingSpec | None = None,
    name: str | None = None,
) -> Path:
    """A desired-state file in block YAML (every string double-quoted, so nothing is coerced)."""
    lines = [f"integration_id: {integration_id}"]
    if statuses is not None:
        lines.append("statuses:" if statuses else "statuses: {}")
        for external_id, translations in statuses.items():
            lines.append(f"  {json.dumps(external_id)}:")
            lines += [f"    {lang}: {json.dumps(text)}" for lang, text in translations.items()]
    if mapping is not None:
        lines.append("mapping:")
        for category, external_id in full_mapping(mapping).items():
            value = "null" if external_id is None else json.dumps(external_id)
            lines.append(f"  {category}: {value}")
    path = directory / (name or f"integration-{integration_id}.yaml")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def writes(sim: Simulator, integration_id: int | None = None) -> list[LogEntry]:
    """The POSTs the simulator received (for one integration, if given), in arrival order."""
    return [
        entry
        for entry in sim.log.writes()
        if integration_id is None or entry.integration_id == integration_id
    ]


def write_paths(sim: Simulator, integration_id: int | None = None) -> list[str]:
    return [entry.path for entry in writes(sim, integration_id)]


def posted_ids(entry: LogEntry) -> list[str]:
    """The external ids a statuses POST sent."""
    return [status["external_id"] for status in entry.body["statuses"]]


def assert_mapping_always_valid(sim: Simulator) -> None:
    """After every write the simulator received, no category pointed at a missing status."""
    flagged = [(e.method, e.path, e.integration_id, e.invalid_mapping) for e in writes(sim)]
    assert all(not invalid for *_, invalid in flagged), flagged


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


class Cli:
    """Runs ``reconciler`` in-process against the test simulator, with fast pacing."""

    def __init__(self, base_url: str, capsys: pytest.CaptureFixture[str]) -> None:
        self.base_url = base_url
        self.capsys = capsys

    def __call__(self, *args: str | Path) -> Run:
        self.capsys.readouterr()  # drop anything printed before this run
        argv = [str(arg) for arg in args]
        code = main([*argv, "--api-url", self.base_url, *FAST_RATES])
        captured = self.capsys.readouterr()
        return Run(code, captured.out, captured.err)


def fast_client(base_url: str, credentials: tuple[str, str], **overrides: Any) -> SendcloudClient:
    """A client on the simulator with millisecond backoff and quick pacing."""
    settings: dict[str, Any] = {
        "timeout": 2.0,
        "retry": PATIENT_RETRY,
        "reads_per_minute": 60_000.0,
        "writes_per_minute": 60_000.0,
    }
    settings.update(overrides)
    return SendcloudClient(base_url, *credentials, **settings)
