"""The command-line surface: parse, call one command function, turn the outcome into an exit code.

This is the only place that catches broad exceptions. Expected failures (``ReconcilerError``) become
a message and ``ExitCode.ERROR`` (1); Ctrl-C becomes ``ExitCode.INTERRUPTED`` (130); anything else
is a bug, reported in one line with the path of a file holding the full traceback, and exits
``ExitCode.CRASH`` (3). Each command ``reconciler X`` calls ``reconciler.commands.X.X``.

Heavy libraries (pydantic, httpx, deepdiff, rich) are imported inside the command functions, so
``reconciler --help`` starts in a few tens of milliseconds.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal, TypeVar

import click

from reconciler import __version__, helptext
from reconciler.cli_journal import register_journal_commands
from reconciler.cli_sandbox import sandbox
from reconciler.cli_snapshot import register_snapshot_command
from reconciler.errors import ExitCode
from reconciler.sendcloud.options import (
    DEFAULT_PARALLELISM,
    DEFAULT_READS_PER_MINUTE,
    DEFAULT_REQUEST_DEADLINE,
    DEFAULT_SANDBOX_STATE,
    DEFAULT_WRITES_PER_MINUTE,
    GlobalOptions,
)

DEFAULT_PATHS = ("integrations/",)
COMPLETE_VAR = "_RECONCILER_COMPLETE"  # what click's completion scripts set when they call back

F = TypeVar("F", bound=Callable[..., Any])
Format = Literal["text", "markdown", "json"]


def _finite(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    # FloatRange lets "nan" through (every comparison with NaN is false), and "inf" means no
    # pacing at all: neither is a rate.
    if value is not None and not math.isfinite(value):
        raise click.BadParameter(f"{value} is not a number of requests per minute.", ctx, param)
    return value


_GLOBAL_OPTIONS = (
    click.option("--api-url", default=None, metavar="URL", help="Sendcloud API base URL "
                 "(default: $SENDCLOUD_API_URL or https://panel.sendcloud.sc/api/v3)."),
    click.option("--sandbox", is_flag=True, default=None,
                 help="Use the embedded Sendcloud simulator instead of the real API."),
    click.option("--sandbox-state", type=click.Path(path_type=Path), default=None,
                 help=f"State file of the embedded simulator (default: {DEFAULT_SANDBOX_STATE})."),
    click.option("--debug", is_flag=True, default=None,
                 help="Log every request and response line (credentials redacted)."),
    click.option("--parallelism", type=click.IntRange(1, 256), default=None, metavar="N",
                 help=f"Requests in flight at once (default: {DEFAULT_PARALLELISM})."),
    click.option("--reads-per-minute", type=click.FloatRange(min=1), default=None,
                 callback=_finite,
                 help=f"Pace reads at this rate (default: {DEFAULT_READS_PER_MINUTE:g})."),
    click.option("--writes-per-minute", type=click.FloatRange(min=1), default=None,
                 callback=_finite,
                 help=f"Pace writes at this rate (default: {DEFAULT_WRITES_PER_MINUTE:g}, "
                 "never more than 15 per second)."),
    click.option("--request-deadline", type=click.FloatRange(min=0.1, max=3600), default=None,
                 metavar="SECONDS", help="Give up an attempt that has not fully answered after "
                 f"this long (default: {DEFAULT_REQUEST_DEADLINE:g}); it may be retried."),
)  # fmt: skip


def global_options(func: F) -> F:
    """Accept the shared options both before and after the command name."""
    for option in reversed(_GLOBAL_OPTIONS):
        func = option(func)
    return func


def _options(ctx: click.Context, given: dict[str, Any]) -> GlobalOptions:
    """Merge the options given before the command with those given after it (later wins)."""
    values: dict[str, Any] = dict(ctx.find_root().meta.get("reconciler.global", {}))
    values.update({k: v for k, v in given.items() if v is not None})
    if values.get("sandbox_state") is None:
        values.pop("sandbox_state", None)
    return GlobalOptions(**values)


_GLOBAL_NAMES = ("api_url", "sandbox", "sandbox_state", "debug", "parallelism",
                 "reads_per_minute", "writes_per_minute", "request_deadline")  # fmt: skip


def _split(kwargs: dict[str, Any]) -> dict[str, Any]:
    return {name: kwargs.pop(name) for name in _GLOBAL_NAMES}


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


paths_argument = click.argument("paths", nargs=-1, type=click.Path(path_type=str))
_FILE = click.Path(path_type=Path, dir_okay=False)  # a file to read or write, not a directory


def _paths(ctx: click.Context, paths: tuple[str, ...]) -> Sequence[str]:
    """The PATH arguments, or the default; one that does not exist is said plainly, at once."""
    chosen = paths or DEFAULT_PATHS
    missing = [path for path in chosen if not os.path.lexists(path)]
    if not missing:
        return chosen
    from reconciler.errors import ReconcilerError

    if not paths:
        raise ReconcilerError(
            f"{DEFAULT_PATHS[0]} does not exist in {os.getcwd()}. Given no PATH, reconciler "
            f"reads {DEFAULT_PATHS[0]} in the current directory: run it from the repository "
            "that holds your integration files, or name them, e.g. "
            f"`reconciler {ctx.info_name} examples/integrations/`."
        )
    verb = "does" if len(missing) == 1 else "do"
    raise ReconcilerError(f"{', '.join(missing)} {verb} not exist; check the PATH arguments.")


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


format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="How to print the report.",
)


@cli.command(epilog=helptext.PLAN)
@paths_argument
@format_option
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Also save the plan (JSON, with the live state it was made from) for apply --plan.",
)
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 2 when there are changes to apply, 0 when there are none.",
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
    live: Path | None,
    **kwargs: Any,
) -> int:
    """Show what apply would change in Sendcloud (reads only)."""
    from reconciler.commands import plan as command

    options = _options(ctx, _split(kwargs))
    return command.plan(_paths(ctx, paths), options, fmt=fmt, out=out,
                        detailed_exitcode=detailed_exitcode, live=live)  # fmt: skip


@cli.command(epilog=helptext.APPLY)
@paths_argument
@click.option(
    "--plan",
    "plan_file",
    type=click.Path(path_type=Path, dir_okay=False),
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
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Append one JSON line per API write to this file.",
)
@click.option("--check-files", multiple=True, type=click.Path(path_type=str), metavar="PATH",
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
    check_files: tuple[str, ...],
    **kwargs: Any,
) -> int:
    """Make Sendcloud match the files: statuses first, then the mapping, then verify."""
    from reconciler.commands import apply as command

    options = _options(ctx, _split(kwargs))
    if plan_file is not None and paths:
        raise click.UsageError("give either PATHS or --plan, not both")
    return command.apply(
        _paths(ctx, paths) if plan_file is None else (),
        options,
        plan_file=plan_file,
        auto_approve=auto_approve,
        force=force,
        journal_path=journal_path,
        check_files=check_files,
    )


@cli.command(epilog=helptext.DRIFT)
@paths_argument
@format_option
@global_options
@click.pass_context
def drift(ctx: click.Context, /, paths: tuple[str, ...], fmt: Format, **kwargs: Any) -> int:
    """Report where Sendcloud differs from git (exit 2 on drift, 0 in sync)."""
    from reconciler.commands import drift as command

    options = _options(ctx, _split(kwargs))
    return command.drift(_paths(ctx, paths), options, fmt=fmt)


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
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("integrations"),
    show_default=True,
    help="Where to write the files.",
)
@click.option("--overwrite", is_flag=True, help="Replace files that already exist.")
@global_options
@click.pass_context
def import_(
    ctx: click.Context,
    /,
    integration_ids: tuple[int, ...],
    directory: Path,
    overwrite: bool,
    **kwargs: Any,
) -> int:
    """Write one desired-state file per integration from its live state."""
    from reconciler.commands import import_ as command

    options = _options(ctx, _split(kwargs))
    return command.import_(integration_ids, options, directory=directory, overwrite=overwrite)


@cli.command(epilog=helptext.ADOPT)
@paths_argument
@global_options
@click.pass_context
def adopt(ctx: click.Context, /, paths: tuple[str, ...], **kwargs: Any) -> int:
    """Rewrite the files to match Sendcloud, keeping comments and layout."""
    from reconciler.commands import adopt as command

    options = _options(ctx, _split(kwargs))
    return command.adopt(_paths(ctx, paths), options)


cli.add_command(sandbox)


@cli.command(epilog=helptext.SCHEMA)
def schema() -> int:
    """Print the JSON Schema of the desired-state file format."""
    from reconciler.commands import schema as command

    return command.schema()


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
