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
# Longer user texts (ids, names, file names, messages) are shown cut, with their length.
MAX_TEXT_CHARS: Final = 1_000
# The policy callout sits in the head (never cut): a fleet-wide violation must not fill it.
MAX_POLICY_LINES: Final = 30

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
    groups = [
        _Group(
            f"\n> [!CAUTION]\n> **{escape_markdown(unsafe_line(mode))}**\n",
            [
                _Item(
                    p.integration_id, f"> - integration {p.integration_id}: {_user(str(reason))}\n"
                )
                for p in unsafe
                for reason in p.unsafe_reasons
            ],
            "",
        ),
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
        # The longest the note can be: every integration left out.
        everything = {p.integration_id for p in plan.integrations}
        everything |= {f.integration_id for f in plan.failures}
        reserve = len(_truncation_note(everything, plan, mode, full_plan_hint, max_chars))
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
    lines += _policy_block(plan)
    return "\n".join(lines)


def _clip(text: str) -> str:
    """A user or server text of sane length: a 70,000-character id must not fill the comment."""
    if len(text) <= MAX_TEXT_CHARS:
        return text
    return f"{text[:MAX_TEXT_CHARS]}… ({len(text) - MAX_TEXT_CHARS:,} more characters)"


def _user(text: str) -> str:
    return escape_markdown(_clip(text))


def _policy_block(plan: Plan) -> list[str]:
    """The policy violations, errors first; in the head, so truncation never hides them."""
    if not plan.policy:
        return []
    errors = [v for v in plan.policy if v.severity == "error"]
    kind = "CAUTION" if errors else "WARNING"
    warnings = len(plan.policy) - len(errors)
    counts = f"{plural(len(errors), 'error')}, {plural(warnings, 'warning')}"
    lines = [f"> [!{kind}]", f"> **Policy: {counts}**"]
    ordered = sorted(plan.policy, key=lambda v: (v.severity != "error", v))
    for v in ordered[:MAX_POLICY_LINES]:
        why = f"; {v.message}" if v.message else ""
        lines.append(
            f"> - {v.severity}: <code>{escape_markdown(f'{v.path}:{v.line}')}</code> "
            f"{_user(v.detail + why)} (rule {escape_markdown(v.rule)} at "
            f"<code>{escape_markdown(v.rule_origin)}</code>)"
        )
    if len(ordered) > MAX_POLICY_LINES:
        lines.append(f"> - … and {len(ordered) - MAX_POLICY_LINES} more (all in the JSON plan)")
    return [*lines, ""]


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
