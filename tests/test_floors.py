"""`.ci/floors.py`: the pins CI installs are pyproject's floors, one per runtime dependency."""

from __future__ import annotations

import importlib.util
import tomllib
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).parents[1]


def floors_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("floors", ROOT / ".ci" / "floors.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_runtime_dependency_is_pinned_to_its_floor() -> None:
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    pins = floors_script().floors(ROOT / "pyproject.toml")
    assert len(pins) == len(dependencies)
    assert "deepdiff==8.0.1" in pins
    assert "tenacity==9.2.1" in pins
    assert any(p.startswith("ruamel.yaml.clib==") and "; platform_python" in p for p in pins)


def test_a_dependency_without_a_floor_is_an_error(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "x"\ndependencies = ["click<9"]\n')
    with pytest.raises(SystemExit, match="needs exactly one '>=' floor"):
        floors_script().floors(pyproject)


def test_test_tools_are_taken_from_the_test_extra() -> None:
    tools = floors_script().tools(ROOT / "pyproject.toml", ["pytest", "markdown-it-py"])
    assert tools == ["pytest>=8", "markdown-it-py>=3"]
