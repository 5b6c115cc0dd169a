"""The benchmark: ``python -m tests.benchmarks [--quick] [--json FILE]``.

Not part of the test suite. It starts the simulator in a child process (so client and server do
not share a GIL), drives its knobs through the ``/_simulator/`` admin endpoints, generates real
desired-state files and measures, in one run:

1. a latency-bound plan (simulator latency, no rate limit) against its lower bound
   ``2·N·latency / parallelism`` and against the same GETs issued one at a time;
2. a plan and an apply under the documented rate limits (optionally scaled down in time):
   achieved rate as a share of the limit, and 429 answers;
3. request economy from the simulator's request log: reads per integration for plan, writes for
   an apply in sync, a mapping-only change and a reference-safe delete;
4. start-up: ``reconciler --help`` and ``validate`` (one file, many files) as subprocesses;
5. peak RSS of ``reconciler plan`` on N integrations, on one, and on ``--memory-integrations``
   (5,000; quick: 1,000) (CLI subprocesses, end to end).

Sections 1-3 call the library in-process (``config.loader.load_paths`` → ``planner.build_plan`` →
``apply.apply_plan``); sections 4-5 run the installed ``reconciler`` command.
"""
