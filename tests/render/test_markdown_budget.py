"""The Markdown budget holds for the whole document, head and warnings included."""

from __future__ import annotations

import re

import pytest

from reconciler.plan import IntegrationFailure, IntegrationPlan, Plan, plan_integration
from reconciler.render.markdown import MAX_MARKDOWN_CHARS, render_markdown
from tests.factories import desired, live

GITHUB_COMMENT_LIMIT = 65_536


def orphaning(integration_id: int, status_id: str = "4") -> IntegrationPlan:
    """A statuses-only file that deletes the status the live mapping still uses: unsafe."""
    return plan_integration(
        f"integrations/shop-{integration_id}.yaml",
        desired({"2": {"en-gb": "Paid"}}, integration_id=integration_id),
        live(
            {"2": {"en-gb": "Paid"}, status_id: {"en-gb": "Shipped"}},
            {"IN_TRANSIT": status_id},
            integration_id=integration_id,
        ),
    )


def assert_well_formed(markdown: str, max_chars: int = MAX_MARKDOWN_CHARS) -> None:
    assert len(markdown) <= max_chars
    assert markdown.count("```") % 2 == 0, "a code block was cut open"
    assert markdown.count("<details>") == markdown.count("</details>"), "a section was cut"
    for block in re.findall(r"<details>.*?</details>", markdown, flags=re.S):
        assert block.count("```") % 2 == 0


@pytest.mark.parametrize("mode", ["plan", "drift"])
def test_three_hundred_unsafe_integrations_stay_under_the_budget(mode: str) -> None:
    plan = Plan(tuple(orphaning(i) for i in range(1, 301)))

    markdown = render_markdown(
        plan,
        writes_per_minute=100,
        mode="plan" if mode == "plan" else "drift",
        full_plan_hint="the log",
    )

    assert_well_formed(markdown)
    assert "> [!CAUTION]" in markdown
    assert "across 300 integrations" in markdown or "of 300 integrations" in markdown
    assert re.search(r"\*\*Truncated:\*\* \d+ integrations of 300 are not shown", markdown)


def test_an_id_of_seventy_thousand_characters_is_shown_cut_with_its_length() -> None:
    long_id = "7" * 70_000
    plan = Plan((orphaning(1, long_id), orphaning(2)))

    markdown = render_markdown(plan, writes_per_minute=100)

    assert_well_formed(markdown)
    assert "… (69,000 more characters)" in markdown
    assert "integration 2" in markdown  # the other integration is still there


def test_a_long_failure_message_and_file_name_are_cut_too() -> None:
    failures = tuple(
        # Distinct messages: identical ones are grouped on one line, without file names.
        IntegrationFailure(i, "x" * 70_000 + ".yaml", f"detail {i} " * 20_000)
        for i in range(1, 4)
    )
    markdown = render_markdown(Plan((), failures), writes_per_minute=100)

    assert_well_formed(markdown)
    assert markdown.count("more characters)") == 6


@pytest.mark.parametrize("budget", [2_000, 5_000, 20_000, 60_000])
def test_any_budget_is_held_whatever_is_left_out(budget: int) -> None:
    plan = Plan(tuple(orphaning(i, "9" * (i * 37)) for i in range(1, 120)))

    markdown = render_markdown(plan, writes_per_minute=100, max_chars=budget)

    assert_well_formed(markdown, budget)
    assert markdown.startswith("## Reconciler plan\n\n**Plan:")
    assert markdown.rstrip().endswith("for the full plan.")


def test_the_budget_leaves_room_under_githubs_comment_limit() -> None:
    assert MAX_MARKDOWN_CHARS + 1_000 < GITHUB_COMMENT_LIMIT
