"""``reconciler snapshot``: save the live state of the managed integrations for offline plans."""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import click

from reconciler.errors import ExitCode
from reconciler.report import load_or_report, run_async
from reconciler.sendcloud.options import GlobalOptions


def snapshot(
    paths: Sequence[str], options: GlobalOptions, *, out: Path, extra_ids: Sequence[int] = ()
) -> ExitCode:
    """Read the integrations the files manage (and ``extra_ids``); write the snapshot to ``out``.

    All or nothing: when any integration cannot be read, no file is written (a partial snapshot
    would make pull-request plans fail later, far from the cause) and the exit code is 1.
    """
    from reconciler.errors import ReconcilerError
    from reconciler.model import LiveState
    from reconciler.sendcloud.connect import open_client, target
    from reconciler.sendcloud.live import read_many
    from reconciler.snapshot import write_snapshot

    files = load_or_report(paths)
    if files is None:
        return ExitCode.ERROR
    ids = [f.state.integration_id for f in files] + list(extra_ids)

    async def read() -> dict[int, LiveState | ReconcilerError]:
        async with open_client(options, os.environ) as client:
            return await read_many(client, ids)

    lives = run_async(read())
    sources = {f.state.integration_id: f.path for f in files}
    failed = {i: e for i, e in lives.items() if isinstance(e, ReconcilerError)}
    for integration_id, error in sorted(failed.items()):
        where = sources.get(integration_id, "--id")
        click.echo(f"Error: integration {integration_id} ({where}): {error}", err=True)
    if failed:
        click.echo(
            f"No snapshot written: {len(failed)} integration(s) could not be read.", err=True
        )
        return ExitCode.ERROR
    read_ok = {i: s for i, s in lives.items() if isinstance(s, LiveState)}
    api_url = target(options, os.environ)
    write_snapshot(out, read_ok, taken_at=datetime.now(UTC), api_url=api_url)
    noun = "integration" if len(read_ok) == 1 else "integrations"
    click.echo(f"Snapshot of {len(read_ok)} {noun} saved to {out}.")
    return ExitCode.OK
