"""How the command line maps outcomes to exit codes: crash 3, Ctrl-C 130, expected failure 1."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest

from reconciler.cli import main
from reconciler.commands import validate as validate_command
from reconciler.errors import ExitCode, ReconcilerError

README = Path(__file__).parent.parent / "README.md"


@pytest.fixture
def crash_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    crashes = tmp_path / "crashes"
    crashes.mkdir()
    # The crash file is written with tempfile.mkstemp(): send it where the test looks.
    monkeypatch.setattr(tempfile, "tempdir", str(crashes))
    return crashes


def _raise(exc: BaseException) -> None:
    raise exc


def test_a_crash_exits_3_with_one_line_naming_the_crash_report(
    monkeypatch: pytest.MonkeyPatch, crash_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(
        validate_command, "validate", lambda paths: _raise(RuntimeError("boom\nsecond line"))
    )
    assert main(["validate", str(README)])  # any existing PATH == ExitCode.CRASH == 3
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("reconciler crashed: RuntimeError: boom second line (a bug;")
    [report] = crash_dir.iterdir()
    assert str(report) in lines[0]
    assert "Traceback" in report.read_text(encoding="utf-8")
    assert "Traceback" not in err


def test_ctrl_c_exits_130(
    monkeypatch: pytest.MonkeyPatch, crash_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(validate_command, "validate", lambda paths: _raise(KeyboardInterrupt()))
    assert main(["validate", str(README)])  # any existing PATH == ExitCode.INTERRUPTED == 130
    # click turns Ctrl-C inside a command into Abort, which says so on stderr.
    assert capsys.readouterr().err.strip() == "Aborted."
    assert list(crash_dir.iterdir()) == []


def test_an_expected_failure_exits_1_without_a_crash_report(
    monkeypatch: pytest.MonkeyPatch, crash_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(
        validate_command, "validate", lambda paths: _raise(ReconcilerError("fix the thing"))
    )
    assert main(["validate", str(README)])  # any existing PATH == ExitCode.ERROR == 1
    assert capsys.readouterr().err == "Error: fix the thing\n"
    assert list(crash_dir.iterdir()) == []


def test_a_bad_flag_is_a_user_mistake_not_a_crash(
    crash_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["plan", "--no-such-flag"]) == ExitCode.ERROR
    assert "No such option" in capsys.readouterr().err
    assert list(crash_dir.iterdir()) == []


def test_the_readme_exit_code_table_lists_every_exit_code() -> None:
    section = README.read_text(encoding="utf-8").split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    documented = {int(code) for code in re.findall(r"^\| (\d+) \|", section, re.MULTILINE)}
    assert documented == {code.value for code in ExitCode}
