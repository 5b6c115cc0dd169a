"""The local runner on workflows of the tests' own: the composite action, a matrix with `needs`."""

from __future__ import annotations

from tests.actions.conftest import Actions
from tests.actions.harness.lint import actionlint


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
