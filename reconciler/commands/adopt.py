"""``reconciler adopt``: the other answer to drift, rewriting the files to match Sendcloud.

Only the sections a file manages are touched, and only where they differ: comments, key order,
quoting and indentation stay (see `reconciler.config.rewrite`), a file already in sync is not
written at all. What changed is printed per file with the change objects `plan` uses, read as
"file → live".
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import click

from reconciler.changes import (
    Change,
    MappingChange,
    StatusDelete,
    StatusUpdate,
    describe_changes,
    sorted_changes,
)
from reconciler.config.loader import DesiredFile
from reconciler.console import one_line
from reconciler.errors import ExitCode, FileRefused, ReconcilerError
from reconciler.fleet import Selected, Targeting
from reconciler.model import Category, Language, LiveState
from reconciler.project import is_unmanaged
from reconciler.render.grouping import selection_lines
from reconciler.report import load_fleet_or_report, run_async
from reconciler.sendcloud.options import GlobalOptions

Statuses = Mapping[str, Mapping[Language, str]]


def adopt(
    paths: Sequence[str], options: GlobalOptions, targeting: Targeting | None = None
) -> ExitCode:
    """Rewrite the files under ``paths`` (narrowed by ``targeting``) to match Sendcloud, each
    account read with its own key pair; ``ERROR`` if any file failed."""
    selected = load_fleet_or_report(paths, targeting or Targeting())
    if selected is None:
        return ExitCode.ERROR
    files = selected.files
    for line in selection_lines(selected.selection):
        click.echo(line, err=True)
    lives = run_async(_read(options, selected))
    failed = 0
    adopted = 0
    for desired in files:
        live = lives[desired.state.integration_id]
        if isinstance(live, ReconcilerError):
            click.echo(
                one_line(
                    f"Error: {desired.path}: integration {desired.state.integration_id}: {live}"
                ),
                err=True,
            )
            failed += 1
            continue
        try:
            adopted += write_live_state(desired, live)
        except (ReconcilerError, OSError) as exc:
            click.echo(one_line(f"Error: {desired.path}: not written: {exc}"), err=True)
            failed += 1
    # A file that failed is neither adopted nor in sync: counted on its own.
    in_sync = len(files) - adopted - failed
    click.echo(
        f"Adopted {adopted} {'file' if adopted == 1 else 'files'} from Sendcloud; "
        f"{in_sync} already in sync" + (f"; {failed} failed." if failed else ".")
    )
    return ExitCode.ERROR if failed else ExitCode.OK


async def _read(
    options: GlobalOptions, selected: Selected
) -> dict[int, LiveState | ReconcilerError]:
    """Each account's integrations with that account's client, all accounts at once."""
    from reconciler.sendcloud.accounts import read_accounts

    accounts = {f.state.integration_id: f.account or "" for f in selected.files}
    return await read_accounts(options, os.environ, selected.project.model.accounts, accounts)


def write_live_state(desired: DesiredFile, live: LiveState) -> bool:
    """Rewrite one file to match ``live`` (adopt, restore --to-files); False when it already did.

    Only the sections the file manages are rewritten, keeping comments and key order; prints
    the changes. Raises `FileRefused` when the file was edited since it was loaded.
    """
    from reconciler.config.loader import parse
    from reconciler.config.reader import MAX_FILE_BYTES
    from reconciler.config.rewrite import live_mapping, rewrite, verify_rewrite
    from reconciler.diff import diff_mapping, diff_statuses
    from reconciler.files import FileChanged, read_user_file, write_atomically

    state = desired.state
    # Unmanaged live statuses belong to someone else: never adopted into a file.
    owned = {
        ext: texts
        for ext, texts in live.statuses.items()
        if ext in (state.statuses or {}) or not is_unmanaged(ext, desired.unmanaged)
    }
    statuses = owned if state.statuses is not None else None
    mapping, notes = live_mapping(live) if state.mapping is not None else (None, {})
    changes: list[Change] = []
    if statuses is not None and state.statuses is not None:
        # Diffed as (target, current): the changes read as "what the file had → what it gets".
        changes += diff_statuses(statuses, state.statuses)
    if mapping is not None and state.mapping is not None:
        changes += diff_mapping(mapping, state.mapping.as_dict())
    if not changes:
        return False
    if desired.extends:
        return _adopt_overrides(desired, changes, statuses, mapping)
    path = Path(desired.path)
    original = read_user_file(path, limit=MAX_FILE_BYTES)
    text = original.decode("utf-8", errors="replace")
    if parse(text, desired.path, unmanaged=desired.unmanaged).state != state:
        # Edited since it was read and compared with Sendcloud: the comparison is void.
        raise FileRefused(_EDITED)
    new_text = rewrite(
        text,
        statuses=statuses,
        mapping=mapping,
        notes={c: note for c, (note, _) in notes.items() if c in _remapped(changes)},
    )
    verify_rewrite(
        new_text,
        desired.path,
        statuses=statuses,
        mapping=mapping,
        base=state,
        unmanaged=desired.unmanaged,
    )
    try:
        write_atomically(path, new_text, expected=original)
    except FileChanged:
        raise FileRefused(_EDITED) from None
    click.echo(one_line(f"{desired.path}: ") + describe_changes(sorted_changes(changes)))
    for category, (_, warning) in notes.items():
        if category in _remapped(changes):
            click.echo(one_line(f"Warning: {desired.path}: {warning}"), err=True)
    return True


def _adopt_overrides(
    desired: DesiredFile,
    changes: list[Change],
    statuses: Statuses | None,
    mapping: dict[Category, str | None] | None,
) -> bool:
    """A file with bases: each value goes where it was set if that is this file, otherwise it
    becomes an override in this file; a shared base is never edited."""
    from reconciler.config.loader import parse
    from reconciler.config.override import (
        apply_overrides,
        base_only,
        check_overrides,
        overrides,
    )
    from reconciler.config.reader import MAX_FILE_BYTES
    from reconciler.files import FileChanged, read_user_file, write_atomically

    ordered = sorted_changes(changes)
    path = Path(desired.path)
    original = read_user_file(path, limit=MAX_FILE_BYTES)
    text = original.decode("utf-8", errors="replace")
    if parse(text, desired.path, unmanaged=desired.unmanaged).state != desired.state:
        # Edited since it was read and compared with Sendcloud: the comparison is void.
        raise FileRefused(_EDITED)
    new_text = apply_overrides(text, overrides(list(ordered), base_only(desired)))
    expected = {k: dict(v) for k, v in statuses.items()} if statuses is not None else None
    check_overrides(new_text, desired, expected, mapping)
    try:
        write_atomically(path, new_text, expected=original)
    except FileChanged:
        raise FileRefused(_EDITED) from None
    described = []
    for change in ordered:
        origin = _origin(desired, change)
        where = f" (override here; was set in {origin})" if origin else " (in this file)"
        described.append(change.describe() + where)
    click.echo(one_line(f"{desired.path}: ") + "; ".join(described))
    return True


def _origin(desired: DesiredFile, change: Change) -> str | None:
    """The base that set what ``change`` replaces (None: this file set it, or nothing did)."""
    if isinstance(change, MappingChange):
        return desired.provenance("mapping", change.category.value)
    if isinstance(change, StatusUpdate):
        for t in change.translations:
            if t.old is not None:
                return desired.provenance("statuses", change.external_id, t.language)
        return None
    if isinstance(change, StatusDelete):
        return desired.provenance("statuses", change.external_id)
    return None


_EDITED = (
    "the file was edited while adopt ran (it no longer holds what was read and compared with "
    "Sendcloud), so it was not written; run adopt again"
)


def _remapped(changes: Sequence[Change]) -> set[Category]:
    return {c.category for c in changes if c.target == "mapping"}
