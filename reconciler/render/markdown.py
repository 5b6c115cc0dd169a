"""The Markdown rendering: a pull-request comment, an Actions step summary or a drift issue body.

User text (status names, external ids, file names, messages) reaches GitHub in two ways only:

- through :func:`escape_markdown`, which is safe in Markdown text, table cells and raw HTML alike;
- inside a fenced ``diff`` block, quoted by ``reconciler.quoting.quote`` so it is one line that
  never starts with a fence (a fence only closes at the start of a line).

The result stays under :data:`MAX_MARKDOWN_CHARS` (GitHub refuses comments over 65,536): whole
integration sections are dropped from the end and a note says how many and where the rest is.
"""

from __future__ import annotations

import re
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
# Longer user texts (ids, names, file names, messages) are shown cut, with their length.
MAX_TEXT_CHARS: Final = 1_000

_HTML: Final = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
# Only what GitHub would read as markup mid-line (user text never starts a line): code spans,
# emphasis, strikethrough, links and images (through `[`), table cells, math, and a backslash
# that could escape the next character. Numeric references render as the character and work the
# same in Markdown text, table cells and raw HTML (`<summary>`), where backslashes would show.
_SPECIALS: Final = frozenset("\\`*[]|~$")
_BREAKS: Final = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_ZWJ: Final = "\u200d"
# `@team` notifies, `#12` cross-references, `https://` and `www.` become links: a zero-width
# joiner after `@`/`#` (before a letter or digit) or inside `://` and `www.` defuses them.
_DEFUSE: Final = re.compile(r"(?<=[@#])(?=\w)|(?<=:/)(?=/)|(?i:(?<=\bwww))(?=\.)")


def escape_markdown(text: str) -> str:
    """``text`` displayed literally by GitHub, never as markup, a mention, a reference or a link.

    ``<``, ``>`` and ``&`` become entities and the few Markdown characters GitHub acts on
    mid-line (`` ` * [ ] | ~ $ \\``, and ``_`` at a word's edge) numeric references, so
    ``integrations/shop.yaml`` stays readable in a log; line breaks and other invisible
    characters are shown as ``\\n`` / ``\\uXXXX``.
    """
    text = _DEFUSE.sub(_ZWJ, text)
    out: list[str] = []
    for index, ch in enumerate(text):
        if ch in _HTML:
            out.append(_HTML[ch])
        elif ch in _SPECIALS or (ch == "_" and not _inside_word(text, index)):
            out.append(f"&#{ord(ch)};")
        elif ch in _BREAKS:
            out.append(_BREAKS[ch])
        elif not ch.isprintable() and ch != _ZWJ:
            code = ord(ch)
            out.append(f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
        else:
            out.append(ch)
    return "".join(out)


def _inside_word(text: str, index: int) -> bool:
    """An underscore between two letters or digits (``integration_id``) is never emphasis."""
    return 0 < index < len(text) - 1 and text[index - 1].isalnum() and text[index + 1].isalnum()


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
    unsafe = [p for p in plan.integrations if p.unsafe_reasons]
    groups: list[_Group] = [
        _Group(
            f"\n> [!CAUTION]\n> **{escape_markdown(unsafe_line(plan, mode))}**\n",
            [
                _Item(
                    p.integration_id, f"> - integration {p.integration_id}: {_user(str(reason))}\n"
                )
                for p in unsafe
                for reason in p.unsafe_reasons
            ],
            "",
        )
    ]
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
        # The longest the note can be: every integration left out.
        everything = {p.integration_id for p in plan.integrations}
        everything |= {f.integration_id for f in plan.failures}
        reserve = len(_truncation_note(everything, plan, mode, full_plan_hint, max_chars))
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
                    f"- {_user(failed_members(same))}: {_user(message)}\n",
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
    """Add items in order while they fit; after the first that does not, leave out the rest.

    Items are whole (a `<details>` section, a list entry), so no cut falls inside a code
    block or an element; the head is a few fixed lines, far below any budget.
    """
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
    from reconciler.render.markdown_policy import policy_block

    lines += policy_block(plan, _user, escape_markdown)
    return "\n".join(lines)


def _clip(text: str) -> str:
    """A user or server text of sane length: a 70,000-character id must not fill the comment."""
    if len(text) <= MAX_TEXT_CHARS:
        return text
    return f"{text[:MAX_TEXT_CHARS]}… ({len(text) - MAX_TEXT_CHARS:,} more characters)"


def _user(text: str) -> str:
    return escape_markdown(_clip(text))


def _label(integration_id: int, source: str) -> str:
    return f"integration {integration_id} (<code>{_user(source)}</code>)"


def _failure_item(failure: IntegrationFailure) -> str:
    label = _label(failure.integration_id, failure.source)
    return f"- {label}: {_user(failure.message)}\n"


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
        *(f"> - {_user(w)}" for w in item.warnings),
        "",
    ]
    return "\n".join(lines)


def _warning_block(warnings: Sequence[str]) -> list[str]:
    return ["> [!WARNING]", *(f"> - {_user(w)}" for w in warnings), ""]


def _cell(external_id: str | None) -> str:
    return f"*{UNMAPPED}*" if external_id is None else _user(external_id)


def _code(text: str) -> str:
    """User text for the diff block: one quoted line; an HTML comment opener is broken up so the
    workflow's hidden marker comment (``<!-- reconciler-plan -->``) stays unique to it."""
    return quote(_clip(text)).replace("<!--", "<" + _ZWJ + "!--")


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
