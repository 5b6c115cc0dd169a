"""What plan, apply and drift have in common: load the files, read live state, print the report.

Rendering goes to stdout (so ``plan --format json > plan.json`` works); progress and problems go
to stderr. Inside GitHub Actions the Markdown report is appended to the step summary and
``has_changes`` / ``exit_code`` are written to the step outputs.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
from collections.abc import Coroutine, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import click

from reconciler.config.loader import DesiredFile, load_paths
from reconciler.errors import ConfigError, ExitCode, Problem
from reconciler.fleet import Selected, Targeting
from reconciler.plan import Plan
from reconciler.sendcloud.options import GlobalOptions

if TYPE_CHECKING:
    # Only for annotations: `validate` prints problems through this module and never plans.
    from reconciler.plan import Plan
    from reconciler.policy import Violation
    from reconciler.project import Project

Format = Literal["text", "markdown", "json"]
Mode = Literal["plan", "drift"]
T = TypeVar("T")
# Plans of fewer integrations read in about a second at Sendcloud's read limit: no progress.
PROGRESS_FROM = 10


def load_or_report(paths: Sequence[str]) -> list[DesiredFile] | None:
    """The valid files, or None after printing every problem (nothing is read from the API)."""
    try:
        return load_paths(paths)
    except ConfigError as exc:
        report_problems(exc.problems)
        return None


def load_fleet_or_report(paths: Sequence[str], targeting: Targeting) -> Selected | None:
    """The files, their accounts and the targeted subset; None after printing what is wrong."""
    from reconciler.config.loader import load_fleet
    from reconciler.errors import ReconcilerError
    from reconciler.fleet import narrow

    try:
        return narrow(load_fleet(paths), targeting, paths)
    except ConfigError as exc:
        report_problems(exc.problems)
    except ReconcilerError as exc:
        click.echo(f"Error: {exc}", err=True)
    return None


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` to completion on a new event loop (commands are synchronous)."""
    return asyncio.run(coroutine)


async def compute_plan(options: GlobalOptions, fleet: Selected) -> tuple[Plan, list[Problem]]:
    """Each account read with its own client, all accounts at once (see `reconciler.fleet`);
    a progress bar from `PROGRESS_FROM` integrations when there is one account."""
    from reconciler.fleet import plan_fleet

    return await plan_fleet(options, os.environ, fleet, progress_from=PROGRESS_FROM)


def render(plan: Plan, fmt: Format, options: GlobalOptions, mode: Mode) -> str | None:
    """The report as a string for markdown/json; for text, print it (with colour on a terminal)."""
    wpm = options.writes_per_minute
    if fmt == "json":
        from reconciler.render.json import render_json

        return render_json(plan, writes_per_minute=wpm, mode=mode)
    if fmt == "markdown":
        return markdown(plan, options, mode)
    from rich.console import Console

    from reconciler.render.text import render_text

    Console(highlight=False, soft_wrap=True).print(
        render_text(plan, writes_per_minute=wpm, mode=mode)
    )
    return None


def markdown(plan: Plan, options: GlobalOptions, mode: Mode) -> str:
    """The Markdown report, pointing at the job log for anything left out."""
    from reconciler.render.markdown import render_markdown

    return render_markdown(
        plan, writes_per_minute=options.writes_per_minute, mode=mode, full_plan_hint="the job log"
    )


def emit(plan: Plan, fmt: Format, options: GlobalOptions, mode: Mode) -> None:
    """Print the report to stdout in ``fmt``."""
    text = render(plan, fmt, options, mode)
    if text is not None:
        click.echo(text, nl=not text.endswith("\n"))


def report_plan_problems(plan: Plan, problems: Sequence[Problem], fmt: Format) -> None:
    """Print located problems; then each unread integration not already named by one, unless
    the text report already says it (its `!` line): a failure is said once."""
    from reconciler.console import one_line

    if problems:
        report_problems(problems)
    if fmt == "text":
        return
    from reconciler.render.grouping import failed_members, failures_by_message

    located = {p.path for p in problems}
    unlocated = [f for f in plan.failures if f.source not in located]
    # One line per distinct message: an account without credentials is one error, not one per
    # integration.
    for message, failures in failures_by_message(unlocated):
        click.echo(one_line(f"Error: {failed_members(failures)}: {message}"), err=True)


def known_changes(plan: Plan, failed: bool) -> bool | None:
    """Whether the plan has changes: True if any read integration has, None when some
    integration could not be read and none of the others has (then nobody can tell)."""
    if plan.has_changes:
        return True
    return None if failed else False


def plan_and_report(
    paths: Sequence[str],
    options: GlobalOptions,
    fmt: Format,
    mode: Mode,
    targeting: Targeting | None = None,
) -> tuple[Plan, bool] | None:
    """Load, read live, diff and print: the plan and whether anything went wrong.

    None when the files are invalid (the problems are printed and nothing is read).
    """
    fleet = load_fleet_or_report(paths, targeting or Targeting())
    if fleet is None:
        return None
    violations = policy_or_report(fleet.project, fleet.files)
    if violations is None:
        return None
    plan, problems = run_async(compute_plan(options, fleet))
    plan = dataclasses.replace(plan, policy=tuple(violations))
    emit(plan, fmt, options, mode)
    report_plan_problems(plan, problems, fmt)
    return plan, bool(problems or plan.failures)


def policy_or_report(project: Project, files: Sequence[DesiredFile]) -> list[Violation] | None:
    """The policy violations of ``files`` by ``project``'s rules (printed), or None after
    printing bad rules."""
    from reconciler.commands.policy import check_files, report_violations

    try:
        violations = check_files(project, files)
    except ConfigError as exc:
        report_problems(exc.problems)
        return None
    report_violations(violations)
    return violations


def github_report(*, markdown_text: str | None, has_changes: bool | None, exit_code: int) -> None:
    """Inside GitHub Actions: the step summary and the step outputs. Elsewhere: nothing.

    ``has_changes`` None (the tool could not tell: invalid files, an integration not read) is
    written as an empty output, as the action documents, so a workflow gated on
    ``has_changes == 'false'`` never takes a failed plan for "nothing to do".
    """
    from reconciler import actions as github

    env = os.environ
    if not github.in_github_actions(env):
        return
    if markdown_text:
        github.append_step_summary(markdown_text, env)
    outputs = {"exit_code": str(exit_code)}
    outputs["has_changes"] = "" if has_changes is None else ("true" if has_changes else "false")
    github.write_outputs(outputs, env)


def finish(
    plan: Plan | None,
    options: GlobalOptions,
    mode: Mode,
    exit_code: ExitCode,
    *,
    has_changes: bool | None,
) -> ExitCode:
    """Report to GitHub Actions (when inside it) and return ``exit_code``.

    ``has_changes`` is None when the tool could not tell (see `github_report`).
    """
    text = markdown(plan, options, mode) if plan is not None and _in_actions() else None
    github_report(markdown_text=text, has_changes=has_changes, exit_code=exit_code)
    return exit_code


def _in_actions() -> bool:
    from reconciler import actions as github

    return github.in_github_actions(os.environ)


def report_problems(problems: Sequence[Problem]) -> None:
    """Print each problem as file:line:col (and as an annotation inside GitHub Actions)."""
    from reconciler.console import one_line

    for problem in problems:
        click.echo(one_line(str(problem)), err=True)
    files = len({p.path for p in problems})
    click.echo(
        f"{len(problems)} {'problem' if len(problems) == 1 else 'problems'} in "
        f"{files} {'file' if files == 1 else 'files'}.",
        err=True,
    )
    _annotate(problems)


def _annotate(problems: Sequence[Problem]) -> None:
    from reconciler import actions as github

    if not github.in_github_actions(os.environ):
        return
    # On stderr, so `drift --format markdown > report.md` never captures workflow commands;
    # the Actions runner reads workflow commands from both streams.
    commands = [
        github.error_annotation(p.message, file=p.path, line=p.line, col=p.col) for p in problems
    ]
    lines, left_out = github.capped_annotations(commands)
    for line in lines:
        click.echo(line, err=True)
    if left_out:
        github.append_step_summary(_problem_list(problems), os.environ)


def _problem_list(problems: Sequence[Problem]) -> str:
    """Every problem as Markdown, for the step summary when not all could be annotations."""
    from reconciler.render.markdown import escape_markdown

    items = [
        f"- <code>{escape_markdown(p.path)}</code> line {p.line}, column {p.col}: "
        f"{escape_markdown(p.message)}"
        for p in problems
    ]
    return "\n".join([f"### {len(problems)} problems in the desired-state files", "", *items, ""])
