"""What an apply interrupted by Ctrl-C says before it exits 130: which writes reached Sendcloud
(per integration, from what apply itself knows: each write is noted as it is sent and as
Sendcloud answers it), whether running the same command again finishes the job, and where the
journal is."""

from __future__ import annotations

import shlex
from pathlib import Path

import click

from reconciler.apply import WriteLedger
from reconciler.console import one_line
from reconciler.plan import IntegrationPlan, Plan


def report_interrupted(
    plan: Plan, ledger: WriteLedger, *, journal_path: Path | None, saved_plan: bool
) -> None:
    """Print (stderr) what the interrupted apply of ``plan`` wrote, and what to do next.

    ``saved_plan``: the run applied a saved plan (``--plan FILE``), whose rerun refuses an
    integration stopped between two of its writes as stale instead of finishing it.
    """
    landed = sum(ledger.accepted.values())
    click.echo(
        f"Interrupted (Ctrl-C): apply stopped before it finished; {landed} "
        f"write{'s' if landed != 1 else ''} reached Sendcloud. Per integration:",
        err=True,
    )
    partway: list[IntegrationPlan] = []
    for item in plan.integrations:
        if not item.writes:
            continue
        line, stopped_partway = _integration_line(item, ledger)
        click.echo(one_line(f"  {line}"), err=True)
        if stopped_partway:
            partway.append(item)
    if saved_plan and partway:
        ids = ", ".join(str(item.integration_id) for item in partway)
        click.echo(
            "Running the same command again applies what was not written yet, but refuses "
            f"integration {ids} as stale (stopped between its writes, its live state is no "
            "longer the plan's): plan again, review and apply that plan to finish it.",
            err=True,
        )
    else:
        click.echo(
            "Run the same command again to finish: it "
            + (
                "applies what was not written yet and finds the rest already done"
                if saved_plan
                else "plans from the live state as it is now, so it converges"
            )
            + ".",
            err=True,
        )
    if journal_path is not None:
        shown = shlex.join(["reconciler", "journal", "show", str(journal_path)])
        click.echo(
            one_line(f"Every write sent is in the journal {journal_path}: {shown}"), err=True
        )


def _integration_line(item: IntegrationPlan, ledger: WriteLedger) -> tuple[str, bool]:
    """The line for one integration, and whether it stopped between two of its writes."""
    name = f"integration {item.integration_id} ({item.source})"
    total = len(item.writes)
    accepted = ledger.accepted.get(item.integration_id, 0)
    landed = f"{accepted} of {total} write{'s' if total != 1 else ''} landed"
    result = ledger.finished.get(item.integration_id)
    if result is not None:
        said = f"{name}: {result.outcome.value}"
        return (f"{said}, {landed}" + (f": {result.message}" if result.message else ""), False)
    in_flight = ledger.in_flight.get(item.integration_id)
    if in_flight is not None:
        number, purpose = in_flight
        return (
            f"{name}: stopped, {landed}; write {number} ({purpose}) was sent and may or may "
            "not have landed",
            True,
        )
    if accepted:
        return f"{name}: stopped, {landed}", True
    return f"{name}: stopped before its first write, nothing written", False
