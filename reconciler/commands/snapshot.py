"""``reconciler snapshot``: save the live state of the managed integrations for offline plans."""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import click

from reconciler.console import one_line
from reconciler.errors import ExitCode
from reconciler.report import run_async
from reconciler.sendcloud.options import GlobalOptions


def snapshot(
    paths: Sequence[str], options: GlobalOptions, *, out: Path, extra_ids: Sequence[int] = ()
) -> ExitCode:
    """Read the integrations the files manage (and ``extra_ids``); write the snapshot to ``out``.

    Each integration is read with its account's client, as plan, apply and drift read it (the
    project file's ``accounts``: their own key pair, API and sandbox); ``extra_ids`` and files no
    account claims with the command line's. All or nothing: when any integration cannot be read,
    no file is written (a partial snapshot would make pull-request plans fail later, far from
    the cause) and the exit code is 1.
    """
    from reconciler.errors import ReconcilerError
    from reconciler.fleet import Targeting
    from reconciler.report import load_fleet_or_report
    from reconciler.sendcloud.accounts import DEFAULT_ACCOUNT, read_accounts
    from reconciler.sendcloud.connect import target
    from reconciler.snapshot import write_snapshot

    fleet = load_fleet_or_report(paths, Targeting())
    if fleet is None:
        return ExitCode.ERROR
    files = fleet.files
    account_of = {f.state.integration_id: fleet.account_of(f) for f in files}
    for extra in extra_ids:
        account_of.setdefault(extra, DEFAULT_ACCOUNT)
    accounts = fleet.project.model.accounts
    lives = run_async(read_accounts(options, os.environ, accounts, account_of))
    sources = {f.state.integration_id: f.path for f in files}
    failed = {i: e for i, e in lives.items() if isinstance(e, ReconcilerError)}
    for integration_id, error in sorted(failed.items()):
        where = sources.get(integration_id, "--id")
        click.echo(one_line(f"Error: integration {integration_id} ({where}): {error}"), err=True)
    if failed:
        click.echo(
            f"No snapshot written: {len(failed)} integration(s) could not be read.", err=True
        )
        return ExitCode.ERROR
    read_ok = {i: s for i, s in lives.items() if not isinstance(s, ReconcilerError)}
    api_url = target(options, os.environ)
    write_snapshot(out, read_ok, taken_at=datetime.now(UTC), api_url=api_url)
    noun = "integration" if len(read_ok) == 1 else "integrations"
    click.echo(one_line(f"Snapshot of {len(read_ok)} {noun} saved to {out}."))
    return ExitCode.OK
