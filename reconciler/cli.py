"""The command-line surface: parse, call one command function, turn the outcome into an exit code.

This is the only place that catches broad exceptions. Expected failures (``ReconcilerError``) become
a message and ``ExitCode.ERROR`` (1); Ctrl-C becomes ``ExitCode.INTERRUPTED`` (130); anything else
is a bug, reported in one line with the path of a file holding the full traceback, and exits
``ExitCode.CRASH`` (3). Each command ``reconciler X`` calls ``reconciler.commands.X.X``.

Heavy libraries (pydantic, httpx, deepdiff, rich) are imported inside the command functions, so
``reconciler --help`` starts in a few tens of milliseconds.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import click

from reconciler import __version__, helptext
from reconciler.cli_journal import register_journal_commands
from reconciler.cli_options import (
    _FILE,
    _GLOBAL_NAMES,
    Format,
    PathParam,
    _options,
    _paths,
    _split,
    _targeting,
    format_option,
    global_options,
    paths_argument,
    targeting_options,
)
from reconciler.cli_sandbox import sandbox
from reconciler.cli_snapshot import register_snapshot_command
from reconciler.errors import ExitCode

COMPLETE_VAR = "_RECONCILER_COMPLETE"  # what click's completion scripts set when they call back


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@global_options
@click.version_option(__version__, "--version", prog_name="reconciler")
@click.pass_context
def cli(ctx: click.Context, /, **kwargs: Any) -> None:
    """Keep Sendcloud shop order statuses and their mapping in git.

    One YAML file per integration describes the statuses and the status-category mapping;
    `validate` checks the files, `plan` shows what would change, `apply` makes it so, and
    `drift` reports what changed in Sendcloud behind git's back.
    """
    ctx.meta["reconciler.global"] = {k: v for k, v in kwargs.items() if v is not None}


def _offline(command: click.Command) -> click.Command:
    """Accept the shared API options (scripts may pass them to every command), but unlisted."""
    for param in command.params:
        if isinstance(param, click.Option) and param.name in _GLOBAL_NAMES:
            param.hidden = True
    return command


@_offline
@cli.command(epilog=helptext.VALIDATE)
@paths_argument
@global_options
@click.pass_context
def validate(ctx: click.Context, /, paths: tuple[str, ...], **kwargs: Any) -> int:
    """Check desired-state files offline; every problem is printed as file:line:col."""
    from reconciler.commands import validate as command

    _options(ctx, _split(kwargs))
    return command.validate(_paths(ctx, paths))


@cli.command(epilog=helptext.PLAN)
@paths_argument
@format_option
@click.option(
    "--out",
    type=PathParam(path_type=Path, dir_okay=False),
    default=None,
    help="Also save the plan (JSON, with the live state it was made from) for apply --plan.",
)
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 2 when there are changes to apply, 0 when there are none.",
)
@targeting_options
@click.option(
    "--changed-since",
    metavar="REF",
    default=None,
    help="Plan only the integrations whose file, or a base it extends, changed between the git "
    "commit REF and the working tree (e.g. origin/main).",
)
@click.option("--live", type=_FILE, help="Plan offline against this snapshot (`snapshot --out`).")
@global_options
@click.pass_context
def plan(
    ctx: click.Context,
    /,
    paths: tuple[str, ...],
    fmt: Format,
    out: Path | None,
    detailed_exitcode: bool,
    only: tuple[str, ...],
    exclude: tuple[str, ...],
    changed_since: str | None,
    live: Path | None,
    **kwargs: Any,
) -> int:
    """Show what apply would change in Sendcloud (reads only)."""
    from reconciler.commands import plan as command

    options = _options(ctx, _split(kwargs))
    return command.plan(_paths(ctx, paths), options, fmt=fmt, out=out,
                        detailed_exitcode=detailed_exitcode, live=live,
                        targeting=_targeting(only, exclude, changed_since))  # fmt: skip


@cli.command(epilog=helptext.APPLY)
@paths_argument
@click.option(
    "--plan",
    "plan_file",
    type=PathParam(path_type=Path, dir_okay=False),
    default=None,
    help="Apply exactly this saved plan (from plan --out); integrations whose live "
    "state changed since are refused as stale.",
)
@click.option("--auto-approve", is_flag=True, help="Do not ask for confirmation.")
@click.option(
    "--force", is_flag=True, help="Apply plans marked unsafe (deleting many or all statuses)."
)
@click.option(
    "--journal",
    "journal_path",
    type=PathParam(path_type=Path, dir_okay=False),
    default=None,
    help="Append one JSON line per API write to this file.",
)
@targeting_options
@click.option("--check-files", multiple=True, type=PathParam(path_type=str), metavar="PATH",
              help="With --plan: refuse unless the plan was made from these files.")  # fmt: skip
@global_options
@click.pass_context
def apply(
    ctx: click.Context,
    /,
    paths: tuple[str, ...],
    plan_file: Path | None,
    auto_approve: bool,
    force: bool,
    journal_path: Path | None,
    only: tuple[str, ...],
    exclude: tuple[str, ...],
    check_files: tuple[str, ...],
    **kwargs: Any,
) -> int:
    """Make Sendcloud match the files: statuses first, then the mapping, then verify."""
    from reconciler.commands import apply as command

    options = _options(ctx, _split(kwargs))
    if plan_file is not None and paths:
        raise click.UsageError("give either PATHS or --plan, not both")
    if plan_file is not None and (only or exclude):
        raise click.UsageError(
            "--plan applies exactly the saved plan; target when planning (plan --only ...)"
        )
    return command.apply(
        _paths(ctx, paths) if plan_file is None else (),
        options,
        plan_file=plan_file,
        auto_approve=auto_approve,
        force=force,
        journal_path=journal_path,
        targeting=_targeting(only, exclude),
        check_files=check_files,
    )


@cli.command(epilog=helptext.DRIFT)
@paths_argument
@format_option
@targeting_options
@global_options
@click.pass_context
def drift(
    ctx: click.Context,
    /,
    paths: tuple[str, ...],
    fmt: Format,
    only: tuple[str, ...],
    exclude: tuple[str, ...],
    **kwargs: Any,
) -> int:
    """Report where Sendcloud differs from git (exit 2 on drift, 0 in sync)."""
    from reconciler.commands import drift as command

    options = _options(ctx, _split(kwargs))
    return command.drift(_paths(ctx, paths), options, fmt=fmt, targeting=_targeting(only, exclude))


class _IntegrationId(click.ParamType):  # type: ignore[type-arg]  # generic from click 8.2
    """A Sendcloud integration id as files hold it: plain ASCII decimal digits, above 0.

    click's int would also take ``٣`` (Arabic-Indic three) as 3 and ``0x1F``-like text never;
    one rule for the command line and the files."""

    name = "integration_id"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        text = str(value)
        if not (text.isascii() and text.isdigit() and 0 < len(text.lstrip("0")) <= 19):
            self.fail(f"{text[:40]!r} is not an integration id (digits 0-9, above 0)", param, ctx)
        return int(text)


@cli.command("import", epilog=helptext.IMPORT)
@click.argument("integration_ids", nargs=-1, required=True, type=_IntegrationId())
@click.option(
    "--dir",
    "directory",
    type=PathParam(path_type=Path, file_okay=False),
    default=Path("integrations"),
    show_default=True,
    help="Where to write the files.",
)
@click.option("--overwrite", is_flag=True, help="Replace files that already exist.")
@targeting_options
@global_options
@click.pass_context
def import_(
    ctx: click.Context,
    /,
    integration_ids: tuple[int, ...],
    directory: Path,
    overwrite: bool,
    only: tuple[str, ...],
    exclude: tuple[str, ...],
    **kwargs: Any,
) -> int:
    """Write one desired-state file per integration from its live state."""
    from reconciler.commands import import_ as command

    options = _options(ctx, _split(kwargs))
    return command.import_(
        integration_ids,
        options,
        directory=directory,
        overwrite=overwrite,
        targeting=_targeting(only, exclude),
    )


@cli.command(epilog=helptext.ADOPT)
@paths_argument
@targeting_options
@global_options
@click.pass_context
def adopt(
    ctx: click.Context,
    /,
    paths: tuple[str, ...],
    only: tuple[str, ...],
    exclude: tuple[str, ...],
    **kwargs: Any,
) -> int:
    """Rewrite the files to match Sendcloud, keeping comments and layout."""
    from reconciler.commands import adopt as command

    options = _options(ctx, _split(kwargs))
    return command.adopt(_paths(ctx, paths), options, _targeting(only, exclude))


@cli.command("matrix")
@paths_argument
@click.option(
    "--changed-since",
    metavar="REF",
    default=None,
    help="List only the accounts holding an integration changed since the git commit REF.",
)
@click.pass_context
def matrix(ctx: click.Context, /, paths: tuple[str, ...], changed_since: str | None) -> int:
    """Print a GitHub Actions matrix: one entry per account (its paths, its credential names)."""
    from reconciler.commands import matrix as command

    return command.matrix(_paths(ctx, paths), changed_since=changed_since)


cli.add_command(sandbox)


@cli.command(epilog=helptext.SCHEMA)
@click.argument(
    "kind", type=click.Choice(["integration", "base", "project"]), default="integration"
)
def schema(kind: Literal["integration", "base", "project"]) -> int:
    """Print the JSON Schema of a file format: integration (default), base, or project."""
    from reconciler.commands import schema as command

    return command.schema(kind)


@cli.command("render")
@click.argument("paths", nargs=-1, required=True, type=PathParam(path_type=str))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["yaml", "json"]),
    default="yaml",
    show_default=True,
    help="yaml: a flat file with `# file:line` comments; json: values and origins.",
)
def render(paths: tuple[str, ...], fmt: Literal["yaml", "json"]) -> int:
    """Print the resolved desired state of files (bases merged in), each value with its origin."""
    from reconciler.commands.render import run

    return run(paths, fmt=fmt)


register_journal_commands(
    cli,
    global_options=global_options,
    format_option=format_option,
    options=lambda ctx, kwargs: _options(ctx, _split(kwargs)),
)
register_snapshot_command(cli, global_options=global_options, paths=_paths,
                          options=lambda ctx, kwargs: _options(ctx, _split(kwargs)))  # fmt: skip


@cli.command(epilog=helptext.COMPLETION)
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
def completion(shell: str) -> int:
    """Print the shell completion script for SHELL (commands, options, file names)."""
    from click.shell_completion import get_completion_class

    completion_class = get_completion_class(shell)
    assert completion_class is not None  # noqa: S101 - the three choices are built into click
    click.echo(completion_class(cli, {}, "reconciler", COMPLETE_VAR).source())
    return ExitCode.OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``reconciler`` with ``argv`` (default: ``sys.argv[1:]``) and return its ``ExitCode``."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        result = cli.main(args=args, prog_name="reconciler", standalone_mode=False)
    except click.exceptions.Exit as exc:  # --help, --version
        return int(exc.exit_code)
    except click.ClickException as exc:  # bad flags or arguments: a user mistake, not a crash
        from reconciler.quoting import printable

        # click quotes the value it refuses (a path, a choice) as given: keep it one line.
        # (`message` is typed Final in click's stubs, but show() reads it from the instance.)
        vars(exc)["message"] = printable(exc.message)
        exc.show()
        return ExitCode.ERROR
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return ExitCode.INTERRUPTED
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        return ExitCode.INTERRUPTED
    except Exception as exc:
        return _report_crash(exc)
    return int(result) if isinstance(result, int) else ExitCode.OK


def _report_crash(exc: BaseException) -> ExitCode:
    import tempfile
    import time
    import traceback

    from reconciler.console import one_line
    from reconciler.errors import ReconcilerError

    if isinstance(exc, ReconcilerError):
        click.echo(one_line(f"Error: {exc}"), err=True)
        return ExitCode.ERROR
    fd, name = tempfile.mkstemp(prefix=f"reconciler-crash-{int(time.time())}-", suffix=".txt")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(f"reconciler {__version__}, Python {sys.version.split()[0]}\n")
        traceback.print_exception(exc, file=handle)
    # One line: the message of an unexpected exception may span lines; the file has it all.
    message = " ".join(str(exc).split())
    click.echo(
        one_line(f"reconciler crashed: {type(exc).__name__}: {message}")
        + f" (a bug; the traceback is in {name}, please attach it to a bug report)",
        err=True,
    )
    return ExitCode.CRASH
