"""Files an attacker or an unlucky operator leaves about: FIFOs, links out, unreadable folders.

Commands run as subprocesses with a timeout, so code that blocks on a FIFO fails the test
instead of hanging the suite.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.cli import main

GOOD = "integration_id: 7\nstatuses:\n  '2': {en-gb: Paid}\n"
PASSWD_LINE = "root:x:0:0:root:/root:/bin/bash"
PASSWD = "\n".join([PASSWD_LINE, "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin", ""])


def reconciler(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reconciler", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def validate(*paths: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return reconciler("validate", *paths, cwd=cwd)


def validate_as(user: int, *paths: str, cwd: Path) -> tuple[int, str, str]:
    """`validate` in a forked child that gave up root (an exec'd one could not read the venv)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: drop privileges, run the command in-process, report, leave
        code, out, err = 3, io.StringIO(), io.StringIO()
        try:
            os.setgid(user)
            os.setuid(user)
            os.chdir(cwd)
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = main(["validate", *paths])
        finally:
            os.write(write_end, json.dumps([code, out.getvalue(), err.getvalue()]).encode())
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        report = pipe.read()
    os.waitpid(pid, 0)
    code, out_text, err_text = json.loads(report)
    return int(code), str(out_text), str(err_text)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "integrations").mkdir()
    (tmp_path / "integrations" / "7.yaml").write_text(GOOD)
    return tmp_path


def test_a_fifo_is_named_not_waited_on(tree: Path) -> None:
    os.mkfifo(tree / "integrations" / "x.yaml")
    result = validate("integrations", cwd=tree)
    assert result.returncode == 1
    assert "integrations/x.yaml:1:1: the file is a FIFO (named pipe), not a regular file" in (
        result.stderr
    )


def test_a_fifo_named_directly_is_refused(tree: Path) -> None:
    os.mkfifo(tree / "pipe.yaml")
    result = validate("pipe.yaml", cwd=tree)
    assert result.returncode == 1
    assert "pipe.yaml:1:1: the file is a FIFO" in result.stderr


@pytest.mark.parametrize("named", [False, True], ids=["found-in-directory", "named-directly"])
def test_a_link_out_of_the_directory_is_not_followed(tree: Path, named: bool) -> None:
    secret = tree / "outside" / "passwd"
    secret.parent.mkdir()
    secret.write_text(PASSWD)
    (tree / "integrations" / "x.yaml").symlink_to(secret)
    result = validate("integrations/x.yaml" if named else "integrations", cwd=tree)
    assert result.returncode == 1
    assert f"x.yaml:1:1: the file is a symbolic link to {secret}, outside" in result.stderr
    assert "not followed" in result.stderr
    assert "root:x" not in result.stdout + result.stderr


def test_a_link_within_the_directory_is_followed(tree: Path) -> None:
    (tree / "integrations" / "shared").mkdir()
    (tree / "integrations" / "shared" / "8.txt").write_text(GOOD.replace("7", "8"))
    (tree / "integrations" / "nested").mkdir()
    (tree / "integrations" / "nested" / "8.yaml").symlink_to(Path("..", "shared", "8.txt"))
    result = validate("integrations", cwd=tree)
    assert result.returncode == 0, result.stderr
    assert "2 files valid" in result.stdout


def test_a_file_that_is_not_yaml_is_quoted_only_in_part(tree: Path) -> None:
    (tree / "integrations" / "x.yaml").write_text(PASSWD)
    result = validate("integrations", cwd=tree)
    assert result.returncode == 1
    excerpt = "'root:x:0:0:root:/root:/bin/bash daemon:x…'"
    assert f"x.yaml:1:1: the file holds only the text {excerpt}" in result.stderr
    assert "nologin" not in result.stderr


@pytest.fixture
def shared_tree() -> Iterator[Path]:
    """A tree an unprivileged user can traverse (pytest's tmp_path is private to root)."""
    with tempfile.TemporaryDirectory() as name:
        root = Path(name)
        root.chmod(0o755)
        (root / "integrations" / "locked").mkdir(parents=True)
        (root / "integrations" / "7.yaml").write_text(GOOD)
        (root / "integrations" / "locked" / "8.yaml").write_text(GOOD.replace("7", "8"))
        for path in (root / "integrations", root / "integrations" / "7.yaml"):
            path.chmod(0o755)
        (root / "integrations" / "locked").chmod(0o000)
        yield root
        (root / "integrations" / "locked").chmod(0o755)


def test_an_unreadable_subdirectory_is_an_error(shared_tree: Path) -> None:
    # Root lists any directory, so as root the command runs as nobody (uid 65534).
    if os.geteuid() == 0:
        code, out, err = validate_as(65534, "integrations", cwd=shared_tree)
    else:
        result = validate("integrations", cwd=shared_tree)
        code, out, err = result.returncode, result.stdout, result.stderr
    assert code == 1, out + err
    assert "integrations/locked:1:1: cannot read this directory (Permission denied)" in err
    assert "valid" not in out


DEEP = "[" * 1000 + "]" * 1000


def test_a_deeply_nested_plan_file_is_a_one_line_error(tree: Path) -> None:
    (tree / "plan.json").write_text(DEEP)
    result = reconciler("--sandbox", "apply", "--plan", "plan.json", "--auto-approve", cwd=tree)
    assert result.returncode == 1
    assert result.stderr.startswith(
        "Error: plan file plan.json cannot be read: it is nested more than 32 levels deep; run "
    )
    assert "crashed" not in result.stderr


def test_a_plan_file_that_is_a_fifo_is_refused(tree: Path) -> None:
    os.mkfifo(tree / "plan.json")
    result = reconciler("--sandbox", "apply", "--plan", "plan.json", "--auto-approve", cwd=tree)
    assert result.returncode == 1
    assert "plan file plan.json: the file is a FIFO (named pipe), not a regular file" in (
        result.stderr
    )


@pytest.mark.parametrize("kind", ["deep", "fifo"])
def test_a_hostile_sandbox_state_file_is_a_one_line_error(tree: Path, kind: str) -> None:
    state = tree / "state.json"
    if kind == "deep":
        state.write_text(DEEP)
    else:
        os.mkfifo(state)
    result = reconciler("--sandbox", "--sandbox-state", "state.json", "plan", cwd=tree)
    assert result.returncode == 1
    said = {
        "deep": "it is nested more than 32 levels deep",
        "fifo": "the file is a FIFO (named pipe), not a regular file",
    }[kind]
    assert said in result.stderr
    assert "state.json:1:1: the sandbox state cannot be used" in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2
