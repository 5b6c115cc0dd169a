"""``reconciler restore --journal FILE``: the plan (or the file edits) back to before an apply.

Reads the journal, reads each integration's live state, and either prints an ordinary plan
(saved with ``--out`` for ``apply --plan``) or, with ``--to-files``, rewrites the desired-state
files under PATHS to the restored state, keeping comments as ``adopt`` does, so the restore goes
through review like any change.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import click

from reconciler.errors import ExitCode, ReconcilerError
from reconciler.history import read_journal
from reconciler.model import LiveState
from reconciler.plan import Plan
from reconciler.report import Format, emit, finish, load_or_report, report_plan_problems, run_async
from reconciler.restore import RestoreTarget, choose_run, restore_plan, restore_targets
from reconciler.sendcloud.options import GlobalOptions


def restore(
    journal: Path,
    options: GlobalOptions,
    *,
    apply_id: str | None = None,
    only: Sequence[int] = (),
    fmt: Format = "text",
    out: Path | None = None,
    force: bool = False,
    to_files: Sequence[str] | None = None,
) -> ExitCode:
    """Plan the restore of the apply ``apply_id`` (default: the journal's last) and print it.

    ``ERROR`` when an integration was refused (changed since, or unreadable; no plan file is
    written then) or a file could not be rewritten; ``OK`` otherwise. Raises `ReconcilerError`
    for a journal that cannot be read or an unknown apply id or integration.
    """
    run = choose_run(read_journal(journal), apply_id)
    targets = restore_targets(run, only)
    source = f"{journal} apply {(run.apply_id or 'without id')[:12]}"
    lives = run_async(_read(options, [t.integration_id for t in targets]))
    plan = restore_plan(source, targets, lives, force=force)
    if to_files is not None:
        return _to_files(to_files, plan, targets)
    emit(plan, fmt, options, "plan")
    report_plan_problems(plan, [], fmt)
    code = ExitCode.ERROR if plan.failures else ExitCode.OK
    if out is not None and not plan.failures:
        from reconciler.planfile import write_plan_file
        from reconciler.sendcloud.connect import target

        api_url = target(options, os.environ)
        write_plan_file(out, plan, writes_per_minute=options.writes_per_minute, api_url=api_url)
        click.echo(f"Restore plan saved to {out}; apply it with: reconciler apply --plan {out}")
    elif out is not None:
        click.echo(f"Error: no restore plan saved to {out}: {_refused(plan)}", err=True)
    return finish(plan, options, "plan", code, has_changes=plan.has_changes)


def _refused(plan: Plan) -> str:
    ids = ", ".join(str(f.integration_id) for f in plan.failures)
    return f"integration {ids} refused; see above"


async def _read(
    options: GlobalOptions, ids: Sequence[int]
) -> dict[int, LiveState | ReconcilerError]:
    from reconciler.sendcloud.connect import open_client
    from reconciler.sendcloud.live import read_many

    async with open_client(options, os.environ) as client:
        return await read_many(client, ids)


def _to_files(paths: Sequence[str], plan: Plan, targets: Sequence[RestoreTarget]) -> ExitCode:
    """Rewrite each restorable integration's file to its state before the apply."""
    from reconciler.commands.adopt import write_live_state

    report_plan_problems(plan, [], "json")  # nothing rendered: each refusal goes to stderr
    files = load_or_report(paths)
    if files is None:
        return ExitCode.ERROR
    by_id = {f.state.integration_id: f for f in files}
    restorable = {item.integration_id for item in plan.integrations}
    failed = len(plan.failures)
    rewritten = 0
    for target in targets:
        if target.integration_id not in restorable:
            continue
        desired = by_id.get(target.integration_id)
        if desired is None:
            click.echo(
                f"Error: integration {target.integration_id}: no file under "
                f"{', '.join(paths)} describes it; give the directory that holds its file",
                err=True,
            )
            failed += 1
            continue
        try:
            rewritten += write_live_state(desired, target.before)
        except (ReconcilerError, OSError) as exc:
            click.echo(f"Error: {desired.path}: not written: {exc}", err=True)
            failed += 1
    click.echo(
        f"Restored {rewritten} {'file' if rewritten == 1 else 'files'} to the state before the "
        "apply"
        + (f"; {failed} failed." if failed else ".")
        + " Review, commit and apply them like any change."
    )
    return ExitCode.ERROR if failed else ExitCode.OK
