"""The benchmark runs end to end on tiny inputs; its request-economy figures are exact.

Timings are not asserted: they depend on the machine. Request counts do not.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.benchmarks.common import peak_in_window, steady_rate_per_minute
from tests.benchmarks.main import main
from tests.benchmarks.settings import parse_args

SECTIONS = (
    "## 1. Latency-bound plan",
    "## 2. Rate-limited plan and apply",
    "## 3. Request economy",
    "## 4. Start-up",
    "## 5. Peak memory",
    "## 6. Fleet: accounts in parallel",
    "## 7. The CLI against lean peers",
    "## Summary",
)


def _figures(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        f"{section['number']}.{figure['key']}": figure
        for section in report["sections"]
        for figure in section["figures"]
    }


def test_benchmark_runs_end_to_end_on_tiny_inputs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "bench.json"
    argv = ["--quick", "--integrations", "10", "--sequential-sample", "4", "--latency", "0.01",
            "--apply-integrations", "5", "--validate-files", "5", "--memory-integrations", "12",
            "--repeats", "1", "--json", str(out)]  # fmt: skip

    assert main(argv) == 0

    text = capsys.readouterr().out
    for heading in SECTIONS:
        assert heading in text
    figures = _figures(json.loads(out.read_text(encoding="utf-8")))
    assert figures["3.plan_reads_per_integration"]["value"] == 2
    assert figures["3.plan_writes"]["value"] == 0
    assert figures["3.in_sync_writes"]["value"] == 0
    assert figures["3.mapping_only_writes"]["value"] == 1
    assert figures["3.reference_safe_delete_writes"]["value"] == 3
    assert figures["3.reference_safe_delete_invalid"]["value"] == 0
    economy = [f for key, f in figures.items() if key.startswith("3.")]
    assert all(f["verdict"] == "PASS" for f in economy)
    assert figures["2.apply_applied"]["verdict"] == "PASS"
    assert figures["2.plan_429"]["value"] == 0  # 20 reads never come near 1,000 per window
    assert figures["5.plan_peak_rss_mib"]["value"] > 0
    assert figures["5.plan_large_peak_rss_mib"]["value"] > 0
    # Ten accounts, one simulator each: every integration planned, none throttled.
    assert figures["6.fleet_failed"]["value"] == 0
    assert figures["6.fleet_429"]["value"] == 0
    assert figures["7.cli_wall_seconds"]["value"] > 0
    assert figures["7.cli_to_aiohttp_cpu"]["value"] > 0


def test_quick_preset_and_flags_combine() -> None:
    settings = parse_args(["--quick", "--integrations", "50"]).settings
    assert settings.quick
    assert settings.integrations == 50
    assert settings.rate_scale == 6


def test_rate_scale_beyond_the_client_burst_cap_is_refused() -> None:
    with pytest.raises(SystemExit):
        parse_args(["--rate-scale", "10"])


def test_window_arithmetic() -> None:
    stamps = [0.0, 0.5, 1.0, 1.5, 2.0]
    assert steady_rate_per_minute(stamps) == pytest.approx(120.0)
    assert peak_in_window(stamps, 1.0) == 2
    assert peak_in_window(stamps, 1.01) == 3
    assert steady_rate_per_minute([1.0]) == 0.0
