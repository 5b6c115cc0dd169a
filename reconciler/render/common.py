"""Wording every rendering shares: summary lines, counts, durations (user text is quoted by
``reconciler.quoting``).

The text, Markdown and JSON renderings all take their sentences from here, so the three always
say the same thing about the same plan.
"""

from __future__ import annotations

import math
from typing import Final, Literal

from reconciler.changes import Counts
from reconciler.plan import IntegrationPlan, Plan
from reconciler.quoting import printable, quote

Mode = Literal["plan", "drift"]

UNMAPPED: Final = "(unmapped)"
DRIFT_LEGEND: Final = (
    'Drift is read as "live → git": + in git but missing live, '
    "~ changed live, - live but not in git."
)


def mapped(external_id: str | None) -> str:
    """A mapping value for display: the quoted external id, or ``(unmapped)``."""
    return UNMAPPED if external_id is None else quote(external_id)


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``1 status``, ``2 statuses``: the count with the noun in the right number."""
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{count} {word}"


def counts_phrase(counts: Counts, mode: Mode) -> str:
    """``2 statuses to create, 1 to delete, 1 mapping change``; zero counts are left out."""
    verbs = ("to create", "to update", "to delete")
    if mode == "drift":
        verbs = ("missing live", "changed live", "not in git")
    parts: list[str] = []
    for count, verb in zip((counts.creates, counts.updates, counts.deletes), verbs, strict=True):
        if count:
            # Only the first status count names its noun: "2 statuses to create, 1 to update".
            noun = plural(count, "status", "statuses") if not parts else str(count)
            parts.append(f"{noun} {verb}")
    if counts.mapping_changes:
        noun = "mapping change" if mode == "plan" else "mapping difference"
        parts.append(plural(counts.mapping_changes, noun))
    return ", ".join(parts)


def summary_line(plan: Plan, mode: Mode) -> str:
    """``Plan: 2 statuses to create, 1 mapping change across 3 integrations (1 unchanged).``"""
    summary = plan.summary()
    total = summary.changed + summary.unchanged + summary.failed
    phrase = counts_phrase(summary.counts, mode)
    if mode == "drift":
        failed = f"; {summary.failed} could not be read" if summary.failed else ""
        if total == 0:
            return "Drift: no integrations to compare."
        if not summary.changed:
            # As for plan: "no differences" alone would read as "in sync" when some went unread.
            nothing = (
                "incomplete, no differences in what could be read"
                if failed
                else ("no differences from git")
            )
            return f"Drift: {nothing} across {plural(total, 'integration')}{failed}."
        verb = "differs" if summary.changed == 1 else "differ"
        return (
            f"Drift: {summary.changed} of {plural(total, 'integration')} {verb} from git "
            f"({phrase}){failed}."
        )
    if total == 0:
        return "Plan: no integrations."
    aside = f"{summary.unchanged} unchanged" + (
        f", {summary.failed} failed" if summary.failed else ""
    )
    if not phrase and summary.failed:
        # "no changes" alone would read as "nothing to do" when some integrations went unread.
        phrase = "incomplete, no changes in what could be read,"
    return f"Plan: {phrase or 'no changes'} across {plural(total, 'integration')} ({aside})."


def writes_line(plan: Plan, writes_per_minute: float, mode: Mode) -> str:
    """How many API writes the apply makes and how long they take at the write limit."""
    summary = plan.summary()
    subject = "Apply will make" if mode == "plan" else "Reconciling would make"
    if summary.writes == 0:
        return f"{subject} no API writes."
    writes = plural(summary.writes, "API write")
    if summary.writes == 1:
        return f"{subject} {writes}."
    duration = format_duration(summary.write_seconds(writes_per_minute))
    pace = f"{writes_per_minute:g} writes per minute"
    return f"{subject} {writes}, taking about {duration} at {pace}."


def unsafe_line(plan: Plan, mode: Mode) -> str:
    """The closing warning of a plan or drift report with an unsafe integration.

    It names --force only where --force would change the outcome: not for reasons --force does
    not override, and not as advice when apply was already given it (``plan.forced``).
    """
    # Per integration, as apply judges: one reason --force does not override refuses it all.
    verdicts = [all(r.forceable for r in p.unsafe_reasons) for p in plan.integrations
                if p.unsafe_reasons]  # fmt: skip
    forceable, refused = any(verdicts), not all(verdicts)
    if plan.forced and forceable:
        rest = "; it refuses the rest even with --force" if refused else ""
        return f"Unsafe: --force was given, so apply goes ahead despite the warnings{rest}."
    subject = (
        "apply would refuse to reconcile this" if mode == "drift" else "apply refuses this plan"
    )
    if not forceable:
        return f"Unsafe: {subject} even with --force (see the warnings)."
    rest = ", and some of it even with --force" if refused else ""
    return f"Unsafe: {subject} without --force{rest} (see the warnings)."


def format_duration(seconds: float) -> str:
    """``45 s``, ``2 min 24 s``, ``1 h 5 min``: rounded up to whole seconds."""
    total = math.ceil(seconds)
    if total < 60:
        return f"{total} s"
    minutes, secs = divmod(total, 60)
    if minutes < 60:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def integration_label(integration_id: int, source: str) -> str:
    """``integration 7 (integrations/7.yaml)``, the file name made printable."""
    return f"integration {integration_id} ({printable(source)})"


def integration_phrase(item: IntegrationPlan, mode: Mode) -> str:
    """The per-integration summary: ``1 status to create, 1 mapping change; 2 API writes``."""
    if not item.has_changes:
        return "in sync" if mode == "plan" else "matches git"
    phrase = counts_phrase(Counts.of(item.changes), mode)
    if mode == "plan":
        phrase += f"; {plural(len(item.writes), 'API write')}"
    return phrase
