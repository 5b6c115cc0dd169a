"""Lint and policy checks for every GitHub workflow and action in the repository.

zizmor and check-jsonschema come from the same virtual environment as pytest
(the `test` extra) and run offline: zizmor with --offline, check-jsonschema with
the schemas it vendors.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tests.actions.harness.lint import actionlint

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted(
    [
        *REPO.glob(".github/workflows/*.yml"),
        *REPO.glob(".github/workflows/*.yaml"),
        *REPO.glob("examples/github/*.yml"),
        *REPO.glob("examples/github/*.yaml"),
    ]
)
ACTIONS = sorted([*REPO.glob(".github/**/action.yml"), *REPO.glob(".github/**/action.yaml")])
# YAML under .github that is neither a workflow nor an action, and is linted by
# the tool it configures rather than here.
OTHER_GITHUB_YAML = {"zizmor.yml", "dependabot.yml"}

OUR_ACTION = "your-org/reconciler/.github/actions/reconciler"
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
PINNED_LINE = re.compile(
    r"uses:\s*(?P<action>[\w.-]+/[\w./-]+)@(?P<sha>[0-9a-f]{40})(?P<rest>.*)$", re.MULTILINE
)


def _ids(paths: list[Path]) -> list[str]:
    return [str(path.relative_to(REPO)) for path in paths]


def _load(path: Path) -> dict[str, Any]:
    # YAML 1.2 (ruamel's default) keeps the `on:` key a string, not True.
    data = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path} is not a mapping"
    return data


def _tool(name: str) -> str:
    beside_python = Path(sys.executable).parent / name
    found = str(beside_python) if beside_python.exists() else shutil.which(name)
    assert found, f"{name} is not installed; install the project's `test` extra"
    return found


def _steps(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every step of every job of a workflow, or of a composite action."""
    runs = document.get("runs")
    if isinstance(runs, dict):
        yield from runs.get("steps", [])
    for job in (document.get("jobs") or {}).values():
        yield from job.get("steps", [])


def _uses(document: dict[str, Any]) -> Iterator[str]:
    for step in _steps(document):
        if "uses" in step:
            yield str(step["uses"])
    for job in (document.get("jobs") or {}).values():
        if "uses" in job:  # a reusable workflow
            yield str(job["uses"])


def test_there_is_something_to_check() -> None:
    names = {path.name for path in WORKFLOWS}
    assert {"ci.yml", "plan.yml", "apply.yml", "drift.yml"} <= names
    assert REPO / ".github/actions/reconciler/action.yml" in ACTIONS


def test_every_yaml_under_github_is_checked() -> None:
    # A new workflow saved as .yaml or in a new folder must not escape the lint.
    checked = set(WORKFLOWS) | set(ACTIONS)
    for path in [*REPO.glob(".github/**/*.yml"), *REPO.glob(".github/**/*.yaml")]:
        assert path in checked or path.name in OTHER_GITHUB_YAML, path


@pytest.mark.parametrize("persona", ["regular", "auditor"])
def test_zizmor_finds_nothing(persona: str) -> None:
    # The auditor persona also reports findings of low confidence and pedantic ones.
    result = subprocess.run(
        [
            _tool("zizmor"),
            "--offline",
            "--no-progress",
            f"--persona={persona}",
            *map(str, WORKFLOWS + ACTIONS),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_finds_nothing() -> None:
    actionlint(*WORKFLOWS)


@pytest.mark.parametrize(
    ("schema", "paths"),
    [("vendor.github-workflows", WORKFLOWS), ("vendor.github-actions", ACTIONS)],
    ids=["workflows", "actions"],
)
def test_schema(schema: str, paths: list[Path]) -> None:
    result = subprocess.run(
        [_tool("check-jsonschema"), "--builtin-schema", schema, *map(str, paths)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", WORKFLOWS, ids=_ids(WORKFLOWS))
def test_workflow_never_uses_pull_request_target(path: Path) -> None:
    triggers = _load(path)["on"]
    names = [triggers] if isinstance(triggers, str) else list(triggers)
    assert "pull_request_target" not in names


@pytest.mark.parametrize("path", WORKFLOWS, ids=_ids(WORKFLOWS))
def test_workflow_declares_permissions(path: Path) -> None:
    document = _load(path)
    if "permissions" in document:
        return
    for name, job in document["jobs"].items():
        assert "permissions" in job, f"job {name!r} inherits the default token permissions"


@pytest.mark.parametrize("path", WORKFLOWS + ACTIONS, ids=_ids(WORKFLOWS + ACTIONS))
def test_run_scripts_have_no_template_expansion(path: Path) -> None:
    # `${{ }}` inside run: is pasted into the script before the shell parses it,
    # so a branch name or issue title could become code. Values go through env:.
    for step in _steps(_load(path)):
        assert "${{" not in str(step.get("run", "")), step.get("name", step)


@pytest.mark.parametrize("path", WORKFLOWS + ACTIONS, ids=_ids(WORKFLOWS + ACTIONS))
def test_actions_are_pinned_to_a_commit_with_version_comment(path: Path) -> None:
    for uses in _uses(_load(path)):
        if uses.startswith("./"):
            continue
        if uses.startswith(OUR_ACTION + "@") and path.parent.name == "github":
            # The examples name the user's own copy of this repository, at a tag they create;
            # the README says how to pin it to a commit instead.
            continue
        assert PINNED.match(uses), f"{uses} is not pinned to a full commit SHA"
    for line in path.read_text(encoding="utf-8").splitlines():
        match = PINNED_LINE.search(line)
        if match:
            assert re.match(r"\s+# v\d", match["rest"]), f"no version comment: {line.strip()}"
        if OUR_ACTION + "@" in line and path.parent.name == "github":
            assert line.endswith("@v0.1.0 # zizmor: ignore[unpinned-uses]"), line


def test_examples_pin_one_version_of_the_action_everywhere() -> None:
    refs = set()
    for name in ("plan.yml", "apply.yml", "drift.yml"):
        text = (REPO / "examples/github" / name).read_text(encoding="utf-8")
        refs |= set(re.findall(re.escape(OUR_ACTION) + r"@(\S+)", text))
        assert "pip install" not in text  # the action installs the tool it is pinned with
    assert refs == {"v0.1.0"}


def test_each_action_is_pinned_to_one_commit_everywhere() -> None:
    pins: dict[str, set[str]] = {}
    for path in WORKFLOWS + ACTIONS:
        for match in PINNED_LINE.finditer(path.read_text(encoding="utf-8")):
            pins.setdefault(match["action"], set()).add(match["sha"])
    assert pins
    assert {action: shas for action, shas in pins.items() if len(shas) > 1} == {}


@pytest.mark.parametrize("path", WORKFLOWS + ACTIONS, ids=_ids(WORKFLOWS + ACTIONS))
def test_checkouts_do_not_persist_credentials(path: Path) -> None:
    for step in _steps(_load(path)):
        if str(step.get("uses", "")).startswith("actions/checkout@"):
            assert step.get("with", {}).get("persist-credentials") is False


@pytest.mark.parametrize("path", WORKFLOWS + ACTIONS, ids=_ids(WORKFLOWS + ACTIONS))
def test_run_scripts_are_valid_bash(path: Path) -> None:
    for step in _steps(_load(path)):
        if "run" not in step:
            continue
        result = subprocess.run(
            ["bash", "-n"], input=step["run"], capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, f"{step.get('name')}: {result.stderr}"


def test_apply_is_serialised_protected_and_journaled() -> None:
    apply = _load(REPO / "examples/github/apply.yml")
    assert apply["concurrency"] == {"group": "reconciler-apply", "cancel-in-progress": False}
    assert list(apply["on"]["push"]["branches"]) == ["main"]
    job = apply["jobs"]["apply"]
    assert job["environment"] == "production"
    steps = list(job["steps"])
    assert any("--auto-approve --journal journal.jsonl" in s.get("run", "") for s in steps)
    upload = next(s for s in steps if "upload-artifact@" in s.get("uses", ""))
    assert upload["if"] == "always()"
    assert upload["with"]["path"] == "journal.jsonl"


def test_drift_shares_the_apply_concurrency_group() -> None:
    drift = _load(REPO / "examples/github/drift.yml")
    apply = _load(REPO / "examples/github/apply.yml")
    assert drift["concurrency"] == apply["concurrency"]
    assert {"schedule", "workflow_dispatch"} <= set(drift["on"])


def test_plan_runs_on_pull_request_with_minimal_write_access() -> None:
    plan = _load(REPO / "examples/github/plan.yml")
    # workflow_dispatch: drift.yml starts it on the adopt pull request (see test_run_drift).
    assert set(plan["on"]) == {"pull_request", "workflow_dispatch"}
    assert plan["permissions"] == {}
    assert plan["jobs"]["validate"]["permissions"] == {"contents": "read"}
    assert plan["jobs"]["plan"]["permissions"] == {
        "contents": "read",
        "actions": "read",
        "pull-requests": "write",
    }


def test_only_jobs_in_the_protected_environment_use_secrets() -> None:
    # The key pair lives in environments only main may use (the fleet plan's read environments
    # excepted, see fleet-plan.yml): a job that names a secret without one would get nothing,
    # or, with repository secrets, hand them to anyone who can push a branch.
    protected = (
        "production",
        "production-read",
        "${{ matrix.account }}",
        "${{ matrix.account }}-read",
    )
    for path in REPO.glob("examples/github/*.yml"):
        for name, job in _load(path)["jobs"].items():
            uses_secrets = "secrets." in str(job)
            assert uses_secrets == (job.get("environment") in protected), (path.name, name)
    plan = (REPO / "examples/github/plan.yml").read_text(encoding="utf-8")
    assert "secrets." not in plan
    assert "environment:" not in plan


# The environments apply's protection (required reviewers, a main-only rule) is meant for are
# used by the apply jobs only: reviewers there must not hold every pull-request plan and every
# daily drift check, and a main-only rule must not refuse pull-request plans.
APPLY_ENVIRONMENTS = {
    ("apply.yml", "apply"): "production",
    ("fleet-apply.yml", "apply"): "${{ matrix.account }}",
}


def test_plans_and_drift_checks_never_use_the_apply_environments() -> None:
    seen = {}
    for path in REPO.glob("examples/github/*.yml"):
        for name, job in _load(path)["jobs"].items():
            if "environment" in job:
                seen[(path.name, name)] = job["environment"]
    for key, environment in seen.items():
        if key in APPLY_ENVIRONMENTS:
            assert environment == APPLY_ENVIRONMENTS[key], key
        else:
            assert environment not in APPLY_ENVIRONMENTS.values(), key
            assert str(environment).endswith("-read"), key
    assert set(APPLY_ENVIRONMENTS) <= set(seen)
    assert ("drift.yml", "detect") in seen
    assert ("fleet-drift.yml", "drift") in seen


# Where the README puts what is applied: shops, bases, the project file, included policy files.
README_LAYOUT = (
    "integrations/be/gent-chocolade.yaml",
    "integrations/_bases/belgian.yaml",  # a base kept beside the shops
    "bases/prestashop-nl.yaml",
    "reconciler.yaml",
    "policies/shared.yaml",
)


def _github_glob(pattern: str) -> re.Pattern[str]:
    """GitHub's `paths:` filter syntax: `**` crosses directories, `*` does not."""
    regex = ""
    for part in re.split(r"(\*\*/?|\*|\?)", pattern):
        if part in ("**", "**/"):
            regex += ".*"
        elif part == "*":
            regex += "[^/]*"
        elif part == "?":
            regex += "[^/]"
        else:
            regex += re.escape(part)
    return re.compile(regex + r"\Z")


def test_the_readme_layout_is_where_the_readme_says() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for path in README_LAYOUT:
        if "_bases" not in path:
            assert path in readme, path
    assert "integrations/_bases/" in readme


@pytest.mark.parametrize("name", ["plan.yml", "apply.yml", "fleet-plan.yml", "fleet-apply.yml"])
def test_path_filters_cover_everything_that_changes_what_is_applied(name: str) -> None:
    triggers = _load(REPO / "examples/github" / name)["on"]
    for event in ("push", "pull_request"):
        if event not in triggers:
            continue
        paths = (triggers[event] or {}).get("paths")
        if paths is None:  # runs on every change
            continue
        assert event == "push", f"{name}: a required check must not be path-filtered"
        patterns = [_github_glob(p) for p in paths]
        for path in README_LAYOUT:
            assert any(p.match(path) for p in patterns), (name, path)
        assert not any(p.match("README.md") for p in patterns)
