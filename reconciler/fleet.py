"""A fleet: the loaded files, the account each belongs to, and the subset a command works on.

Every command that reads Sendcloud (plan, apply, drift, adopt) goes through `load_fleet`: it loads
the files and the project file, assigns each integration to its account (the project file's
``paths`` globs and ``labels``), then narrows to what ``--only`` / ``--exclude`` /
``--changed-since`` select, remembering what was left out and why. `plan_fleet` then reads and
diffs each account with its own client, all accounts at once.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from reconciler.config.loader import DesiredFile
from reconciler.errors import CredentialsError, Problem
from reconciler.plan import IntegrationFailure, IntegrationPlan, Plan
from reconciler.project import Project
from reconciler.targeting import Selection, Target, parse_selectors, select, unmatched_ids

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
class Fleet:
    project: Project
    files: list[DesiredFile]  # the selected files, by integration id
    accounts: dict[int, str] = field(default_factory=dict)  # integration id -> account name
    selection: Selection = field(default_factory=Selection)

    def account_of(self, integration_id: int) -> str:
        return self.accounts.get(integration_id, "")


def display_path(path: str | os.PathLike[str]) -> str:
    """A path relative to the current directory when it is below it, else absolute."""
    absolute = os.path.abspath(path)
    relative = os.path.relpath(absolute)
    return absolute if relative.startswith("..") else relative


def labels_of(desired: DesiredFile) -> frozenset[str]:
    """The labels of a file and of the bases it extends."""
    return frozenset(getattr(desired, "labels", ()))


def bases_of(desired: DesiredFile) -> tuple[str, ...]:
    """Every base a file extends, directly or through other bases."""
    return tuple(getattr(desired, "bases", ()))


def account_for(project: Project, desired: DesiredFile) -> str:
    """The account name of one file; "" when no account of the project file claims it."""
    if project.path is None:
        return ""
    relative = Path(os.path.relpath(os.path.abspath(desired.path), os.path.abspath(project.root)))
    return project.account_for(relative.as_posix(), labels_of(desired)) or ""


def narrow(
    files: Sequence[DesiredFile],
    project: Project,
    targeting: Targeting,
    paths: Sequence[str],
) -> Fleet:
    """Assign accounts and apply the targeting; raises `TargetingError` / `GitError`."""
    accounts = {f.state.integration_id: account_for(project, f) for f in files}
    targets = [
        Target(f.state.integration_id, display_path(f.path), accounts[f.state.integration_id],
               labels_of(f))  # fmt: skip
        for f in files
    ]
    known_labels = {label for t in targets for label in t.labels}
    if project.path is not None:
        for account in project.model.accounts.values():
            known_labels.update(account.labels)
    only = parse_selectors("--only", targeting.only, accounts=project.model.accounts,
                           labels=known_labels)  # fmt: skip
    exclude = parse_selectors("--exclude", targeting.exclude, accounts=project.model.accounts,
                              labels=known_labels)  # fmt: skip
    unknown = unmatched_ids(targets, [*only, *exclude])
    if unknown:
        from reconciler.targeting import TargetingError

        raise TargetingError("; ".join(unknown))
    chosen, selection = select(targets, only, exclude)
    if targeting.changed_since is not None:
        from reconciler.gitchanges import Candidate, changes_since, select_changed

        by_id = {f.state.integration_id: f for f in files}
        changes = changes_since(targeting.changed_since, paths[0] if paths else ".")
        candidates = [
            Candidate(t.integration_id, t.source, t.account,
                      tuple(bases_of(by_id[t.integration_id])))  # fmt: skip
            for t in chosen
        ]
        keep, changed = select_changed(candidates, changes, under=paths, shown=display_path)
        chosen = [t for t in chosen if t.integration_id in keep]
        selection = selection.merged(changed)
    ids = {t.integration_id for t in chosen}
    return Fleet(
        project,
        [f for f in files if f.state.integration_id in ids],
        {i: accounts[i] for i in ids},
        selection,
    )


async def plan_fleet(
    options: GlobalOptions, env: Mapping[str, str], fleet: Fleet
) -> tuple[Plan, list[Problem]]:
    """Read and diff every selected integration, each account with its own client, in parallel."""
    from reconciler.planner import build_plan
    from reconciler.sendcloud.accounts import describe_failure, group_by_account, per_account

    groups = group_by_account(
        fleet.files, lambda f: fleet.account_of(f.state.integration_id), fleet.project.model.accounts
    )

    async def work(
        client: SendcloudClient, group: AccountGroup[DesiredFile]
    ) -> tuple[Plan, list[Problem]]:
        return await build_plan(
            client,
            group.items,
            describe=lambda error: describe_failure(group, error),
            account=group.name,
        )

    integrations: list[IntegrationPlan] = []
    failures: list[IntegrationFailure] = []
    problems: list[Problem] = []
    for group, result in await per_account(options, env, groups, work):
        if isinstance(result, CredentialsError):
            failures += [
                IntegrationFailure(f.state.integration_id, f.path, str(result), group.name)
                for f in group.items
            ]
            continue
        plan, found = result
        integrations += plan.integrations
        failures += plan.failures
        problems += found
    return Plan(tuple(integrations), tuple(failures), fleet.selection), problems
