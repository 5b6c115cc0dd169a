from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

import click

from reconciler.errors import ApplyRefused
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
    from collections.abc import Callable

    from reconciler.apply import IntegrationResult
    from reconciler.journal import Journal
    from reconciler.sendcloud.accounts import AccountGroup
    from reconciler.sendcloud.client import SendcloudClient

EXIT_OK, EXIT_ERROR = 0, 1


def run(
    paths: Sequence[str],
    options: GlobalOptions,
    *,
    plan_file: Path | None = None,
    auto_approve: bool = False,
    force: bool = False,
    journal_path: Path | None = None,
    targeting: Targeting | None = None,
) -> int:
    if plan_file is not None:
        # A targeted saved plan holds only its subset: applying it touches nothing else.
        plan, expected = _saved_plan(plan_file)
        problems_found = False
        project = _project_of(plan)
        if project is None:
            return finish(None, options, "plan", EXIT_ERROR, has_changes=False)
    else:
        fleet = load_fleet_or_report(paths, targeting or Targeting())
        if fleet is None:
            return finish(None, options, "plan", EXIT_ERROR, has_changes=False)
        project = fleet.project
        plan, problems = run_async(compute_plan(options, fleet))
        report_plan_problems(plan, problems)
        problems_found = bool(problems or plan.failures)
        expected = None
    emit(plan, "text", options, "plan")
    if not plan.has_changes:
        code = EXIT_ERROR if problems_found else EXIT_OK
        return finish(plan, options, "plan", code, has_changes=False)
    try:
        _confirm(auto_approve)
    except ApplyRefused as exc:
        click.echo(f"Error: {exc}", err=True)
        return finish(plan, options, "plan", EXIT_ERROR, has_changes=True)
    results = _apply(
        plan, options, project, force=force, journal_path=journal_path, expected=expected
    )
    failed = [r for r in results if not r.ok]
    _summarise(results, plan.failures)
    code = EXIT_ERROR if failed or problems_found else EXIT_OK
    return finish(plan, options, "plan", code, has_changes=plan.has_changes)


def _saved_plan(plan_file: Path) -> tuple[Plan, dict[int, str]]:
    from reconciler.planfile import read_plan_file

    saved = read_plan_file(plan_file)
    return saved.plan(), {entry.integration_id: entry.live_checksum for entry in saved.integrations}


def _project_of(plan: Plan) -> Project | None:
    """The project file that names the saved plan's accounts (found from its files' paths)."""
    from reconciler.commands.validate import report_problems
    from reconciler.config.project import load_project
    from reconciler.errors import ConfigError

    sources = [p.source for p in plan.integrations][:1] or ["."]
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
    if not sys.stdin.isatty():
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
    are missing fails its own integrations only."""
    from reconciler.apply import IntegrationResult as Result
    from reconciler.apply import Outcome, apply_plan
    from reconciler.journal import Journal
    from reconciler.sendcloud.accounts import group_by_account, per_account

    to_apply = [p for p in plan.integrations if p.writes]
    journal_context = Journal(journal_path) if journal_path else nullcontext()
    groups = group_by_account(plan.integrations, lambda p: p.account, project.model.accounts)

    async def go(journal: Journal | None) -> list[IntegrationResult]:
        with _progress(len(to_apply)) as on_result:

            async def work(
                client: SendcloudClient, group: AccountGroup[IntegrationPlan]
            ) -> list[IntegrationResult]:
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
                    failed = Result(item.integration_id, item.source, Outcome.FAILED, 0,
                                    f"nothing was written: {outcome}")  # fmt: skip
                    on_result(failed)
                    results.append(failed)
            return sorted(results, key=lambda r: r.integration_id)

    with journal_context as journal:
        return run_async(go(journal))


@contextmanager
def _progress(total: int) -> Iterator[Callable[[IntegrationResult], None]]:
    """A progress bar on a terminal when several integrations are applied; plain lines otherwise."""
    if total > 1 and sys.stderr.isatty() and not os.environ.get("CI"):
        from rich.progress import Progress

        with Progress(transient=True) as progress:
            task = progress.add_task("Applying", total=total)

            def advance(result: IntegrationResult) -> None:
                if result.writes or not result.ok:
                    progress.advance(task)

            yield advance
        return

    def line(result: IntegrationResult) -> None:
        if result.outcome.value != "in sync":
            click.echo(_describe(result), err=True)

    yield line


def _describe(result: IntegrationResult) -> str:
    text = f"integration {result.integration_id} ({result.source}): {result.outcome.value}"
    if result.writes:
        text += f", {result.writes} write{'s' if result.writes != 1 else ''}"
    if result.message:
        text += f": {result.message}"
    return text


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
            f"  applied: integration {result.integration_id} ({result.source}), {writes_made}",
            err=True,
        )
    for result in failed:
        click.echo(f"  failed: {_describe(result)}", err=True)
    for failure in unread:
        click.echo(
            f"  failed: integration {failure.integration_id} ({failure.source}): not applied, "
            f"its live state could not be read: {failure.message}",
            err=True,
        )
