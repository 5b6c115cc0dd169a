"""The example workflows, run end to end by the local runner against the simulator.

Third-party actions are stubbed (see `harness.stubs.THIRD_PARTY`): actions/checkout (a clone of
the config repository at the run's commit), actions/setup-python (the test's interpreter),
actions/upload-artifact and actions/download-artifact (a directory per run). `gh` is the fake
GitHub of `harness.fake_gh`. Everything else is real: the workflow files as committed, bash, jq,
the composite action, and `reconciler` talking HTTP to the simulator.
"""

from __future__ import annotations

from tests.actions.conftest import SHOP_MODULE_ID, Actions
from tests.actions.workflow_steps import (
    MULTILINGUAL,
    PRESTASHOP,
    assert_markdown_plan,
    assert_no_secret,
    edit,
    in_sync_with_snapshot,
    plan_comment,
    pull_request,
    sync_pull_request_head,
)


def test_pull_request_plan_then_merge_applies_the_reviewed_plan(gha: Actions) -> None:
    # Main applied by hand through the workflow (workflow_dispatch), which also saves a snapshot.
    first = gha.run("apply.yml", "workflow_dispatch")
    assert first.job("apply").result == "success", first.log
    assert gha.live(SHOP_MODULE_ID)["mapping"]["IN_TRANSIT"] == "4"

    text = edit(gha, PRESTASHOP, "en-gb: Shipped", "en-gb: Shipped with care")
    number = pull_request(gha, "rename-shipped", {PRESTASHOP: text})
    plan_run = gha.run_pull_request(number, "rename-shipped")

    assert plan_run.conclusion == "success", plan_run.log
    plan_job = plan_run.job("plan")
    assert plan_job.environment is None  # no environment, so no secret can reach it
    body = plan_comment(gha, number)
    assert_markdown_plan(body)
    assert "Shipped with care" in body
    assert "(just now)" in body or "minute" in body
    assert plan_job.step("Plan").outputs == {"exit_code": "2", "has_changes": "true",
                                             "unsafe": "false"}  # fmt: skip
    assert "Reconciler plan" in plan_job.step("Plan").summary
    assert gha.github.label_names(number) == ["reconciler:changes"]

    # A second push edits the one comment instead of adding another.
    text = edit(gha, PRESTASHOP, "en-gb: Shipped", "en-gb: Shipped carefully")
    gha.repo.commit("Better words", {PRESTASHOP: text}, branch="rename-shipped")
    gha.repo.git("switch", "--quiet", "main")
    sync_pull_request_head(gha, number, "rename-shipped")
    assert gha.run_pull_request(number, "rename-shipped").conclusion == "success"
    assert "Shipped carefully" in plan_comment(gha, number)

    merge = gha.repo.merge(number, "rename-shipped")
    applied = gha.run("apply.yml", "push", sha=merge)
    job = applied.job("apply")
    assert job.result == "success", job.log
    assert job.step("reviewed").outputs == {"pr": str(number), "plan": "reviewed/plan.json"}
    result = [c["body"] for c in gha.github.comments(number) if "reconciler-apply" in c["body"]]
    assert len(result) == 1
    assert "### reconciler applied this pull request" in result[0]
    assert "Apply complete: 1 applied" in result[0]
    statuses = {s["external_id"]: s for s in gha.live(23452345)["statuses"]}
    assert statuses["4"]["translations"][0]["status"] == "Shipped carefully"

    # The scheduled check finds live state in sync with git: no drift issue.
    drift = gha.run("drift.yml", "schedule")
    assert drift.job("detect").result == "success", drift.log
    assert drift.job("adopt").result == "skipped"
    assert drift.job("detect").step("drift").outputs["exit_code"] == "0"
    assert gha.github.issues() == []
    assert_no_secret(gha, first.job("apply"), plan_job, job, drift.job("detect"))


def test_the_comment_must_be_the_markdown_report_not_the_saved_plan(gha: Actions) -> None:
    # The plan step as it was before: `--out plan.md` wrote the JSON plan into the file the
    # comment posts. The harness must catch that.
    in_sync_with_snapshot(gha)
    workflow = (gha.repo.dev / ".github/workflows/plan.yml").read_text(encoding="utf-8")
    broken = workflow.replace(
        "--out plan.json --detailed-exitcode > plan.md 2> plan.err",
        "--out plan.md --detailed-exitcode 2> plan.err",
    )
    assert broken != workflow
    broken = broken.replace("jq -r 'if .safe", "jq -r 'if .safe").replace(
        " plan.json)", " plan.md)"
    )
    text = edit(gha, PRESTASHOP, "en-gb: Shipped", "en-gb: Sent")
    number = pull_request(
        gha, "old-plan-step", {PRESTASHOP: text, ".github/workflows/plan.yml": broken}
    )
    gha.run_pull_request(number, "old-plan-step")
    body = plan_comment(gha, number)
    try:
        assert_markdown_plan(body)
    except AssertionError:
        return
    raise AssertionError("a comment holding the JSON plan passed the Markdown check")


def test_pull_request_cannot_reach_the_key_pair(gha: Actions) -> None:
    # Someone with push access changes plan.yml in their pull request to read the secrets.
    in_sync_with_snapshot(gha)
    workflow = (gha.repo.dev / ".github/workflows/plan.yml").read_text(encoding="utf-8")
    hostile = workflow.replace(
        "      pull-requests: write # the one plan comment and the labels\n",
        "      pull-requests: write # the one plan comment and the labels\n"
        "    environment: production\n",
    ).replace(
        "        run: |\n          status=0\n",
        '        run: |\n          echo "stolen=${{ secrets.SENDCLOUD_SECRET_KEY }}"\n'
        "          status=0\n",
    )
    assert hostile.count("secrets.SENDCLOUD_SECRET_KEY") == 1
    number = pull_request(gha, "steal", {".github/workflows/plan.yml": hostile})
    run = gha.run_pull_request(number, "steal")
    job = run.job("plan")
    assert job.result == "failure"
    assert "environment protection rules" in job.error
    assert job.steps == []  # not one step ran with the environment's secrets
    assert_no_secret(gha, run.job("validate"), job)


def test_failed_plan_fails_the_job_and_the_comment_says_why(gha: Actions) -> None:
    in_sync_with_snapshot(gha)
    # Valid offline, but maps onto a status the shop does not have: plan fails.
    text = edit(gha, "integrations/mapping-only.yaml", 'IN_TRANSIT: "4"', 'IN_TRANSIT: "99"')
    number = pull_request(gha, "dangling", {"integrations/mapping-only.yaml": text})
    run = gha.run_pull_request(number, "dangling")
    assert run.job("validate").result == "success"
    job = run.job("plan")
    assert job.result == "failure"
    assert job.step("Fail if planning failed").outcome == "failure"
    assert job.step("Plan").outputs["exit_code"] == "1"
    assert job.step("Save the reviewed plan").outcome == "skipped"
    body = plan_comment(gha, number)
    assert "### reconciler plan failed" in body
    assert "mapping IN_TRANSIT points at status '99'" in body
    assert body.count("```") == 2  # the error output sits in one closed fence
    assert gha.github.label_names(number) == []


def test_no_snapshot_yet_fails_the_plan_with_what_to_do(gha: Actions) -> None:
    text = edit(gha, PRESTASHOP, "en-gb: Shipped", "en-gb: Sent")
    number = pull_request(gha, "early", {PRESTASHOP: text})
    job = gha.run_pull_request(number, "early").job("plan")
    assert job.result == "failure"
    assert "gh workflow run drift.yml" in plan_comment(gha, number)


def test_merge_refuses_a_plan_made_from_other_files(gha: Actions) -> None:
    in_sync_with_snapshot(gha)
    first = pull_request(
        gha, "first", {PRESTASHOP: edit(gha, PRESTASHOP, "en-gb: Shipped", "en-gb: Sent")}
    )
    assert gha.run_pull_request(first, "first").conclusion == "success"
    # Another pull request changes another integration and is merged (and applied) first.
    second = pull_request(
        gha,
        "second",
        {MULTILINGUAL: edit(gha, MULTILINGUAL, "en-gb: Returned to sender", "en-gb: Returned")},
    )
    assert gha.run_pull_request(second, "second").conclusion == "success"
    merged = gha.run("apply.yml", "push", sha=gha.repo.merge(second, "second"))
    assert merged.job("apply").result == "success", merged.log

    # The first one's plan predates that change in main: merging it must not apply it.
    before = gha.live(23452345)
    refused = gha.run("apply.yml", "push", sha=gha.repo.merge(first, "first"))
    job = refused.job("apply")
    assert job.result == "failure"
    assert gha.live(23452345)["statuses"] == before["statuses"]
    comment = [c["body"] for c in gha.github.comments(first) if "reconciler-apply" in c["body"]]
    assert len(comment) == 1
    assert "### reconciler apply failed" in comment[0]
    assert "are not the ones the plan" in comment[0]
    assert f"integration 23452347 ({MULTILINGUAL}) differs" in comment[0]


def test_merge_refuses_integrations_whose_live_state_changed(gha: Actions) -> None:
    in_sync_with_snapshot(gha)
    number = pull_request(
        gha,
        "two",
        {
            PRESTASHOP: edit(gha, PRESTASHOP, "en-gb: Shipped", "en-gb: Sent"),
            MULTILINGUAL: edit(gha, MULTILINGUAL, "en-gb: Returned to sender", "en-gb: Back"),
        },
    )
    assert gha.run_pull_request(number, "two").conclusion == "success"
    # Someone edits one integration in Sendcloud after the snapshot.
    state = gha.api.simulator.store.snapshot()
    for status in state["integrations"]["23452345"]["statuses"]:
        if status["external_id"] == "1":
            status["translations"][0]["status"] = "Edited in the panel"
    gha.api.simulator.replace_state(state)

    job = gha.run("apply.yml", "push", sha=gha.repo.merge(number, "two")).job("apply")
    assert job.result == "failure"
    comment = next(
        c["body"] for c in gha.github.comments(number) if "reconciler-apply" in c["body"]
    )
    assert "integration 23452345 (integrations/prestashop-default.yaml): stale" in comment
    assert "run plan again" in comment
    assert "applied: integration 23452347" in comment  # the other one was applied
    names = {s["external_id"]: s for s in gha.live(23452345)["statuses"]}
    assert names["4"]["translations"][0]["status"] == "Shipped"


def test_merge_without_a_plan_of_the_last_commit_is_refused(gha: Actions) -> None:
    in_sync_with_snapshot(gha)
    number = pull_request(
        gha, "late", {PRESTASHOP: edit(gha, PRESTASHOP, "en-gb: Shipped", "en-gb: Sent")}
    )
    assert gha.run_pull_request(number, "late").conclusion == "success"
    # A last push, merged before its plan ran.
    gha.repo.commit("One more", {"integrations/notes.txt": "x"}, branch="late")
    gha.repo.git("switch", "--quiet", "main")
    sync_pull_request_head(gha, number, "late")
    job = gha.run("apply.yml", "push", sha=gha.repo.merge(number, "late")).job("apply")
    assert job.result == "failure"
    comment = next(
        c["body"] for c in gha.github.comments(number) if "reconciler-apply" in c["body"]
    )
    assert "has no saved plan for its last commit" in comment


def test_unsafe_plan_is_labelled_and_refused_on_merge(gha: Actions) -> None:
    in_sync_with_snapshot(gha)
    kept = ["3", "4", "5", "6", "10", "11", "12", "13"]  # deletes 5 of 13: more than 30%
    text = (
        "integration_id: 23452345\nstatuses:\n"
        + "".join(f'  "{ext}":\n    en-gb: Status {ext}\n' for ext in kept)
        + 'mapping:\n  READY_TO_SEND: "3"\n  IN_TRANSIT: "4"\n  DELIVERED: "5"\n  CANCEL: "6"\n'
    )
    number = pull_request(gha, "prune", {PRESTASHOP: text})
    run = gha.run_pull_request(number, "prune")
    assert run.conclusion == "success", run.log
    assert run.job("plan").step("Plan").outputs["unsafe"] == "true"
    assert sorted(gha.github.label_names(number)) == ["reconciler:changes", "reconciler:unsafe"]
    assert "unsafe" in plan_comment(gha, number)

    job = gha.run("apply.yml", "push", sha=gha.repo.merge(number, "prune")).job("apply")
    assert job.result == "failure"
    comment = next(
        c["body"] for c in gha.github.comments(number) if "reconciler-apply" in c["body"]
    )
    assert "### reconciler apply failed" in comment
    assert "refused (unsafe)" in comment
    assert len(gha.live(23452345)["statuses"]) == 13


def test_direct_push_to_main_is_not_applied(gha: Actions) -> None:
    in_sync_with_snapshot(gha)
    before = gha.live(23452345)
    sha = gha.repo.commit(
        "Straight to main", {PRESTASHOP: edit(gha, PRESTASHOP, "en-gb: Shipped", "en-gb: Sent")}
    )
    job = gha.run("apply.yml", "push", sha=sha).job("apply")
    assert job.result == "failure"
    assert "no reviewed plan to apply" in job.step("Apply").log
    assert job.step("Comment the result on the merged pull request").outcome == "skipped"
    assert gha.live(23452345)["statuses"] == before["statuses"]


def test_a_fork_pull_request_is_planned_without_a_comment_and_applied_on_merge(
    gha: Actions,
) -> None:
    # A fork's run gets a read-only token: no comment, no labels; the plan is made against the
    # snapshot all the same (it needs no secret), shown in the run summary and saved for apply.
    in_sync_with_snapshot(gha)
    text = edit(gha, PRESTASHOP, "en-gb: Shipped", "en-gb: Sent by a contributor")
    number = pull_request(gha, "from-fork", {PRESTASHOP: text})
    event = gha.repo.pull_request_event(number, "from-fork")
    event["pull_request"]["head"]["repo"] = {"full_name": "contributor/config"}  # type: ignore[index]
    run = gha.run(
        "plan.yml",
        "pull_request",
        sha=gha.repo.merge_ref(number, "from-fork"),
        ref=f"refs/pull/{number}/merge",
        event=event,
        head_branch="from-fork",
        head_sha=gha.repo.sha("from-fork"),
    )
    job = run.job("plan")
    assert job.result == "success", run.log
    assert job.step("Comment the plan on the pull request").outcome == "skipped"
    assert job.step("Label the pull request by plan outcome").outcome == "skipped"
    assert "Sent by a contributor" in job.step("Plan").summary
    assert gha.github.comments(number) == []

    applied = gha.run("apply.yml", "push", sha=gha.repo.merge(number, "from-fork"))
    assert applied.job("apply").result == "success", applied.log
    statuses = {s["external_id"]: s for s in gha.live(23452345)["statuses"]}
    assert statuses["4"]["translations"][0]["status"] == "Sent by a contributor"
