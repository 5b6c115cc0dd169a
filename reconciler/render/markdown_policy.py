"""The policy callout of the Markdown report (`reconciler.render.markdown`): in the head.

Its escaping functions are passed in, so this module imports nothing of the report's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from reconciler.plan import Plan
from reconciler.render.common import plural

# The policy callout sits in the head (never cut): a fleet-wide violation must not fill it.
MAX_POLICY_LINES: Final = 30


def policy_block(
    plan: Plan, user: Callable[[str], str], escape_markdown: Callable[[str], str]
) -> list[str]:
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
            f"{user(v.detail + v.subject + why)} (rule {escape_markdown(v.rule)} at "
            f"<code>{escape_markdown(v.rule_origin)}</code>)"
        )
    if len(ordered) > MAX_POLICY_LINES:
        lines.append(f"> - … and {len(ordered) - MAX_POLICY_LINES} more (all in the JSON plan)")
    return [*lines, ""]
