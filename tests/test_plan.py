from __future__ import annotations

from reconciler.model import Category, DesiredState, LiveState
from reconciler.plan import (
    Plan,
    UnsafeReason,
    Write,
    live_checksum,
    orphaned_mapping,
    plan_integration,
)
from tests.factories import desired, live

PAID = {"en-gb": "Paid"}
SHIPPED = {"en-gb": "Shipped"}
SENT = {"en-gb": "Sent"}


def writes(want: DesiredState, have: LiveState) -> tuple[Write, ...]:
    return plan_integration("f.yaml", want, have).writes


def test_in_sync_integration_costs_zero_writes() -> None:
    state = {"2": PAID}
    assert writes(desired(state, {"READY_TO_SEND": "2"}), live(state, {"READY_TO_SEND": "2"})) == ()


def test_statuses_are_written_before_the_mapping() -> None:
    result = writes(desired({"2": PAID, "4": SHIPPED}, {"IN_TRANSIT": "4"}), live({"2": PAID}))
    assert [w.endpoint for w in result] == ["statuses", "mapping"]
    assert result[0].statuses == {"2": PAID, "4": SHIPPED}
    assert result[1].mapping == {
        Category.READY_TO_SEND: None,
        Category.IN_TRANSIT: "4",
        Category.DELIVERED: None,
        Category.CANCEL: None,
    }


def test_a_part_without_change_is_not_written() -> None:
    mapping_only = writes(desired({"2": PAID}, {"CANCEL": "2"}), live({"2": PAID}))
    assert [w.endpoint for w in mapping_only] == ["mapping"]
    statuses_only = writes(desired({"2": SENT}, {}), live({"2": PAID}))
    assert [w.endpoint for w in statuses_only] == ["statuses"]


def test_deleting_a_status_the_live_mapping_uses_keeps_it_until_the_mapping_moves() -> None:
    result = writes(
        desired({"2": PAID, "5": SENT}, {"IN_TRANSIT": "5"}),
        live({"2": PAID, "4": SHIPPED}, {"IN_TRANSIT": "4"}),
    )
    assert [(w.endpoint, w.purpose) for w in result] == [
        ("statuses", "statuses, keeping '4' until the mapping moves off"),
        ("mapping", "mapping"),
        ("statuses", "final statuses"),
    ]
    assert result[0].statuses == {"2": PAID, "4": SHIPPED, "5": SENT}
    assert result[2].statuses == {"2": PAID, "5": SENT}


def test_interim_write_is_skipped_when_it_would_change_nothing() -> None:
    result = writes(
        desired({"2": PAID}, {"IN_TRANSIT": "2"}),
        live({"2": PAID, "4": SHIPPED}, {"IN_TRANSIT": "4"}),
    )
    assert [w.purpose for w in result] == ["mapping", "final statuses"]


def test_mapping_only_file_never_writes_statuses() -> None:
    result = writes(desired(mapping={"CANCEL": "2"}), live({"2": PAID, "9": SENT}))
    assert [w.endpoint for w in result] == ["mapping"]


def test_deleting_more_than_30_percent_is_unsafe() -> None:
    many = {str(i): {"en-gb": f"S{i}"} for i in range(1, 11)}
    keep_7 = {k: v for k, v in many.items() if int(k) <= 7}
    keep_6 = {k: v for k, v in many.items() if int(k) <= 6}
    assert plan_integration("f", desired(keep_7), live(many)).unsafe_reasons == ()
    [reason] = plan_integration("f", desired(keep_6), live(many)).unsafe_reasons
    assert str(reason) == "deletes 4 of 10 live statuses (more than 30%)"
    assert reason.forceable


def test_deleting_every_status_is_unsafe_even_for_small_shops() -> None:
    plan = plan_integration("f", desired({}), live({"2": PAID}))
    assert plan.unsafe_reasons == (UnsafeReason("deletes all 1 live statuses", forceable=True),)
    assert plan_integration("f", desired({}), live({})).unsafe_reasons == ()


def test_deleting_a_status_an_unmanaged_mapping_uses_is_unsafe() -> None:
    plan = plan_integration(
        "f",
        desired({"2": PAID, "3": SENT, "5": SENT, "6": SENT}),
        live({"2": PAID, "3": SENT, "5": SENT, "6": SENT, "4": SHIPPED}, {"CANCEL": "4"}),
    )
    [reason] = plan.unsafe_reasons
    assert not reason.forceable
    assert str(reason) == (
        "deletes status '4', which the live mapping CANCEL still uses, "
        "and this file does not manage the mapping (add the mapping to this file or keep the "
        "status; --force does not override this)"
    )
    assert orphaned_mapping(plan.desired, plan.live, plan.changes) == ((Category.CANCEL, "4"),)


def test_plan_sorts_integrations_and_summarises() -> None:
    a = plan_integration("a", desired({"1": PAID}, integration_id=7), live(integration_id=7))
    b = plan_integration("b", desired({}, integration_id=3), live(integration_id=3))
    plan = Plan((a, b))
    assert [p.integration_id for p in plan.integrations] == [3, 7]
    summary = plan.summary()
    assert (summary.creates, summary.changed, summary.unchanged, summary.writes) == (1, 1, 1, 1)
    assert summary.write_seconds(100) == 0.0
    assert plan.has_changes


def test_write_time_at_the_limit() -> None:
    plan = Plan(
        tuple(
            plan_integration("f", desired({"1": PAID}, integration_id=i), live(integration_id=i))
            for i in range(1, 12)
        )
    )
    assert plan.summary().write_seconds(100) == 6.0  # 11 writes, 0.6 s apart
    assert plan.summary().write_seconds(6000) == 10 / 15  # never faster than 15 per second


def test_live_checksum_ignores_order_and_sees_content() -> None:
    one = live({"1": {"en-gb": "A", "nl-nl": "B"}, "2": PAID})
    same = live({"2": PAID, "1": {"nl-nl": "B", "en-gb": "A"}})
    other = live({"1": {"en-gb": "A"}, "2": PAID})
    assert live_checksum(one) == live_checksum(same)
    assert live_checksum(one) != live_checksum(other)
    assert live_checksum(one).startswith("sha256:")
