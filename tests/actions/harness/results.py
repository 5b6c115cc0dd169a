"""What a workflow run leaves behind, for the tests to assert on: jobs, steps, outputs, logs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class StepResult:
    id: str | None
    name: str
    outcome: str  # "success", "failure" or "skipped"
    conclusion: str  # like outcome, but "success" for a failure under continue-on-error
    outputs: dict[str, str] = field(default_factory=dict)
    log: str = ""  # stdout and stderr of the step (and of a composite action's steps)
    summary: str = ""  # what it appended to $GITHUB_STEP_SUMMARY
    exit_code: int | None = None


@dataclass
class JobResult:
    name: str
    matrix: dict[str, Any] | None
    result: str  # "success", "failure" or "skipped"
    outputs: dict[str, str] = field(default_factory=dict)
    steps: list[StepResult] = field(default_factory=list)
    environment: str | None = None
    error: str = ""  # why the job failed before or outside its steps

    def step(self, key: str) -> StepResult:
        """The step with this id or name."""
        for step in self.steps:
            if key in (step.id, step.name):
                return step
        raise KeyError(f"job {self.name!r} has no step {key!r}: {[s.name for s in self.steps]}")

    @property
    def log(self) -> str:
        return "\n".join(step.log for step in self.steps)

    @property
    def summary(self) -> str:
        return "".join(step.summary for step in self.steps)

    def ran(self) -> list[str]:
        return [step.name for step in self.steps if step.outcome != "skipped"]


@dataclass
class WorkflowRun:
    run_id: int
    jobs: dict[str, list[JobResult]] = field(default_factory=dict)

    def job(self, key: str) -> JobResult:
        """The one instance of a job (a matrix job: use `instances`)."""
        (only,) = self.jobs[key]
        return only

    def instances(self, key: str) -> list[JobResult]:
        return self.jobs[key]

    @property
    def log(self) -> str:
        return "\n".join(job.log for jobs in self.jobs.values() for job in jobs)

    @property
    def conclusion(self) -> str:
        results = [job.result for jobs in self.jobs.values() for job in jobs]
        return "failure" if "failure" in results else "success"
