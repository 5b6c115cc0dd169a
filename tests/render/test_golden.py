from __future__ import annotations

import pytest

from reconciler.render.common import Mode
from reconciler.render.json import render_json
from reconciler.render.markdown import render_markdown
from reconciler.render.text import render_text
from tests.render.golden import assert_golden
from tests.render.plans import PLANS, WRITES_PER_MINUTE

GOLDEN_PLANS = ["empty", "in_sync", "mixed", "unsafe", "hostile", "failures_only"]


@pytest.mark.parametrize("name", GOLDEN_PLANS)
@pytest.mark.parametrize("mode", ["plan", "drift"])
def test_text(name: str, mode: Mode) -> None:
    text = render_text(PLANS[name](), writes_per_minute=WRITES_PER_MINUTE, mode=mode)
    assert_golden(f"{name}.{mode}.txt", text.plain + "\n")


@pytest.mark.parametrize("name", GOLDEN_PLANS)
@pytest.mark.parametrize("mode", ["plan", "drift"])
def test_markdown(name: str, mode: Mode) -> None:
    markdown = render_markdown(
        PLANS[name](),
        writes_per_minute=WRITES_PER_MINUTE,
        mode=mode,
        full_plan_hint="the job log",
    )
    assert_golden(f"{name}.{mode}.md", markdown)


@pytest.mark.parametrize("name", GOLDEN_PLANS)
def test_json(name: str) -> None:
    assert_golden(f"{name}.json", render_json(PLANS[name](), writes_per_minute=WRITES_PER_MINUTE))
