"""Run the shell scripts of the composite action and the example workflows.

Each script is taken from its YAML file and run the way the runner runs a bash
step (`bash --noprofile --norc -eo pipefail`), with stand-ins for `reconciler`
and `gh` on PATH that record how they were called.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

REPO = Path(__file__).resolve().parents[2]

FAKE_RECONCILER = """#!/usr/bin/env bash
printf '%s\\n' "$@" > "$FAKE_ARGV"
exit "${FAKE_EXIT:-0}"
"""

# Records each call (argv plus the content of any --input/--body-file file) as a
# JSON line, and answers list queries with $FAKE_GH_LIST.
FAKE_GH = f"""#!{sys.executable}
import json, os, sys
args = sys.argv[1:]
record = {{"args": args}}
for flag in ("--input", "--body-file"):
    if flag in args:
        with open(args[args.index(flag) + 1], encoding="utf-8") as f:
            record["body"] = f.read()
with open(os.environ["GH_LOG"], "a", encoding="utf-8") as log:
    log.write(json.dumps(record) + "\\n")
if "--paginate" in args or args[1:2] == ["list"]:
    sys.stdout.write(os.environ.get("FAKE_GH_LIST", ""))
"""


def _step(
    path: str, *, job: str | None = None, name: str | None = None, id_: str | None = None
) -> str:
    document = YAML(typ="safe", pure=True).load((REPO / path).read_text(encoding="utf-8"))
    steps = document["runs"]["steps"] if job is None else document["jobs"][job]["steps"]
    for step in steps:
        if (name is not None and step.get("name") == name) or (
            id_ is not None and step.get("id") == id_
        ):
            return str(step["run"])
    raise AssertionError(f"no such step in {path}")


def _executable(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


@pytest.fixture
def bin_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "bin"
    directory.mkdir()
    _executable(directory / "gh", FAKE_GH)
    return directory


def _run(script: str, cwd: Path, bin_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    (cwd / "script.sh").write_text(script, encoding="utf-8")
    environment = {
        # Only system tools besides the stand-ins: a real `reconciler` or `gh`
        # on the developer's PATH must not be picked up.
        "PATH": os.pathsep.join([str(bin_dir), "/usr/bin", "/bin"]),
        "HOME": str(cwd),
        "GITHUB_OUTPUT": str(cwd / "github_output"),
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "acme/config",
        "GITHUB_RUN_ID": "42",
        "GH_LOG": str(cwd / "gh.log"),
        **env,
    }
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "script.sh"],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def _gh_calls(cwd: Path) -> list[dict[str, Any]]:
    log = cwd / "gh.log"
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]


# --- the composite action -------------------------------------------------------

ACTION_SCRIPT = _step(".github/actions/reconciler/action.yml", id_="run")


@pytest.fixture
def action_dir(tmp_path: Path, bin_dir: Path) -> Path:
    _executable(bin_dir / "reconciler", FAKE_RECONCILER)
    work = tmp_path / "work"
    work.mkdir()
    (work / "a.yaml").write_text("", encoding="utf-8")  # a glob must not expand to this
    return work


def _run_action(
    work: Path, bin_dir: Path, exit_code: int = 0, **inputs: str
) -> tuple[int, list[str], str]:
    result = _run(
        ACTION_SCRIPT,
        work,
        bin_dir,
        FAKE_ARGV=str(work / "argv"),
        FAKE_EXIT=str(exit_code),
        RECONCILER_PATHS=inputs.pop("paths", "integrations/"),
        RECONCILER_ARGS=inputs.pop("args", ""),
        RECONCILER_COMMAND=inputs.pop("command"),
    )
    argv_file = work / "argv"
    argv = argv_file.read_text(encoding="utf-8").splitlines() if argv_file.exists() else []
    output_file = work / "github_output"
    output = output_file.read_text(encoding="utf-8") if output_file.exists() else ""
    return result.returncode, argv, output


def test_action_splits_args_and_paths_without_globbing(action_dir: Path, bin_dir: Path) -> None:
    status, argv, output = _run_action(
        action_dir,
        bin_dir,
        command="plan",
        args="--format  markdown\n--out plan.md *.yaml",
        paths="integrations/ other/",
    )
    assert status == 0
    assert argv == [
        "plan",
        "--format",
        "markdown",
        "--out",
        "plan.md",
        "*.yaml",
        "integrations/",
        "other/",
    ]
    assert output == "exit_code=0\n"


@pytest.mark.parametrize(("tool_exit", "step_exit"), [(0, 0), (2, 0), (1, 1), (3, 3), (130, 130)])
def test_action_succeeds_on_0_and_2_and_always_sets_exit_code(
    action_dir: Path, bin_dir: Path, tool_exit: int, step_exit: int
) -> None:
    status, _, output = _run_action(action_dir, bin_dir, tool_exit, command="drift")
    assert status == step_exit
    assert output == f"exit_code={tool_exit}\n"


def test_action_sets_exit_code_when_the_tool_cannot_start(action_dir: Path, bin_dir: Path) -> None:
    (bin_dir / "reconciler").unlink()
    status, _, output = _run_action(action_dir, bin_dir, command="validate")
    assert status == 127
    assert output == "exit_code=127\n"


def test_action_passes_no_paths_to_import(action_dir: Path, bin_dir: Path) -> None:
    status, argv, _ = _run_action(action_dir, bin_dir, command="import", args="int-1 int-2 --dir x")
    assert status == 0
    assert argv == ["import", "int-1", "int-2", "--dir", "x"]


@pytest.mark.parametrize("command", ["destroy", "plan; rm -rf /", ""])
def test_action_rejects_unknown_commands(action_dir: Path, bin_dir: Path, command: str) -> None:
    status, argv, output = _run_action(action_dir, bin_dir, command=command)
    assert status == 1
    assert argv == []
    assert output == "exit_code=1\n"


# --- plan.yml: the sticky pull-request comment ----------------------------------

COMMENT_SCRIPT = _step(
    "examples/github/plan.yml", job="plan", name="Comment the plan on the pull request"
)
MARKER = "<!-- reconciler-plan -->"


def _comment(
    work: Path, bin_dir: Path, plan: str, exit_code: str, existing: str = ""
) -> list[dict[str, Any]]:
    (work / "plan.md").write_text(plan, encoding="utf-8")
    result = _run(
        COMMENT_SCRIPT,
        work,
        bin_dir,
        PR_NUMBER="7",
        HEAD_SHA="abc123",
        PLAN_EXIT_CODE=exit_code,
        GH_TOKEN="token",
        FAKE_GH_LIST=existing,
    )
    assert result.returncode == 0, result.stderr
    return _gh_calls(work)


@pytest.mark.skipif(shutil.which("jq") is None, reason="jq is preinstalled on GitHub runners only")
def test_plan_comment_is_created_once_then_edited(tmp_path: Path, bin_dir: Path) -> None:
    calls = _comment(tmp_path, bin_dir, "## Plan\n\n1 to update\n", "2")
    assert calls[0]["args"][:2] == ["api", "--paginate"]
    assert calls[1]["args"][:4] == [
        "api",
        "--method",
        "POST",
        "repos/acme/config/issues/7/comments",
    ]
    body = json.loads(calls[1]["body"])["body"]
    assert body.startswith(f"{MARKER}\n## Plan\n\n1 to update\n")
    assert "https://github.com/acme/config/actions/runs/42" in body

    (tmp_path / "gh.log").unlink()
    calls = _comment(tmp_path, bin_dir, "## Plan\n\nno changes\n", "0", existing="111\n222\n")
    assert [call["args"][:4] for call in calls[1:]] == [
        ["api", "--method", "PATCH", "repos/acme/config/issues/comments/111"]
    ]


@pytest.mark.skipif(shutil.which("jq") is None, reason="jq is preinstalled on GitHub runners only")
def test_plan_comment_finds_only_our_own_marked_comment(tmp_path: Path, bin_dir: Path) -> None:
    calls = _comment(tmp_path, bin_dir, "plan\n", "0")
    jq_filter = calls[0]["args"][calls[0]["args"].index("--jq") + 1]
    comments = [
        {"id": 1, "user": {"login": "someone"}, "body": f"{MARKER} quoted by a human"},
        {"id": 2, "user": {"login": "github-actions[bot]"}, "body": "another bot comment"},
        {"id": 3, "user": {"login": "github-actions[bot]"}, "body": f"{MARKER}\nold plan"},
    ]
    selected = subprocess.run(
        ["jq", jq_filter], input=json.dumps(comments), capture_output=True, text=True, check=True
    )
    assert selected.stdout.split() == ["3"]


@pytest.mark.skipif(shutil.which("jq") is None, reason="jq is preinstalled on GitHub runners only")
def test_plan_comment_reports_failure_in_a_fence_that_cannot_be_closed_early(
    tmp_path: Path, bin_dir: Path
) -> None:
    (tmp_path / "plan.err").write_text("a.yaml:1:1: bad\n```\n# not a heading\n", "utf-8")
    failed = json.loads(_comment(tmp_path, bin_dir, "", "1")[1]["body"])["body"]
    assert "### reconciler plan failed" in failed
    # The error text holds a fence of three backticks, so the block uses four.
    assert "\n````\na.yaml:1:1: bad\n```\n# not a heading\n````\n" in failed


@pytest.mark.skipif(shutil.which("jq") is None, reason="jq is preinstalled on GitHub runners only")
def test_plan_comment_is_cut_by_characters_at_a_line_boundary(
    tmp_path: Path, bin_dir: Path
) -> None:
    line = "é" * 99 + "\n"  # 100 characters, 199 bytes
    body = json.loads(_comment(tmp_path, bin_dir, line * 700, "2")[1]["body"])["body"]
    kept = body.removeprefix(MARKER + "\n").split("\n\n**Plan truncated.**")[0]
    assert kept == line * 600  # 60,000 characters, not 60,000 bytes; whole lines only
    assert "Plan truncated" in body
    assert len(body) < 65_536


@pytest.mark.skipif(shutil.which("jq") is None, reason="jq is preinstalled on GitHub runners only")
def test_plan_comment_is_never_cut_inside_a_fence(tmp_path: Path, bin_dir: Path) -> None:
    head = "## Plan\n\n" + "text\n" * 10
    fenced = "```diff\n" + ("+ status\n" * 9000) + "```\n"  # crosses the 60,000 limit
    body = json.loads(_comment(tmp_path, bin_dir, head + fenced + "tail\n", "2")[1]["body"])["body"]
    kept = body.removeprefix(MARKER + "\n").split("\n\n**Plan truncated.**")[0]
    assert kept == head
    assert body.count("```") % 2 == 0


# --- drift.yml: the drift issue -------------------------------------------------

DRIFT_OPEN = _step("examples/github/drift.yml", job="detect", name="Open or update the drift issue")
DRIFT_CLOSE = _step("examples/github/drift.yml", job="detect", name="Close the drift issue")


def test_drift_opens_a_labelled_issue_with_both_ways_out(tmp_path: Path, bin_dir: Path) -> None:
    (tmp_path / "drift.md").write_text("## Drift\n\nstatus 3 renamed live\n", encoding="utf-8")
    result = _run(DRIFT_OPEN, tmp_path, bin_dir, REF_NAME="main")
    assert result.returncode == 0, result.stderr
    calls = _gh_calls(tmp_path)
    assert [call["args"][:2] for call in calls] == [
        ["issue", "list"],
        ["label", "create"],
        ["issue", "create"],
    ]
    assert "reconciler-drift" in calls[2]["args"]
    body = calls[2]["body"]
    assert "status 3 renamed live" in body
    assert "gh workflow run apply.yml --ref main" in body
    assert "gh workflow run drift.yml --ref main -f mode=adopt" in body
    assert "reconciler/adopt-drift" in body


def test_drift_updates_the_open_issue(tmp_path: Path, bin_dir: Path) -> None:
    (tmp_path / "drift.md").write_text("## Drift\n", encoding="utf-8")
    result = _run(DRIFT_OPEN, tmp_path, bin_dir, REF_NAME="main", FAKE_GH_LIST="5\n")
    assert result.returncode == 0, result.stderr
    calls = _gh_calls(tmp_path)
    assert [call["args"][:3] for call in calls[1:]] == [["issue", "edit", "5"]]


def test_back_in_sync_closes_the_open_issue_with_a_comment(tmp_path: Path, bin_dir: Path) -> None:
    result = _run(DRIFT_CLOSE, tmp_path, bin_dir, FAKE_GH_LIST="5\n")
    assert result.returncode == 0, result.stderr
    close = _gh_calls(tmp_path)[1]["args"]
    assert close[:3] == ["issue", "close", "5"]
    assert "matches git again" in close[close.index("--comment") + 1]
