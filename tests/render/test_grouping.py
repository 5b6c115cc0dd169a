"""Plans at fleet size: identical change sets shown once, per account, under GitHub's limit."""

from __future__ import annotations

import html
import json
from dataclasses import replace

from reconciler.plan import IntegrationFailure, IntegrationPlan, Plan, plan_integration
from reconciler.render.grouping import id_ranges
from reconciler.render.json import render_json
from reconciler.render.markdown import render_markdown
from reconciler.render.text import render_text
from reconciler.targeting import LeftOut, Selection
from tests.factories import desired, live

GITHUB_COMMENT_LIMIT = 65_536
BASE = {"1": {"en-gb": "Awaiting payment"}, "2": {"en-gb": "Paid"}}
MAPPING = {"READY_TO_SEND": "2", "CANCEL": "5"}


def shop(i: int, *, live_paid: str = "Paid", account: str = "") -> IntegrationPlan:
    """A shop whose base gained status 6 "Returned" and moved CANCEL from 5 to 6."""
    wanted = {**BASE, "5": {"en-gb": "Cancelled"}, "6": {"en-gb": "Returned"}}
    has = {**BASE, "2": {"en-gb": live_paid}, "5": {"en-gb": "Cancelled"}}
    return plan_integration(
        f"integrations/shop-{i}.yaml",
        desired(wanted, {**MAPPING, "CANCEL": "6"}, integration_id=i),
        live(has, MAPPING, integration_id=i),
        account=account,
    )


def fleet_plan(count: int, **kwargs: str) -> Plan:
    return Plan(tuple(shop(i, **kwargs) for i in range(1, count + 1)))


def test_a_500_shop_base_change_is_one_group_well_under_githubs_limit() -> None:
    plan = fleet_plan(500)

    markdown = render_markdown(plan, writes_per_minute=100)

    assert len(markdown) < GITHUB_COMMENT_LIMIT // 10
    assert "Truncated" not in markdown
    assert (
        '**500 integrations: add status "6" ("Returned"); map CANCEL to "6"; 2 API writes each**'
        in html.unescape(markdown)
    )
    # Every change is visible once: the created status and the remap.
    assert markdown.count('+ status "6"') == 1
    assert markdown.count("| CANCEL | 5 | 6 |") == 1
    assert "<summary>Members (500)</summary>" in markdown
    assert "\n1-500\n</details>" in html.unescape(markdown)


def test_different_live_states_make_separate_groups_each_shown_in_full() -> None:
    items = [shop(i, live_paid="Paid" if i % 3 else "Betaald") for i in range(1, 301)]
    markdown = render_markdown(Plan(tuple(items)), writes_per_minute=100)

    assert "**200 integrations: add status" in html.unescape(markdown)
    assert '**100 integrations: change status "2" (en-gb); add status "6" ("Returned");' in (
        html.unescape(markdown)
    )
    assert len(markdown) < GITHUB_COMMENT_LIMIT // 10


def test_json_keeps_every_integration() -> None:
    document = json.loads(render_json(fleet_plan(50), writes_per_minute=100))
    assert [i["integration_id"] for i in document["integrations"]] == list(range(1, 51))
    assert all(len(i["changes"]) == 2 for i in document["integrations"])


def test_text_shows_a_group_once_with_its_members() -> None:
    text = render_text(fleet_plan(30), writes_per_minute=100).plain

    assert (
        '~ 30 integrations: add status "6" ("Returned"); map CANCEL to "6"; 2 API writes each'
        in text
    )
    assert "    members: 1-30" in text
    assert text.count('+ status "6"') == 1
    assert text.count('CANCEL: "5" → "6"') == 1


def test_a_single_integration_keeps_its_own_section() -> None:
    text = render_text(fleet_plan(1), writes_per_minute=100).plain
    assert "~ integration 1 (integrations/shop-1.yaml): 1 status to create" in text


def test_many_integrations_in_sync_collapse_into_one_line() -> None:
    in_sync = [
        plan_integration(
            f"s/{i}.yaml",
            desired(BASE, MAPPING, integration_id=i),
            live(BASE, MAPPING, integration_id=i),
        )
        for i in range(1, 41)
    ]
    text = render_text(Plan(tuple(in_sync)), writes_per_minute=100).plain
    assert "= 40 integrations in sync: 1-40" in text
    markdown = render_markdown(Plan(tuple(in_sync)), writes_per_minute=100)
    assert "<summary>40 integrations in sync</summary>" in markdown


def test_plans_are_grouped_by_account_each_with_its_summary() -> None:
    items = (*(shop(i, account="agency-nl") for i in (1, 2)), shop(11, account="agency-be"))
    plan = Plan(tuple(items))

    text = render_text(plan, writes_per_minute=100).plain
    markdown = render_markdown(plan, writes_per_minute=100)

    assert text.index("Account agency-be: Plan:") < text.index("Account agency-nl: Plan:")
    assert "### Account agency-be" in markdown
    assert "### Account agency-nl" in markdown
    # Shops of different accounts are never one group.
    assert "~ 3 integrations" not in text
    assert "~ 2 integrations" in text


def test_what_targeting_left_out_is_said() -> None:
    selection = Selection(
        left_out=(LeftOut(7, "integrations/7.yaml", "", "excluded by --exclude label:tier-1"),),
        criteria=("--exclude label:tier-1",),
    )
    plan = replace(fleet_plan(2), selection=selection)

    text = render_text(plan, writes_per_minute=100).plain
    markdown = render_markdown(plan, writes_per_minute=100)
    document = json.loads(render_json(plan, writes_per_minute=100))

    assert (
        "Left out 1 integration (excluded by --exclude label:tier-1): 7 (integrations/7.yaml)."
        in text
    )
    assert "**Selection:**" in markdown
    assert document["selection"]["left_out"] == [
        {
            "integration_id": 7,
            "source": "integrations/7.yaml",
            "account": "",
            "reason": "excluded by --exclude label:tier-1",
        }
    ]


def test_id_ranges() -> None:
    assert id_ranges([5, 1, 2, 3, 9, 10]) == "1-3, 5, 9-10"
    assert id_ranges([]) == ""


def test_failures_with_one_message_are_said_once() -> None:
    message = "account agency-be: BE_SENDCLOUD_SECRET_KEY is not set"
    failures = tuple(
        IntegrationFailure(i, f"integrations/be/{i}.yaml", message, account="agency-be")
        for i in range(11, 41)
    )
    plan = Plan((), failures)

    text = render_text(plan, writes_per_minute=100).plain
    markdown = html.unescape(render_markdown(plan, writes_per_minute=100))

    assert text.count(message) == 1
    assert f"! 30 integrations (11-40): could not read live state: {message}" in text
    assert markdown.count(message) == 1
    assert f"- 30 integrations (11-40): {message}" in markdown
