from __future__ import annotations

import io

from rich.console import Console

from reconciler.plan import Plan, plan_integration
from reconciler.render.common import format_duration
from reconciler.render.text import render_text
from tests.factories import desired, live
from tests.render.plans import PLANS, WRITES_PER_MINUTE, mixed_integration


def plain(plan: Plan) -> str:
    return render_text(plan, writes_per_minute=WRITES_PER_MINUTE).plain


def test_same_plan_twice_gives_identical_output() -> None:
    assert plain(PLANS["mixed"]()) == plain(PLANS["mixed"]())


def test_order_of_statuses_languages_and_integrations_does_not_matter() -> None:
    a = plan_integration(
        "a.yaml",
        desired({"2": {"nl-nl": "B", "en-gb": "A"}, "10": {"en-gb": "X"}}, integration_id=2),
        live({"3": {"en-gb": "C"}, "2": {"en-gb": "A"}, "10": {"en-gb": "Y"}}, integration_id=2),
    )
    b = plan_integration(
        "a.yaml",
        desired({"10": {"en-gb": "X"}, "2": {"en-gb": "A", "nl-nl": "B"}}, integration_id=2),
        live({"10": {"en-gb": "Y"}, "2": {"en-gb": "A"}, "3": {"en-gb": "C"}}, integration_id=2),
    )
    other = mixed_integration(1)
    assert plain(Plan((a, other))) == plain(Plan((other, b)))


def test_summary_counts_and_write_time() -> None:
    text = plain(PLANS["mixed"]())
    assert (
        "Plan: 1 status to create, 1 to update, 1 to delete, 3 mapping changes across "
        "4 integrations (1 unchanged, 1 failed)." in text
    )
    assert "Apply will make 4 API writes, taking about 2 s at 100 writes per minute." in text
    slow = render_text(PLANS["mixed"](), writes_per_minute=1).plain
    assert "taking about 3 min at 1 writes per minute" in slow


def test_translation_level_detail_and_unmapped() -> None:
    text = plain(Plan((mixed_integration(),)))
    assert '        ~ en-gb: "Paid" → "Paid!"' in text
    assert '        + fr-fr: "Payé"' in text
    assert '        - nl-nl: "Betaald"' in text
    assert '    ~ CANCEL: (unmapped) → "10"' in text


def test_in_sync_collapses_to_one_line_but_keeps_warnings() -> None:
    lines = plain(PLANS["in_sync"]()).splitlines()
    assert lines[0] == "= integration 124 (integrations/outlet.yaml): in sync"
    assert lines[1] == "= integration 127 (integrations/outlet.yaml): in sync"
    assert lines[2].startswith("    ! live mapping CANCEL points at status '7'")


def test_failures_are_listed() -> None:
    text = plain(PLANS["failures_only"]())
    assert "! 2 integrations (125, 128): could not read live state: GET" in text
    assert "(0 unchanged, 2 failed)" in text


def test_drift_mode_says_what_differs_from_git() -> None:
    text = render_text(PLANS["mixed"](), writes_per_minute=100, mode="drift").plain
    assert "Drift: 2 of 4 integrations differ from git" in text
    assert "; 1 could not be read." in text
    assert "= integration 124 (integrations/outlet.yaml): matches git" in text


def test_user_text_is_neither_markup_nor_control_codes() -> None:
    text = plain(PLANS["hostile"]())
    assert '"[bold red]markup[/]"' in text
    assert '"line\\nbreak\\r\\n"' in text
    assert "\\u001b[31m" in text
    assert "\\u202e" in text
    assert "\x1b" not in text
    assert "\u202e" not in text
    # Every line of the plan is ours: a newline in a name cannot forge one.
    assert all(not line.startswith("break") for line in text.splitlines())


def print_to(console: Console, plan: Plan) -> str:
    console.print(render_text(plan, writes_per_minute=100))
    file = console.file
    assert isinstance(file, io.StringIO)
    return file.getvalue()


def test_colour_on_a_terminal_only_and_no_color_respected() -> None:
    plan = PLANS["hostile"]()
    coloured = print_to(Console(file=io.StringIO(), force_terminal=True, soft_wrap=True), plan)
    assert "\x1b[" in coloured
    assert "[bold red]markup[/]" in coloured  # printed, not interpreted
    piped = print_to(Console(file=io.StringIO(), soft_wrap=True), plan)
    assert "\x1b[" not in piped
    assert piped == render_text(plan, writes_per_minute=100).plain + "\n"
    no_color = Console(file=io.StringIO(), force_terminal=True, soft_wrap=True, no_color=True)
    assert "\x1b[3" not in print_to(no_color, plan)  # no foreground colours


def test_format_duration() -> None:
    assert format_duration(0) == "0 s"
    assert format_duration(59.2) == "1 min"
    assert format_duration(144) == "2 min 24 s"
    assert format_duration(3900) == "1 h 5 min"


def test_summary_counts_agree_in_number_with_one_integration() -> None:
    in_sync = Plan((plan_integration("a.yaml", desired({}), live({})),))
    changed = Plan((plan_integration("a.yaml", desired({"1": {"en-gb": "A"}}), live({})),))
    drift = render_text(in_sync, writes_per_minute=WRITES_PER_MINUTE, mode="drift").plain
    assert "Drift: no differences from git across 1 integration." in drift
    drift = render_text(changed, writes_per_minute=WRITES_PER_MINUTE, mode="drift").plain
    assert "Drift: 1 of 1 integration differs from git (1 status missing live)." in drift
    assert "Plan: no changes across 1 integration (1 unchanged)." in plain(in_sync)
    assert "Plan: 1 status to create across 1 integration (0 unchanged)." in plain(changed)
