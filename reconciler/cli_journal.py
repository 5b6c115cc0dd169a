"""The commands that read an apply journal (``restore``, ``journal show``) and ``policy list``.

Kept out of ``cli.py`` for its size; `register_journal_commands` adds them to the group, given
the shared option decorators (passed in, so this module does not import ``cli``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import click

from reconciler import helptext
from reconciler.cli_options import PathParam
from reconciler.sendcloud.options import GlobalOptions

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]
Format = Literal["text", "markdown", "json"]


def register_journal_commands(
    group: click.Group,
    *,
    global_options: Decorator,
    format_option: Decorator,
    options: Callable[[click.Context, dict[str, Any]], GlobalOptions],
) -> None:
    """Add ``restore`` and ``journal show`` to ``group``; ``options`` turns a command's context
    and keyword arguments into the global options (popping them from the keywords)."""

    @group.command(epilog=helptext.RESTORE)
    @click.option(
        "--journal",
        "journal_path",
        type=PathParam(path_type=Path, dir_okay=False),
        required=True,
        help="The journal an apply wrote (apply --journal FILE).",
    )
    @click.option(
        "--apply-id", default=None, metavar="ID", help="Which apply to undo (default: the last)."
    )
    @click.option(
        "--only",
        multiple=True,
        metavar="SELECTOR",
        help="Restore only these integrations: an id (12) or an account (account:NAME, or a "
        "bare NAME); repeatable, or comma-separated.",
    )
    @click.option(
        "--exclude",
        multiple=True,
        metavar="SELECTOR",
        help="Leave these integrations out (same forms as --only); repeatable.",
    )
    @format_option
    @click.option(
        "--out",
        type=PathParam(path_type=Path, dir_okay=False),
        default=None,
        help="Save the restore plan for apply --plan.",
    )
    @click.option(
        "--force", is_flag=True, help="Restore integrations that changed since the apply, too."
    )
    @click.option(
        "--to-files",
        "to_files",
        is_flag=True,
        help="Rewrite the desired-state files under PATHS (default: integrations/) instead of "
        "printing a plan.",
    )
    @click.argument("paths", nargs=-1, type=PathParam(path_type=str))
    @global_options
    @click.pass_context
    def restore(
        ctx: click.Context,
        /,
        journal_path: Path,
        apply_id: str | None,
        only: tuple[str, ...],
        exclude: tuple[str, ...],
        fmt: Format,
        out: Path | None,
        force: bool,
        to_files: bool,
        paths: tuple[str, ...],
        **kwargs: Any,
    ) -> int:
        """Plan the way back to the state before an apply, from its journal.

        PATHS (default: the current directory) locate the project file that defines the
        journal's accounts; with --to-files they hold the files to rewrite."""
        from reconciler.commands import restore as command

        if to_files and out is not None:
            raise click.UsageError("give either --to-files or --out, not both")
        return command.restore(
            journal_path,
            options(ctx, kwargs),
            paths=paths or (("integrations",) if to_files else ()),
            apply_id=apply_id,
            only=only,
            exclude=exclude,
            fmt=fmt,
            out=out,
            force=force,
            to_files=to_files,
        )

    @group.group()
    def journal() -> None:
        """Read an apply journal."""

    @journal.command("show", epilog=helptext.JOURNAL_SHOW)
    @click.argument("path", type=PathParam(path_type=Path, dir_okay=False))
    @click.option(
        "--format",
        "fmt",
        type=click.Choice(["text", "markdown"]),
        default="text",
        show_default=True,
        help="How to print the summary.",
    )
    def journal_show(path: Path, fmt: Literal["text", "markdown"]) -> int:
        """Summarise a journal: applies, integrations, writes and their outcomes."""
        from reconciler.commands import journal as command

        return command.journal_show(path, fmt=fmt)

    @group.group()
    def policy() -> None:
        """Rules the desired state must follow (the project file's ``policies``)."""

    @policy.command("list", epilog=helptext.POLICY_LIST)
    @click.argument("paths", nargs=-1, type=PathParam(path_type=str))
    @click.pass_context
    def policy_list(ctx: click.Context, paths: tuple[str, ...]) -> int:
        """Print the rules in force for the files under PATH (default: integrations/)."""
        from reconciler.cli_options import _paths
        from reconciler.commands import policy_list as command

        return command.policy_list(_paths(ctx, paths))
