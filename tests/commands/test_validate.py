"""`reconciler validate`, run in-process through ``reconciler.cli.main`` as a user would."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from reconciler import __version__
from reconciler import actions as github
from reconciler.cli import main

EXAMPLES = Path(__file__).parents[2] / "examples" / "integrations"
PROBLEM_LINE = re.compile(r"^(?P<path>.+):(?P<line>\d+):(?P<col>\d+): (?P<message>.+)$")

GOOD = 'integration_id: {id}\nstatuses:\n  "2":\n    en-gb: Payment accepted\n'


@pytest.fixture(autouse=True)
def _outside_github_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    # The suite itself may run in Actions; annotations are tested explicitly below.
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_valid_files_exit_0_with_a_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "a.yaml", GOOD.format(id=1))
    write(tmp_path / "b.yaml", GOOD.format(id=2))
    assert main(["validate", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    assert out == "2 files valid.\n"
    assert err == ""


def test_one_valid_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "a.yaml", GOOD.format(id=1))
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().out == "1 file valid.\n"


def test_problems_are_listed_as_path_line_col_then_a_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = write(tmp_path / "bad.yaml", 'integration_id: 1\nstatuses:\n  "2":\n    xx-xx: Paid\n')
    assert main(["validate", str(bad)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert lines[0].startswith(f"{bad}:4:5: unknown language 'xx-xx'")
    assert lines[1:] == ["1 problem in 1 file."]


def test_every_problem_in_every_file_is_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "a.yaml", "integration_id: -1\ncolour: red\n")
    write(tmp_path / "nested" / "b.yaml", "integration_id: 2\nmapping:\n  READY_TO_SEND: 04\n")
    write(tmp_path / "c.yaml", GOOD.format(id=3))
    write(tmp_path / "d.yaml", GOOD.format(id=3))
    assert main(["validate", str(tmp_path)]) == 1
    *problem_lines, summary = capsys.readouterr().err.splitlines()
    found = []
    for line in problem_lines:
        match = PROBLEM_LINE.match(line)
        assert match, line
        found.append((Path(match["path"]).name, int(match["line"]), int(match["col"])))
    assert found == [
        ("a.yaml", 1, 17),  # integration_id -1
        ("a.yaml", 2, 1),  # unknown key colour
        ("d.yaml", 1, 1),  # integration 3 already defined in c.yaml
        ("b.yaml", 2, 1),  # nested/b.yaml: IN_TRANSIT, DELIVERED, CANCEL missing
        ("b.yaml", 2, 1),
        ("b.yaml", 2, 1),
        ("b.yaml", 3, 18),  # 04 would lose its zero
    ]
    assert summary == "7 problems in 3 files."


def test_default_path_is_integrations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "integrations" / "shop.yaml", GOOD.format(id=1))
    write(tmp_path / "elsewhere.yaml", "not valid: [")
    assert main(["validate"]) == 0
    assert capsys.readouterr().out == "1 file valid.\n"


def test_default_path_missing_is_said_plainly_with_a_hint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["validate"]) == 1
    err = capsys.readouterr().err
    assert err == (
        f"Error: integrations/ does not exist in {tmp_path}. Given no PATH, reconciler reads "
        "integrations/ in the current directory: run it from the repository that holds your "
        "integration files, or name them, e.g. `reconciler validate examples/integrations/`.\n"
    )


@pytest.mark.parametrize("command", ["validate", "plan", "drift", "apply", "adopt"])
def test_a_nonexistent_path_is_said_plainly_not_as_a_located_problem(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "a.yaml", GOOD.format(id=1))
    assert main([command, "a.yaml", "missing.yaml", "gone/"]) == 1
    captured = capsys.readouterr()
    assert captured.err == "Error: missing.yaml, gone/ do not exist; check the PATH arguments.\n"
    assert captured.out == ""


def test_validate_never_touches_the_network(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("validate opened a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    assert main(["validate", str(EXAMPLES)]) == 0
    capsys.readouterr()


@pytest.mark.parametrize(
    "argv",
    [
        ["--debug", "validate", "{path}"],
        ["validate", "{path}", "--debug"],
        ["--sandbox", "validate", "--parallelism", "3", "{path}"],
    ],
)
def test_global_options_before_and_after_the_command(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "a.yaml", GOOD.format(id=1))
    assert main([arg.format(path=path) for arg in argv]) == 0
    assert capsys.readouterr().out == "1 file valid.\n"


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert __version__ in capsys.readouterr().out


@pytest.mark.parametrize("argv", [["--help"], ["validate", "--help"], ["-h"]])
def test_help(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 0
    assert "Usage:" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [["validate", "--no-such-option"], ["--no-such-option"]])
def test_unknown_option_is_a_usage_error(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 1
    out, err = capsys.readouterr()
    # click 8.1 writes "No such option: --x", later versions "No such option '--x'".
    assert "No such option" in err
    assert "--no-such-option" in err
    assert "Usage:" in err
    assert "Traceback" not in out + err


def test_github_actions_annotations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    bad = write(tmp_path / "bad.yaml", "integration_id: 1\nstatuses:\n  04:\n    en-gb: Paid\n")
    assert main(["validate", str(bad)]) == 1
    out, err = capsys.readouterr()
    output = (out + err).splitlines()
    annotations = [line for line in output if line.startswith("::error ")]
    assert len(annotations) == 1
    assert annotations[0].startswith(
        f"::error file={github.escape_property(str(bad))},line=3,col=3::"
    )
    assert "status id 04 is read as the number 4" in annotations[0]
    # The plain lines are still there for humans reading the log.
    assert f"{bad}:3:3: status id 04" in err


def test_no_annotations_outside_github_actions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = write(tmp_path / "bad.yaml", "integration_id: 0\n")
    assert main(["validate", str(bad)]) == 1
    out, err = capsys.readouterr()
    assert "::error" not in out + err


def test_python_dash_m(tmp_path: Path) -> None:
    path = write(tmp_path / "a.yaml", GOOD.format(id=1))
    bad = write(tmp_path / "b.yaml", "integration_id: 1.5\n")
    env = {"PATH": "/usr/bin:/bin", "PYTHONIOENCODING": "utf-8"}
    ok = subprocess.run(
        [sys.executable, "-m", "reconciler", "validate", str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert (ok.returncode, ok.stdout) == (0, "1 file valid.\n")
    failed = subprocess.run(
        [sys.executable, "-m", "reconciler", "validate", str(bad)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert failed.returncode == 1
    assert failed.stderr.startswith(f"{bad}:1:17: integration_id must be a whole number above 0")
