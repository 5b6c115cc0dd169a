"""``reconciler adopt``: the other answer to drift, rewriting the files to match Sendcloud.

Only the sections a file manages are touched, and only where they differ: comments, key order,
quoting and indentation stay (see `reconciler.config.rewrite`), a file already in sync is not
written at all. What changed is printed per file with the change objects `plan` uses, read as
"file → live".
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import click

from reconciler.changes import Change, describe_changes, sorted_changes
from reconciler.config.loader import DesiredFile
from reconciler.console import one_line
from reconciler.errors import ExitCode, FileRefused, ReconcilerError
from reconciler.model import Category, LiveState
from reconciler.report import load_or_report, run_async
from reconciler.sendcloud.options import GlobalOptions


def adopt(paths: Sequence[str], options: GlobalOptions) -> ExitCode:
    """Rewrite the files under ``paths`` to match Sendcloud; ``ERROR`` if any file failed."""
    files = load_or_report(paths)
    if files is None:
        return ExitCode.ERROR
    lives = run_async(_read(options, [f.state.integration_id for f in files]))
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
    options: GlobalOptions, ids: Sequence[int]
) -> dict[int, LiveState | ReconcilerError]:
    from reconciler.sendcloud.connect import open_client
    from reconciler.sendcloud.live import read_many

    async with open_client(options, os.environ) as client:
        return await read_many(client, ids)


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
    statuses = live.statuses if state.statuses is not None else None
    mapping, notes = live_mapping(live) if state.mapping is not None else (None, {})
    changes: list[Change] = []
    if statuses is not None and state.statuses is not None:
        # Diffed as (target, current): the changes read as "what the file had → what it gets".
        changes += diff_statuses(statuses, state.statuses)
    if mapping is not None and state.mapping is not None:
        changes += diff_mapping(mapping, state.mapping.as_dict())
    if not changes:
        return False
    path = Path(desired.path)
    original = read_user_file(path, limit=MAX_FILE_BYTES)
    text = original.decode("utf-8", errors="replace")
    if parse(text, desired.path).state != state:
        # Edited since it was read and compared with Sendcloud: the comparison is void.
        raise FileRefused(_EDITED)
    new_text = rewrite(
        text,
        statuses=statuses,
        mapping=mapping,
        notes={c: note for c, (note, _) in notes.items() if c in _remapped(changes)},
    )
    verify_rewrite(new_text, desired.path, statuses=statuses, mapping=mapping, base=state)
    try:
        write_atomically(path, new_text, expected=original)
    except FileChanged:
        raise FileRefused(_EDITED) from None
    click.echo(one_line(f"{desired.path}: ") + describe_changes(sorted_changes(changes)))
    for category, (_, warning) in notes.items():
        if category in _remapped(changes):
            click.echo(one_line(f"Warning: {desired.path}: {warning}"), err=True)
    return True


_EDITED = (
    "the file was edited while adopt ran (it no longer holds what was read and compared with "
    "Sendcloud), so it was not written; run adopt again"
)


def _remapped(changes: Sequence[Change]) -> set[Category]:
    return {c.category for c in changes if c.target == "mapping"}
