"""Hand-built plans for the rendering tests: every change kind, failures, warnings, hostile text."""

from __future__ import annotations

from collections.abc import Callable

from reconciler.plan import IntegrationFailure, IntegrationPlan, Plan, plan_integration
from tests.factories import desired, live

WRITES_PER_MINUTE = 100.0

HOSTILE = [
    "</details><script>alert(1)</script>",
    "| a | b |",
    "**bold**",
    "``` ",
    "@team",
    "[x](javascript:alert(1))",
    "<!-- reconciler-plan -->",
    'quote " and \\ backslash',
    "line\nbreak\r\n",
    "nul \u0000 bell \u0007 esc \u001b[31m",
    "bidi \u202e txt.exe",
    "emoji 📦 ünïcödé",
    "#1 issue & https://evil.example",
    "[bold red]markup[/]",
]


def mixed_integration(
    integration_id: int = 123, source: str = "integrations/shop.yaml"
) -> IntegrationPlan:
    """Every change kind: create, update (add/change/remove), delete of a mapped status, remaps."""
    return plan_integration(
        source,
        desired(
            {"10": {"en-gb": "Ten"}, "2": {"en-gb": "Paid!", "fr-fr": "Payé"}},
            {"READY_TO_SEND": "2", "CANCEL": "10"},
            integration_id=integration_id,
        ),
        live(
            {"2": {"en-gb": "Paid", "nl-nl": "Betaald"}, "9": {"en-gb": "Nine"}},
            {"READY_TO_SEND": "9"},
            integration_id=integration_id,
        ),
    )


def in_sync_integration(
    integration_id: int = 124, source: str = "integrations/outlet.yaml", *, invalid: bool = False
) -> IntegrationPlan:
    statuses = {"1": {"en-gb": "Awaiting payment"}, "2": {"en-gb": "Paid"}}
    mapping: dict[str, str | None] = {"READY_TO_SEND": "2"}
    return plan_integration(
        source,
        desired(statuses, mapping if not invalid else None, integration_id=integration_id),
        live(
            statuses,
            {**mapping, "CANCEL": "7"} if invalid else mapping,
            invalid=("CANCEL",) if invalid else (),
            integration_id=integration_id,
        ),
    )


def mapping_only_integration(integration_id: int = 126) -> IntegrationPlan:
    return plan_integration(
        "integrations/mapping-only.yaml",
        desired(mapping={"READY_TO_SEND": "4", "DELIVERED": "5"}, integration_id=integration_id),
        live(
            {"2": {"en-gb": "Paid"}, "4": {"en-gb": "Shipped"}, "5": {"en-gb": "Delivered"}},
            {"READY_TO_SEND": "2", "DELIVERED": "5"},
            integration_id=integration_id,
        ),
    )


def unsafe_integration(integration_id: int = 130) -> IntegrationPlan:
    """Deletes 3 of 7 live statuses, one still mapped while the file leaves the mapping alone."""
    kept = {str(i): {"en-gb": f"Kept {i}"} for i in range(4, 8)}
    return plan_integration(
        "integrations/wipe.yaml",
        desired(kept, integration_id=integration_id),
        live(
            {
                "1": {"en-gb": "New"},
                "2": {"en-gb": "Paid"},
                "3": {"de-de": "Storniert"},
                **kept,
            },
            {"CANCEL": "3"},
            integration_id=integration_id,
        ),
    )


def hostile_integration(integration_id: int = 140) -> IntegrationPlan:
    """Hostile text everywhere user text goes: names (created, changed, deleted) and ids."""
    ids = [str(i + 1) for i in range(len(HOSTILE))]
    return plan_integration(
        "integrations/<hostile> `x` |y|.yaml",
        desired(
            {
                "`1`": {"en-gb": "ok"},
                **{i: {"en-gb": name} for i, name in zip(ids, HOSTILE, strict=True)},
            },
            {"READY_TO_SEND": "`1`", "CANCEL": "1"},
            integration_id=integration_id,
        ),
        live(
            {
                **{i: {"en-gb": f"old {i}", "nl-nl": "@team | <br>"} for i in ids},
                "<b>@x</b>": {"en-gb": "**x**"},
            },
            {"READY_TO_SEND": "| pipe |", "CANCEL": "<b>@x</b>"},
            invalid=("READY_TO_SEND",),
            integration_id=integration_id,
        ),
    )


def failure(integration_id: int = 125) -> IntegrationFailure:
    return IntegrationFailure(
        integration_id,
        "integrations/gone.yaml",
        "GET /shop-order-statuses/mapping: 404 Not Found: no PrestaShop V2 integration 125",
    )


PLANS: dict[str, Callable[[], Plan]] = {
    "empty": lambda: Plan(()),
    "in_sync": lambda: Plan((in_sync_integration(), in_sync_integration(127, invalid=True))),
    "mixed": lambda: Plan(
        (mapping_only_integration(), in_sync_integration(), mixed_integration()), (failure(),)
    ),
    "unsafe": lambda: Plan((unsafe_integration(),)),
    "hostile": lambda: Plan((hostile_integration(),)),
    "failures_only": lambda: Plan((), (failure(), failure(128))),
}
