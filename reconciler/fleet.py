"""The subset of a fleet a command works on, and planning it account by account.

`reconciler.config.loader.load_fleet` loads the files with the project file and gives each its
account (the project file's ``paths`` globs and ``labels``); `narrow` keeps what ``--only`` /
``--exclude`` / ``--changed-since`` select, remembering what was left out and why; `plan_fleet`
reads and diffs each account with its own client, all accounts at once.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from reconciler.config.loader import DesiredFile, Fleet
from reconciler.errors import CredentialsError, Problem
from reconciler.plan import IntegrationFailure, IntegrationPlan, Plan
from reconciler.project import Project
from reconciler.targeting import (
    Selection,
    Target,
    TargetingError,
    parse_selectors,
    select,
    unmatched_files,
    unmatched_ids,
)

if TYPE_CHECKING:
    from reconciler.sendcloud.accounts import AccountGroup
    from reconciler.sendcloud.client import SendcloudClient
    from reconciler.sendcloud.options import GlobalOptions


@dataclass(frozen=True)
class Targeting:
    """What the command line asked to narrow the run to (all empty: everything)."""

    only: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    changed_since: str | None = None


@dataclass(frozen=True)
class Selected:
    """The files a command works on, with their project, accounts and what was left out."""

    project: Project
    files: list[DesiredFile]  # the selected files, by integration id
    selection: Selection = field(default_factory=Selection)

    def account_of(self, desired: DesiredFile) -> str:
        return desired.account or ""


def display_path(path: str | os.PathLike[str]) -> str:
    """A path relative to the current directory when it is below it, else absolute."""
    absolute = os.path.abspath(path)
    relative = os.path.relpath(absolute)
    return absolute if relative.startswith("..") else relative


def narrow(loaded: Fleet, targeting: Targeting, paths: Sequence[str]) -> Selected:
    """Apply the targeting to the loaded files; raises `TargetingError` / `GitError`."""
    project = loaded.project
    files = loaded.files
    targets = [
        Target(f.state.integration_id, display_path(f.path), f.account or "", frozenset(f.labels))
        for f in files
    ]
    # The labels a file (or a base it extends) carries: a label only an account's `labels` names,
    # but no file carries, selects nothing, so `label:NAME` for it is a mistake.
    known_labels = {label for t in targets for label in t.labels}
    accounts = project.model.accounts
    only = parse_selectors("--only", targeting.only, accounts=accounts, labels=known_labels)
    exclude = parse_selectors(
        "--exclude", targeting.exclude, accounts=accounts, labels=known_labels
    )
    unknown = unmatched_ids(targets, [*only, *exclude]) + unmatched_files(
        targets, [*only, *exclude]
    )
    if unknown:
        raise TargetingError("; ".join(unknown))
    chosen, selection = select(targets, only, exclude)
    if targeting.changed_since is not None:
        from reconciler.gitchanges import Candidate, changes_since, select_changed

        by_id = {f.state.integration_id: f for f in files}
        changes = changes_since(targeting.changed_since, paths[0] if paths else ".")
        candidates = [
            Candidate(t.integration_id, t.source, t.account, by_id[t.integration_id].extends)
            for t in chosen
        ]
        keep, changed = select_changed(
            candidates, changes, under=paths, shown=display_path, governing=governing(project)
        )
        chosen = [t for t in chosen if t.integration_id in keep]
        selection = selection.merged(changed)
    ids = {t.integration_id for t in chosen}
    return Selected(project, [f for f in files if f.state.integration_id in ids], selection)


def governing(project: Project) -> list[tuple[str, str]]:
    """The project file and the files it includes, each with what it is, for ``--changed-since``."""
    if project.path is None:
        return []
    from reconciler.config.policies import included_files

    shown = display_path(project.path)
    files = [(project.path, "the project file")]
    files += [(str(path), f"included by {shown}") for path in included_files(project)]
    return files


async def plan_fleet(
    options: GlobalOptions,
    env: Mapping[str, str],
    fleet: Selected,
    *,
    progress_from: int | None = None,
) -> tuple[Plan, list[Problem]]:
    """Read and diff every selected integration, each account with its own client, in parallel.

    With one account and at least ``progress_from`` integrations, progress is shown on stderr
    (several accounts at once would need several bars; their summaries say what each did).
    """
    from reconciler.planner import build_plan
    from reconciler.sendcloud.accounts import describe_failure, group_by_account, per_account

    groups = group_by_account(fleet.files, fleet.account_of, fleet.project.model.accounts)

    async def work(
        client: SendcloudClient, group: AccountGroup[DesiredFile]
    ) -> tuple[Plan, list[Problem]]:
        planned = build_plan(
            client,
            group.items,
            describe=lambda error: describe_failure(group, error),
            account=group.name,
        )
        if len(groups) > 1 or progress_from is None or len(group.items) < progress_from:
            return await planned
        from reconciler.progress import RequestProgress

        async with RequestProgress(
            "Reading live state",
            client.stats,
            reads=2 * len(group.items),
            writes=0,
            reads_per_minute=options.reads_per_minute,
            writes_per_minute=options.writes_per_minute,
        ):
            return await planned

    integrations: list[IntegrationPlan] = []
    failures: list[IntegrationFailure] = []
    problems: list[Problem] = []
    for group, result in await per_account(options, env, groups, work):
        if isinstance(result, CredentialsError):
            failures += [
                IntegrationFailure(f.state.integration_id, f.path, str(result), account=group.name)
                for f in group.items
            ]
            continue
        plan, found = result
        integrations += plan.integrations
        failures += plan.failures
        problems += found
    return Plan(tuple(integrations), tuple(failures), fleet.selection), problems
