from __future__ import annotations

import html
import re

import pytest
from markdown_it import MarkdownIt

from reconciler.plan import IntegrationPlan, Plan, plan_integration
from reconciler.render.markdown import (
    MAX_MARKDOWN_CHARS,
    escape_markdown,
    render_markdown,
)
from reconciler.render.urls import markdown_url
from tests.render.plans import HOSTILE, PLANS, WRITES_PER_MINUTE, mixed_integration

ZWJ = "\u200d"
GFM = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def shown(text: str) -> str:
    """What a reader sees for ``text``: mentions and references defused, breaks made visible."""
    out = re.sub(r"(?<=[@#])(?=\w)|(?<=:/)(?=/)|(?i:(?<=\bwww))(?=\.)", ZWJ, text)
    out = out.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return re.sub(
        r"[^\S ]|[\x00-\x1f\x7f-\x9f\u202e]",
        lambda m: f"\\u{ord(m.group()):04x}" if m.group() != ZWJ else m.group(),
        out,
    )


@pytest.mark.parametrize("hostile", HOSTILE)
def test_escaped_text_renders_literally_in_a_paragraph(hostile: str) -> None:
    rendered = GFM.render(f"Status: {escape_markdown(hostile)} end")
    assert rendered.startswith("<p>Status: ")
    assert rendered.count("<") == 2  # <p> and </p>: no element came from the user text
    assert html.unescape(rendered[3:-5]) == f"Status: {shown(hostile)} end"


@pytest.mark.parametrize("hostile", HOSTILE)
def test_escaped_text_stays_in_its_table_cell(hostile: str) -> None:
    cell = escape_markdown(hostile)
    rendered = GFM.render(f"| A | B |\n| --- | --- |\n| {cell} | after |\n")
    cells = re.findall(r"<td>(.*?)</td>", rendered, flags=re.S)
    assert len(cells) == 2
    assert html.unescape(cells[0]) == shown(hostile).strip()  # GFM trims cells
    assert cells[1] == "after"


@pytest.mark.parametrize("hostile", HOSTILE)
def test_escaped_text_is_safe_inside_raw_html(hostile: str) -> None:
    escaped = escape_markdown(hostile)
    # Parentheses and quotes are harmless: user text never goes into an attribute, and `(`
    # makes no link without `[`.
    assert not set(escaped) & set("<>`|*[]\n\r")
    assert "@team" not in escaped
    rendered = GFM.render(f"<details>\n<summary>{escaped}</summary>\n\n</details>\n")
    assert rendered.count("<summary>") == 1
    assert "<script" not in rendered
    assert "</details>" in rendered.split("</summary>")[1]


def test_escape_markdown_examples() -> None:
    assert escape_markdown("</details><script>") == "&lt;/details&gt;&lt;script&gt;"
    assert escape_markdown("| a |") == "&#124; a &#124;"
    assert escape_markdown("**bold**") == "&#42;&#42;bold&#42;&#42;"
    assert escape_markdown("@team") == "@\u200dteam"
    assert escape_markdown("a\nb") == "a\\nb"
    assert escape_markdown("Paid 2024") == "Paid 2024"


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        # What GitHub shows as written is left as written, so the log copy stays readable.
        ("integrations/777001.yaml", "integrations/777001.yaml"),
        ("integration_id: 'x' (see -1.5 + 2 = 0.5!)", "integration_id: 'x' (see -1.5 + 2 = 0.5!)"),
        ("# not a heading, - not a list", "# not a heading, - not a list"),
        # What GitHub would act on is defused.
        ("_emphasis_", "&#95;emphasis&#95;"),
        ("~~gone~~ $x^2$", "&#126;&#126;gone&#126;&#126; &#36;x^2&#36;"),
        ("ping @team and #12", f"ping @{ZWJ}team and #{ZWJ}12"),
        (
            "https://evil.example or www.evil.example",
            f"https:/{ZWJ}/evil.example or www{ZWJ}.evil.example",
        ),
        ("a & b <i>", "a &amp; b &lt;i&gt;"),
    ],
)
def test_escape_markdown_leaves_plain_text_readable(text: str, escaped: str) -> None:
    assert escape_markdown(text) == escaped


def test_whole_rendering_contains_no_hostile_markup() -> None:
    markdown = render_markdown(PLANS["hostile"](), writes_per_minute=WRITES_PER_MINUTE)
    rendered = GFM.render(markdown)
    assert "<script" not in rendered
    assert "<!-- reconciler-plan -->" not in markdown  # the workflow's marker stays unique
    assert "<strong>bold</strong>" not in rendered
    assert "javascript:" not in rendered.replace("[x](javascript:alert(1))", "")
    assert rendered.count("<details>") == 1
    assert rendered.count("</details>") == 1
    assert rendered.count("<pre>") == 1  # no name closes the diff block early
    # Outside the diff block (whose text GitHub never links), no live mention survives.
    outside = re.sub(r"^```diff\n.*?^```$", "", markdown, flags=re.S | re.M)
    assert "@team" not in outside
    assert "@x" not in outside


def test_structure_of_a_changed_integration() -> None:
    markdown = render_markdown(PLANS["mixed"](), writes_per_minute=WRITES_PER_MINUTE)
    assert markdown.startswith("## Reconciler plan\n\n**Plan: 1 status to create")
    assert "<summary>integration 123 (<code>integrations/shop.yaml</code>): " in markdown
    assert "| Category | Before | After |" in markdown
    assert "| CANCEL | *(unmapped)* | 10 |" in markdown
    assert '```diff\n~ status "2"\n-   en-gb: "Paid"\n+   en-gb: "Paid!"\n' in markdown
    assert "**In sync:** integration 124" in markdown
    assert "**Could not read live state:**" in markdown
    assert markdown.count("<details>") == 2


def test_warnings_show_even_when_in_sync() -> None:
    markdown = render_markdown(PLANS["in_sync"](), writes_per_minute=WRITES_PER_MINUTE)
    assert "> [!WARNING]\n> integration 127 (<code>" in markdown
    assert "is in sync, but:\n> - live mapping CANCEL points at status '7'" in markdown


def test_unsafe_plan_is_flagged_at_the_top() -> None:
    markdown = render_markdown(PLANS["unsafe"](), writes_per_minute=WRITES_PER_MINUTE)
    head = markdown.split("<details>")[0]
    assert "> [!CAUTION]" in head
    assert "> - integration 130: deletes 3 of 7 live statuses" in head


def test_drift_report_is_an_issue_body() -> None:
    markdown = render_markdown(PLANS["mixed"](), writes_per_minute=WRITES_PER_MINUTE, mode="drift")
    assert markdown.startswith("## Drift report\n\n**Drift: 2 of 4 integrations differ from git")
    assert "| Category | Live | Git |" in markdown
    assert "**Matching git:** integration 124" in markdown


def big_plan(count: int) -> Plan:
    """``count`` integrations, each with its own changes (identical ones would be grouped)."""
    return Plan(tuple(distinct_integration(i) for i in range(1, count + 1)))


def distinct_integration(i: int) -> IntegrationPlan:
    item = mixed_integration(i, f"integrations/shop-{i}.yaml")
    return plan_integration(
        item.source,
        item.desired.model_copy(
            update={
                "statuses": {**(item.desired.statuses or {}), "10": {"en-gb": f"Ten for shop {i}"}}
            }
        ),
        item.live,
    )


def test_truncated_under_the_limit_with_a_note() -> None:
    plan = big_plan(500)
    markdown = render_markdown(plan, writes_per_minute=100, full_plan_hint="the job log")
    assert len(markdown) <= MAX_MARKDOWN_CHARS
    shown_sections = markdown.count("<details>")
    assert 10 < shown_sections < 500
    assert markdown.count("</details>") == shown_sections  # no section cut in half
    left_out = 500 - shown_sections
    assert markdown.endswith(
        f"> **Truncated:** {left_out} integrations of 500 are not shown here, to stay under "
        "60,000 characters. The full plan is in the job log.\n"
    )
    assert "across 500 integrations" in markdown  # the summary still counts everything


def test_truncation_without_a_hint_says_how_to_get_the_full_plan() -> None:
    markdown = render_markdown(big_plan(40), writes_per_minute=100, max_chars=5_000)
    assert len(markdown) <= 5_000
    assert markdown.endswith("Run `reconciler plan` for the full plan.\n")


def test_not_truncated_when_it_fits() -> None:
    markdown = render_markdown(big_plan(5), writes_per_minute=100)
    assert "Truncated" not in markdown
    assert markdown.count("<details>") == 5


def test_deterministic() -> None:
    first = render_markdown(PLANS["mixed"](), writes_per_minute=100)
    assert first == render_markdown(PLANS["mixed"](), writes_per_minute=100)


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/agency/shops/actions/runs/4242/attempts/2",
        "http://ghe.example:8443/o/r/actions/runs/1?check=1&x=a_b~c#frag",
        "https://github.com/@team/#12/www.x",
    ],
)
def test_a_url_is_a_link_showing_the_exact_url(url: str) -> None:
    rendered = GFM.render(f"run {markdown_url(url)}")
    assert markdown_url(url) == f"<{url}>"
    links = re.findall(r'<a href="([^"]*)">([^<]*)</a>', rendered)
    assert [(html.unescape(href), html.unescape(text)) for href, text in links] == [(url, url)]
    assert ZWJ not in rendered


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "https://x.example/a b",
        "https://x.example/<script>",
        "https://x.example/`code`)",
        "https://x.example/](javascript:x)",
        "https://x.example/\u202e\n",
    ],
)
def test_a_url_that_is_not_plain_is_a_code_span_not_a_link(url: str) -> None:
    shown_as = markdown_url(url)
    rendered = GFM.render(f"run {shown_as} end")
    assert "<a " not in rendered
    assert "<script" not in rendered
    code = re.findall(r"<code>(.*?)</code>", rendered, flags=re.S)
    assert len(code) == 1
    visible = url.replace("\u202e", "\\u202e").replace("\n", "\\n")
    assert html.unescape(code[0]) == visible
    assert ZWJ not in rendered
