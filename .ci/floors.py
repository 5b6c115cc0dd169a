"""Print pip constraints pinning every runtime dependency to the lowest version pyproject allows.

pip has no "lowest versions" resolution mode, so `.ci/run` installs the package a second time
with these constraints and runs the core tests: a floor in ``pyproject.toml`` that does not work
fails CI instead of a user's install. Read from pyproject at run time, so the two cannot drift.
Every dependency must have a ``>=`` floor; one without is an error.

Usage: python .ci/floors.py > constraints.txt
       python .ci/floors.py --tools pytest pytest-xdist   (those test extras, as pyproject has them)
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement


def floors(pyproject: Path) -> list[str]:
    """``name==floor ; marker`` for each runtime dependency, in pyproject's order."""
    dependencies = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["dependencies"]
    pins: list[str] = []
    for text in dependencies:
        requirement = Requirement(text)
        lower = [spec.version for spec in requirement.specifier if spec.operator == ">="]
        if len(lower) != 1:
            raise SystemExit(f"{pyproject}: {text!r} needs exactly one '>=' floor")
        marker = f" ; {requirement.marker}" if requirement.marker else ""
        pins.append(f"{requirement.name}=={lower[0]}{marker}")
    return pins


def tools(pyproject: Path, names: list[str]) -> list[str]:
    """The ``test`` extra's requirements for ``names``, as written in pyproject."""
    extras = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"][
        "optional-dependencies"
    ]
    by_name = {Requirement(text).name: text for text in extras["test"]}
    missing = [name for name in names if name not in by_name]
    if missing:
        raise SystemExit(f"{pyproject}: no test extra named {', '.join(missing)}")
    return [by_name[name] for name in names]


def main() -> int:
    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    if sys.argv[1:2] == ["--tools"]:
        print("\n".join(tools(pyproject, sys.argv[2:])))
    else:
        print("\n".join(floors(pyproject)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
