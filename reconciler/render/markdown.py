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
from dataclasses import dataclass, field
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

MAX_MARKDOWN_CHARS: Final = 60_000
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
    groups = [
        _Group(
            "\n**Could not read live state:**\n\n",
            [_Item(f.integration_id, _failure_item(f)) for f in plan.failures],
            "",
        ),
        _Group(
            "\n",
            [_Item(p.integration_id, _section(p, mode)) for p in plan.integrations if p.changes],
            "",
        ),
        _Group(
            "\n",
            [
                _Item(p.integration_id, _in_sync_warnings(p, mode))
                for p in plan.integrations
                if not p.changes and p.warnings
            ],
            "",
        ),
        _Group(
            f"\n**{'In sync' if mode == 'plan' else 'Matching git'}:** ",
            [
                _Item(p.integration_id, _label(p.integration_id, p.source))
                for p in plan.integrations
                if not p.changes
            ],
            "\n",
            separator=", ",
        ),
    ]
    body, left_out = _fit(head, groups, max_chars)
    if left_out:
        reserve = _NOTE_RESERVE + len(escape_markdown(full_plan_hint or ""))
        body, left_out = _fit(head, groups, max_chars - reserve)
        body += _truncation_note(left_out, plan, mode, full_plan_hint, max_chars)
    return body


@dataclass(frozen=True)
class _Item:
    integration_id: int
    text: str


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
                left_out.add(item.integration_id)
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
    diff_lines = [line for change in item.changes for line in _diff_lines(change)]
    if diff_lines:
        lines += ["```diff", *diff_lines, "```", ""]
    rows = [
        f"| {c.category.value} | {_cell(c.old)} | {_cell(c.new)} |"
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


def _diff_lines(change: Change) -> list[str]:
    """A status change as diff lines (GitHub colours ``+`` and ``-``), each exactly one line; a
    mapping change has none (it goes in the table)."""
    if change.target == "mapping":
        return []
    lines = [f"{change.marker} status {_code(change.external_id)}"]
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
