"""The user's text editor: which one to open, and opening it on a file (``sandbox edit``).

click.edit would fall back to vim when neither $VISUAL nor $EDITOR is set, even with no terminal
(CI, a pipe): vim then waits forever for keys that never come. A malformed $EDITOR (an unclosed
quote) would raise from shlex, a traceback. Here both are one-line `ReconcilerError`s said before
anything is written, and a default editor is only picked when there is a terminal to show it.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from reconciler.errors import ReconcilerError

EDITOR_VARIABLES = ("VISUAL", "EDITOR")
# What click (and git) fall back to on a terminal; the first one installed is used.
DEFAULT_EDITORS = ("sensible-editor", "editor", "vim", "nano", "vi")


def editor_command(otherwise: str) -> list[str]:
    """The editor's argv (without the file): $VISUAL, else $EDITOR, else a default on a terminal.

    `otherwise` ends the message when no editor can be used (how else to make the edit).
    Raises `ReconcilerError` (one line) when neither variable is set and stdin is not a
    terminal, when the variable cannot be split as a shell would, or when its command is not
    installed.
    """
    for variable in EDITOR_VARIABLES:
        value = os.environ.get(variable, "")
        if value.strip():
            return _installed(_split(variable, value), f"${variable}", otherwise)
    if sys.stdin is None or not sys.stdin.isatty():  # None: started with stdin closed
        raise ReconcilerError(
            "no editor to open: $VISUAL and $EDITOR are unset and there is no terminal for a "
            f"default one; set EDITOR (e.g. EDITOR=nano, or EDITOR='code --wait'), {otherwise}"
        )
    for name in DEFAULT_EDITORS:
        if shutil.which(name) is not None:
            return [name]
    raise ReconcilerError(
        "no editor to open: $VISUAL and $EDITOR are unset and none of "
        f"{', '.join(DEFAULT_EDITORS)} is installed; set EDITOR, {otherwise}"
    )


def run_editor(command: list[str], path: Path) -> None:
    """Open `path` in `command` and wait; `ReconcilerError` if it cannot start or exits non-zero."""
    try:
        # The user's own editor command, as an argument list: no shell.
        finished = subprocess.run([*command, str(path)], check=False)  # noqa: S603
    except OSError as exc:
        raise ReconcilerError(
            f"the editor {command[0]!r} could not start ({exc.strerror or exc})"
        ) from None
    if finished.returncode != 0:
        raise ReconcilerError(f"the editor {command[0]!r} exited with {finished.returncode}")


def _split(variable: str, value: str) -> list[str]:
    try:
        return shlex.split(value)
    except ValueError as exc:
        raise ReconcilerError(
            f"${variable} ({value!r}) is not a command line ({exc}); fix its quoting"
        ) from None


def _installed(command: list[str], source: str, otherwise: str) -> list[str]:
    if shutil.which(command[0]) is None:
        raise ReconcilerError(
            f"the editor {command[0]!r} ({source}) is not an installed command; set {source} "
            f"to one that is (e.g. nano), {otherwise}"
        )
    return command
