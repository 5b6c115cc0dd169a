from __future__ import annotations

from reconciler.changes import (
    MappingChange,
    StatusCreate,
    StatusDelete,
    StatusUpdate,
    TranslationChange,
)
from reconciler.diff import diff_integration
from reconciler.model import Category
from tests.factories import desired, live


def test_in_sync_has_no_changes() -> None:
    statuses = {"2": {"en-gb": "Paid", "nl-nl": "Betaald"}}
    mapping = {"READY_TO_SEND": "2"}
    result = diff_integration(desired(statuses, mapping), live(statuses, mapping))
    assert result.changes == ()


def test_every_status_change_kind_in_natural_order() -> None:
    result = diff_integration(
        desired({"10": {"en-gb": "Ten"}, "2": {"en-gb": "Paid!", "fr-fr": "Payé"}}),
        live({"2": {"en-gb": "Paid", "nl-nl": "Betaald"}, "9": {"en-gb": "Nine"}}),
    )
    assert result.changes == (
        StatusUpdate(
            "2",
            (
                TranslationChange("en-gb", "Paid", "Paid!"),
                TranslationChange("fr-fr", None, "Payé"),
                TranslationChange("nl-nl", "Betaald", None),
            ),
        ),
        StatusDelete("9", {"en-gb": "Nine"}),
        StatusCreate("10", {"en-gb": "Ten"}),
    )


def test_order_of_statuses_and_translations_is_never_a_difference() -> None:
    a = {"1": {"en-gb": "A", "nl-nl": "B"}, "2": {"en-gb": "C"}}
    b = {"2": {"en-gb": "C"}, "1": {"nl-nl": "B", "en-gb": "A"}}
    assert diff_integration(desired(a), live(b)).changes == ()


def test_mapping_changes_per_category_in_api_order() -> None:
    statuses = {"2": {"en-gb": "Paid"}, "4": {"en-gb": "Shipped"}}
    result = diff_integration(
        desired(statuses, {"READY_TO_SEND": "2", "CANCEL": "4"}),
        live(statuses, {"CANCEL": "2", "READY_TO_SEND": "4"}),
    )
    assert result.changes == (
        MappingChange(Category.READY_TO_SEND, "4", "2"),
        MappingChange(Category.CANCEL, "2", "4"),
    )


def test_unmanaged_sections_never_show_as_changes() -> None:
    live_state = live({"2": {"en-gb": "Paid"}}, {"READY_TO_SEND": "2"})
    assert diff_integration(desired(), live_state).changes == ()
    only_mapping = desired(mapping={"READY_TO_SEND": "2"})
    assert diff_integration(only_mapping, live_state).changes == ()
    only_statuses = desired({"2": {"en-gb": "Paid"}})
    assert diff_integration(only_statuses, live_state).changes == ()


def test_mapping_only_file_pointing_at_a_missing_live_status_is_dangling() -> None:
    result = diff_integration(
        desired(mapping={"READY_TO_SEND": "2", "DELIVERED": "77"}),
        live({"2": {"en-gb": "Paid"}}),
    )
    assert result.dangling_mapping == ((Category.DELIVERED, "77"),)


def test_invalid_live_mapping_is_reported_even_without_changes() -> None:
    state = live({"2": {"en-gb": "Paid"}}, {"CANCEL": "6"}, invalid=("CANCEL",))
    result = diff_integration(desired(), state)
    assert result.changes == ()
    assert result.invalid_live_mapping == ((Category.CANCEL, "6"),)


def test_a_shop_with_no_statuses_gets_each_status_created() -> None:
    statuses = {"2": {"en-gb": "Paid"}, "4": {"en-gb": "Shipped"}}
    result = diff_integration(desired(statuses), live({}))
    assert result.changes == (
        StatusCreate("2", {"en-gb": "Paid"}),
        StatusCreate("4", {"en-gb": "Shipped"}),
    )


def test_every_translation_replaced_is_shown_language_by_language() -> None:
    result = diff_integration(
        desired({"2": {"fr-fr": "Payé", "nl-nl": "Betaald"}}), live({"2": {"en-gb": "Paid"}})
    )
    assert result.changes == (
        StatusUpdate(
            "2",
            (
                TranslationChange("en-gb", "Paid", None),
                TranslationChange("fr-fr", None, "Payé"),
                TranslationChange("nl-nl", None, "Betaald"),
            ),
        ),
    )
