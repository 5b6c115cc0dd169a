"""Sections 4 and 5: the installed command as a user runs it, timed and measured from outside."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tests.benchmarks.layering import write_layered
from tests.benchmarks.report import Figure, Section, ratio, seconds
from tests.benchmarks.settings import Settings
from tests.benchmarks.simproc import BenchError, cli_env

HELP_TARGET = 0.150
VALIDATE_MANY_TARGET = 3.0
VALIDATE_TARGET_FILES = 1000
# Files extending three shared bases may take at most this much longer than the same number of
# flat files (issue 17).
LAYERED_RATIO_TARGET = 1.5
CHILD_TIMEOUT = 600.0


def reconciler_command() -> list[str]:
    """The console script next to this interpreter (what a user runs), else ``python -m``."""
    script = Path(sys.executable).with_name("reconciler")
    return [str(script)] if script.exists() else [sys.executable, "-m", "reconciler"]


@dataclass(frozen=True)
class ChildRun:
    seconds: float
    exit_code: int
    peak_rss_kib: int | None = None


def run_timed(command: list[str], what: str) -> float:
    """Seconds `command` took to exit 0 (its output discarded); `BenchError` naming `what` else."""
    started = time.perf_counter()
    try:
        done = subprocess.run(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=cli_env(),
            timeout=CHILD_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise BenchError(f"{what} ran over {CHILD_TIMEOUT:g} s") from None
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        stderr = done.stderr.decode("utf-8", errors="replace")[-2000:]
        raise BenchError(f"{what} exited {done.returncode}: {stderr}")
    return elapsed


def run_child(args: list[str], *, measure: bool = False) -> ChildRun:
    """Run ``reconciler ARGS`` to completion (exit 0 expected) and time it.

    With `measure`, run it through `tests.benchmarks.measure`, which reports the command's own
    peak RSS; the wall time then also includes ``python -m``'s few milliseconds.
    """
    with tempfile.TemporaryDirectory(prefix="reconciler-bench-child-") as tmp:
        report = Path(tmp, "report.json")
        command = reconciler_command() + args
        if measure:
            command = [sys.executable, "-m", "tests.benchmarks.measure", str(report), *args]
        elapsed = run_timed(command, f"`reconciler {' '.join(args)}`")
        peak = json.loads(report.read_text(encoding="utf-8"))["peak_rss_kib"] if measure else None
    return ChildRun(elapsed, 0, peak)


def _median(args: list[str], runs: int, *, warm_up: bool = True) -> tuple[float, list[float]]:
    if warm_up:  # not counted: byte-code and file caches as on a second run
        run_child(args)
    times = [run_child(args).seconds for _ in range(runs)]
    return statistics.median(times), times


def startup(settings: Settings, one_file: Path, many: Path, many_count: int) -> Section:
    runs = settings.repeats
    section = Section(
        4,
        "Start-up",
        f"the installed `{' '.join(reconciler_command())}` run as a subprocess; median of {runs} "
        "runs after one warm-up run (many files: median of 3, quick: 1, no warm-up).",
    )
    help_median, help_times = _median(["--help"], runs)
    one_median, one_times = _median(["validate", str(one_file)], runs)
    # The files were just written and loaded, so their caches are warm: no warm-up run needed.
    many_runs = 1 if settings.quick else min(runs, 3)
    many_median, many_times = _median(["validate", str(many)], many_runs, warm_up=False)
    layered = write_layered(many.parent / f"{many.name}-layered", many_count)
    layered_median, layered_times = _median(["validate", str(layered)], many_runs)
    section.add(
        Figure(
            "help_seconds",
            "`reconciler --help`, median",
            help_median,
            seconds(help_median),
            f"≤ {seconds(HELP_TARGET)}",
            help_median <= HELP_TARGET,
        )
    )
    section.add(
        Figure(
            "validate_one_seconds", "`validate` one file, median", one_median, seconds(one_median)
        )
    )
    judged = many_count >= VALIDATE_TARGET_FILES
    section.add(
        Figure(
            "validate_many_seconds",
            f"`validate` {many_count} files, median",
            many_median,
            seconds(many_median),
            f"≤ {VALIDATE_MANY_TARGET:g} s" + ("" if judged else " (at 1,000 files)"),
            many_median <= VALIDATE_MANY_TARGET if judged else None,
        )
    )
    layered_ratio = layered_median / many_median
    section.add(
        Figure(
            "validate_layered_ratio",
            f"`validate` {many_count} files extending 3 bases, vs flat",
            layered_ratio,
            f"{ratio(layered_ratio)} ({seconds(layered_median)})",
            f"≤ {ratio(LAYERED_RATIO_TARGET)}" + ("" if judged else " (at 1,000 files)"),
            layered_ratio <= LAYERED_RATIO_TARGET if judged else None,
        )
    )
    per_file = (many_median - one_median) / max(many_count - 1, 1)
    section.notes.append(
        f"Validating costs about {per_file * 1000:.2f} ms per additional file on top of "
        f"{seconds(one_median)} for the first (start-up, imports)."
    )
    section.raw = {
        "command": reconciler_command(),
        "help_seconds": help_times,
        "validate_one_seconds": one_times,
        "validate_many_seconds": many_times,
        "validate_many_files": many_count,
        "validate_layered_seconds": layered_times,
    }
    return section


def cli_plan(settings: Settings, path: Path, base_url: str) -> ChildRun:
    """``reconciler plan PATH`` against the simulator, pacing out of the way, as in section 1."""
    return run_child(
        [
            "plan",
            str(path),
            "--api-url",
            base_url,
            "--parallelism",
            str(settings.parallelism),
            "--reads-per-minute",
            "10000000",
        ],
        measure=True,
    )


def footprint(
    settings: Settings,
    plan_many: ChildRun,
    plan_one: ChildRun,
    integrations: int,
    large: tuple[int, ChildRun] | None = None,
) -> Section:
    section = Section(
        5,
        "Peak memory",
        f"`reconciler plan` on the {integrations} files of section 1, and on one of them, as "
        f"subprocesses against the simulator process (latency {settings.latency * 1000:g} ms, "
        f"parallelism {settings.parallelism}); peak RSS (VmHWM) as reported by the command's "
        "own process (see `tests.benchmarks.measure` for why not ru_maxrss).",
    )
    bare = run_child(["--help"], measure=True)
    many, one, help_ = (r.peak_rss_kib or 0 for r in (plan_many, plan_one, bare))
    for key, label, kib in (
        ("plan_peak_rss_mib", f"Peak RSS, `plan` on {integrations} integrations", many),
        ("plan_one_peak_rss_mib", "Peak RSS, `plan` on 1 integration", one),
        ("help_peak_rss_mib", "Peak RSS, `--help` (interpreter + CLI)", help_),
    ):
        section.add(Figure(key, label, kib / 1024, f"{kib / 1024:.0f} MiB"))
    if large is not None:
        big, plan_big = large
        big_kib = plan_big.peak_rss_kib or 0
        section.add(
            Figure(
                "plan_large_peak_rss_mib",
                f"Peak RSS, `plan` on {big} integrations",
                big_kib / 1024,
                f"{big_kib / 1024:.0f} MiB",
            )
        )
        section.notes.append(
            f"`plan` on {big} integrations took {seconds(plan_big.seconds)} end to end; "
            f"{(big_kib - one) / max(big - 1, 1):.1f} KiB per additional integration at that size."
        )
    section.add(
        Figure(
            "cli_plan_seconds",
            f"`plan` on {integrations} integrations, wall time end to end",
            plan_many.seconds,
            seconds(plan_many.seconds),
        )
    )
    if integrations > 1:
        per = (many - one) / (integrations - 1)
        section.notes.append(
            f"About {per:.1f} KiB per additional integration (desired file with positions, "
            "live state, plan, rendered report); the rest is the interpreter and the libraries."
        )
    section.notes.append(
        "The end-to-end wall time includes start-up, loading and validating the files, the "
        "reads, the diff and rendering the text report (to /dev/null)."
    )
    section.raw = {
        "plan_peak_rss_kib": many,
        "plan_one_peak_rss_kib": one,
        "help_peak_rss_kib": help_,
        "cli_plan_seconds": plan_many.seconds,
        "cli_plan_one_seconds": plan_one.seconds,
    }
    if large is not None:
        section.raw["plan_large_integrations"] = large[0]
        section.raw["plan_large_peak_rss_kib"] = large[1].peak_rss_kib
        section.raw["cli_plan_large_seconds"] = large[1].seconds
    return section
