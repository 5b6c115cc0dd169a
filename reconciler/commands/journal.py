"""``reconciler journal show FILE``: what a journal says happened (reads only the file)."""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.errors import ExitCode
from reconciler.history import read_journal
from reconciler.render.journal import JournalFormat, render_journal


def journal_show(path: Path, *, fmt: JournalFormat = "text") -> ExitCode:
    """Print the summary of the journal at ``path``; `JournalError` if it cannot be read."""
    runs = read_journal(path)
    click.echo(render_journal(str(path), runs, fmt), nl=False)
    return ExitCode.OK
