"""The terminal rendering: Terraform-like ``+ ~ -`` lines as a rich ``Text``.

A ``Text`` is never parsed as console markup, so a status named ``[bold]x[/]`` prints as typed.
Print it with ``rich.console.Console`` (colour only on a terminal, ``NO_COLOR`` respected); tests
read ``.plain``.
"""

from __future__ import annotations

from typing import Final

from rich.text import Text

from reconciler.changes import Change
from reconciler.plan import IntegrationFailure, IntegrationPlan, Plan
from reconciler.quoting import printable, quote
from reconciler.render.common import (
    DRIFT_LEGEND,
    Mode,
    integration_label,
    integration_phrase,
    mapped,
    summary_line,
    unsafe_line,
    writes_line,
)

MARKER_STYLES: Final = {"+": "green", "~": "yellow", "-": "red", "=": "dim", "!": "bold red"}
ARROW: Final = " → "
_CHANGE_INDENT: Final = "    "
_DETAIL_INDENT: Final = "        "


def render_text(plan: Plan, *, writes_per_minute: float, mode: Mode = "plan") -> Text:
    """The whole plan (or drift report), ending with the summary; no trailing newline."""
    lines: list[Text] = []
    if mode == "drift":
        lines += [Text(DRIFT_LEGEND, style="dim"), Text()]
    for item in plan.integrations:
        lines += integration_lines(item, mode)
    for failure in plan.failures:
        lines.append(failure_line(failure))
    if lines and lines[-1].plain:
        lines.append(Text())
    lines.append(Text(summary_line(plan, mode), style="bold"))
    lines.append(Text(writes_line(plan, writes_per_minute, mode)))
    if not plan.is_safe:
        lines.append(Text(unsafe_line(mode), style="bold red"))
    return Text("\n").join(lines)


def integration_lines(item: IntegrationPlan, mode: Mode) -> list[Text]:
    """One integration: its summary line, its warnings, then its changes and a blank line."""
    label = integration_label(item.integration_id, item.source)
    phrase = integration_phrase(item, mode)
    if not item.has_changes:
        return [_line("=", f"{label}: {phrase}"), *_warning_lines(item)]
    lines = [_line("~", f"{label}: {phrase}", bold=True)]
    lines += _warning_lines(item)
    for change in item.changes:
        lines += change_lines(change)
    lines.append(Text())  # a changed integration stands apart from the next one
    return lines


def change_lines(change: Change) -> list[Text]:
    """``~ CANCEL: (unmapped) → "10"``, or ``~ status "2"`` and one line per language."""
    if change.target == "mapping":
        text = f"{change.category.value}: {mapped(change.old)}{ARROW}{mapped(change.new)}"
        return [_line(change.marker, text, indent=_CHANGE_INDENT)]
    lines = [_line(change.marker, change.subject, indent=_CHANGE_INDENT)]
    for detail in change.details:
        values = [quote(value) for value in (detail.old, detail.new) if value is not None]
        text = f"{detail.language}: {ARROW.join(values)}"
        lines.append(_line(detail.marker, text, indent=_DETAIL_INDENT))
    return lines


def failure_line(failure: IntegrationFailure) -> Text:
    """``! integration 7 (7.yaml): could not read live state: ...``."""
    label = integration_label(failure.integration_id, failure.source)
    what = "could not read live state" if failure.read_failed else "not planned"
    return _line("!", f"{label}: {what}: {printable(failure.message)}")


def _warning_lines(item: IntegrationPlan) -> list[Text]:
    return [
        Text.assemble(_CHANGE_INDENT, ("! " + printable(warning), "yellow"))
        for warning in item.warnings
    ]


def _line(marker: str, text: str, *, indent: str = "", bold: bool = False) -> Text:
    line = Text(indent)
    line.append(marker + " ", style=MARKER_STYLES[marker])
    line.append(text, style="bold" if bold else None)
    return line
