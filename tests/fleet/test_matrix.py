"""`reconciler matrix` and the fleet workflows: one job per account, one merged comment.

The workflow test runs the example workflow's own bash steps (as the runner would: bash -eo
pipefail) with the real CLI against the two account simulators: the matrix step, then each
account's plan step with that account's environment secrets, then the step merging the
per-account Markdown into the one comment.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from tests.fleet.support import BE_KEYS, NL_KEYS, PROJECT, SECRETS, Fleet
from tests.fleet.test_changed_since import committed_fleet

REPO = Path(__file__).resolve().parents[2]
GITHUB_COMMENT_LIMIT = 65_536


def test_matrix_has_one_entry_per_account_with_its_credential_names(fleet: Fleet) -> None:
    fleet.shop("nl", 1)
    fleet.shop("be", 11)

    code, out, _ = fleet.run("matrix", "integrations/")

    assert code == 0
    assert out.count("\n") == 1  # one line, ready for $GITHUB_OUTPUT
    assert json.loads(out) == {
        "include": [
            {
                "account": "agency-nl",
                "only": "account:agency-nl",
                "paths": ["integrations/nl/**"],
                "labels": [],
                "integrations": 1,
                "auth": "basic",
                "public_key_env": "NL_SENDCLOUD_PUBLIC_KEY",
                "secret_key_env": "NL_SENDCLOUD_SECRET_KEY",
            },
            {
                "account": "agency-be",
                "only": "account:agency-be",
                "paths": ["integrations/be/**"],
                "labels": ["be"],
                "integrations": 1,
                "auth": "basic",
                "public_key_env": "BE_SENDCLOUD_PUBLIC_KEY",
                "secret_key_env": "BE_SENDCLOUD_SECRET_KEY",
            },
        ]
    }
    assert fleet.nl.simulator.log.entries() == fleet.be.simulator.log.entries() == []


def test_matrix_changed_since_lists_only_the_accounts_touched(fleet: Fleet) -> None:
    committed_fleet(fleet, nl=3, be=2)
    fleet.shop("be", 1001, paid="Betaald")

    code, out, _ = fleet.run("matrix", "--changed-since", "main", "integrations/")

    assert code == 0
    assert [e["account"] for e in json.loads(out)["include"]] == ["agency-be"]


def test_matrix_without_a_project_file_is_an_error(fleet: Fleet) -> None:
    (fleet.root / "reconciler.yaml").unlink()
    fleet.shop("nl", 1)
    code, out, err = fleet.run("matrix", "integrations/")
    assert code == 1
    assert out == ""
    assert "no project file (reconciler.yaml)" in err


def test_a_file_no_account_claims_fails_validate_and_matrix_at_the_file(fleet: Fleet) -> None:
    # A shop in a directory no account's paths cover: every per-account job would skip it.
    fleet.shop("nl", 1)
    fleet.shop("fr", 4001)

    code, out, err = fleet.run("validate", "integrations/")
    assert code == 1
    assert "integrations/fr/4001.yaml:1:1: no account of reconciler.yaml claims this file" in err
    assert "add its path to an account's `paths`" in err
    code, out, err = fleet.run("matrix", "integrations/")
    assert code == 1
    assert out == ""
    assert "integrations/fr/4001.yaml:1:1: no account of reconciler.yaml claims" in err

    # Labelled for an account, it belongs to that account and the matrix lists it there.
    fleet.shop("fr", 4001, labels="be")
    code, out, _ = fleet.run("matrix", "integrations/")
    assert code == 0
    assert {e["account"]: e["integrations"] for e in json.loads(out)["include"]} == {
        "agency-nl": 1,
        "agency-be": 1,
    }


def test_unclaimed_command_line_serves_such_files_but_matrix_refuses(fleet: Fleet) -> None:
    fleet.write_project(
        PROJECT.format(nl_url=fleet.nl.base_url, be_url=fleet.be.base_url)
        + "unclaimed: command-line\n"
    )
    fleet.shop("nl", 1)
    fleet.shop("fr", 4001)

    code, out, _ = fleet.run("validate", "integrations/")
    assert code == 0, out
    code, out, err = fleet.run("matrix", "integrations/")
    assert code == 1
    assert out == ""
    assert (
        "Error: 1 integration file(s) belong to no account of reconciler.yaml "
        "(integrations/fr/4001.yaml); a matrix lists accounts, so no job would plan" in err
    )


def _steps(workflow: str, job: str) -> dict[str, dict[str, Any]]:
    document = YAML(typ="safe", pure=True).load((REPO / "examples/github" / workflow).read_text())
    return {step["name"]: step for step in document["jobs"][job]["steps"]}


def _bash(script: str, cwd: Path, env: dict[str, str]) -> None:
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=cwd,
        env={"PATH": path, "HOME": str(cwd), **env},
        check=True,
        timeout=120,
    )


def _outputs(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)


def test_fleet_plan_workflow_plans_each_account_and_merges_one_comment(fleet: Fleet) -> None:
    committed_fleet(fleet, nl=40, be=30)
    # A pull request that edits one Dutch shop and one Belgian shop.
    fleet.shop("nl", 7, paid="Paid now")
    fleet.shop("be", 1010, paid="Betaald")
    root = fleet.root
    github = {"GITHUB_OUTPUT": str(root / "out.txt"), "GITHUB_ENV": str(root / "env.txt")}
    for name in github.values():
        Path(name).write_text("")

    matrix_step = _steps("fleet-plan.yml", "matrix")["Accounts this pull request touches"]
    _bash(matrix_step["run"], root, {**github, "BASE_SHA": "main"})
    outputs = _outputs(root / "out.txt")
    assert outputs["accounts"] == "2"
    entries = json.loads(outputs["matrix"])["include"]

    plan_step = _steps("fleet-plan.yml", "plan")["Plan"]
    keys = {"agency-nl": NL_KEYS, "agency-be": BE_KEYS}
    for entry in entries:  # each runs as its own job, with its own environment's secrets
        public, secret = keys[entry["account"]]
        _bash(
            plan_step["run"],
            root,
            {
                "ACCOUNT": entry["account"],
                "PUBLIC_KEY_ENV": entry["public_key_env"],
                "SECRET_KEY_ENV": entry["secret_key_env"],
                "SENDCLOUD_PUBLIC_KEY": public,
                "SENDCLOUD_SECRET_KEY": secret,
                "BASE_SHA": "main",
            },
        )
    # Each account's job read only its own changed integration: two GETs each.
    assert sorted(e.integration_id or 0 for e in fleet.nl.simulator.log.entries()) == [7, 7]
    assert sorted(e.integration_id or 0 for e in fleet.be.simulator.log.entries()) == [1010, 1010]
    assert (root / "plans/agency-nl.exit").read_text().strip() == "2"

    merge = _steps("fleet-plan.yml", "comment")["Merge them into one comment"]
    run_url = "https://github.example/o/r/actions/runs/1"
    _bash(merge["run"], root, {**github, "RUN_URL": run_url, "HEAD_SHA": "abc", "ACCOUNTS": "2"})

    comment = (root / "comment.md").read_text()
    assert comment.startswith("<!-- reconciler-plan -->\n## Reconciler plan, per account\n")
    assert "### Account `agency-be`" in comment
    assert "### Account `agency-nl`" in comment
    assert comment.count("#### Plan") == 2
    assert "Plan: 1 status to update across 1 integration" in comment
    assert len(comment) < GITHUB_COMMENT_LIMIT
    assert "failed=0" in (root / "env.txt").read_text()
    for secret in SECRETS:
        assert secret not in comment


def test_the_fleet_workflows_run_one_job_per_account_from_the_matrix() -> None:
    for workflow, job in (
        ("fleet-plan.yml", "plan"),
        ("fleet-apply.yml", "apply"),
        ("fleet-drift.yml", "drift"),
    ):
        document = YAML(typ="safe", pure=True).load(
            (REPO / "examples/github" / workflow).read_text()
        )
        spec = document["jobs"][job]
        assert spec["needs"] == "matrix"
        assert spec["strategy"]["matrix"] == "${{ fromJSON(needs.matrix.outputs.matrix) }}"
        assert spec["strategy"]["fail-fast"] is False
        # Plans and drift checks read with the `-read` environments; the account's own
        # environment (where required reviewers go) is for apply only.
        suffix = "" if workflow == "fleet-apply.yml" else "-read"
        assert spec["environment"] == "${{ matrix.account }}" + suffix
        runs = " ".join(step.get("run", "") for step in spec["steps"])
        assert '--only "account:$ACCOUNT"' in runs
        assert 'export "$PUBLIC_KEY_ENV=$SENDCLOUD_PUBLIC_KEY"' in runs
    apply = YAML(typ="safe", pure=True).load((REPO / "examples/github/fleet-apply.yml").read_text())
    assert (
        apply["jobs"]["apply"]["concurrency"]["group"] == "reconciler-apply-${{ matrix.account }}"
    )
