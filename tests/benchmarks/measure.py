"""``python -m tests.benchmarks.measure REPORT ARGS...``: run ``reconciler ARGS`` in this process,
then write its exit code and peak RSS to REPORT (JSON).

The peak is VmHWM from /proc/self/status: the high-water mark of this program's own address
space. ``ru_maxrss`` (wait4, RUSAGE_CHILDREN) is not used because Linux carries the forking
parent's high-water mark over into the child at exec, so a child of the benchmark driver would
report at least the driver's RSS.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path


def peak_rss_kib() -> int | None:
    try:
        for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        print("usage: python -m tests.benchmarks.measure REPORT ARGS...", file=sys.stderr)
        return 2
    from reconciler.cli import main as cli_main

    code = cli_main(args[1:])
    report = {"exit_code": code, "peak_rss_kib": peak_rss_kib()}
    Path(args[0]).write_text(json.dumps(report), encoding="utf-8")
    return code


if __name__ == "__main__":
    raise SystemExit(main())
