"""The package's shape: a light core, no import cycle, modules of a readable size, a lean wheel."""

from __future__ import annotations

import ast
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
PACKAGE = ROOT / "reconciler"
MAX_LINES = 400
# Known offenders, each being split by its own change under issue 11 (one layout a newcomer can
# read). Nothing may join this list: split the module instead.
TOO_LONG_FOR_NOW = {
    "reconciler/sendcloud/client.py",
}
HEAVY = ("httpx", "ruamel", "rich", "click")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _imported(node: ast.Import | ast.ImportFrom) -> Iterator[str]:
    """Every name an import statement could mean a reconciler module by."""
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
    elif node.module is not None and node.level == 0:
        yield node.module
        yield from (f"{node.module}.{alias.name}" for alias in node.names)


def _imports(path: Path, *, function_local: bool) -> set[str]:
    """The reconciler modules ``path`` imports: at module level (outside ``if TYPE_CHECKING``),
    and with ``function_local`` also inside functions."""
    found: set[str] = set()

    def visit(statements: list[ast.stmt], in_function: bool) -> None:
        for node in statements:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                visit(node.orelse, in_function)
                continue
            if isinstance(node, ast.Import | ast.ImportFrom):
                if function_local or not in_function:
                    found.update(name for name in _imported(node) if name in MODULES)
                continue
            is_function = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            for field in ("body", "orelse", "finalbody", "handlers"):
                for child in getattr(node, field, []):
                    if isinstance(child, ast.ExceptHandler):
                        visit(child.body, in_function or is_function)
                    elif isinstance(child, ast.stmt):
                        visit([child], in_function or is_function)

    visit(ast.parse(path.read_text(encoding="utf-8")).body, False)
    return found


def _cycles(*, function_local: bool) -> list[list[str]]:
    graph = {
        name: _imports(path, function_local=function_local) - {name}
        for name, path in MODULES.items()
    }
    cycles: list[list[str]] = []
    state: dict[str, str] = {}  # "open" while on the DFS stack, "done" after

    def walk(name: str, stack: list[str]) -> None:
        state[name] = "open"
        for target in sorted(graph[name]):
            if state.get(target) == "open":
                cycles.append([*stack[stack.index(target) :], target])
            elif target not in state:
                walk(target, [*stack, target])
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            walk(name, [name])
    return cycles


def test_the_core_loads_no_http_yaml_terminal_or_cli_library() -> None:
    code = (
        "import sys\n"
        "import reconciler.model, reconciler.changes, reconciler.diff, reconciler.plan\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert result.stdout.strip() == "[]"


def test_the_import_graph_walks_the_modules_it_should() -> None:
    # A guard for the cycle tests below: they would pass vacuously on an empty graph.
    assert "reconciler.plan" in _imports(PACKAGE / "planner.py", function_local=False)
    assert "reconciler.planner" not in _imports(PACKAGE / "fleet.py", function_local=False)
    assert "reconciler.planner" in _imports(PACKAGE / "fleet.py", function_local=True)
    assert "reconciler.sendcloud.client" not in _imports(PACKAGE / "apply.py", function_local=True)


def test_no_import_cycle_between_modules() -> None:
    assert _cycles(function_local=False) == []


def test_no_import_cycle_even_through_imports_inside_functions() -> None:
    assert _cycles(function_local=True) == []


def test_no_module_is_over_400_lines() -> None:
    too_long = {
        str(path.relative_to(ROOT))
        for path in MODULES.values()
        if len(path.read_text(encoding="utf-8").splitlines()) > MAX_LINES
    }
    assert too_long - TOO_LONG_FOR_NOW == set()


def test_only_the_sendcloud_package_imports_httpx() -> None:
    importers = {
        name
        for name, path in MODULES.items()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Import | ast.ImportFrom)
        and any(imported.split(".")[0] == "httpx" for imported in _imported(node))
    }
    # The simulator's in-process transport is an httpx transport by nature.
    outside = {name for name in importers if not name.startswith("reconciler.sendcloud.")}
    assert outside <= {"reconciler.simulator.transport"}
    assert "reconciler.sendcloud.client" in importers


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(out)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    [built] = out.glob("*.whl")
    with zipfile.ZipFile(built) as archive:
        return archive.namelist()


def test_the_wheel_holds_the_package_and_no_benchmark_or_test_helper(wheel: list[str]) -> None:
    package = [name for name in wheel if not name.split("/")[0].endswith(".dist-info")]
    assert "reconciler/cli.py" in package
    assert "reconciler/simulator/server.py" in package  # `reconciler sandbox serve` needs it
    assert all(name.startswith("reconciler/") for name in package), package
    assert not [name for name in package if "bench" in name or "test" in name or "support" in name]
    assert not [name for name in package if "__pycache__" in name]


def test_the_simulator_keeps_no_test_only_helper() -> None:
    source = "\n".join(
        path.read_text(encoding="utf-8") for path in (PACKAGE / "simulator").glob("*.py")
    )
    for helper in ("class BackgroundServer", "def wait_idle", "def in_flight", "def disable_rate"):
        assert helper not in source


DOCUMENTED = [
    *(PACKAGE / f"{name}.py" for name in ("model", "changes", "diff", "plan", "planner")),
    *(PACKAGE / f"{name}.py" for name in ("planfile", "apply", "journal", "quoting", "errors")),
    *sorted((PACKAGE / "render").glob("*.py")),
]


def _undocumented(path: Path) -> Iterator[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    if ast.get_docstring(tree) is None:
        yield "module"

    def walk(body: list[ast.stmt], prefix: str) -> Iterator[str]:
        for node in body:
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                continue
            if node.name.startswith("_"):
                continue
            if ast.get_docstring(node) is None:
                yield prefix + node.name
            if isinstance(node, ast.ClassDef):
                yield from walk(node.body, f"{node.name}.")

    yield from walk(tree.body, "")


@pytest.mark.parametrize("path", DOCUMENTED, ids=lambda path: str(path.relative_to(PACKAGE)))
def test_every_public_class_and_function_of_the_core_has_a_docstring(path: Path) -> None:
    assert list(_undocumented(path)) == []
