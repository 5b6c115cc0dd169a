"""``reconciler import``: one desired-state file per integration, written from its live state.

The file starts with the schema modeline when ``schemas/integration.schema.json`` is found in
``DIR`` or above it (up to the repository root), with a path relative to ``DIR`` so it works in
every clone; otherwise with a comment saying how to get the schema. A live mapping entry that
points at a deleted status is written as ``null`` with a comment: the file must pass ``validate``.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import click

from reconciler import __version__
from reconciler.config.project import load_project
from reconciler.console import one_line
from reconciler.errors import ExitCode, ReconcilerError
from reconciler.fleet import Targeting
from reconciler.model import LiveState
from reconciler.project import ClaimConflict, Project, Unclaimed, is_unmanaged
from reconciler.report import run_async
from reconciler.sendcloud.options import GlobalOptions

SCHEMA_PATH = Path("schemas", "integration.schema.json")


def import_(
    integration_ids: tuple[int, ...],
    options: GlobalOptions,
    *,
    directory: Path,
    overwrite: bool,
    targeting: Targeting | None = None,
) -> ExitCode:
    """Write ``DIR/<id>.yaml`` for each integration id (narrowed by ``targeting``), each read
    with the key pair of the account its file will belong to; ``ERROR`` if any was refused or
    failed."""
    ids = list(dict.fromkeys(integration_ids))
    targets = {integration_id: directory / f"{integration_id}.yaml" for integration_id in ids}
    try:
        project = load_project([directory])
        accounts = {i: _account(project, path) for i, path in targets.items()}
        ids = _targeted(ids, targets, accounts, project, targeting or Targeting())
    except ReconcilerError as exc:
        click.echo(f"Error: {exc}", err=True)
        return ExitCode.ERROR
    targets = {i: targets[i] for i in ids}
    refused = _refusals(targets, directory, overwrite=overwrite)
    for message in refused.values():
        click.echo(one_line(f"Error: {message}"), err=True)
    wanted = [integration_id for integration_id in ids if integration_id not in refused]
    lives = run_async(_read(options, project, {i: accounts[i] for i in wanted})) if wanted else {}
    failed = len(refused)
    header = _header(directory)
    for integration_id in wanted:
        live = lives[integration_id]
        path = targets[integration_id]
        if isinstance(live, ReconcilerError):
            click.echo(one_line(f"Error: integration {integration_id}: {live}"), err=True)
            failed += 1
            continue
        try:
            _write(path, live, header, project.unmanaged_for(accounts[integration_id] or None))
        except (ReconcilerError, OSError) as exc:
            click.echo(one_line(f"Error: {path}: not written: {exc}"), err=True)
            failed += 1
            continue
        if _holds_nothing(live):
            click.echo(
                one_line(f"Warning: {path}: {empty_warning(integration_id, options)}"), err=True
            )
    if failed:
        written = len(ids) - failed
        click.echo(
            f"Imported {written} of {len(ids)} {'integration' if len(ids) == 1 else 'integrations'}"
            f"; {failed} failed."
        )
    return ExitCode.ERROR if failed else ExitCode.OK


def _holds_nothing(live: LiveState) -> bool:
    return not live.statuses and all(e.external_id is None for e in live.mapping.values())


def empty_warning(integration_id: int, options: GlobalOptions) -> str:
    """Why an integration may hold nothing, and how to check its id (Sendcloud or the sandbox)."""
    if options.sandbox:
        where = "the sandbox"
        hint = (
            "The sandbox starts every id it has not seen empty: check the id against your "
            "files, or `reconciler sandbox show ID`."
        )
    else:
        where = "Sendcloud"
        hint = (
            "It is the number Sendcloud shows in the panel under Settings > Integrations for a "
            "PrestaShop V2 integration; its statuses appear once the shop's module has synced."
        )
    return (
        f"integration {integration_id} has no statuses and no mapping in {where}: is the id "
        f"right? {hint} The file was written anyway; delete it if the id was wrong (with "
        "`statuses: {}` it asks apply to delete every status the shop adds later)."
    )


def today() -> date:
    return date.today()


async def _read(
    options: GlobalOptions, project: Project, accounts: dict[int, str]
) -> dict[int, LiveState | ReconcilerError]:
    """Each integration with the key pair of the account its new file will belong to."""
    from reconciler.sendcloud.accounts import read_accounts

    return await read_accounts(options, os.environ, project.model.accounts, accounts)


def _account(project: Project, path: Path) -> str:
    """The account whose ``paths`` the new file falls under ("" for the default key pair)."""
    if project.path is None:
        return ""
    relative = os.path.relpath(os.path.abspath(path), os.path.abspath(project.root))
    try:
        return project.account_for(Path(relative).as_posix()) or ""
    except (ClaimConflict, Unclaimed) as exc:
        raise ReconcilerError(f"{path}: {exc}") from None


def _targeted(
    ids: list[int],
    targets: dict[int, Path],
    accounts: dict[int, str],
    project: Project,
    targeting: Targeting,
) -> list[int]:
    """The ids --only / --exclude keep (by id, new file path or account); the rest are named."""
    from reconciler.fleet import display_path
    from reconciler.render.grouping import selection_lines
    from reconciler.targeting import (
        Target,
        TargetingError,
        parse_selectors,
        select,
        unmatched_files,
    )

    if not (targeting.only or targeting.exclude):
        return ids
    names = project.model.accounts
    labels = {label for account in names.values() for label in account.labels}
    only = parse_selectors("--only", targeting.only, accounts=names, labels=labels)
    exclude = parse_selectors("--exclude", targeting.exclude, accounts=names, labels=labels)
    candidates = [Target(i, display_path(targets[i]), accounts[i]) for i in ids]
    unknown = unmatched_files(candidates, [*only, *exclude], what="to write")
    if unknown:
        raise TargetingError("; ".join(unknown))
    chosen, selection = select(candidates, only, exclude)
    for line in selection_lines(selection):
        click.echo(line, err=True)
    return [t.integration_id for t in chosen]


def _refusals(targets: dict[int, Path], directory: Path, *, overwrite: bool) -> dict[int, str]:
    """Integrations not to import: their file exists, or another file already holds them."""
    refused: dict[int, str] = {}
    for integration_id, path in targets.items():
        if (path.exists() or path.is_symlink()) and not overwrite:
            refused[integration_id] = (
                f"{path} already exists; pass --overwrite to replace it, or run "
                f"`reconciler adopt {path}` to update it keeping its comments"
            )
    for integration_id, other in _existing_files(directory).items():
        if integration_id in targets and other.resolve() != targets[integration_id].resolve():
            refused[integration_id] = (
                f"integration {integration_id} is already in {other}; run "
                f"`reconciler adopt {other}` to update that file instead"
            )
    return refused


def _existing_files(directory: Path) -> dict[int, Path]:
    """Integration id → the valid file in ``directory`` that describes it (invalid ones skipped)."""
    from reconciler.config.loader import discover, load_file

    if not directory.is_dir():
        return {}
    found: dict[int, Path] = {}
    for path in discover([directory])[0]:
        try:
            found.setdefault(load_file(path).state.integration_id, path)
        except ReconcilerError:
            continue
    return found


def _header(directory: Path) -> list[str]:
    schema = find_schema(directory)
    if schema is None:
        first = [
            "To check this file in an editor, save `reconciler schema` as "
            f"{SCHEMA_PATH.as_posix()} and",
            "start the file with `# yaml-language-server: $schema=<path to it>`.",
        ]
    else:
        relative = os.path.relpath(schema, os.path.abspath(directory))
        first = [f"yaml-language-server: $schema={Path(relative).as_posix()}"]
    return [
        *first,
        f"Imported from Sendcloud on {today().isoformat()} by reconciler {__version__}.",
        "",
        'statuses: the shop\'s order statuses by external id (natural order: "2" before "10"),',
        "  each with its name per language (in language order). Ids are quoted so they stay",
        "  text. A status removed here is deleted in Sendcloud by `reconciler apply`.",
        "mapping: the shop status each Sendcloud category points at (null: unmapped), in the",
        "  order READY_TO_SEND, IN_TRANSIT, DELIVERED, CANCEL.",
        "Leave a section out to stop managing it. `reconciler plan` shows what apply would do.",
    ]


def find_schema(directory: Path) -> Path | None:
    """``schemas/integration.schema.json`` in ``directory`` or above, up to the repository root."""
    current = Path(os.path.abspath(directory))
    for candidate in (current, *current.parents):
        if (candidate / SCHEMA_PATH).is_file():
            return candidate / SCHEMA_PATH
        if (candidate / ".git").exists():
            return None
    return None


def _write(path: Path, live: LiveState, header: list[str], unmanaged: tuple[str, ...] = ()) -> None:
    """Write one file; statuses the project file leaves unmanaged are someone else's: left out."""
    from reconciler.config.livefile import live_document
    from reconciler.files import write_atomically

    text, warnings = live_document(live, header, str(path), unmanaged=unmanaged)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, text)
    for warning in warnings:
        click.echo(one_line(f"Warning: {path}: {warning}"), err=True)
    mapped = sum(e.external_id is not None and e.is_valid for e in live.mapping.values())
    statuses = sum(not is_unmanaged(e, unmanaged) for e in live.statuses)
    click.echo(
        one_line(
            f"Wrote {path}: integration {live.integration_id}, "
            f"{statuses} {'status' if statuses == 1 else 'statuses'}, "
            f"{mapped} of 4 categories mapped."
        )
    )
