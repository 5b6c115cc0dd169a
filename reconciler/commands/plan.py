"""``reconciler plan``: show what apply would change in Sendcloud (reads only)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import click

from reconciler.errors import ExitCode
from reconciler.fleet import Targeting
from reconciler.plan import Plan
from reconciler.report import (
    Format,
    emit,
    finish,
    known_changes,
    load_fleet_or_report,
    plan_and_report,
    policy_or_report,
    render,
    report_plan_problems,
)
from reconciler.sendcloud.options import GlobalOptions


def plan(
    paths: Sequence[str],
    options: GlobalOptions,
    *,
    fmt: Format = "text",
    out: Path | None = None,
    detailed_exitcode: bool = False,
    live: Path | None = None,
    targeting: Targeting | None = None,
) -> ExitCode:
    """Print the plan for the files under ``paths``; save it to ``out`` when given.

    With ``live`` (a snapshot file) the live state comes from it, offline, instead of the API.
    Returns ``ERROR`` when a file is invalid, breaks a policy of severity error, or a live state
    could not be read (no plan file is written then), ``CHANGES`` with ``detailed_exitcode``
    and changes pending, else ``OK``.
    ``targeting`` narrows the files (``--only``, ``--exclude``, ``--changed-since``).
    """
    from reconciler.sendcloud.connect import target

    if live is None:
        outcome = plan_and_report(paths, options, fmt, "plan", targeting)
        api_url = target(options, os.environ)
    else:
        offline = _plan_offline(paths, options, fmt, live, targeting or Targeting())
        outcome, api_url = (offline[:2], offline[2]) if offline else (None, "")
    if outcome is None:
        return finish(None, options, "plan", ExitCode.ERROR, has_changes=None)
    computed, failed = outcome
    blocked = any(v.severity == "error" for v in computed.policy)
    if failed or blocked:
        # No saved plan from a partial read (applying it would skip integrations silently), nor
        # from files that break an error-severity policy (apply refuses those).
        code = ExitCode.ERROR
    elif detailed_exitcode and computed.has_changes:
        code = ExitCode.CHANGES
    else:
        code = ExitCode.OK
    if out is not None and code != ExitCode.ERROR:
        from reconciler.planfile import write_plan_file

        write_plan_file(out, computed, writes_per_minute=options.writes_per_minute, api_url=api_url)
    return finish(computed, options, "plan", code, has_changes=known_changes(computed, failed))


def _plan_offline(
    paths: Sequence[str],
    options: GlobalOptions,
    fmt: Format,
    live_file: Path,
    targeting: Targeting,
) -> tuple[Plan, bool, str] | None:
    """Plan against a snapshot instead of the API: no request, no credentials.

    Returns the plan, whether anything failed, and the API the snapshot was read from (which
    the saved plan records, so that apply goes to that API only).

    The report starts with when the snapshot was taken and how old it is (Markdown: a quote
    line above the plan; text: a line on stderr; JSON: unchanged, the document has no room).
    """
    from reconciler.errors import Problem, ReconcilerError, SnapshotError
    from reconciler.model import LiveState
    from reconciler.plan import IntegrationFailure, IntegrationPlan
    from reconciler.planner import plan_from_lives
    from reconciler.snapshot import describe_age, read_snapshot

    fleet = load_fleet_or_report(paths, targeting)
    if fleet is None:
        return None
    files = fleet.files
    violations = policy_or_report(fleet.project, files)  # the same rules as a plan against the API
    if violations is None:
        return None
    snapshot = read_snapshot(live_file)
    taken = snapshot.taken_at.strftime("%Y-%m-%d %H:%M UTC")
    lives: dict[int, LiveState | ReconcilerError] = {}
    for desired in files:
        integration_id = desired.state.integration_id
        lives[integration_id] = snapshot.lives.get(integration_id) or SnapshotError(
            f"not in the live-state snapshot {live_file} (taken {taken}); a snapshot holds the "
            "integrations managed on the default branch: take one that includes it "
            f"(`reconciler snapshot --id {integration_id}`) and plan again"
        )
    integrations: list[IntegrationPlan] = []
    failures: list[IntegrationFailure] = []
    problems: list[Problem] = []
    for account in sorted({fleet.account_of(f) for f in files}):
        part, found = plan_from_lives(
            [f for f in files if fleet.account_of(f) == account], lives, account=account
        )
        integrations += part.integrations
        failures += part.failures
        problems += found
    computed = Plan(tuple(integrations), tuple(failures), fleet.selection, policy=tuple(violations))
    note = (
        f"Planned offline against the live-state snapshot taken {taken} "
        f"({describe_age(snapshot.taken_at, datetime.now(UTC))}); apply re-reads the live state "
        "and refuses any integration that changed since."
    )
    if fmt == "markdown":
        text = render(computed, fmt, options, "plan") or ""
        click.echo(f"> {note}\n\n{text}", nl=not text.endswith("\n"))
    else:
        if fmt == "text":
            click.echo(note, err=True)
        emit(computed, fmt, options, "plan")
    report_plan_problems(computed, problems, fmt)
    return computed, bool(problems or computed.failures), snapshot.api_url
