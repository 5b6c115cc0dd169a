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
import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from tests.actions.harness.expressions import JobStatus, evaluate_if, substitute, to_string
from tests.actions.harness.fake_gh import FakeGitHub
from tests.actions.harness.results import JobResult, StepResult, WorkflowRun
from tests.actions.harness.stubs import Stub, StubError

TOKEN = "ghs_FAKE-workflow-token-0123456789"  # a stand-in the tests look for
STEP_TIMEOUT = 300


@dataclass(frozen=True)
class Environment:
    """A deployment environment: the branches allowed to use it and the secrets it holds."""

    branches: tuple[str, ...]
    secrets: Mapping[str, str]


@dataclass
class Run:
    run_id: int
    event_name: str
    event: dict[str, Any]
    ref: str
    sha: str
    inputs: dict[str, Any]
    head_branch: str
    head_sha: str

    def artifact_run(self) -> dict[str, Any]:
        return {"id": self.run_id, "head_branch": self.head_branch, "head_sha": self.head_sha}


@dataclass
class JobContext:
    runner: Runner
    run: Run
    name: str
    workspace: Path
    temp: Path
    secrets: dict[str, str]
    env: dict[str, str] = field(default_factory=dict)  # workflow + job env, then GITHUB_ENV
    path: list[str] = field(default_factory=list)  # GITHUB_PATH, newest first
    counter: itertools.count[int] = field(default_factory=itertools.count)

    @property
    def github(self) -> FakeGitHub:
        return self.runner.github

    def git(self, *args: str) -> str:
        done = subprocess.run(
            ["git", *args], cwd=self.workspace, capture_output=True, text=True, check=True
        )
        return done.stdout


class Runner:
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
        _executable(self.tools / "gh", f"#!{sys.executable}\nimport runpy\n"
                    f"runpy.run_path({str(fake)!r}, run_name='__main__')\n")  # fmt: skip
        # `python -m pip install <dir>`: record it and check it names the project; the test's
        # interpreter already has the project installed (editable), everything else is real.
        _executable(
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
            inputs=_with_defaults(document, event_name, given),
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
                if name not in done and all(n in done for n in _needs(job))
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
            n: {"result": _combined(done[n]), "outputs": _merged_outputs(done[n])}
            for n in _needs(job)
        }
        context = self._context(run, needs=needs)
        status = JobStatus(failed=any(v["result"] != "success" for v in needs.values()))
        if not evaluate_if(job.get("if"), context, status):
            return [JobResult(name, None, "skipped")]
        strategy = substitute(job.get("strategy") or {}, context)
        combinations = _expand_matrix(strategy.get("matrix")) if strategy else [None]
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
        command = _shell(shell, str(script_path))
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
            outputs=_read_key_values(files["GITHUB_OUTPUT"]),
            log=done.stdout,
            summary=files["GITHUB_STEP_SUMMARY"].read_text(encoding="utf-8"),
            exit_code=done.returncode,
        )

    def _after(self, job: JobContext, files: Mapping[str, Path]) -> None:
        job.env.update(_read_key_values(files["GITHUB_ENV"]))
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


# --- helpers -------------------------------------------------------------------------------------


def _executable(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    path.chmod(0o755)


def _needs(job: Mapping[str, Any]) -> list[str]:
    needs = job.get("needs") or []
    return [needs] if isinstance(needs, str) else list(needs)


def _combined(results: list[JobResult]) -> str:
    outcomes = {r.result for r in results}
    if "failure" in outcomes:
        return "failure"
    return "skipped" if outcomes == {"skipped"} else "success"


def _merged_outputs(results: list[JobResult]) -> dict[str, str]:
    merged: dict[str, str] = {}
    for result in results:  # as on GitHub, a matrix job's outputs: the last one that set it wins
        merged.update({k: v for k, v in result.outputs.items() if v != ""})
    return merged


def _with_defaults(
    document: Mapping[str, Any], event_name: str, given: Mapping[str, Any]
) -> dict[str, Any]:
    triggers = document.get("on") or {}
    spec = triggers.get(event_name) if isinstance(triggers, dict) else None
    # Only a manual run (or a call) has inputs; on other events the context is empty.
    declared = (spec.get("inputs") if isinstance(spec, dict) else None) or {}
    unknown = set(given) - set(declared)
    if unknown:
        raise AssertionError(f"inputs {sorted(unknown)} are not declared for {event_name}")
    inputs = {k: v.get("default", "") for k, v in declared.items()}
    inputs.update(given)
    return inputs


def _expand_matrix(matrix: Any) -> list[dict[str, Any] | None]:
    """`strategy.matrix` as GitHub expands it: the product, minus `exclude`, plus `include`."""
    if not matrix:
        return [None]
    if not isinstance(matrix, Mapping):
        raise AssertionError(f"matrix is not a mapping: {matrix!r}")
    axes = {k: v for k, v in matrix.items() if k not in ("include", "exclude")}
    combos: list[dict[str, Any]] = [
        dict(zip(axes, values, strict=True)) for values in itertools.product(*axes.values())
    ] if axes else []  # fmt: skip
    for rule in matrix.get("exclude") or []:
        combos = [c for c in combos if any(c.get(k) != v for k, v in rule.items())]
    originals = [dict(c) for c in combos]
    for extra in matrix.get("include") or []:
        matched = False
        for combo, original in zip(combos, originals, strict=True):
            if all(original.get(k, v) == v for k, v in extra.items() if k in axes):
                combo.update(extra)
                matched = True
        if not matched:
            combos.append(dict(extra))
    return list(combos) or [None]


def _shell(shell: str | None, script: str) -> list[str]:
    if shell in (None, ""):
        return ["bash", "-e", script]
    if shell == "bash":
        return ["bash", "--noprofile", "--norc", "-eo", "pipefail", script]
    if shell == "sh":
        return ["sh", "-e", script]
    if shell == "python":
        return [sys.executable, script]
    return [part.replace("{0}", script) for part in shlex.split(shell)]


_HEREDOC = re.compile(r"^([^=<\s]+)<<(.+)$")


def _read_key_values(path: Path) -> dict[str, str]:
    """`name=value` lines and `name<<DELIMITER` blocks, as the runner reads them."""
    values: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        heredoc = _HEREDOC.match(line)
        if heredoc:
            name, delimiter = heredoc.groups()
            end = lines.index(delimiter, index + 1)
            values[name] = "\n".join(lines[index + 1 : end])
            index = end + 1
            continue
        if "=" in line:
            name, value = line.split("=", 1)
            values[name] = value
        elif line.strip():
            raise AssertionError(f"invalid line in {path.name}: {line!r}")
        index += 1
    return values
