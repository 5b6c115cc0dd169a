"""GitHub Actions integration: annotations, the step summary and step outputs.

The CLI calls into this module when it runs inside a GitHub Actions job
(``GITHUB_ACTIONS=true``). Everything here is string formatting or an append to a
file the runner names in the environment; nothing talks to the network, and the
environment is always passed in so that tests (and callers) control it.

The formats follow GitHub's "workflow commands" documentation and the behaviour
of ``@actions/core``:

* annotations are lines on stdout, ``::error file=F,line=L,col=C::message``;
* the step summary is Markdown appended to the file named by ``GITHUB_STEP_SUMMARY``;
* step outputs are ``name=value`` lines (or a heredoc for multi-line values)
  appended to the file named by ``GITHUB_OUTPUT``.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping

__all__ = [
    "ANNOTATIONS_PER_TYPE",
    "STEP_SUMMARY_LIMIT",
    "append_step_summary",
    "capped_annotations",
    "error_annotation",
    "escape_data",
    "escape_property",
    "in_github_actions",
    "warning_annotation",
    "write_outputs",
]

# GitHub refuses to render a step summary larger than 1 MiB and shows an error
# instead, so a huge plan would hide even its own headline. We truncate first.
STEP_SUMMARY_LIMIT = 1024 * 1024

# GitHub shows at most 10 annotations of each type (error, warning, notice) per step and drops
# the rest without a word; past that, one notice says how many more there are and where.
ANNOTATIONS_PER_TYPE = 10

_TRUNCATION_NOTE = "\n\n> **Note:** output truncated to fit GitHub's 1 MiB step-summary limit.\n"


def in_github_actions(env: Mapping[str, str]) -> bool:
    """Whether we run inside a GitHub Actions job (the runner sets ``GITHUB_ACTIONS=true``)."""
    return env.get("GITHUB_ACTIONS") == "true"


def escape_data(value: str) -> str:
    """Escape the message part of a workflow command.

    ``%`` goes first, or the escapes introduced for CR and LF would be escaped again.
    Without the CR/LF escapes a message could end the command early and start a
    new one on the next line (``\\n::add-mask::`` and friends).
    """
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """Escape a property value (``file=``, ``title=``) of a workflow command.

    ``:`` would end the property list and ``,`` would start a new property, so
    both are escaped on top of what :func:`escape_data` does.
    """
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def error_annotation(
    message: str,
    *,
    file: str | os.PathLike[str],
    line: int | None = None,
    col: int | None = None,
    title: str | None = None,
) -> str:
    """Return the ``::error`` command that annotates ``file`` at ``line``/``col``.

    ``line`` and ``col`` are 1-based, as in our ``path:line:col: message`` errors;
    omitted ones are left out so GitHub annotates the whole file.
    """
    return _annotation("error", message, file=file, line=line, col=col, title=title)


def warning_annotation(
    message: str,
    *,
    file: str | os.PathLike[str],
    line: int | None = None,
    col: int | None = None,
    title: str | None = None,
) -> str:
    """Return the ``::warning`` command; see :func:`error_annotation`."""
    return _annotation("warning", message, file=file, line=line, col=col, title=title)


def _annotation(
    kind: str,
    message: str,
    *,
    file: str | os.PathLike[str],
    line: int | None,
    col: int | None,
    title: str | None,
) -> str:
    # GitHub matches `file` against paths relative to the repository root, with
    # forward slashes even when the runner is Windows.
    properties = [("file", os.fspath(file).replace(os.sep, "/"))]
    if line is not None:
        properties.append(("line", str(line)))
    if col is not None:
        properties.append(("col", str(col)))
    if title is not None:
        properties.append(("title", title))
    rendered = ",".join(f"{name}={escape_property(value)}" for name, value in properties)
    return f"::{kind} {rendered}::{escape_data(message)}"


def capped_annotations(commands: list[str], *, kind: str = "error") -> tuple[list[str], int]:
    """At most `ANNOTATIONS_PER_TYPE` of ``commands``, then a notice counting the rest.

    Returns the lines to print and how many were left out (0 when all fit); the caller puts
    the full list in the step summary, which the notice points at.
    """
    if len(commands) <= ANNOTATIONS_PER_TYPE:
        return commands, 0
    left_out = len(commands) - ANNOTATIONS_PER_TYPE
    notice = (
        f"::notice title=reconciler::{left_out} more {kind}s not annotated here (GitHub shows "
        f"{ANNOTATIONS_PER_TYPE} per type and step); all {len(commands)} are in the job summary "
        "and the log"
    )
    return [*commands[:ANNOTATIONS_PER_TYPE], notice], left_out


def append_step_summary(markdown: str, env: Mapping[str, str]) -> None:
    """Append ``markdown`` to the job's step summary; do nothing outside Actions.

    Each call is a separate block: a trailing newline is ensured so that two
    appended reports never run into one paragraph.
    """
    path = env.get("GITHUB_STEP_SUMMARY")
    if not path:
        return
    if not markdown.endswith("\n"):
        markdown += "\n"
    try:
        used = os.path.getsize(path)
    except FileNotFoundError:
        used = 0
    markdown = _fit(markdown, STEP_SUMMARY_LIMIT - used)
    with open(path, "a", encoding="utf-8") as summary:
        summary.write(markdown)


def _fit(markdown: str, budget: int) -> str:
    """``markdown`` if it fits in ``budget`` bytes; else its longest head that ends at a line
    outside any code block and `<details>` element, then the truncation note (or nothing when
    not even the note fits)."""
    if len(markdown.encode("utf-8")) <= budget:
        return markdown
    room = budget - len(_TRUNCATION_NOTE.encode("utf-8"))
    if room < 0:
        return ""
    used = 0
    safe_end = 0  # characters of markdown that can be kept
    end = 0
    in_fence = False
    open_details = 0
    for line in markdown.splitlines(keepends=True):
        used += len(line.encode("utf-8"))
        if used > room:
            break
        end += len(line)
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        elif not in_fence:
            open_details += line.count("<details>") - line.count("</details>")
        if not in_fence and open_details <= 0:
            safe_end = end
    return markdown[:safe_end] + _TRUNCATION_NOTE


def write_outputs(outputs: Mapping[str, str], env: Mapping[str, str]) -> None:
    """Append step outputs to the file named by ``GITHUB_OUTPUT``; do nothing outside Actions.

    A single-line value is written as ``name=value``. A value containing CR or LF
    uses the heredoc form ``name<<DELIM`` with a random delimiter: written as
    ``name=value`` the part after the newline would be read as further outputs,
    which lets whoever controls the value (a YAML file in a pull request) forge
    ``has_changes`` or any other output.
    """
    path = env.get("GITHUB_OUTPUT")
    if not path:
        return
    lines: list[str] = []
    for name, value in outputs.items():
        _check_output_name(name)
        if "\n" in value or "\r" in value:
            delimiter = _new_delimiter(value)
            lines.append(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
        else:
            lines.append(f"{name}={value}\n")
    # newline="" keeps a CR inside a value as written instead of translating it.
    with open(path, "a", encoding="utf-8", newline="") as output_file:
        output_file.write("".join(lines))


def _check_output_name(name: str) -> None:
    if not name or any(bad in name for bad in ("=", "<<", "\n", "\r")):
        raise ValueError(f"invalid GitHub Actions output name: {name!r}")


def _new_delimiter(value: str) -> str:
    # A fresh random delimiter per value cannot be predicted by whoever wrote the
    # value; the loop only guards against the astronomically unlikely collision.
    while True:
        delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
        if delimiter not in value:
            return delimiter
