"""Path globs, with one meaning wherever a glob selects files. Pure: no I/O.

Used by the project file's account ``paths``, policies' ``paths`` (both relative to the project
file's directory) and ``--only`` / ``--exclude`` file selectors (relative to the current
directory):

- ``*``, ``?`` and ``[...]`` (``[!...]`` negated) match within one path segment, never a ``/``;
- ``**`` matches zero or more whole directories (``integrations/**/de-*.yaml`` matches
  ``integrations/de-y.yaml`` and ``integrations/sub/de-x.yaml``); a trailing ``**`` matches
  everything below;
- a leading ``./`` and redundant parts (``a//b``, ``a/./b``) are ignored, ``\\`` is read as ``/``;
- a directory (a trailing ``/``, or a pattern without glob characters that does not end in
  ``.yaml``/``.yml``) means every file below it: ``integrations/nl/`` = ``integrations/nl/**``.

As gitignore and Terraform's ``fileset`` read ``**``, so a glob a user tried with ``--only`` selects
the same files in the project file.
"""

from __future__ import annotations

import posixpath
import re
from functools import cache

GLOB_CHARS = frozenset("*?[")
_FILE_SUFFIXES = (".yaml", ".yml")


def normalise(path: str) -> str:
    """A path as globs compare it: posix separators, no ``./``, no redundant parts; a trailing
    ``/`` is kept (it says "a directory")."""
    trailing = path.endswith(("/", "\\"))
    normal = posixpath.normpath(path.replace("\\", "/"))
    return normal + "/" if trailing and normal not in ("/", ".") else normal


def expand(pattern: str) -> str:
    """``pattern`` normalised, a directory written as ``DIR/**`` (everything below it)."""
    pattern = normalise(pattern)
    if pattern == ".":
        return "**"
    if pattern.endswith("/") or not (GLOB_CHARS & set(pattern) or pattern.endswith(_FILE_SUFFIXES)):
        return pattern.rstrip("/") + "/**"
    return pattern


def glob_match(pattern: str, path: str) -> bool:
    """Whether the file ``path`` matches ``pattern`` (both relative to the same directory)."""
    return _compiled(expand(pattern)).fullmatch(normalise(path)) is not None


def problem(pattern: str) -> str | None:
    """Why ``pattern`` can never match a path relative to the project file's directory (absolute,
    or climbing out with ``..``), or None."""
    normal = normalise(pattern)
    if normal.startswith("/") or re.match(r"^[A-Za-z]:", normal):
        return "is absolute; write it relative to the project file's directory"
    if normal == ".." or normal.startswith("../"):
        return (
            "climbs out of the project file's directory (`..`); the project governs only the "
            "files below it"
        )
    return None


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    out: list[str] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")  # zero or more whole directories
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if ch == "*":
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch == "[" and "]" in pattern[i + 1 :]:
            end = pattern.index("]", i + 1)
            body = pattern[i + 1 : end].replace("\\", "\\\\")
            # A class stays within a segment too: a negated one never matches "/".
            out.append(f"[^/{body[1:]}]" if body.startswith("!") else f"[{body}]")
            i = end + 1
            continue
        else:
            out.append(re.escape(ch))
        i += 1
    return re.compile("".join(out))
