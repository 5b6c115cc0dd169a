"""Every option and argument that takes a path refuses an empty string as a usage error.

click turns ``--sandbox-state ''`` into ``Path('.')``; the command then failed far from the
option with a Python repr (``PosixPath('.') has an empty name``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from reconciler.cli import cli, main
from reconciler.cli_options import PathParam


def commands(group: click.Group, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from commands(command, (*prefix, name))
        else:
            yield (*prefix, name)


def command_at(path: tuple[str, ...]) -> click.Command:
    command: click.Command = cli
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    return command


def path_params() -> list[tuple[tuple[str, ...], click.Parameter]]:
    found = [((), param) for param in cli.params if isinstance(param.type, click.Path)]
    for path in commands(cli):
        found += [
            (path, param) for param in command_at(path).params if isinstance(param.type, click.Path)
        ]
    return found


def test_every_path_parameter_uses_the_checked_type() -> None:
    params = path_params()
    assert len(params) > 20  # the walk found the commands' options
    plain = [f"{' '.join(p)} {param.name}" for p, param in params if type(param.type) is click.Path]
    assert plain == []
    assert all(isinstance(param.type, PathParam) for _, param in params)


OPTIONS = [
    (path, param.opts[0])
    for path, param in path_params()
    if isinstance(param, click.Option) and param.opts[0].startswith("--")
]


@pytest.mark.parametrize("value", ["", "  "])
@pytest.mark.parametrize(("command", "option"), OPTIONS, ids=lambda v: str(v))
def test_an_empty_path_option_is_a_usage_error_naming_it(
    command: tuple[str, ...],
    option: str,
    value: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    code = main([*command, option, value])

    err = capsys.readouterr().err
    assert code == 1
    assert f"Error: Invalid value for '{option}': {value!r} is an empty path" in err
    assert "PosixPath" not in err
    assert list(tmp_path.iterdir()) == []


def test_an_empty_path_argument_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["validate", ""]) == 1
    assert "Invalid value for '[PATHS]...': '' is an empty path" in capsys.readouterr().err
