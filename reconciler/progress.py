"""Progress that moves: API requests made out of those planned, with an ETA from the pacing.

Apply and a large plan spend most of their time waiting for their pacing slot (Sendcloud allows
100 writes and 1,000 reads per minute), so progress counts requests, not integrations, and the
time left is the requests left times the pacing interval of their class: a figure that holds
from the first second, unlike one extrapolated from the rate so far.

On a terminal the progress is a rich bar on stderr that disappears when done. Without a
terminal, or in CI (``CI`` or ``GITHUB_ACTIONS`` set), a bar would fill a job log with control
codes, so a plain line is printed every `PLAIN_LINE_SECONDS` instead (none for a short run).

The counts are sampled from the client's own statistics (`ClientStats`) by a ticker task, so
nothing on the request path knows about progress. A retried request is sent twice and counted
twice; the count is capped at the total, which the caller lowers (`skip`) when an integration
stops early and leaves planned requests unsent.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Mapping
from types import TracebackType
from typing import TYPE_CHECKING, TextIO

import click

from reconciler.sendcloud.pacing import read_interval, write_interval

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from reconciler.sendcloud.client import ClientStats

PLAIN_LINE_SECONDS = 5.0  # how often a line is printed without a terminal
TICK_SECONDS = 0.2  # how often the bar is updated on a terminal


def interactive(stream: TextIO, env: Mapping[str, str]) -> bool:
    """Whether to draw a bar: a terminal, and not in CI."""
    return stream.isatty() and not env.get("CI") and not env.get("GITHUB_ACTIONS")


class RequestProgress:
    """``async with RequestProgress(...) as progress:`` around the requests it counts.

    ``reads`` and ``writes`` are the requests planned; `skip` takes back those an integration
    will not make after all. Output goes to stderr; stdout stays the report's.
    """

    def __init__(
        self,
        label: str,
        stats: ClientStats,
        *,
        reads: int,
        writes: int,
        reads_per_minute: float,
        writes_per_minute: float,
        stream: TextIO | None = None,
        env: Mapping[str, str] | None = None,
        counted_from: tuple[int, int] | None = None,
    ) -> None:
        self.label = label
        self.stats = stats
        self.reads = reads
        self.writes = writes
        self._read_interval = read_interval(reads_per_minute)
        self._write_interval = write_interval(writes_per_minute)
        # The client's (reads, writes) from which requests count: by default, those it made
        # before this progress began do not.
        self._start = counted_from or (stats.reads, stats.writes)
        self._stream = stream or sys.stderr
        self.bar = interactive(self._stream, os.environ if env is None else env)
        self._ticker: asyncio.Task[None] | None = None
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    @property
    def total(self) -> int:
        return self.reads + self.writes

    def skip(self, *, reads: int = 0, writes: int = 0) -> None:
        """Planned requests that will not be made (an integration stopped early)."""
        self.reads = max(self.reads - reads, 0)
        self.writes = max(self.writes - writes, 0)

    def done(self) -> tuple[int, int]:
        """(reads, writes) made so far, each at most its planned number."""
        reads = min(self.stats.reads - self._start[0], self.reads)
        writes = min(self.stats.writes - self._start[1], self.writes)
        return reads, writes

    def seconds_left(self) -> float:
        """Requests left times the pacing interval of their class."""
        reads, writes = self.done()
        return (self.reads - reads) * self._read_interval + (
            self.writes - writes
        ) * self._write_interval

    def line(self) -> str:
        """``Applying: 40 of 124 API requests (32%), about 50 s left``."""
        done = sum(self.done())
        percent = 100 * done // self.total if self.total else 100
        return (
            f"{self.label}: {done} of {self.total} API requests ({percent}%), "
            f"{describe_seconds(self.seconds_left())}"
        )

    async def __aenter__(self) -> RequestProgress:
        if self.bar:
            self._start_bar()
        self._ticker = asyncio.create_task(self._tick())
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            await asyncio.gather(self._ticker, return_exceptions=True)
        if self._progress is not None:
            self._progress.stop()

    def _start_bar(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            TextColumn("{task.completed} of {task.total} API requests, {task.fields[left]}"),
            console=Console(file=self._stream),
            transient=True,
            auto_refresh=False,
        )
        left = describe_seconds(self.seconds_left())
        self._task = self._progress.add_task(self.label, total=self.total, left=left)
        self._progress.start()

    async def _tick(self) -> None:
        progress, task = self._progress, self._task
        if progress is None or task is None:
            while True:
                await asyncio.sleep(PLAIN_LINE_SECONDS)
                click.echo(self.line(), file=self._stream)
        while True:
            left = describe_seconds(self.seconds_left())
            progress.update(task, completed=sum(self.done()), total=self.total, left=left)
            progress.refresh()
            await asyncio.sleep(TICK_SECONDS)


def describe_seconds(seconds: float) -> str:
    """``about 50 s left``, ``about 3 min left``; ``almost done`` under a second."""
    if seconds < 1:
        return "almost done"
    if seconds < 90:
        return f"about {round(seconds)} s left"
    return f"about {round(seconds / 60)} min left"
