from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import click

from reconciler.plan import Plan
from reconciler.report import (
    Format,
    emit,
    finish,
    load_or_report,
    plan_and_report,
    render,
    report_plan_problems,
)
from reconciler.sendcloud.options import GlobalOptions

EXIT_OK, EXIT_ERROR, EXIT_CHANGES = 0, 1, 2


def run(
    paths: Sequence[str],
    options: GlobalOptions,
    *,
    fmt: Format = "text",
    out: Path | None = None,
    detailed_exitcode: bool = False,
    live: Path | None = None,
) -> int:
    if live is None:
        outcome = plan_and_report(paths, options, fmt, "plan")
    else:
        outcome = _plan_offline(paths, options, fmt, live)
    if outcome is None:
        return finish(None, options, "plan", EXIT_ERROR, has_changes=False)
    plan, failed = outcome
    if failed:
        # No saved plan from a partial read: applying it would skip integrations silently.
        code = EXIT_ERROR
    elif detailed_exitcode and plan.has_changes:
        code = EXIT_CHANGES
    else:
        code = EXIT_OK
    if out is not None and code != EXIT_ERROR:
        from reconciler.planfile import write_plan_file

        write_plan_file(out, plan, writes_per_minute=options.writes_per_minute)
    return finish(plan, options, "plan", code, has_changes=plan.has_changes)


def _plan_offline(
    paths: Sequence[str], options: GlobalOptions, fmt: Format, live_file: Path
) -> tuple[Plan, bool] | None:
    """Plan against a snapshot instead of the API: no request, no credentials.

    The report starts with when the snapshot was taken and how old it is (Markdown: a quote
    line above the plan; text: a line on stderr; JSON: unchanged, the document has no room).
    """
    from reconciler.errors import ReconcilerError, SnapshotError
    from reconciler.model import LiveState
    from reconciler.planner import plan_from_lives
    from reconciler.snapshot import describe_age, read_snapshot

    files = load_or_report(paths)
    if files is None:
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
    plan, problems = plan_from_lives(files, lives)
    note = (
        f"Planned offline against the live-state snapshot taken {taken} "
        f"({describe_age(snapshot.taken_at, datetime.now(UTC))}); apply re-reads the live state "
        "and refuses any integration that changed since."
    )
    if fmt == "markdown":
        text = render(plan, fmt, options, "plan") or ""
        click.echo(f"> {note}\n\n{text}", nl=not text.endswith("\n"))
    else:
        if fmt == "text":
            click.echo(note, err=True)
        emit(plan, fmt, options, "plan")
    report_plan_problems(plan, problems)
    return plan, bool(problems or plan.failures)
