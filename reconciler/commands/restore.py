"""``reconciler restore --journal FILE``: the plan (or the file edits) back to before an apply.

Reads the journal, reads each integration's live state with the key pair of the account that
wrote it (the journal records it; the project file, found from PATHS or else the current
directory, says where that account's key pair is), and either prints an ordinary plan (saved
with ``--out`` for ``apply --plan``) or, with ``--to-files``, rewrites the desired-state files
under PATHS to the restored state, keeping comments as ``adopt`` does, so the restore goes
through review like any change.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import click

from reconciler.config.loader import DesiredFile
from reconciler.console import one_line
from reconciler.errors import ConfigError, ExitCode, ReconcilerError
from reconciler.history import ApplyRun, read_journal
from reconciler.model import LiveState
from reconciler.plan import Plan
from reconciler.project import Project
from reconciler.report import Format, emit, finish, report_plan_problems, report_problems, run_async
from reconciler.restore import (
    RestoreTarget,
    choose_run,
    parse_selectors,
    restore_plan,
    restore_targets,
)
from reconciler.sendcloud.options import GlobalOptions


def restore(
    journal: Path,
    options: GlobalOptions,
    *,
    paths: Sequence[str] = (),
    apply_id: str | None = None,
    only: Sequence[str] = (),
    exclude: Sequence[str] = (),
    fmt: Format = "text",
    out: Path | None = None,
    force: bool = False,
    to_files: bool = False,
) -> ExitCode:
    """Plan the restore of the apply ``apply_id`` (default: the journal's last) and print it.

    ``paths``: where the project file is looked for (default: the current directory) and, with
    ``to_files``, the files to rewrite; a file there names its integration in the plan.
    ``only``/``exclude``: integration ids and account names.

    ``ERROR`` when an integration was refused (changed since, or unreadable; no plan file is
    written then) or a file could not be rewritten; ``OK`` otherwise. Raises `ReconcilerError`
    for a journal that cannot be read, an unknown apply id, integration or account, or an
    account the project file does not define.
    """
    run = choose_run(read_journal(journal), apply_id)
    loaded = _project_and_files(paths)
    if loaded is None:
        return ExitCode.ERROR
    project, files = loaded
    accounts = project.model.accounts
    in_journal = {item.account for item in run.integrations.values()} - {""}
    known = {*accounts, *in_journal}
    label = f"{journal} apply {(run.apply_id or 'without id')[:12]}"
    targets, selection = restore_targets(
        run,
        parse_selectors("--only", only, known),
        parse_selectors("--exclude", exclude, known),
        source_of=lambda i: files[i].path if i in files else label,
    )
    _check_accounts(run, targets, project, paths)
    lives = run_async(_read(options, project, targets))
    # Judged and left alone as every plan is: by a file's own settings (bases included) when
    # PATHS hold it, else by the project file's for its account.
    in_files = [t for t in targets if t.integration_id in files]
    safety = {t.integration_id: project.safety_for(t.account or None) for t in targets}
    unmanaged = {t.integration_id: project.unmanaged_for(t.account or None) for t in targets}
    for t in in_files:
        safety[t.integration_id] = files[t.integration_id].safety
        unmanaged[t.integration_id] = files[t.integration_id].unmanaged
    restored = restore_plan(
        targets, lives, force=force, selection=selection, safety=safety, unmanaged=unmanaged
    )
    plan = restored.plan
    if to_files:
        return _to_files(paths, files, plan, targets)
    if fmt == "text":
        click.echo(
            one_line(f"Restore of apply {run.apply_id or '(no id)'} from {journal}, back to the "
                     f"state before its first write ({run.started})."),
            err=True,
        )  # fmt: skip
    emit(plan, fmt, options, "plan")
    report_plan_problems(plan, [], fmt)
    for warning in restored.warnings:
        click.echo(one_line(f"Warning: {warning}"), err=True)
    code = ExitCode.ERROR if plan.failures else ExitCode.OK
    if out is not None and not plan.failures:
        from reconciler.planfile import apply_command, write_plan_file
        from reconciler.sendcloud.connect import target

        api_url = target(options, os.environ)
        write_plan_file(out, plan, writes_per_minute=options.writes_per_minute, api_url=api_url)
        click.echo(
            one_line(f"Restore plan saved to {out}; apply it with: {apply_command(out, options)}"),
            err=True,
        )
    elif out is not None:
        click.echo(one_line(f"Error: no restore plan saved to {out}: {_refused(plan)}"), err=True)
    return finish(plan, options, "plan", code, has_changes=plan.has_changes)


def _project_and_files(paths: Sequence[str]) -> tuple[Project, dict[int, DesiredFile]] | None:
    """The project file governing ``paths`` (or the current directory) and the files under
    ``paths`` by integration id; None after printing what is wrong with them."""
    from reconciler.config.loader import load_fleet
    from reconciler.config.project import load_project

    try:
        if not paths:
            return load_project(["."]), {}
        fleet = load_fleet(paths)
    except ConfigError as exc:
        report_problems(exc.problems)
        return None
    return fleet.project, {f.state.integration_id: f for f in fleet.files}


def _check_accounts(
    run: ApplyRun, targets: Sequence[RestoreTarget], project: Project, paths: Sequence[str]
) -> None:
    """Refuse (one line) an account the journal names but the project file does not define:
    its key pair is unknown, and the command line's might belong to another account."""
    undefined = sorted({t.account for t in targets} - {""} - set(project.model.accounts))
    if not undefined:
        return
    ids = ", ".join(str(t.integration_id) for t in targets if t.account in undefined)
    where = f"from {', '.join(paths)}" if paths else "from the current directory"
    found = f"{project.path} does not define it" if project.path else f"no project file {where}"
    raise ReconcilerError(
        f"apply {run.apply_id or '(no id)'} wrote integration {ids} with account "
        f"{', '.join(undefined)}, but {found}; give the directory of the project file that "
        "defines it as PATH (e.g. its integrations/)"
    )


def _refused(plan: Plan) -> str:
    ids = ", ".join(str(f.integration_id) for f in plan.failures)
    return f"integration {ids} refused; see above"


async def _read(
    options: GlobalOptions, project: Project, targets: Sequence[RestoreTarget]
) -> dict[int, LiveState | ReconcilerError]:
    """Each account's integrations read with that account's key pair, all accounts at once."""
    from reconciler.sendcloud.accounts import read_accounts

    account_of = {t.integration_id: t.account for t in targets}
    return await read_accounts(options, os.environ, project.model.accounts, account_of)


def _to_files(
    paths: Sequence[str],
    files: Mapping[int, DesiredFile],
    plan: Plan,
    targets: Sequence[RestoreTarget],
) -> ExitCode:
    """Rewrite each restorable integration's file to its state before the apply."""
    from reconciler.commands.adopt import write_live_state

    report_plan_problems(plan, [], "json")  # nothing rendered: each refusal goes to stderr
    restorable = {item.integration_id for item in plan.integrations}
    failed = len(plan.failures)
    rewritten = 0
    for target in targets:
        if target.integration_id not in restorable:
            continue
        desired = files.get(target.integration_id)
        if desired is None:
            click.echo(
                one_line(
                    f"Error: integration {target.integration_id}: no file under "
                    f"{', '.join(paths)} describes it; give the directory that holds its file"
                ),
                err=True,
            )
            failed += 1
            continue
        try:
            # `before` flags a mapping onto a status it does not hold: written as null, with
            # the comment and warning adopt gives such an entry.
            rewritten += write_live_state(desired, target.before)
        except (ReconcilerError, OSError) as exc:
            click.echo(one_line(f"Error: {desired.path}: not written: {exc}"), err=True)
            failed += 1
    click.echo(
        f"Restored {rewritten} {'file' if rewritten == 1 else 'files'} to the state before the "
        "apply"
        + (f"; {failed} failed." if failed else ".")
        + " Review, commit and apply them like any change."
    )
    return ExitCode.ERROR if failed else ExitCode.OK
