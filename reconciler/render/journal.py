"""``reconciler journal show``: a journal summarised as text or Markdown.

One block per apply run: its id, tool version, when it ran and (from GitHub Actions) where;
then one line per integration with its writes and their outcomes. Everything read from the
journal is user data and goes through ``printable`` / ``escape_markdown``; the run's URL goes
through ``markdown_url`` (a link, or a code span when it is not a plain http(s) URL).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Literal

from reconciler.history import ApplyRun, IntegrationRun
from reconciler.quoting import printable
from reconciler.render.common import plural
from reconciler.render.markdown import escape_markdown
from reconciler.render.urls import markdown_url

JournalFormat = Literal["text", "markdown"]


def render_journal(source: str, runs: Sequence[ApplyRun], fmt: JournalFormat) -> str:
    """The summary of ``runs`` read from the journal ``source``, ending with a newline."""
    lines = [_headline(source, runs, markdown=fmt == "markdown")]
    for run in runs:
        lines += _markdown_run(run) if fmt == "markdown" else _text_run(run)
    return "\n".join(lines) + "\n"


def _headline(source: str, runs: Sequence[ApplyRun], *, markdown: bool) -> str:
    writes = [w for run in runs for w in run.writes]
    outcomes = Counter(w.outcome for w in writes)
    integrations = {i for run in runs for i in run.integrations}
    name = escape_markdown(source) if markdown else printable(source)
    text = (
        f"Journal {name}: {plural(len(runs), 'apply', 'applies')}, "
        f"{plural(len(integrations), 'integration')}, {plural(len(writes), 'write')} "
        f"({outcomes['ok']} ok, {outcomes['failed']} failed, {outcomes['unknown']} unknown)."
    )
    return f"## {text}" if markdown else text


def _title(run: ApplyRun) -> str:
    apply_id = run.apply_id or "(no apply id: written before apply ids were recorded)"
    version = f"reconciler {run.tool_version}" if run.tool_version else "unknown version"
    return f"Apply {apply_id} ({version}), {run.started} to {run.ended}"


def _github(run: ApplyRun) -> tuple[str, str | None] | None:
    """Where the run ran, and the URL of its GitHub Actions run (shown as a link in Markdown)."""
    github = run.github
    if not github:
        return None
    parts = [github.get("repository", "?")]
    if "commit" in github:
        parts.append(f"at {github['commit'][:12]}")
    if "actor" in github:
        parts.append(f"by {github['actor']}")
    return "GitHub Actions: " + " ".join(parts), github.get("run_url")


def _integration(item: IntegrationRun) -> str:
    writes = "; ".join(f"{w.purpose}: {w.result}" for w in item.writes)
    return f"integration {item.integration_id}: {plural(len(item.writes), 'write')} ({writes})"


def _text_run(run: ApplyRun) -> list[str]:
    lines = ["", printable(_title(run))]
    github = _github(run)
    if github:
        text, url = github
        lines.append("  " + printable(text + (f", run {url}" if url else "")))
    lines += ["  " + printable(_integration(item)) for item in run.integrations.values()]
    return lines


def _markdown_run(run: ApplyRun) -> list[str]:
    lines = ["", f"### {escape_markdown(_title(run))}", ""]
    github = _github(run)
    if github:
        text, url = github
        # The run's URL as a link, never escaped: a zero-width joiner in it breaks the copy.
        lines += [escape_markdown(text) + (f", run {markdown_url(url)}" if url else ""), ""]
    lines += [f"- {escape_markdown(_integration(item))}" for item in run.integrations.values()]
    return lines
