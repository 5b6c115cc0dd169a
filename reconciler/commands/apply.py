from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Mapping, Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

import click

from reconciler.console import one_line
from reconciler.errors import ApplyRefused, ExitCode
from reconciler.fleet import Targeting
from reconciler.plan import IntegrationFailure, IntegrationPlan, Plan
from reconciler.project import Project
from reconciler.report import (
    compute_plan,
    emit,
    finish,
    load_fleet_or_report,
    policy_or_report,
    report_plan_problems,
    run_async,
)
from reconciler.sendcloud.options import GlobalOptions

if TYPE_CHECKING:
    from reconciler.apply import IntegrationResult
    from reconciler.config.loader import DesiredFile
    from reconciler.journal import Journal
    from reconciler.sendcloud.accounts import AccountGroup
    from reconciler.sendcloud.client import SendcloudClient


def apply(
    paths: Sequence[str],
    options: GlobalOptions,
    *,
    plan_file: Path | None = None,
    auto_approve: bool = False,
    force: bool = False,
    journal_path: Path | None = None,
    targeting: Targeting | None = None,
    check_files: Sequence[str] = (),
) -> ExitCode:
    """Plan (or read the saved plan), confirm, apply and summarise.

    With ``plan_file`` and ``check_files``, nothing is applied unless those files hold the desired
    state the plan was made from. ``OK`` when every integration was applied or already in sync,
    else ``ERROR``. Each account is applied with its own key pair; a targeted saved plan holds
    only its subset, so applying it touches nothing else.
    """
    if check_files and plan_file is None:
        raise ApplyRefused("--check-files goes with --plan FILE: it checks files against a plan")
    if plan_file is not None:
        plan, expected = _saved_plan(plan_file, options)
        problems_found = False
        if check_files and not _files_match_plan(plan, check_files, plan_file):
            return finish(plan, options, "plan", ExitCode.ERROR, has_changes=plan.has_changes)
        project = _project_of(plan)
        if project is None:
            return finish(None, options, "plan", ExitCode.ERROR, has_changes=None)
    else:
        fleet = load_fleet_or_report(paths, targeting or Targeting())
        if fleet is None:
            return finish(None, options, "plan", ExitCode.ERROR, has_changes=None)
        if not _policies_allow(fleet.project, fleet.files):
            return finish(None, options, "plan", ExitCode.ERROR, has_changes=None)
        project = fleet.project
        plan, problems = run_async(compute_plan(options, fleet))
        report_plan_problems(plan, problems, "text")
        problems_found = bool(problems or plan.failures)
        expected = None
    if force:  # the report must not tell the reader to pass the --force they passed
        plan = dataclasses.replace(plan, forced=True)
    emit(plan, "text", options, "plan")
    if not plan.has_changes:
        code = ExitCode.ERROR if problems_found else ExitCode.OK
        return finish(plan, options, "plan", code, has_changes=None if problems_found else False)
    try:
        _confirm(auto_approve)
    except ApplyRefused as exc:
        click.echo(f"Error: {exc}", err=True)
        return finish(plan, options, "plan", ExitCode.ERROR, has_changes=True)
    results = _apply(
        plan, options, project, force=force, journal_path=journal_path, expected=expected
    )
    failed = [r for r in results if not r.ok]
    _summarise(results, plan.failures)
    code = ExitCode.ERROR if failed or problems_found else ExitCode.OK
    return finish(plan, options, "plan", code, has_changes=plan.has_changes)


def _saved_plan(plan_file: Path, options: GlobalOptions) -> tuple[Plan, dict[int, str]]:
    from reconciler.planfile import read_plan_file
    from reconciler.sendcloud.connect import target

    saved = read_plan_file(plan_file)
    saved.check_target(target(options, os.environ))
    return saved.plan(), {entry.integration_id: entry.live_checksum for entry in saved.integrations}


def _project_of(plan: Plan) -> Project | None:
    """The project file that names the saved plan's accounts (found from its files' paths)."""
    from reconciler.config.project import load_project
    from reconciler.errors import ConfigError
    from reconciler.report import report_problems

    # A restore plan may name an integration by its journal, not by a file: then the project
    # file is the one governing the current directory, as it was for `restore`.
    sources = [p.source for p in plan.integrations if os.path.exists(p.source)][:1] or ["."]
    try:
        project = load_project(sources)
    except ConfigError as exc:
        report_problems(exc.problems)
        return None
    missing = sorted({p.account for p in plan.integrations} - {""} - set(project.model.accounts))
    if missing:
        where = project.path or "no project file"
        click.echo(
            f"Error: the plan names account(s) {', '.join(missing)}, which {where} does not "
            "define; run plan again",
            err=True,
        )
        return None
    return project


def _policies_allow(project: Project, files: Sequence[DesiredFile]) -> bool:
    """Whether ``files`` break no error-severity policy (violations and bad rules printed):
    the one check every apply runs, with or without a saved plan."""
    violations = policy_or_report(project, files)
    if violations is None or any(v.severity == "error" for v in violations):
        if violations is not None:
            click.echo("Error: nothing applied: the files break the policies above.", err=True)
        return False
    return True


def _files_match_plan(plan: Plan, paths: Sequence[str], plan_file: Path) -> bool:
    """Whether ``paths`` hold the desired state ``plan`` was made from; if not, say where not.

    The comparison is of desired states, not bytes: a comment or a reordered key in a file does
    not change what apply would do, so it does not void the reviewed plan.
    """
    fleet = load_fleet_or_report(paths, Targeting())
    if fleet is None:
        click.echo(
            "Error: nothing was applied: the files to check the plan against are invalid.",
            err=True,
        )
        return False
    planned = {item.integration_id: item for item in plan.integrations}
    # A targeted plan holds its subset only: the files it left out are not differences.
    left_out = {entry.integration_id for entry in plan.selection.left_out}
    files = [f for f in fleet.files if f.state.integration_id not in left_out]
    # The policies as plain apply runs them, on the files as they are now: a rule added (or a
    # severity raised) since the plan was made blocks its apply too.
    if not _policies_allow(fleet.project, files):
        return False
    current = {f.state.integration_id: f for f in files}
    differences: list[str] = []
    for integration_id in sorted(planned.keys() | current.keys()):
        reviewed, now = planned.get(integration_id), current.get(integration_id)
        if now is None and reviewed is not None:
            differences.append(f"integration {integration_id} ({reviewed.source}) is in the "
                               "plan, but no file holds it now")  # fmt: skip
        elif reviewed is None and now is not None:
            differences.append(f"integration {integration_id} ({now.path}) is not in the plan")
        elif reviewed is not None and now is not None and reviewed.desired != now.state:
            differences.append(f"integration {integration_id} ({now.path}) differs from the "
                               "file the plan was made from")  # fmt: skip
    if not differences:
        return True
    click.echo(
        one_line(
            f"Error: the files are not the ones the plan {plan_file} was made from, so nothing "
            "was applied; plan the files as they are now, review that plan and apply it:"
        ),
        err=True,
    )
    for difference in differences:
        click.echo(one_line(f"  {difference}"), err=True)
    return False


def _confirm(auto_approve: bool) -> None:
    if auto_approve:
        return
    if sys.stdin is None or not sys.stdin.isatty():  # None: started with stdin closed
        raise ApplyRefused(
            "apply needs a confirmation and there is no terminal to ask on; "
            "review the plan and re-run with --auto-approve"
        )
    if not click.confirm("Apply these changes?", default=False, err=True):
        raise ApplyRefused("apply cancelled; nothing was written")


def _apply(
    plan: Plan,
    options: GlobalOptions,
    project: Project,
    *,
    force: bool,
    journal_path: Path | None,
    expected: Mapping[int, str] | None,
) -> list[IntegrationResult]:
    """Each account with its own client, all accounts at once; an account whose credentials
    are missing fails its own integrations only. Progress is shown for a single account (one
    bar at a time)."""
    from reconciler.apply import IntegrationResult as Result
    from reconciler.apply import Outcome, apply_plan, planned_requests
    from reconciler.audit import audit_from_env
    from reconciler.journal import Journal
    from reconciler.progress import RequestProgress
    from reconciler.sendcloud.accounts import group_by_account, per_account

    planned = {p.integration_id: planned_requests(p, force=force) for p in plan.integrations}
    journal_context = (
        Journal(journal_path, audit_from_env(os.environ)) if journal_path else nullcontext()
    )
    groups = group_by_account(plan.integrations, lambda p: p.account, project.model.accounts)

    async def go(journal: Journal | None) -> list[IntegrationResult]:
        async def work(
            client: SendcloudClient, group: AccountGroup[IntegrationPlan]
        ) -> list[IntegrationResult]:
            ids = [p.integration_id for p in group.items]
            progress = RequestProgress(
                "Applying",
                client.stats,
                reads=sum(planned[i][0] for i in ids),
                writes=sum(planned[i][1] for i in ids),
                reads_per_minute=options.reads_per_minute,
                writes_per_minute=options.writes_per_minute,
            )

            # Each outcome is said once, in the summary; meanwhile the progress shows the run is
            # alive (a bar, or a line every few seconds without a terminal).
            def on_result(result: IntegrationResult) -> None:
                reads, writes = planned[result.integration_id]
                progress.skip(reads=reads - result.requests[0], writes=writes - result.requests[1])

            async with progress if len(groups) == 1 else nullcontext():
                return await apply_plan(
                    client,
                    Plan(group.items),
                    force=force,
                    journal=journal,
                    expected_checksums=expected,
                    on_result=on_result,
                )

        results: list[IntegrationResult] = []
        for group, outcome in await per_account(options, os.environ, groups, work):
            if isinstance(outcome, list):
                results += outcome
                continue
            for item in group.items:
                message = f"nothing was written: {outcome}"
                results.append(Result(item.integration_id, item.source, Outcome.FAILED, 0, message))
        return sorted(results, key=lambda r: r.integration_id)

    with journal_context as journal:
        return run_async(go(journal))


def _describe(result: IntegrationResult) -> str:
    text = f"integration {result.integration_id} ({result.source}): {result.outcome.value}"
    if result.writes:
        text += f", {result.writes} write{'s' if result.writes != 1 else ''}"
    if result.message:
        text += f": {result.message}"
    return one_line(text)


def _summarise(results: Sequence[IntegrationResult], unread: Sequence[IntegrationFailure]) -> None:
    """One line of counts, then which integrations were applied, and which failed and why."""
    applied = [r for r in results if r.outcome.value == "applied"]
    in_sync = [r for r in results if r.outcome.value == "in sync"]
    failed = [r for r in results if not r.ok]
    writes = sum(r.writes for r in results)
    click.echo(
        f"Apply complete: {len(applied)} applied, {len(in_sync)} in sync, "
        f"{len(failed) + len(unread)} failed ({writes} write{'s' if writes != 1 else ''}).",
        err=True,
    )
    for result in applied:
        writes_made = f"{result.writes} write{'s' if result.writes != 1 else ''}"
        click.echo(
            one_line(f"  applied: integration {result.integration_id} ({result.source}), ")
            + writes_made,
            err=True,
        )
    for result in in_sync:
        if result.message:  # it had changes planned; say why none were made
            click.echo(f"  in sync: {_describe(result)}", err=True)
    for result in failed:
        click.echo(f"  failed: {_describe(result)}", err=True)
    for failure in unread:
        why = "its live state could not be read: " if failure.read_failed else ""
        click.echo(
            one_line(
                f"  failed: integration {failure.integration_id} ({failure.source}): not applied, "
                f"{why}{failure.message}"
            ),
            err=True,
        )
