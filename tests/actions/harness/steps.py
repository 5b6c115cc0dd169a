"""Running one step: `if:`, `env`, a `run:` script under bash with the GITHUB_* files, or `uses:`
(a composite action of ours, step by step; a third-party action: its stub)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from tests.actions.harness.context import STEP_TIMEOUT, JobContext, read_key_values, shell_command
from tests.actions.harness.expressions import JobStatus, evaluate_if, substitute, to_string
from tests.actions.harness.fake_gh import FakeGitHub
from tests.actions.harness.results import StepResult
from tests.actions.harness.stubs import Stub, StubError


class StepRunner:
    """What `Runner` needs to run steps; the attributes are set by `Runner.__init__`."""

    github: FakeGitHub
    actions: dict[str, Path]
    stubs: dict[str, Stub]
    env: dict[str, str]
    repository: str
    tools: Path

    def _step(
        self,
        job: JobContext,
        step: dict[str, Any],
        index: int,
        context: dict[str, Any],
        steps_context: dict[str, Any],
        status: JobStatus,
        defaults: Mapping[str, Any],
        *,
        step_env: Mapping[str, str] | None = None,
        action_path: Path | None = None,
    ) -> StepResult:
        context = {**context, "steps": steps_context, "env": {**job.env, **(step_env or {})}}
        context["job"] = {"status": "failure" if status.failed else "success"}
        step_id = step.get("id")
        name = str(step.get("name") or step.get("uses") or step.get("run", "")).strip()
        if not evaluate_if(step.get("if"), context, status):
            result = StepResult(step_id, name, "skipped", "skipped")
        else:
            env = dict(step_env or {})
            for key, value in (step.get("env") or {}).items():
                env[key] = to_string(substitute(value, {**context, "env": {**job.env, **env}}))
            context["env"] = {**job.env, **env}
            if "run" in step:
                result = self._run_script(job, step, name, context, env, defaults, action_path)
            else:
                result = self._uses(job, step, name, context, env)
            result.id = step_id
            if result.outcome == "failure" and step.get("continue-on-error") is True:
                result.conclusion = "success"
            if result.conclusion == "failure":
                status.failed = True
        if step_id:
            steps_context[step_id] = {
                "outputs": result.outputs,
                "outcome": result.outcome,
                "conclusion": result.conclusion,
            }
        return result

    def _files(self, job: JobContext) -> dict[str, Path]:
        number = next(job.counter)
        files = {
            name: job.temp / f"{name.lower()}-{number}"
            for name in ("GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_PATH", "GITHUB_STEP_SUMMARY")
        }
        for path in files.values():
            path.write_text("", encoding="utf-8")
        return files

    def _process_env(
        self, job: JobContext, env: Mapping[str, str], files: Mapping[str, Path]
    ) -> dict[str, str]:
        run = job.run
        event_path = job.temp / "event.json"
        event_path.write_text(json.dumps(run.event), encoding="utf-8")
        home = job.temp / "home"
        home.mkdir(exist_ok=True)
        path = [*job.path, str(self.tools), str(Path(sys.executable).parent), "/usr/bin", "/bin"]
        return {
            "PATH": os.pathsep.join(path),
            "HOME": str(home),
            "LANG": "C.UTF-8",
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": str(job.workspace),
            "GITHUB_REPOSITORY": self.repository,
            "GITHUB_REPOSITORY_OWNER": self.repository.split("/")[0],
            "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_API_URL": "https://api.github.com",
            "GITHUB_RUN_ID": str(run.run_id),
            "GITHUB_RUN_ATTEMPT": "1",
            "GITHUB_SHA": run.sha,
            "GITHUB_REF": run.ref,
            "GITHUB_REF_NAME": run.ref.split("/", 2)[-1],
            "GITHUB_EVENT_NAME": run.event_name,
            "GITHUB_EVENT_PATH": str(event_path),
            "GITHUB_JOB": job.name,
            "RUNNER_OS": "Linux",
            "RUNNER_TEMP": str(job.temp),
            "FAKE_GH_ROOT": str(self.github.root),
            **{k: str(v) for k, v in files.items()},
            **self.env,
            **job.env,
            **env,
        }

    def _run_script(
        self,
        job: JobContext,
        step: dict[str, Any],
        name: str,
        context: dict[str, Any],
        env: Mapping[str, str],
        defaults: Mapping[str, Any],
        action_path: Path | None,
    ) -> StepResult:
        script = to_string(substitute(step["run"], context))
        shell = step.get("shell") or defaults.get("shell")
        files = self._files(job)
        script_path = job.temp / f"step-{next(job.counter)}.sh"
        script_path.write_text(script, encoding="utf-8")
        command = shell_command(shell, str(script_path))
        cwd = job.workspace / str(
            step.get("working-directory") or defaults.get("working-directory") or "."
        )
        process_env = self._process_env(job, env, files)
        if action_path is not None:
            process_env["GITHUB_ACTION_PATH"] = str(action_path)
        done = subprocess.run(
            command,
            cwd=cwd,
            env=process_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=STEP_TIMEOUT,
            check=False,
        )
        outcome = "success" if done.returncode == 0 else "failure"
        self._after(job, files)
        return StepResult(
            None,
            name,
            outcome,
            outcome,
            outputs=read_key_values(files["GITHUB_OUTPUT"]),
            log=done.stdout,
            summary=files["GITHUB_STEP_SUMMARY"].read_text(encoding="utf-8"),
            exit_code=done.returncode,
        )

    def _after(self, job: JobContext, files: Mapping[str, Path]) -> None:
        job.env.update(read_key_values(files["GITHUB_ENV"]))
        added = files["GITHUB_PATH"].read_text(encoding="utf-8").splitlines()
        job.path[:0] = [line for line in reversed(added) if line.strip()]

    def _uses(
        self,
        job: JobContext,
        step: dict[str, Any],
        name: str,
        context: dict[str, Any],
        env: Mapping[str, str],
    ) -> StepResult:
        uses = str(step["uses"])
        inputs = {k: to_string(v) for k, v in substitute(step.get("with") or {}, context).items()}
        action = uses.split("@", 1)[0]
        directory = job.workspace / uses if uses.startswith("./") else self.actions.get(action)
        if directory is not None:
            return self._composite(job, name, directory, inputs, context, env)
        stub = self.stubs.get(action)
        if stub is None:
            return StepResult(None, name, "failure", "failure", log=f"no stub for {uses}")
        try:
            outputs = stub(job, inputs)
        except (StubError, OSError, subprocess.CalledProcessError) as exc:
            return StepResult(None, name, "failure", "failure", log=f"{uses}: {exc}")
        return StepResult(None, name, "success", "success", outputs=outputs)

    def _composite(
        self,
        job: JobContext,
        name: str,
        directory: Path,
        given: Mapping[str, str],
        outer: dict[str, Any],
        env: Mapping[str, str],
    ) -> StepResult:
        action = YAML(typ="safe", pure=True).load((directory / "action.yml").read_text("utf-8"))
        declared = action.get("inputs") or {}
        unknown = set(given) - set(declared)
        if unknown:
            return StepResult(None, name, "failure", "failure", log=f"unknown inputs {unknown}")
        inputs: dict[str, str] = {}
        for key, spec in declared.items():
            if key in given:
                inputs[key] = given[key]
            elif "default" in spec:
                inputs[key] = to_string(substitute(spec["default"], outer))
            elif spec.get("required"):
                return StepResult(None, name, "failure", "failure", log=f"input {key} required")
            else:
                inputs[key] = ""
        # Composite steps see the caller's github/env but their own inputs and steps, no secrets.
        context = {**outer, "inputs": inputs, "secrets": {}}
        steps_context: dict[str, Any] = {}
        status = JobStatus()
        results = [
            self._step(
                job,
                step,
                i,
                context,
                steps_context,
                status,
                {},
                step_env=env,
                action_path=directory,
            )
            for i, step in enumerate(action["runs"]["steps"])
        ]
        context["steps"] = steps_context
        outputs = {
            key: to_string(substitute(spec.get("value", ""), context))
            for key, spec in (action.get("outputs") or {}).items()
        }
        outcome = "failure" if status.failed else "success"
        return StepResult(
            None,
            name,
            outcome,
            outcome,
            outputs=outputs,
            log="\n".join(r.log for r in results),
            summary="".join(r.summary for r in results),
        )
