from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Mapping, Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

import click

from reconciler.commands.check_files import files_match_plan, policies_allow
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
    report_plan_problems,
    run_async,
)
from reconciler.sendcloud.options import GlobalOptions

if TYPE_CHECKING:
    from reconciler.apply import IntegrationResult
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
        if check_files and not files_match_plan(plan, check_files, plan_file):
            return finish(plan, options, "plan", ExitCode.ERROR, has_changes=plan.has_changes)
        project = _project_of(plan)
        if project is None:
            return finish(None, options, "plan", ExitCode.ERROR, has_changes=None)
    else:
        fleet = load_fleet_or_report(paths, targeting or Targeting())
        if fleet is None:
            return finish(None, options, "plan", ExitCode.ERROR, has_changes=None)
        if not policies_allow(fleet.project, fleet.files):
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
    from reconciler.apply import Outcome, WriteLedger, apply_plan, planned_requests
    from reconciler.audit import audit_from_env
    from reconciler.journal import Journal
    from reconciler.progress import RequestProgress
    from reconciler.sendcloud.accounts import group_by_account, per_account

    planned = {p.integration_id: planned_requests(p, force=force) for p in plan.integrations}
    ledger = WriteLedger()  # what reached Sendcloud, for the report of an interrupted run
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
                    ledger=ledger,
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

    try:
        with journal_context as journal:
            return run_async(go(journal))
    except KeyboardInterrupt:
        from reconciler.commands.apply_interrupted import report_interrupted

        report_interrupted(plan, ledger, journal_path=journal_path, saved_plan=expected is not None)
        raise click.exceptions.Exit(ExitCode.INTERRUPTED) from None


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
