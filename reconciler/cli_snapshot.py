"""``reconciler snapshot``: the live state of the managed integrations, for ``plan --live``.

Kept out of ``cli.py`` for its size, like ``cli_journal``: `register_snapshot_command` adds it to
the group, given the shared decorators and helpers (passed in, so this module does not import
``cli``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from reconciler import helptext
from reconciler.cli_options import PathParam
from reconciler.sendcloud.options import GlobalOptions

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def register_snapshot_command(
    group: click.Group,
    *,
    global_options: Decorator,
    options: Callable[[click.Context, dict[str, Any]], GlobalOptions],
    paths: Callable[[click.Context, tuple[str, ...]], Sequence[str]],
) -> None:
    """Add ``snapshot`` to ``group``; ``options`` turns a command's context and keyword arguments
    into the global options (popping them), ``paths`` the PATH arguments into paths to read."""

    @group.command(epilog=helptext.SNAPSHOT)
    @click.argument("paths_given", metavar="[PATHS]...", nargs=-1, type=PathParam(path_type=str))
    @click.option(
        "--out",
        type=PathParam(path_type=Path, dir_okay=False),
        required=True,
        help="Where to save the snapshot (JSON; no credentials in it).",
    )
    @click.option(
        "--id",
        "extra_ids",
        multiple=True,
        type=click.IntRange(min=1),
        metavar="ID",
        help="Also include this integration (one no file manages yet); repeatable.",
    )
    @global_options
    @click.pass_context
    def snapshot(
        ctx: click.Context,
        /,
        paths_given: tuple[str, ...],
        out: Path,
        extra_ids: tuple[int, ...],
        **kwargs: Any,
    ) -> int:
        """Save the live state of the managed integrations, for `plan --live` (no credentials)."""
        from reconciler.commands import snapshot as command

        global_ = options(ctx, kwargs)
        return command.snapshot(paths(ctx, paths_given), global_, out=out, extra_ids=extra_ids)
