"""Progress that moves: requests counted, an ETA from the pacing, a bar only on a terminal."""

from __future__ import annotations

import asyncio
import io
import re
from pathlib import Path

import pytest

from reconciler import progress
from reconciler.progress import RequestProgress, describe_seconds
from reconciler.sendcloud.client import ClientStats
from reconciler.simulator.simulator import Simulator
from tests.apply.support import Cli, seed, write_file

PAID = {"en-gb": "Paid"}
LINE = re.compile(r"^(Applying|Reading live state): (\d+) of (\d+) API requests \((\d+)%\), (.+)$")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_time_left_is_the_requests_left_times_their_pacing_interval() -> None:
    stats = ClientStats()
    counter = RequestProgress(
        "Applying", stats, reads=10, writes=5, reads_per_minute=1000, writes_per_minute=100
    )
    # 10 reads at 60/1000 s and 5 writes at 60/100 s, each with the pacer's 2% headroom.
    assert counter.seconds_left() == pytest.approx((10 * 0.06 + 5 * 0.6) * 1.02)
    assert counter.line() == "Applying: 0 of 15 API requests (0%), about 4 s left"
    stats.reads, stats.writes = 10, 4
    assert counter.line() == "Applying: 14 of 15 API requests (93%), almost done"
    stats.reads = 12  # a retried read is sent twice: the count never passes the total
    counter.skip(writes=1)  # an integration stopped before its last write
    assert counter.line() == "Applying: 14 of 14 API requests (100%), almost done"


def test_time_left_reads_in_seconds_then_minutes() -> None:
    assert describe_seconds(0.4) == "almost done"
    assert describe_seconds(42.4) == "about 42 s left"
    assert describe_seconds(150) == "about 2 min left"


def draw(stream: io.StringIO, env: dict[str, str]) -> str:
    async def body() -> None:
        stats = ClientStats()
        async with RequestProgress(
            "Applying",
            stats,
            reads=4,
            writes=2,
            reads_per_minute=1000,
            writes_per_minute=100,
            stream=stream,
            env=env,
        ):
            await asyncio.sleep(0.01)
            stats.reads = 2
            await asyncio.sleep(3 * progress.TICK_SECONDS)

    asyncio.run(body())
    return stream.getvalue()


def test_a_terminal_gets_a_bar_counting_requests() -> None:
    shown = draw(Terminal(), {})
    assert "2 of 6 API requests, about 1 s left" in shown
    assert "\x1b[" in shown  # drawn with terminal control codes


@pytest.mark.parametrize("env", [{"CI": "true"}, {"GITHUB_ACTIONS": "true"}])
def test_ci_gets_no_bar_even_on_a_terminal(env: dict[str, str]) -> None:
    assert draw(Terminal(), env) == ""  # a short run prints no line either


@pytest.fixture
def quick_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress, "PLAIN_LINE_SECONDS", 0.02)


def plain_lines(err: str, label: str) -> list[tuple[int, int]]:
    found = [LINE.match(line) for line in err.splitlines()]
    return [(int(m[2]), int(m[3])) for m in found if m and m[1] == label]


def test_apply_without_a_terminal_prints_plain_lines_counting_requests(
    cli: Cli, sim: Simulator, tmp_path: Path, quick_lines: None
) -> None:
    seed(sim, {i: ({"1": PAID}, {}) for i in (11, 12, 13)})
    paths = [write_file(tmp_path, i, mapping={"READY_TO_SEND": "1"}) for i in (11, 12, 13)]
    sim.configure(latency=0.05)

    run = cli("apply", *paths, "--auto-approve")

    assert run.code == 0, run.err
    counts = plain_lines(run.err, "Applying")
    assert counts, run.err
    # 3 integrations x (re-read: 2 reads, 1 mapping write, read back: 2 reads)
    assert {total for _, total in counts} == {15}
    done = [n for n, _ in counts]
    assert done == sorted(done)
    assert "\x1b[" not in run.err


def test_plan_of_many_integrations_shows_its_reads(
    cli: Cli, sim: Simulator, tmp_path: Path, quick_lines: None
) -> None:
    ids = range(21, 21 + progress_from())
    paths = [write_file(tmp_path, i, mapping={}) for i in ids]
    sim.configure(latency=0.05)

    run = cli("plan", *paths)

    assert run.code == 0, run.err
    counts = plain_lines(run.err, "Reading live state")
    assert counts, run.err
    assert {total for _, total in counts} == {2 * len(paths)}


def progress_from() -> int:
    from reconciler.report import PROGRESS_FROM

    return PROGRESS_FROM
