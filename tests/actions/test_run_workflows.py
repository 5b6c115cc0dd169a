"""The example workflows, run end to end by the local runner against the simulator.

Third-party actions are stubbed (see `harness.stubs.THIRD_PARTY`): actions/checkout (a clone of
the config repository at the run's commit), actions/setup-python (the test's interpreter),
actions/upload-artifact and actions/download-artifact (a directory per run). `gh` is the fake
GitHub of `harness.fake_gh`. Everything else is real: the workflow files as committed, bash, jq,
the composite action, and `reconciler` talking HTTP to the simulator.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.actions.conftest import SHOP_MODULE_ID, Actions
from tests.actions.harness.results import JobResult
from tests.commands.simstate import integration, seed

PLAN_MARKER = "<!-- reconciler-plan -->"
PRESTASHOP = "integrations/prestashop-default.yaml"
MULTILINGUAL = "integrations/multilingual-shop.yaml"


def _reconciler(gha: Actions, *args: str) -> subprocess.CompletedProcess[str]:
    """The tool run by hand in the developer's clone, with the key pair (as an admin would)."""
    env = {
        **os.environ,
        "SENDCLOUD_API_URL": gha.api.base_url,
        "SENDCLOUD_PUBLIC_KEY": "test-public-key",
        "SENDCLOUD_SECRET_KEY": gha.secret,
    }
    env.pop("GITHUB_ACTIONS", None)
    return subprocess.run(
        [str(Path(sys.executable).with_name("reconciler")), *args],
        cwd=gha.repo.dev,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _in_sync_with_snapshot(gha: Actions) -> None:
    """Live state as main describes it, and a snapshot of it saved by an earlier run on main.

    Set up directly (seeded, then read over HTTP in-process) rather than by running apply.yml,
    which the end-to-end test does: it is the slowest workflow and would dominate every test.
    """
    from reconciler.config.loader import load_paths
    from reconciler.sendcloud.connect import open_client
    from reconciler.sendcloud.live import read_many
    from reconciler.sendcloud.options import GlobalOptions
    from reconciler.snapshot import write_snapshot

    gha.repo.git("switch", "--quiet", "main")
    state = gha.api.simulator.store.snapshot()
    shop = {
        s["external_id"]: {t["language"]: t["status"] for t in s["translations"]}
        for s in state["integrations"][str(SHOP_MODULE_ID)]["statuses"]
    }
    files = load_paths([str(gha.repo.dev / "integrations")])
    seeded = {}
    for file in files:
        desired = file.state
        statuses = shop if desired.statuses is None else {
            ext: {str(lang): text for lang, text in names.items()}
            for ext, names in desired.statuses.items()
        }  # fmt: skip
        mapping = {
            str(c): e for c, e in (desired.mapping.as_dict() if desired.mapping else {}).items()
        }
        seeded[desired.integration_id] = integration(statuses, mapping)
    seed(gha.api, seeded)

    async def read() -> dict[int, Any]:
        env = {"SENDCLOUD_PUBLIC_KEY": "test-public-key", "SENDCLOUD_SECRET_KEY": gha.secret}
        async with open_client(GlobalOptions(api_url=gha.api.base_url), env) as client:
            return await read_many(client, list(seeded))

    out = gha.runner.root / "snapshot"
    out.mkdir(exist_ok=True)
    write_snapshot(out / "snapshot.json", asyncio.run(read()), taken_at=datetime.now(UTC))
    run = {"id": next(gha.runner.run_ids), "head_branch": "main", "head_sha": gha.repo.sha("main")}
    gha.github.add_artifact(run, "reconciler-snapshot", [out / "snapshot.json"], out)


def _edit(gha: Actions, path: str, old: str, new: str) -> str:
    text = (gha.repo.dev / path).read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new, 1)


def _pull_request(gha: Actions, branch: str, files: dict[str, str | Path | None]) -> int:
    gha.repo.commit(f"Change on {branch}", files, branch=branch)
    gha.repo.git("switch", "--quiet", "main")
    return gha.repo.open_pull_request(branch)


def _plan_comment(gha: Actions, number: int) -> str:
    comments = [c for c in gha.github.comments(number) if c["body"].startswith(PLAN_MARKER)]
    assert len(comments) == 1, comments
    body: str = comments[0]["body"]
    return body


def assert_markdown_plan(body: str) -> None:
    """What a reviewer must see: the Markdown plan with the snapshot's age, not a JSON document."""
    assert body.startswith(PLAN_MARKER + "\n"), body[:200]
    assert "## Reconciler plan" in body, body[:2000]
    assert "Planned offline against the live-state snapshot taken" in body
    assert '"format_version"' not in body, "the comment is the saved JSON plan, not the report"


def _assert_no_secret(gha: Actions, *jobs: JobResult) -> None:
    for job in jobs:
        assert gha.secret not in job.log
    for artifact in (gha.github.root / "artifacts").rglob("*"):
        if artifact.is_file():
            assert gha.secret not in artifact.read_text(encoding="utf-8")
    assert gha.secret not in gha.github.state_path.read_text(encoding="utf-8")


def test_pull_request_plan_then_merge_applies_the_reviewed_plan(gha: Actions) -> None:
    # Main applied by hand through the workflow (workflow_dispatch), which also saves a snapshot.
    first = gha.run("apply.yml", "workflow_dispatch")
    assert first.job("apply").result == "success", first.log
    assert gha.live(SHOP_MODULE_ID)["mapping"]["IN_TRANSIT"] == "4"

    text = _edit(gha, PRESTASHOP, "en-gb: Shipped", "en-gb: Shipped with care")
    number = _pull_request(gha, "rename-shipped", {PRESTASHOP: text})
    plan_run = gha.run_pull_request(number, "rename-shipped")

    assert plan_run.conclusion == "success", plan_run.log
    plan_job = plan_run.job("plan")
    assert plan_job.environment is None  # no environment, so no secret can reach it
    body = _plan_comment(gha, number)
    assert_markdown_plan(body)
    assert "Shipped with care" in body
    assert "(just now)" in body or "minute" in body
    assert plan_job.step("Plan").outputs == {"exit_code": "2", "has_changes": "true",
                                             "unsafe": "false"}  # fmt: skip
    assert "Reconciler plan" in plan_job.step("Plan").summary
    assert gha.github.label_names(number) == ["reconciler:changes"]

    # A second push edits the one comment instead of adding another.
    text = _edit(gha, PRESTASHOP, "en-gb: Shipped", "en-gb: Shipped carefully")
    gha.repo.commit("Better words", {PRESTASHOP: text}, branch="rename-shipped")
    gha.repo.git("switch", "--quiet", "main")
    _sync_pull_request_head(gha, number, "rename-shipped")
    assert gha.run_pull_request(number, "rename-shipped").conclusion == "success"
    assert "Shipped carefully" in _plan_comment(gha, number)

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
    _assert_no_secret(gha, first.job("apply"), plan_job, job, drift.job("detect"))


def _sync_pull_request_head(gha: Actions, number: int, branch: str) -> None:
    state = gha.github.load()
    state["issues"][str(number)]["head_sha"] = gha.repo.sha(branch)
    gha.github.save(state)


def test_the_comment_must_be_the_markdown_report_not_the_saved_plan(gha: Actions) -> None:
    # The plan step as it was before: `--out plan.md` wrote the JSON plan into the file the
    # comment posts. The harness must catch that.
    _in_sync_with_snapshot(gha)
    workflow = (gha.repo.dev / ".github/workflows/plan.yml").read_text(encoding="utf-8")
    broken = workflow.replace(
        "--out plan.json --detailed-exitcode > plan.md 2> plan.err",
        "--out plan.md --detailed-exitcode 2> plan.err",
    )
    assert broken != workflow
    broken = broken.replace("jq -r 'if .safe", "jq -r 'if .safe").replace(
        " plan.json)", " plan.md)"
    )
    text = _edit(gha, PRESTASHOP, "en-gb: Shipped", "en-gb: Sent")
    number = _pull_request(
        gha, "old-plan-step", {PRESTASHOP: text, ".github/workflows/plan.yml": broken}
    )
    gha.run_pull_request(number, "old-plan-step")
    body = _plan_comment(gha, number)
    try:
        assert_markdown_plan(body)
    except AssertionError:
        return
    raise AssertionError("a comment holding the JSON plan passed the Markdown check")


def test_pull_request_cannot_reach_the_key_pair(gha: Actions) -> None:
    # Someone with push access changes plan.yml in their pull request to read the secrets.
    _in_sync_with_snapshot(gha)
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
    number = _pull_request(gha, "steal", {".github/workflows/plan.yml": hostile})
    run = gha.run_pull_request(number, "steal")
    job = run.job("plan")
    assert job.result == "failure"
    assert "environment protection rules" in job.error
    assert job.steps == []  # not one step ran with the environment's secrets
    _assert_no_secret(gha, run.job("validate"), job)


def test_failed_plan_fails_the_job_and_the_comment_says_why(gha: Actions) -> None:
    _in_sync_with_snapshot(gha)
    # Valid offline, but maps onto a status the shop does not have: plan fails.
    text = _edit(gha, "integrations/mapping-only.yaml", 'IN_TRANSIT: "4"', 'IN_TRANSIT: "99"')
    number = _pull_request(gha, "dangling", {"integrations/mapping-only.yaml": text})
    run = gha.run_pull_request(number, "dangling")
    assert run.job("validate").result == "success"
    job = run.job("plan")
    assert job.result == "failure"
    assert job.step("Fail if planning failed").outcome == "failure"
    assert job.step("Plan").outputs["exit_code"] == "1"
    assert job.step("Save the reviewed plan").outcome == "skipped"
    body = _plan_comment(gha, number)
    assert "### reconciler plan failed" in body
    assert "mapping IN_TRANSIT points at status '99'" in body
    assert body.count("```") == 2  # the error output sits in one closed fence
    assert gha.github.label_names(number) == []


def test_no_snapshot_yet_fails_the_plan_with_what_to_do(gha: Actions) -> None:
    text = _edit(gha, PRESTASHOP, "en-gb: Shipped", "en-gb: Sent")
    number = _pull_request(gha, "early", {PRESTASHOP: text})
    job = gha.run_pull_request(number, "early").job("plan")
    assert job.result == "failure"
    assert "gh workflow run drift.yml" in _plan_comment(gha, number)


def test_merge_refuses_a_plan_made_from_other_files(gha: Actions) -> None:
    _in_sync_with_snapshot(gha)
    first = _pull_request(
        gha, "first", {PRESTASHOP: _edit(gha, PRESTASHOP, "en-gb: Shipped", "en-gb: Sent")}
    )
    assert gha.run_pull_request(first, "first").conclusion == "success"
    # Another pull request changes another integration and is merged (and applied) first.
    second = _pull_request(
        gha,
        "second",
        {MULTILINGUAL: _edit(gha, MULTILINGUAL, "en-gb: Returned to sender", "en-gb: Returned")},
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
    _in_sync_with_snapshot(gha)
    number = _pull_request(
        gha,
        "two",
        {
            PRESTASHOP: _edit(gha, PRESTASHOP, "en-gb: Shipped", "en-gb: Sent"),
            MULTILINGUAL: _edit(gha, MULTILINGUAL, "en-gb: Returned to sender", "en-gb: Back"),
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
    _in_sync_with_snapshot(gha)
    number = _pull_request(
        gha, "late", {PRESTASHOP: _edit(gha, PRESTASHOP, "en-gb: Shipped", "en-gb: Sent")}
    )
    assert gha.run_pull_request(number, "late").conclusion == "success"
    # A last push, merged before its plan ran.
    gha.repo.commit("One more", {"integrations/notes.txt": "x"}, branch="late")
    gha.repo.git("switch", "--quiet", "main")
    _sync_pull_request_head(gha, number, "late")
    job = gha.run("apply.yml", "push", sha=gha.repo.merge(number, "late")).job("apply")
    assert job.result == "failure"
    comment = next(
        c["body"] for c in gha.github.comments(number) if "reconciler-apply" in c["body"]
    )
    assert "has no saved plan for its last commit" in comment


def test_drift_opens_updates_and_closes_one_issue(gha: Actions) -> None:
    _in_sync_with_snapshot(gha)
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

    assert _reconciler(gha, "apply", "integrations/", "--auto-approve").returncode == 0
    closed = gha.run("drift.yml", "schedule").job("detect")
    assert closed.step("drift").outputs["exit_code"] == "0"
    assert gha.github.load()["issues"][str(issue["number"])]["state"] == "closed"
    assert "matches git again" in gha.github.comments(issue["number"])[-1]["body"]


def test_adopt_opens_a_pull_request_with_the_adopted_file(gha: Actions) -> None:
    _in_sync_with_snapshot(gha)
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


def test_composite_action_reports_outputs_and_summary(gha: Actions) -> None:
    workflow = gha.tmp / "action.yml"
    workflow.write_text(
        """name: action
on: workflow_dispatch
permissions: {}
jobs:
  drift:
    runs-on: ubuntu-latest
    environment: production
    outputs:
      has_changes: ${{ steps.drift.outputs.has_changes }}
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
        with:
          persist-credentials: false
      - id: drift
        uses: your-org/reconciler/.github/actions/reconciler@v0.1.0
        with:
          command: drift
          args: --format markdown
        env:
          SENDCLOUD_PUBLIC_KEY: ${{ secrets.SENDCLOUD_PUBLIC_KEY }}
          SENDCLOUD_SECRET_KEY: ${{ secrets.SENDCLOUD_SECRET_KEY }}
      - if: steps.drift.outputs.has_changes == 'true'
        env:
          EXIT_CODE: ${{ steps.drift.outputs.exit_code }}
        run: echo "drift found, exit code $EXIT_CODE"
""",
        encoding="utf-8",
    )
    run = gha.runner.run(workflow, "workflow_dispatch", sha=gha.repo.sha("main"))
    job = run.job("drift")
    assert job.result == "success", job.log
    assert job.step("drift").outputs == {"has_changes": "true", "exit_code": "2"}
    assert "## Drift report" in job.step("drift").summary
    assert "drift found, exit code 2" in job.log
    assert job.outputs == {"has_changes": "true"}
    pip = (gha.github.root / "pip.log").read_text(encoding="utf-8")
    assert pip.strip().endswith(".github/actions/reconciler/../../..")


def test_matrix_job_uses_outputs_of_the_job_it_needs(gha: Actions) -> None:
    """What a fleet of config directories looks like: one job lists them, a matrix runs each."""
    workflow = gha.tmp / "fleet.yml"
    workflow.write_text(
        """name: fleet
on: push
permissions: {}
jobs:
  list:
    runs-on: ubuntu-latest
    outputs:
      files: ${{ steps.list.outputs.files }}
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
        with:
          persist-credentials: false
      - id: list
        run: echo "files=$(ls integrations | jq -R . | jq -cs .)" >> "$GITHUB_OUTPUT"
  validate:
    needs: list
    runs-on: ubuntu-latest
    strategy:
      matrix:
        file: ${{ fromJSON(needs.list.outputs.files) }}
        include:
          - file: mapping-only.yaml
            note: maps only
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
        with:
          persist-credentials: false
      - uses: your-org/reconciler/.github/actions/reconciler@v0.1.0
        with:
          command: validate
          paths: integrations/${{ matrix.file }}
      - env:
          NOTE: ${{ matrix.note }}
        run: echo "checked ${NOTE:-a file}"
""",
        encoding="utf-8",
    )
    from tests.actions.harness.lint import actionlint

    actionlint(workflow)
    run = gha.runner.run(workflow, "push", sha=gha.repo.sha("main"))
    instances = run.instances("validate")
    assert [i.matrix for i in instances] == [
        {"file": "mapping-only.yaml", "note": "maps only"},
        {"file": "multilingual-shop.yaml"},
        {"file": "prestashop-default.yaml"},
    ]
    assert all(i.result == "success" for i in instances)
    assert "1 file valid." in instances[1].log
    assert "checked maps only" in instances[0].log


def test_unsafe_plan_is_labelled_and_refused_on_merge(gha: Actions) -> None:
    _in_sync_with_snapshot(gha)
    kept = ["3", "4", "5", "6", "10", "11", "12", "13"]  # deletes 5 of 13: more than 30%
    text = (
        "integration_id: 23452345\nstatuses:\n"
        + "".join(f'  "{ext}":\n    en-gb: Status {ext}\n' for ext in kept)
        + 'mapping:\n  READY_TO_SEND: "3"\n  IN_TRANSIT: "4"\n  DELIVERED: "5"\n  CANCEL: "6"\n'
    )
    number = _pull_request(gha, "prune", {PRESTASHOP: text})
    run = gha.run_pull_request(number, "prune")
    assert run.conclusion == "success", run.log
    assert run.job("plan").step("Plan").outputs["unsafe"] == "true"
    assert sorted(gha.github.label_names(number)) == ["reconciler:changes", "reconciler:unsafe"]
    assert "unsafe" in _plan_comment(gha, number)

    job = gha.run("apply.yml", "push", sha=gha.repo.merge(number, "prune")).job("apply")
    assert job.result == "failure"
    comment = next(
        c["body"] for c in gha.github.comments(number) if "reconciler-apply" in c["body"]
    )
    assert "### reconciler apply failed" in comment
    assert "refused (unsafe)" in comment
    assert len(gha.live(23452345)["statuses"]) == 13


def test_direct_push_to_main_is_not_applied(gha: Actions) -> None:
    _in_sync_with_snapshot(gha)
    before = gha.live(23452345)
    sha = gha.repo.commit(
        "Straight to main", {PRESTASHOP: _edit(gha, PRESTASHOP, "en-gb: Shipped", "en-gb: Sent")}
    )
    job = gha.run("apply.yml", "push", sha=sha).job("apply")
    assert job.result == "failure"
    assert "no reviewed plan to apply" in job.step("Apply").log
    assert job.step("Comment the result on the merged pull request").outcome == "skipped"
    assert gha.live(23452345)["statuses"] == before["statuses"]
