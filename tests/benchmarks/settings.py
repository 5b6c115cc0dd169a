"""What one benchmark run measures, and how big: the defaults, the ``--quick`` preset, the flags."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path

# Sendcloud's documented limits (as the simulator enforces them by default).
READS_PER_WINDOW = 1000
WRITES_PER_WINDOW = 100
WRITE_BURST = 15
WINDOW_SECONDS = 60.0
BURST_SECONDS = 1.0
# The client never starts more than 15 writes in a second whatever --writes-per-minute says
# (reconciler.sendcloud.pacing.WRITE_BURST_PER_SECOND). Scaling the minute by more than 9 would
# make that fixed cap, not the scaled per-minute limit, the binding one (100·10/60 > 15 writes/s).
MAX_RATE_SCALE = 9


@dataclass(frozen=True)
class Settings:
    integrations: int = 1000
    parallelism: int = 16
    latency: float = 0.05
    sequential_sample: int = 100
    rate_scale: int = 1
    apply_integrations: int = 75
    economy_integrations: int = 10
    validate_files: int = 1000
    memory_integrations: int = 5000
    repeats: int = 7
    quick: bool = False

    @property
    def lower_bound(self) -> float:
        """Seconds for 2·N GETs of `latency` each with `parallelism` in flight."""
        return 2 * self.integrations * self.latency / self.parallelism


QUICK = Settings(
    integrations=200,
    sequential_sample=20,
    # 6, not 9: 150 reads/s is more than the client's CPU sustains on a small busy machine
    # (section 1 reports the CPU per GET), and the read share would then measure the CPU.
    rate_scale=6,
    apply_integrations=20,
    validate_files=1000,
    memory_integrations=1000,
    repeats=3,
    quick=True,
)


@dataclass(frozen=True)
class Invocation:
    settings: Settings
    json_path: Path | None


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _rate_scale(text: str) -> int:
    value = _positive_int(text)
    if value > MAX_RATE_SCALE:
        raise argparse.ArgumentTypeError(
            f"at most {MAX_RATE_SCALE}: beyond that the client's fixed 15 writes/s cap, not the "
            "scaled per-minute limit, would bind"
        )
    return value


def _latency(text: str) -> float:
    value = float(text)
    if not 0 < value <= 5:
        raise argparse.ArgumentTypeError("must be more than 0 and at most 5 seconds")
    return value


def parse_args(argv: Sequence[str] | None) -> Invocation:
    parser = argparse.ArgumentParser(
        prog="python -m tests.benchmarks",
        description="Benchmark plan/apply against the simulator over real HTTP (see README).",
    )
    add = parser.add_argument
    add(
        "--quick",
        action="store_true",
        help="A run of under a minute: 200 integrations, rate windows scaled 6x, fewer repeats.",
    )
    add(
        "--integrations",
        "-n",
        type=_positive_int,
        metavar="N",
        help="Integrations to plan (default 1000; --quick 200).",
    )
    add("--parallelism", type=_positive_int, metavar="P", help="Client parallelism (default 16).")
    add(
        "--latency",
        type=_latency,
        metavar="S",
        help="Simulator latency per request for section 1, seconds (default 0.05).",
    )
    add(
        "--sequential-sample",
        type=_positive_int,
        metavar="K",
        help="Integrations read one request at a time, extrapolated to N (default 100).",
    )
    add(
        "--rate-scale",
        type=_rate_scale,
        metavar="X",
        help="Shrink the rate-limit windows X times (60 s -> 60/X s, same counts) and pace the "
        f"client X times faster (default 1: the documented limits; 1..{MAX_RATE_SCALE}).",
    )
    add(
        "--apply-integrations",
        type=_positive_int,
        metavar="A",
        help="Integrations changed for the rate-limited apply, 2 writes each (default 75).",
    )
    add(
        "--validate-files",
        type=_positive_int,
        metavar="F",
        help="Files for the many-files validate timing (default 1000).",
    )
    add(
        "--memory-integrations",
        type=_positive_int,
        metavar="M",
        help="Integrations for the large peak-memory plan (default 5000; --quick 1000).",
    )
    add(
        "--repeats",
        type=_positive_int,
        metavar="R",
        help="Runs per start-up timing, median reported (default 7; --quick 3).",
    )
    add(
        "--json",
        type=Path,
        metavar="FILE",
        dest="json_path",
        help="Also save the raw numbers as JSON.",
    )
    args = parser.parse_args(argv)
    base = QUICK if args.quick else Settings()
    given = {f.name: getattr(args, f.name, None) for f in fields(Settings)}
    settings = replace(base, **{k: v for k, v in given.items() if v is not None})
    return Invocation(settings, args.json_path)
