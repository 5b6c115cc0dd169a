"""Run a GitHub Actions workflow on this machine the way a runner would, as far as one can.

Per job (in `needs` order, each matrix combination on its own): a fresh empty workspace, the
job's `if:`, its environment's branch rule and secrets, then each step: `if:`, `${{ }}` in `env`,
`with` and `run`, the script run by bash with `GITHUB_OUTPUT`, `GITHUB_ENV`, `GITHUB_PATH` and
`GITHUB_STEP_SUMMARY` files, `continue-on-error`; composite actions (ours) run step by step;
third-party actions run as the stubs the test names (`stubs.THIRD_PARTY`). `gh` is the fake in
`fake_gh.py`, and `python -m pip install` of the project is recorded, not run (the test's
environment already has it installed).

What it does not do: containers, services, reusable workflows, `hashFiles`, job timeouts and
cancellation, and anything about runner images beyond this machine's bash, git, jq and python.
"""

from __future__ import annotations

import itertools
import shlex
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from tests.actions.harness.context import (
    TOKEN,
    Environment,
    JobContext,
    Run,
    combined,
    executable,
    expand_matrix,
    job_needs,
    merged_outputs,
    with_defaults,
)
from tests.actions.harness.expressions import JobStatus, evaluate_if, substitute, to_string
from tests.actions.harness.fake_gh import FakeGitHub
from tests.actions.harness.results import JobResult, WorkflowRun
from tests.actions.harness.steps import StepRunner
from tests.actions.harness.stubs import Stub

__all__ = ["TOKEN", "Environment", "Runner"]


class Runner(StepRunner):
    def __init__(
        self,
        root: Path,
        github: FakeGitHub,
        *,
        origin: Path,
        actions: Mapping[str, Path],
        stubs: Mapping[str, Stub],
        env: Mapping[str, str],
        repository: str = "acme/config",
        default_branch: str = "main",
        secrets: Mapping[str, str] | None = None,
        environments: Mapping[str, Environment] | None = None,
    ) -> None:
        self.root = root
        self.github = github
        self.origin = origin
        self.actions = dict(actions)  # `uses:` without the ref -> the action's directory
        self.stubs = dict(stubs)
        self.env = dict(env)
        self.repository = repository
        self.default_branch = default_branch
        self.secrets = dict(secrets or {})
        self.environments = dict(environments or {})
        self.run_ids = itertools.count(101)
        self.tools = root / "tools"
        self.tools.mkdir(parents=True, exist_ok=True)
        self._install_tools()

    def _install_tools(self) -> None:
        fake = Path(__file__).with_name("fake_gh.py")
        executable(self.tools / "gh", f"#!{sys.executable}\nimport runpy\n"
                    f"runpy.run_path({str(fake)!r}, run_name='__main__')\n")  # fmt: skip
        # `python -m pip install <dir>`: record it and check it names the project; the test's
        # interpreter already has the project installed (editable), everything else is real.
        executable(
            self.tools / "python",
            "#!/bin/bash\n"
            'if [ "$1 $2 $3" = "-m pip install" ]; then\n'
            '  target="${!#}"\n'
            '  grep -q \'^name = "sendcloud-reconciler"\' "$target/pyproject.toml" || '
            '{ echo "pip: $target is not the reconciler project" >&2; exit 1; }\n'
            '  echo "$*" >> "$FAKE_GH_ROOT/pip.log"\n'
            "  exit 0\n"
            "fi\n"
            f'exec {shlex.quote(sys.executable)} "$@"\n',
        )

    # --- workflows and jobs ------------------------------------------------------------------

    def run(
        self,
        workflow: Path,
        event_name: str,
        *,
        sha: str,
        ref: str | None = None,
        event: dict[str, Any] | None = None,
        inputs: Mapping[str, Any] | None = None,
        head_branch: str | None = None,
        head_sha: str | None = None,
    ) -> WorkflowRun:
        document = YAML(typ="safe", pure=True).load(workflow.read_text(encoding="utf-8"))
        ref = ref or f"refs/heads/{self.default_branch}"
        given = dict(inputs or {})
        run = Run(
            run_id=next(self.run_ids),
            event_name=event_name,
            event=dict(event or {}),
            ref=ref,
            sha=sha,
            inputs=with_defaults(document, event_name, given),
            head_branch=head_branch or ref.removeprefix("refs/heads/"),
            head_sha=head_sha or sha,
        )
        run.event.setdefault("repository", {"default_branch": self.default_branch})
        if event_name == "workflow_dispatch":
            run.event.setdefault("inputs", run.inputs)
        result = WorkflowRun(run.run_id)
        jobs: dict[str, Any] = dict(document["jobs"])
        done: dict[str, list[JobResult]] = {}
        while len(done) < len(jobs):
            ready = [
                name
                for name, job in jobs.items()
                if name not in done and all(n in done for n in job_needs(job))
            ]
            if not ready:
                raise AssertionError(f"{workflow}: jobs in a `needs` cycle")
            for name in ready:
                done[name] = self._job(document, name, jobs[name], run, done)
                result.jobs[name] = done[name]
        return result

    def _context(self, run: Run, **extra: Any) -> dict[str, Any]:
        ref_name = run.ref.split("/", 2)[-1]
        github = {
            "event_name": run.event_name,
            "event": run.event,
            "ref": run.ref,
            "ref_name": ref_name,
            "sha": run.sha,
            "repository": self.repository,
            "repository_owner": self.repository.split("/")[0],
            "run_id": str(run.run_id),
            "run_attempt": "1",
            "server_url": "https://github.com",
            "token": TOKEN,
            "workflow": "",
            "actor": "octocat",
            "head_ref": run.head_branch if run.event_name == "pull_request" else "",
        }
        context: dict[str, Any] = {
            "github": github,
            "inputs": run.inputs,
            "vars": {},
            "env": {},
            "needs": {},
            "matrix": {},
            "strategy": {},
            "secrets": {},
            "steps": {},
            "job": {"status": "success"},
            "runner": {"os": "Linux", "arch": "X64", "temp": ""},
        }
        context.update(extra)
        return context

    def _job(
        self,
        document: dict[str, Any],
        name: str,
        job: dict[str, Any],
        run: Run,
        done: Mapping[str, list[JobResult]],
    ) -> list[JobResult]:
        needs = {
            n: {"result": combined(done[n]), "outputs": merged_outputs(done[n])}
            for n in job_needs(job)
        }
        context = self._context(run, needs=needs)
        status = JobStatus(failed=any(v["result"] != "success" for v in needs.values()))
        if not evaluate_if(job.get("if"), context, status):
            return [JobResult(name, None, "skipped")]
        strategy = substitute(job.get("strategy") or {}, context)
        combinations = expand_matrix(strategy.get("matrix")) if strategy else [None]
        return [
            self._job_instance(document, name, job, run, needs, matrix) for matrix in combinations
        ]

    def _job_instance(
        self,
        document: dict[str, Any],
        name: str,
        job: dict[str, Any],
        run: Run,
        needs: dict[str, Any],
        matrix: dict[str, Any] | None,
    ) -> JobResult:
        base = (
            self.root
            / f"run-{run.run_id}"
            / f"{name}-{len(list(self.root.glob(f'run-{run.run_id}/{name}-*')))}"
        )
        workspace, temp = base / "workspace", base / "temp"
        workspace.mkdir(parents=True)
        temp.mkdir()
        environment = job.get("environment")
        environment_name = environment.get("name") if isinstance(environment, dict) else environment
        result = JobResult(name, matrix, "success", environment=environment_name)
        secrets = dict(self.secrets)
        if environment_name is not None:
            rule = self.environments.get(str(environment_name))
            branch = run.ref.removeprefix("refs/heads/")
            if rule is not None and branch not in rule.branches:
                result.result = "failure"
                result.error = (
                    f"Branch {run.ref!r} is not allowed to deploy to {environment_name} "
                    "due to environment protection rules."
                )
                return result
            secrets.update(rule.secrets if rule else {})
        context = self._context(run, needs=needs, matrix=matrix or {}, secrets=secrets)
        context["runner"]["temp"] = str(temp)
        ctx = JobContext(self, run, name, workspace, temp, secrets)
        for key, value in (document.get("env") or {}).items():
            ctx.env[key] = to_string(substitute(value, {**context, "env": dict(ctx.env)}))
        for key, value in (job.get("env") or {}).items():
            ctx.env[key] = to_string(substitute(value, {**context, "env": dict(ctx.env)}))
        defaults = {
            **((document.get("defaults") or {}).get("run") or {}),
            **((job.get("defaults") or {}).get("run") or {}),
        }
        steps_context: dict[str, Any] = {}
        status = JobStatus()
        for index, step in enumerate(job.get("steps") or []):
            step_result = self._step(ctx, step, index, context, steps_context, status, defaults)
            result.steps.append(step_result)
        context["steps"] = steps_context
        result.result = "failure" if status.failed else "success"
        result.outputs = {
            key: to_string(substitute(value, context))
            for key, value in (job.get("outputs") or {}).items()
        }
        return result

    # --- steps ---------------------------------------------------------------------------------
