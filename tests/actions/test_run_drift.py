"""drift.yml run end to end: the drift issue and the adopt pull request (see test_run_workflows)."""

from __future__ import annotations

from tests.actions.conftest import Actions
from tests.actions.workflow_steps import (
    PRESTASHOP,
    edit,
    in_sync_with_snapshot,
    plan_comment,
    pull_request,
    reconciler,
)


def test_drift_opens_updates_and_closes_one_issue(gha: Actions) -> None:
    in_sync_with_snapshot(gha)
    state = gha.api.simulator.store.snapshot()
    state["integrations"]["23452345"]["mapping"]["CANCEL"] = None
    gha.api.simulator.replace_state(state)

    for _ in range(2):
        run = gha.run("drift.yml", "schedule")
        detect = run.job("detect")
        assert detect.result == "success", detect.log
        assert detect.step("drift").outputs["exit_code"] == "2"
        assert "## Drift report" in detect.summary
    issues = gha.github.issues()
    assert len(issues) == 1
    issue = issues[0]
    assert issue["labels"] == ["reconciler-drift"]
    assert issue["body"].startswith("<!-- reconciler-drift -->\n")
    assert "CANCEL" in issue["body"]
    assert "gh workflow run apply.yml --ref main" in issue["body"]
    edits = [c for c in gha.github.calls() if c["args"][:2] == ["issue", "edit"]]
    assert len(edits) == 1
    # The snapshot is refreshed by every check.
    snapshots = [a for a in gha.github.load()["artifacts"] if a["name"] == "reconciler-snapshot"]
    assert len(snapshots) == 3

    assert reconciler(gha, "apply", "integrations/", "--auto-approve").returncode == 0
    closed = gha.run("drift.yml", "schedule").job("detect")
    assert closed.step("drift").outputs["exit_code"] == "0"
    assert gha.github.load()["issues"][str(issue["number"])]["state"] == "closed"
    assert "matches git again" in gha.github.comments(issue["number"])[-1]["body"]


def test_adopt_opens_a_pull_request_with_the_adopted_file(gha: Actions) -> None:
    in_sync_with_snapshot(gha)
    state = gha.api.simulator.store.snapshot()
    for status in state["integrations"]["23452345"]["statuses"]:
        if status["external_id"] == "4":
            status["translations"][0]["status"] = "Shipped (renamed in the panel)"
    gha.api.simulator.replace_state(state)

    run = gha.run("drift.yml", "workflow_dispatch", inputs={"mode": "adopt"})
    assert run.job("detect").result == "skipped"
    adopt = run.job("adopt")
    assert adopt.result == "success", adopt.log
    (pull,) = gha.github.issues(pulls=True)
    assert pull["head"] == "reconciler/adopt-drift"
    assert pull["base"] == "main"
    adopted = gha.repo.read("refs/heads/reconciler/adopt-drift", PRESTASHOP)
    assert "en-gb: Shipped (renamed in the panel)" in adopted
    assert "# The id of the PrestaShop V2 integration in Sendcloud" in adopted  # comments kept
    changed = gha.repo.git(
        "diff", "--name-only", "origin/main", "refs/remotes/check/refs/heads/reconciler/adopt-drift"
    )
    assert changed.split() == [PRESTASHOP]

    # GitHub starts no workflow for a pull request the workflow token opened; the adopt job
    # started plan.yml on the branch instead, after saving a snapshot of the adopted state.
    branch = "reconciler/adopt-drift"
    number = pull["number"]
    assert gha.github.load()["dispatches"] == [
        {"workflow": "plan.yml", "ref": branch, "inputs": {"pull-request": str(number)}}
    ]
    gha.repo.git("fetch", "--quiet", "origin", f"{branch}:{branch}")
    head = gha.repo.sha(branch)
    planned = gha.run(
        "plan.yml",
        "workflow_dispatch",
        sha=head,
        ref=f"refs/heads/{branch}",
        inputs={"pull-request": str(number)},
    )
    assert planned.conclusion == "success", planned.log
    assert planned.job("plan").step("Plan").outputs["exit_code"] == "0"  # adopted: in sync
    assert "Plan: no changes across 3 integrations" in plan_comment(gha, number)
    saved = [
        a for a in gha.github.load()["artifacts"] if a["name"] == f"reconciler-plan-pr-{number}"
    ]
    assert [a["workflow_run"]["head_sha"] for a in saved] == [head]

    # Merged, apply.yml finds that plan and applies it: nothing to write, and drift is gone.
    applied = gha.run("apply.yml", "push", sha=gha.repo.merge(number, branch))
    job = applied.job("apply")
    assert job.result == "success", job.log
    assert job.step("reviewed").outputs["plan"] == "reviewed/plan.json"
    result = [c["body"] for c in gha.github.comments(number) if "reconciler-apply" in c["body"]]
    assert "Sendcloud was already in sync" in result[0]
    assert gha.run("drift.yml", "schedule").job("detect").step("drift").outputs["exit_code"] == "0"


def test_a_dispatched_plan_must_run_on_the_pull_requests_last_commit(gha: Actions) -> None:
    in_sync_with_snapshot(gha)
    number = pull_request(
        gha, "renamed", {PRESTASHOP: edit(gha, PRESTASHOP, "en-gb: Shipped", "en-gb: Sent")}
    )
    run = gha.run("plan.yml", "workflow_dispatch", inputs={"pull-request": str(number)})
    job = run.job("plan")
    assert job.result == "failure"
    assert job.step("Check the dispatched pull request").outcome == "failure"
    assert f"pull request #{number} ends at" in job.log
    assert not [
        a for a in gha.github.load()["artifacts"] if a["name"].startswith("reconciler-plan")
    ]
