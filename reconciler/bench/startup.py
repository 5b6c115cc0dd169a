"""Sections 4 and 5: the installed command as a user runs it, timed and measured from outside."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from reconciler.bench.report import Figure, Section, seconds
from reconciler.bench.settings import Settings
from reconciler.bench.simproc import BenchError, cli_env

HELP_TARGET = 0.150
VALIDATE_MANY_TARGET = 3.0
VALIDATE_TARGET_FILES = 1000
CHILD_TIMEOUT = 600.0


def reconciler_command() -> list[str]:
    """The console script next to this interpreter (what a user runs), else ``python -m``."""
    script = Path(sys.executable).with_name("reconciler")
    return [str(script)] if script.exists() else [sys.executable, "-m", "reconciler"]


@dataclass(frozen=True)
class ChildRun:
    seconds: float
    exit_code: int
    max_rss_kib: int
    stderr: str


def run_child(args: list[str], *, ok_codes: tuple[int, ...] = (0,)) -> ChildRun:
    """Run ``reconciler ARGS``; wall time and this child's own peak RSS (from wait4).

    ``os.wait4`` reports the resource usage of exactly this child, so neither the simulator
    process nor earlier children can inflate the peak (as RUSAGE_CHILDREN's maximum would).
    """
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(  # noqa: S603 - the installed reconciler command
            reconciler_command() + args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=err,
            env=cli_env(),
        )
        killer = threading.Timer(CHILD_TIMEOUT, process.kill)
        killer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            killer.cancel()
        elapsed = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode("utf-8", errors="replace")
    if process.returncode not in ok_codes:
        command = " ".join(["reconciler", *args])
        raise BenchError(f"`{command}` exited {process.returncode}: {stderr[-2000:]}")
    return ChildRun(elapsed, process.returncode, int(usage.ru_maxrss), stderr)


def _median(args: list[str], runs: int) -> tuple[float, list[float]]:
    run_child(args)  # warm-up, not counted: byte-code and file caches as on a second run
    times = [run_child(args).seconds for _ in range(runs)]
    return statistics.median(times), times


def startup(settings: Settings, one_file: Path, many: Path, many_count: int) -> Section:
    runs = settings.repeats
    section = Section(
        4,
        "Start-up",
        f"the installed `{' '.join(reconciler_command())}` run as a subprocess; median of {runs} "
        "runs after one warm-up run.",
    )
    help_median, help_times = _median(["--help"], runs)
    one_median, one_times = _median(["validate", str(one_file)], runs)
    many_median, many_times = _median(["validate", str(many)], max(1, min(runs, 3)))
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
    }
    return section


def cli_plan(settings: Settings, directory: Path, base_url: str, integrations: int) -> ChildRun:
    """``reconciler plan DIR`` against the simulator, pacing out of the way, as in section 1."""
    return run_child(
        [
            "plan",
            str(directory),
            "--api-url",
            base_url,
            "--parallelism",
            str(settings.parallelism),
            "--reads-per-minute",
            "10000000",
        ]
    )


def footprint(settings: Settings, plan_run: ChildRun, integrations: int) -> Section:
    section = Section(
        5,
        "Peak memory",
        f"`reconciler plan` on the {integrations} files of section 1 as a subprocess against the "
        f"simulator process (latency {settings.latency * 1000:g} ms, parallelism "
        f"{settings.parallelism}); peak RSS of that process from wait4 (ru_maxrss).",
    )
    baseline = run_child(["--help"])
    mib = plan_run.max_rss_kib / 1024
    section.add(
        Figure(
            "plan_peak_rss_mib",
            f"Peak RSS, `plan` on {integrations} integrations",
            mib,
            f"{mib:.0f} MiB",
        )
    )
    section.add(
        Figure(
            "help_peak_rss_mib",
            "Peak RSS, `--help` (interpreter + CLI)",
            baseline.max_rss_kib / 1024,
            f"{baseline.max_rss_kib / 1024:.0f} MiB",
        )
    )
    section.add(
        Figure(
            "cli_plan_seconds",
            "`plan` wall time, end to end (start-up, load, read, diff, render)",
            plan_run.seconds,
            seconds(plan_run.seconds),
        )
    )
    per = (plan_run.max_rss_kib - baseline.max_rss_kib) / max(integrations, 1)
    section.notes.append(
        f"{per:.0f} KiB per integration above `--help`; that difference also holds the "
        "libraries only a plan imports (pydantic, httpx, ruamel.yaml, rich), so the "
        "per-integration cost is lower."
    )
    section.raw = {
        "plan_max_rss_kib": plan_run.max_rss_kib,
        "help_max_rss_kib": baseline.max_rss_kib,
        "cli_plan_seconds": plan_run.seconds,
        "cli_plan_exit_code": plan_run.exit_code,
    }
    return section
