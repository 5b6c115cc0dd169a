"""A config repository, a fake GitHub and a local runner, wired to the simulator on loopback."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.actions.harness.fake_gh import FakeGitHub
from tests.actions.harness.lint import actionlint
from tests.actions.harness.repo import ConfigRepo
from tests.actions.harness.results import WorkflowRun
from tests.actions.harness.runner import Environment, Runner
from tests.actions.harness.stubs import THIRD_PARTY
from tests.commands.simstate import integration, seed
from tests.support.simulator import BackgroundServer

REPO = Path(__file__).resolve().parents[2]
# How the example workflows name the composite action; the runner runs this repository's copy.
OUR_ACTION = "your-org/reconciler/.github/actions/reconciler"
LABELS = ("reconciler:changes", "reconciler:unsafe")
SHOP_MODULE_ID = 23452346  # examples/integrations/mapping-only.yaml maps onto the shop's statuses


@dataclass
class Actions:
    """Everything a workflow test needs: push, open and merge, run a workflow, look at GitHub."""

    repo: ConfigRepo
    github: FakeGitHub
    runner: Runner
    api: BackgroundServer
    secret: str
    tmp: Path

    def run(
        self,
        workflow: str,
        event_name: str,
        *,
        sha: str | None = None,
        ref: str = "refs/heads/main",
        **kwargs: Any,
    ) -> WorkflowRun:
        """Run `.github/workflows/<workflow>` as committed at ``sha`` (default: main's tip)."""
        sha = sha or self.repo.sha("origin/main")
        text = self.repo.git("show", f"{sha}:.github/workflows/{workflow}")
        path = self.tmp / f"{workflow}.{sha[:12]}.yml"
        path.write_text(text + "\n", encoding="utf-8")
        actionlint(path)
        return self.runner.run(path, event_name, sha=sha, ref=ref, **kwargs)

    def run_pull_request(self, number: int, branch: str, workflow: str = "plan.yml") -> WorkflowRun:
        merge = self.repo.merge_ref(number, branch)
        return self.run(
            workflow,
            "pull_request",
            sha=merge,
            ref=f"refs/pull/{number}/merge",
            event=self.repo.pull_request_event(number, branch),
            head_branch=branch,
            head_sha=self.repo.sha(branch),
        )

    def live(self, integration_id: int) -> dict[str, Any]:
        state: dict[str, Any] = self.api.simulator.store.snapshot()
        result: dict[str, Any] = state["integrations"][str(integration_id)]
        return result


@pytest.fixture
def gha(
    tmp_path: Path, simulator_server: BackgroundServer, credentials: tuple[str, str]
) -> Actions:
    """The example workflows in a fresh config repository whose main holds the examples.

    The key pair exists only in the environments `production` (apply) and `production-read`
    (drift), which only main may use; the
    simulator holds the shop module's statuses (as examples/quickstart.sh seeds them).
    """
    github = FakeGitHub(tmp_path / "github")
    repo = ConfigRepo(tmp_path, github)
    github.init("acme/config", repo.origin)
    for label in LABELS:
        github.create_label(label)
    repo.commit(
        "Config repository",
        {
            "integrations": REPO / "examples/integrations",
            **{
                f".github/workflows/{name}": REPO / "examples/github" / name
                for name in ("plan.yml", "apply.yml", "drift.yml")
            },
        },
    )
    seed(
        simulator_server,
        {
            SHOP_MODULE_ID: integration(
                {
                    "2": {"en-gb": "Payment accepted"},
                    "4": {"en-gb": "Shipped"},
                    "5": {"en-gb": "Delivered"},
                    "6": {"en-gb": "Canceled"},
                },
                {},
            )
        },
    )
    runner = Runner(
        tmp_path / "runner",
        github,
        origin=repo.origin,
        actions={OUR_ACTION: REPO / ".github/actions/reconciler"},
        stubs=THIRD_PARTY,
        env={"SENDCLOUD_API_URL": simulator_server.base_url},
        # As README "Set up in GitHub" says: apply's environment and drift's, both main-only.
        environments={
            name: Environment(
                branches=("main",),
                secrets={
                    "SENDCLOUD_PUBLIC_KEY": credentials[0],
                    "SENDCLOUD_SECRET_KEY": credentials[1],
                },
            )
            for name in ("production", "production-read")
        },
    )
    (tmp_path / "workflows").mkdir()
    return Actions(repo, github, runner, simulator_server, credentials[1], tmp_path / "workflows")
