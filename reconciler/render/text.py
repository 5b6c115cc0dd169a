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
from reconciler.render.grouping import (
    ChangeGroup,
    by_account,
    failed_members,
    failures_by_message,
    group_identical,
    group_title,
    in_sync_phrase,
    member_list,
    selection_lines,
)

# More integrations in sync than this are shown as one line of ids instead of one line each.
IN_SYNC_LISTED: Final = 10
MARKER_STYLES: Final = {"+": "green", "~": "yellow", "-": "red", "=": "dim", "!": "bold red"}
ARROW: Final = " → "
_CHANGE_INDENT: Final = "    "
_DETAIL_INDENT: Final = "        "


def render_text(plan: Plan, *, writes_per_minute: float, mode: Mode = "plan") -> Text:
    """The whole plan (or drift report), ending with the summary; no trailing newline."""
    lines: list[Text] = []
    if mode == "drift":
        lines += [Text(DRIFT_LEGEND, style="dim"), Text()]
    for account, part in by_account(plan):
        if account:
            heading = f"Account {printable(account)}: {summary_line(part, mode)}"
            lines += [Text(heading, style="bold underline"), Text()]
        lines += _account_lines(part, mode)
        if account and lines[-1].plain:
            lines.append(Text())
    if plan.selection.is_targeted:
        lines += [Text(printable(s), style="dim") for s in selection_lines(plan.selection)]
    if lines and lines[-1].plain:
        lines.append(Text())
    lines.append(Text(summary_line(plan, mode), style="bold"))
    lines.append(Text(writes_line(plan, writes_per_minute, mode)))
    if not plan.is_safe:
        lines.append(Text(unsafe_line(plan, mode), style="bold red"))
    return Text("\n").join(lines)


def _account_lines(plan: Plan, mode: Mode) -> list[Text]:
    """Integrations in id order; identical change sets once, at their first member; a long run
    of in-sync integrations as one line."""
    changed = group_identical(p for p in plan.integrations if p.has_changes)
    groups = {g.first.integration_id: g for g in changed}
    grouped = {p.integration_id for g in groups.values() if g.is_group for p in g.members}
    in_sync = [p for p in plan.integrations if not p.has_changes]
    collapse = len(in_sync) > IN_SYNC_LISTED
    lines: list[Text] = []
    for item in plan.integrations:
        group = groups.get(item.integration_id)
        if item.has_changes and group is not None and group.is_group:
            lines += _group_lines(group, mode)
        elif item.integration_id in grouped:
            continue
        elif collapse and not item.has_changes:
            if item is in_sync[0]:
                text = f"{in_sync_phrase(len(in_sync), mode)}: {member_list(in_sync)}"
                lines.append(_line("=", text))
            lines += _warning_lines(item, prefix=f"integration {item.integration_id}: ")
        else:
            lines += integration_lines(item, mode)
    for message, failures in failures_by_message(plan.failures):
        if len(failures) == 1:
            lines.append(failure_line(failures[0]))
        else:
            what = "could not read live state" if failures[0].read_failed else "not planned"
            text = f"{failed_members(failures)}: {what}: {message}"
            lines.append(_line("!", printable(text)))
    return lines


def _group_lines(group: ChangeGroup, mode: Mode) -> list[Text]:
    lines = [_line("~", printable(group_title(group, mode)), bold=True)]
    lines.append(Text(f"{_CHANGE_INDENT}members: {printable(member_list(group.members))}"))
    lines += _warning_lines(group.first)
    lines += unmanaged_lines(group.first)
    for change in group.first.changes:
        lines += change_lines(change, group.first.origin_of(change))
    lines.append(Text())
    return lines


def integration_lines(item: IntegrationPlan, mode: Mode) -> list[Text]:
    """One integration: its summary line, its warnings, then its changes and a blank line."""
    label = integration_label(item.integration_id, item.source)
    phrase = integration_phrase(item, mode)
    if not item.has_changes:
        return [_line("=", f"{label}: {phrase}"), *_warning_lines(item)]
    lines = [_line("~", f"{label}: {phrase}", bold=True)]
    lines += _warning_lines(item)
    lines += unmanaged_lines(item)
    for change in item.changes:
        lines += change_lines(change, item.origin_of(change))
    lines.append(Text())  # a changed integration stands apart from the next one
    return lines


def change_lines(change: Change, origin: str | None = None) -> list[Text]:
    """``~ CANCEL: (unmapped) → "10"``, or ``~ status "2"`` and one line per language;
    ``origin`` (``from bases/nl.yaml:14``) when a base set it."""
    suffix = f"  ({printable(origin)})" if origin else ""
    if change.target == "mapping":
        text = f"{change.category.value}: {mapped(change.old)}{ARROW}{mapped(change.new)}"
        return [_line(change.marker, text + suffix, indent=_CHANGE_INDENT)]
    lines = [_line(change.marker, change.subject + suffix, indent=_CHANGE_INDENT)]
    for detail in change.details:
        values = [quote(value) for value in (detail.old, detail.new) if value is not None]
        text = f"{detail.language}: {ARROW.join(values)}"
        lines.append(_line(detail.marker, text, indent=_DETAIL_INDENT))
    return lines


def unmanaged_lines(item: IntegrationPlan) -> list[Text]:
    """Live statuses left alone (carried over unchanged into the statuses write)."""
    if not item.unmanaged:
        return []
    ids = ", ".join(quote(ext) for ext in item.unmanaged)
    return [_line("=", f"unmanaged, kept as they are: {ids}", indent=_CHANGE_INDENT)]


def failure_line(failure: IntegrationFailure) -> Text:
    """``! integration 7 (7.yaml): could not read live state: ...``."""
    label = integration_label(failure.integration_id, failure.source)
    what = "could not read live state" if failure.read_failed else "not planned"
    return _line("!", f"{label}: {what}: {printable(failure.message)}")


def _warning_lines(item: IntegrationPlan, *, prefix: str = "") -> list[Text]:
    return [
        Text.assemble(_CHANGE_INDENT, ("! " + prefix + printable(warning), "yellow"))
        for warning in item.warnings
    ]


def _line(marker: str, text: str, *, indent: str = "", bold: bool = False) -> Text:
    line = Text(indent)
    line.append(marker + " ", style=MARKER_STYLES[marker])
    line.append(text, style="bold" if bold else None)
    return line
