"""The Markdown rendering: a pull-request comment, an Actions step summary or a drift issue body.

User text (status names, external ids, file names, messages) reaches GitHub in two ways only:

- through :func:`escape_markdown`, which is safe in Markdown text, table cells and raw HTML alike;
- inside a fenced ``diff`` block, quoted by ``reconciler.quoting.quote`` so it is one line that
  never starts with a fence (a fence only closes at the start of a line).

The result stays under :data:`MAX_MARKDOWN_CHARS` (GitHub refuses comments over 65,536): whole
integration sections are dropped from the end and a note says how many and where the rest is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Final

from reconciler.changes import Change
from reconciler.plan import IntegrationFailure, IntegrationPlan, Plan
from reconciler.quoting import quote
from reconciler.render.common import (
    DRIFT_LEGEND,
    UNMAPPED,
    Mode,
    integration_phrase,
    plural,
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

MAX_MARKDOWN_CHARS: Final = 60_000
# More integrations in sync than this are listed as one collapsed line of ids.
IN_SYNC_LISTED: Final = 10
# Room kept for the truncation note, whatever the counts and the hint.
_NOTE_RESERVE: Final = 400

_HTML: Final = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}
# Characters that can start or end Markdown (or GitHub's extensions: tables, strikethrough,
# math, autolinks) become numeric character references, which render as the character but are
# never markup, and which work the same in Markdown text, table cells and raw HTML.
_SPECIALS: Final = frozenset("\\`*_{}[]()#+-.!|~^$:=")
_NAMED_ESCAPES: Final = {"\n": "&#92;n", "\r": "&#92;r", "\t": "&#92;t"}
_ZWJ: Final = "\u200d"


def escape_markdown(text: str) -> str:
    """``text`` displayed literally by GitHub, never as markup, a mention or a reference.

    HTML-significant characters become entities; Markdown punctuation becomes numeric references
    (``|`` cannot split a table cell, a backtick cannot open code, ``<!-- -->`` cannot hide text);
    ``@team`` and ``#12`` get a zero-width joiner so they neither notify nor cross-reference;
    line breaks and other invisible characters are shown as ``\\n`` / ``\\uXXXX``.
    """
    out: list[str] = []
    for ch in text:
        if ch in _HTML:
            out.append(_HTML[ch])
        elif ch == "@":
            out.append("@" + _ZWJ)
        elif ch == "#":
            out.append("&#35;" + _ZWJ)
        elif ch in _SPECIALS:
            out.append(f"&#{ord(ch)};")
        elif ch in _NAMED_ESCAPES:
            out.append(_NAMED_ESCAPES[ch])
        elif not ch.isprintable():
            code = ord(ch)
            out.append(f"&#92;u{code:04x}" if code <= 0xFFFF else f"&#92;U{code:08x}")
        else:
            out.append(ch)
    return "".join(out)


def render_markdown(
    plan: Plan,
    *,
    writes_per_minute: float,
    mode: Mode = "plan",
    full_plan_hint: str | None = None,
    max_chars: int = MAX_MARKDOWN_CHARS,
) -> str:
    """Heading, summary, then one collapsible section per changed integration; ends with a newline.

    ``full_plan_hint`` says where the untruncated plan is ("the job log", an artifact name) for
    the note written when sections had to be left out to stay under ``max_chars``.
    """
    head = _head(plan, writes_per_minute, mode)
    groups: list[_Group] = []
    for account, part in by_account(plan):
        heading = ""
        if account:
            summary = escape_markdown(summary_line(part, mode))
            heading = f"\n### Account {escape_markdown(account)}\n\n{summary}\n"
        groups += _with_heading(heading, _account_groups(part, mode))
    if plan.selection.is_targeted:
        lines = [f"- {escape_markdown(line)}\n" for line in selection_lines(plan.selection)]
        groups.append(_Group("\n**Selection:**\n\n", [_Item(0, "".join(lines), ())], ""))
    body, left_out = _fit(head, groups, max_chars)
    if left_out:
        reserve = _NOTE_RESERVE + len(escape_markdown(full_plan_hint or ""))
        body, left_out = _fit(head, groups, max_chars - reserve)
        body += _truncation_note(left_out, plan, mode, full_plan_hint, max_chars)
    return body


def _account_groups(plan: Plan, mode: Mode) -> list[_Group]:
    """Failures, changed integrations (identical change sets once), warnings, in sync."""
    changed = group_identical(p for p in plan.integrations if p.changes)
    in_sync = [p for p in plan.integrations if not p.changes]
    if len(in_sync) > IN_SYNC_LISTED:
        ids = tuple(p.integration_id for p in in_sync)
        summary = escape_markdown(in_sync_phrase(len(in_sync), mode))
        members = escape_markdown(member_list(in_sync))
        listing = [
            _Item(ids[0], f"<details><summary>{summary}</summary>\n\n{members}\n</details>", ids)
        ]
    else:
        listing = [_Item(p.integration_id, _label(p.integration_id, p.source)) for p in in_sync]
    return [
        _Group(
            "\n**Could not read live state:**\n\n",
            [
                _Item(same[0].integration_id, _failure_item(same[0]))
                if len(same) == 1
                else _Item(
                    same[0].integration_id,
                    f"- {escape_markdown(failed_members(same))}: {escape_markdown(message)}\n",
                    tuple(f.integration_id for f in same),
                )
                for message, same in failures_by_message(plan.failures)
            ],
            "",
        ),
        _Group(
            "\n",
            [
                _Item(
                    g.first.integration_id,
                    _group_section(g, mode),
                    tuple(p.integration_id for p in g.members),
                )
                if g.is_group
                else _Item(g.first.integration_id, _section(g.first, mode))
                for g in changed
            ],
            "",
        ),
        _Group(
            "\n",
            [_Item(p.integration_id, _in_sync_warnings(p, mode)) for p in in_sync if p.warnings],
            "",
        ),
        _Group(
            f"\n**{'In sync' if mode == 'plan' else 'Matching git'}:** ",
            listing,
            "\n",
            separator=", ",
        ),
    ]


def _with_heading(heading: str, groups: list[_Group]) -> list[_Group]:
    """The account's heading goes before the first of its groups that has anything to show."""
    for index, group in enumerate(groups):
        if group.items:
            groups[index] = replace(group, opening=heading + group.opening)
            break
    return groups


def _group_section(group: ChangeGroup, mode: Mode) -> str:
    """Identical changes shown once, open; the members listed collapsed."""
    members = escape_markdown(member_list(group.members))
    section = _section(group.first, mode)
    # The single section's body (between its summary and </details>) is the group's body.
    body = section.split("</summary>\n", 1)[1].rsplit("</details>", 1)[0]
    return (
        f"**{escape_markdown(group_title(group, mode))}**\n\n"
        f"<details><summary>Members ({len(group.members)})</summary>\n\n{members}\n</details>\n"
        f"{body}\n"
    )


@dataclass(frozen=True)
class _Item:
    integration_id: int
    text: str
    # The integrations this item shows (a group shows many; the selection note none).
    members: tuple[int, ...] | None = None

    @property
    def shows(self) -> tuple[int, ...]:
        return (self.integration_id,) if self.members is None else self.members


@dataclass(frozen=True)
class _Group:
    opening: str
    items: list[_Item]
    closing: str
    separator: str = field(default="")


def _fit(head: str, groups: Sequence[_Group], budget: int) -> tuple[str, set[int]]:
    """Add items in order while they fit; after the first that does not, leave out the rest."""
    parts = [head]
    used = len(head)
    left_out: set[int] = set()
    for group in groups:
        shown: list[str] = []
        for item in group.items:
            cost = len(item.text) + (len(group.separator) if shown else 0)
            if not shown:
                cost += len(group.opening) + len(group.closing)
            if left_out or used + cost > budget:
                left_out.update(item.shows)
                continue
            shown.append(item.text)
            used += cost
        if shown:
            parts += [group.opening, group.separator.join(shown), group.closing]
    return "".join(parts), left_out


def _head(plan: Plan, writes_per_minute: float, mode: Mode) -> str:
    title = "Reconciler plan" if mode == "plan" else "Drift report"
    lines = [f"## {title}", "", f"**{summary_line(plan, mode)}**", ""]
    lines += [writes_line(plan, writes_per_minute, mode), ""]
    if mode == "drift":
        lines += [f"*{escape_markdown(DRIFT_LEGEND)}*", ""]
    unsafe = [p for p in plan.integrations if p.unsafe_reasons]
    if unsafe:
        lines += ["> [!CAUTION]", f"> **{escape_markdown(unsafe_line(mode))}**"]
        lines += [
            f"> - integration {p.integration_id}: {escape_markdown(str(reason))}"
            for p in unsafe
            for reason in p.unsafe_reasons
        ]
        lines.append("")
    return "\n".join(lines)


def _label(integration_id: int, source: str) -> str:
    return f"integration {integration_id} (<code>{escape_markdown(source)}</code>)"


def _failure_item(failure: IntegrationFailure) -> str:
    label = _label(failure.integration_id, failure.source)
    return f"- {label}: {escape_markdown(failure.message)}\n"


def _section(item: IntegrationPlan, mode: Mode) -> str:
    phrase = escape_markdown(integration_phrase(item, mode))
    lines = [
        "<details>",
        f"<summary>{_label(item.integration_id, item.source)}: {phrase}</summary>",
        "",
    ]
    if item.warnings:
        lines += _warning_block(item.warnings)
    if item.unmanaged:
        kept = ", ".join(f"`{escape_markdown(ext)}`" for ext in item.unmanaged)
        lines += [f"Unmanaged, kept as they are: {kept}", ""]
    diff_lines = [
        line for change in item.changes for line in _diff_lines(change, item.origin_of(change))
    ]
    if diff_lines:
        lines += ["```diff", *diff_lines, "```", ""]
    rows = [
        f"| {c.category.value} | {_cell(c.old)} | {_cell(c.new)}{_from(item.origin_of(c))} |"
        for c in item.changes
        if c.target == "mapping"
    ]
    if rows:
        before, after = ("Before", "After") if mode == "plan" else ("Live", "Git")
        lines += [f"| Category | {before} | {after} |", "| --- | --- | --- |", *rows, ""]
    lines += ["</details>", "", ""]
    return "\n".join(lines)


def _in_sync_warnings(item: IntegrationPlan, mode: Mode) -> str:
    state = "in sync" if mode == "plan" else "matches git"
    lines = [
        "> [!WARNING]",
        f"> {_label(item.integration_id, item.source)} is {state}, but:",
        *(f"> - {escape_markdown(w)}" for w in item.warnings),
        "",
    ]
    return "\n".join(lines)


def _warning_block(warnings: Sequence[str]) -> list[str]:
    return ["> [!WARNING]", *(f"> - {escape_markdown(w)}" for w in warnings), ""]


def _cell(external_id: str | None) -> str:
    return f"*{UNMAPPED}*" if external_id is None else escape_markdown(external_id)


def _code(text: str) -> str:
    """User text for the diff block: one quoted line; an HTML comment opener is broken up so the
    workflow's hidden marker comment (``<!-- reconciler-plan -->``) stays unique to it."""
    return quote(text).replace("<!--", "<" + _ZWJ + "!--")


def _from(origin: str | None) -> str:
    """`` (from `bases/nl.yaml:14`)``: a code span, so dots and colons need no escaping."""
    if not origin:
        return ""
    verb, _, where = origin.partition(" ")
    safe = "".join("_" if ch in "`|<>" or not ch.isprintable() else ch for ch in where)
    return f" ({escape_markdown(verb)} `{safe}`)"


def _diff_lines(change: Change, origin: str | None = None) -> list[str]:
    """A status change as diff lines (GitHub colours ``+`` and ``-``), each exactly one line; a
    mapping change has none (it goes in the table). ``origin`` (``from bases/nl.yaml:14``)
    follows the status line when a base set the value."""
    if change.target == "mapping":
        return []
    suffix = f"  ({_code(origin)[1:-1]})" if origin else ""
    lines = [f"{change.marker} status {_code(change.external_id)}{suffix}"]
    for detail in change.details:
        if detail.old is not None:
            lines.append(f"-   {detail.language}: {_code(detail.old)}")
        if detail.new is not None:
            lines.append(f"+   {detail.language}: {_code(detail.new)}")
    return lines


def _truncation_note(
    left_out: set[int], plan: Plan, mode: Mode, hint: str | None, max_chars: int
) -> str:
    total = len(plan.integrations) + len(plan.failures)
    where = (
        f"The full {'plan' if mode == 'plan' else 'report'} is in {escape_markdown(hint)}."
        if hint
        else f"Run `reconciler {mode}` for the full {'plan' if mode == 'plan' else 'report'}."
    )
    return (
        "\n> [!NOTE]\n"
        f"> **Truncated:** {plural(len(left_out), 'integration')} of {total} "
        f"{'is' if len(left_out) == 1 else 'are'} not shown here, to stay under "
        f"{max_chars:,} characters. {where}\n"
    )
