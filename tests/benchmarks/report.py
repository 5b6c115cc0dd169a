"""Figures, sections and the report: a Markdown-friendly table per section, and raw JSON."""

from __future__ import annotations

import os
import platform
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tests.benchmarks.settings import Settings


@dataclass(frozen=True)
class Figure:
    """One measured number; `ok` is None for a figure that has no target."""

    key: str
    label: str
    value: float | None
    shown: str
    target: str = ""
    ok: bool | None = None

    @property
    def verdict(self) -> str:
        return "" if self.ok is None else ("PASS" if self.ok else "MISS")


@dataclass
class Section:
    number: int
    title: str
    how: str
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)

    def add(self, figure: Figure) -> Figure:
        self.figures.append(figure)
        return figure


def machine_facts() -> dict[str, Any]:
    return {
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "cpu": _cpu_model(),
        "memory_gib": _memory_gib(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": platform.platform(),
        "load_average": load_average(),
    }


def load_average() -> list[float] | None:
    """1, 5 and 15-minute load averages: other work on the machine skews every timing."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def _cpu_model() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return platform.processor() or "unknown"
    for line in text.splitlines():
        if line.startswith("model name"):
            return line.partition(":")[2].strip()
    return platform.processor() or "unknown"


def _memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024**2, 1)
    except (OSError, ValueError, IndexError):
        return None
    return None


def render(machine: dict[str, Any], settings: Settings, sections: list[Section]) -> str:
    lines = ["# reconciler benchmark", ""]
    memory = f", {machine['memory_gib']} GiB RAM" if machine["memory_gib"] else ""
    lines.append(
        f"Machine: {machine['cores']} cores ({machine['usable_cores']} usable), "
        f"{machine['cpu']}{memory}; {machine['python']}; {machine['platform']}"
    )
    lines.append(_load_line(machine))
    mode = "quick" if settings.quick else "full"
    lines.append(
        f"Run: {mode}; N={settings.integrations} integrations, parallelism "
        f"{settings.parallelism}, latency {settings.latency * 1000:g} ms, rate scale "
        f"{settings.rate_scale}x. The simulator runs in its own process on 127.0.0.1."
    )
    for section in sections:
        lines += ["", f"## {section.number}. {section.title}", "", f"How: {section.how}", ""]
        lines += ["| Measure | Value | Target | Result |", "|---|---:|---|---|"]
        for fig in section.figures:
            lines.append(f"| {fig.label} | {fig.shown} | {fig.target} | {fig.verdict} |")
        if section.notes:
            lines.append("")
            lines.extend(f"- {note}" for note in section.notes)
    judged = [fig for section in sections for fig in section.figures if fig.ok is not None]
    missed = [fig for fig in judged if not fig.ok]
    lines += ["", f"## Summary: {len(judged) - len(missed)} of {len(judged)} targets met"]
    if missed:
        lines.append("")
        lines.extend(f"- MISS: {fig.label}: {fig.shown} (target {fig.target})" for fig in missed)
    return "\n".join(lines) + "\n"


def _load_line(machine: dict[str, Any]) -> str:
    start, end = machine.get("load_average"), machine.get("load_average_end")
    if not start or not end:
        return "Load average: unknown."
    line = f"Load average (1 min): {start[0]:.2f} at start, {end[0]:.2f} at end."
    cores = machine.get("usable_cores") or machine.get("cores") or 1
    if max(start[0], end[0]) > cores * 0.75:
        line += (
            f" WARNING: the machine was busy with other work (load near or above its {cores} "
            "cores); the timings are pessimistic. Re-run on an idle machine for figures to quote."
        )
    return line


def to_json(machine: dict[str, Any], settings: Settings, sections: list[Section]) -> dict[str, Any]:
    return {
        "machine": machine,
        "settings": asdict(settings),
        "sections": [
            {
                "number": s.number,
                "title": s.title,
                "how": s.how,
                "figures": [asdict(fig) | {"verdict": fig.verdict} for fig in s.figures],
                "notes": s.notes,
                "raw": s.raw,
            }
            for s in sections
        ],
    }


def seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def ratio(value: float) -> str:
    return f"{value:.2f}x"
