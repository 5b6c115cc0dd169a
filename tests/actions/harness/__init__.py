"""A local GitHub Actions runner for workflow tests: workflows run as committed, step by step.

The pieces, each usable alone:

- `repo.ConfigRepo`: a bare `origin` and a developer clone; commit to branches, open and merge
  pull requests (with GitHub's `refs/pull/N/merge` test merge) on the fake GitHub;
- `fake_gh.FakeGitHub`: the GitHub behind the `gh` stand-in (issues, pull requests, comments,
  labels, artifacts of other runs), kept in one JSON file and with every call recorded;
- `runner.Runner`: runs a workflow file for an event (`run(path, "pull_request", sha=...,
  ref=..., event=..., inputs=...)`) and returns a `results.WorkflowRun` with each job's result,
  outputs, steps (outputs, log, step summary) and matrix instances (`instances("job")`);
  `runner.Environment` gives an environment its allowed branches and secrets;
- `stubs.THIRD_PARTY`: the third-party actions a test allows, by name;
- `lint.actionlint(path)`: actionlint over a workflow file.

A matrix comes from `strategy.matrix` (lists, `include`, `exclude`, or `fromJSON` of a needed
job's output); `needs.<job>.outputs` and `needs.<job>.result` are those of the finished jobs
(a matrix job's outputs: the last instance that set each one). See tests/actions/conftest.py for
a complete set-up against the simulator.
"""
