"""Steps of the workflow tests: live state and snapshot, pull requests, comments, secrets."""

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


def reconciler(gha: Actions, *args: str) -> subprocess.CompletedProcess[str]:
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


def in_sync_with_snapshot(gha: Actions) -> None:
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
    write_snapshot(
        out / "snapshot.json",
        asyncio.run(read()),
        taken_at=datetime.now(UTC),
        api_url=gha.api.base_url,
    )
    run = {"id": next(gha.runner.run_ids), "head_branch": "main", "head_sha": gha.repo.sha("main")}
    gha.github.add_artifact(run, "reconciler-snapshot", [out / "snapshot.json"], out)


def edit(gha: Actions, path: str, old: str, new: str) -> str:
    text = (gha.repo.dev / path).read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new, 1)


def pull_request(gha: Actions, branch: str, files: dict[str, str | Path | None]) -> int:
    gha.repo.commit(f"Change on {branch}", files, branch=branch)
    gha.repo.git("switch", "--quiet", "main")
    return gha.repo.open_pull_request(branch)


def plan_comment(gha: Actions, number: int) -> str:
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


def assert_no_secret(gha: Actions, *jobs: JobResult) -> None:
    for job in jobs:
        assert gha.secret not in job.log
    for artifact in (gha.github.root / "artifacts").rglob("*"):
        if artifact.is_file():
            assert gha.secret not in artifact.read_text(encoding="utf-8")
    assert gha.secret not in gha.github.state_path.read_text(encoding="utf-8")


def sync_pull_request_head(gha: Actions, number: int, branch: str) -> None:
    state = gha.github.load()
    state["issues"][str(number)]["head_sha"] = gha.repo.sha(branch)
    gha.github.save(state)
