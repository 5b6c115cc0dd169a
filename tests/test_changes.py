"""Change values say themselves in one vocabulary, order themselves, and count by action."""

from __future__ import annotations

import pytest

from reconciler.changes import (
    RESIDUAL,
    Counts,
    MappingChange,
    StatusCreate,
    StatusDelete,
    StatusUpdate,
    TranslationChange,
    describe_changes,
    sorted_changes,
)
from reconciler.diff import describe_live_changes
from reconciler.model import Category, LiveState
from tests.factories import live

UPDATE = StatusUpdate(
    "4",
    (
        TranslationChange("en-gb", "Shipped", "Sent"),
        TranslationChange("fr-fr", None, "Expédié"),
        TranslationChange("nl-nl", "Verzonden", None),
    ),
)


def test_each_change_says_what_happened_old_to_new() -> None:
    assert StatusCreate("11", {"en-gb": "Back order"}).describe() == (
        'status "11" added (en-gb "Back order")'
    )
    assert StatusDelete("6", {"en-gb": "Cancelled", "nl-nl": "Geannuleerd"}).describe() == (
        'status "6" removed (en-gb "Cancelled", nl-nl "Geannuleerd")'
    )
    assert UPDATE.describe() == (
        'status "4" en-gb was "Shipped", now "Sent"; '
        'status "4" fr-fr was unset, now "Expédié"; '
        'status "4" nl-nl was "Verzonden", now unset'
    )
    assert MappingChange(Category.DELIVERED, "4", None).describe() == (
        'mapping DELIVERED was "4", now unmapped'
    )


def test_the_residual_words_read_live_against_desired() -> None:
    assert StatusCreate("2", {"en-gb": "Paid"}).describe(RESIDUAL) == (
        'status "2" is missing (en-gb "Paid")'
    )
    assert StatusDelete("3", {"en-gb": "Old"}).describe(RESIDUAL) == (
        'status "3" is still there (en-gb "Old")'
    )
    assert MappingChange(Category.CANCEL, "1", None).describe(RESIDUAL) == (
        'mapping CANCEL is "1", desired unmapped'
    )
    assert TranslationChange("en-gb", "A", "B").describe('status "2"', RESIDUAL) == (
        'status "2" en-gb is "A", desired "B"'
    )


def test_user_text_in_words_is_quoted_on_one_line() -> None:
    change = StatusCreate("7\n+ forged", {"en-gb": "\x1b[31mred"})
    assert change.describe() == 'status "7\\n+ forged" added (en-gb "\\u001b[31mred")'


def test_changes_order_themselves_statuses_first_then_mapping_by_category() -> None:
    changes = [
        MappingChange(Category.CANCEL, None, "2"),
        StatusDelete("10", {"en-gb": "Ten"}),
        MappingChange(Category.READY_TO_SEND, "1", "2"),
        StatusCreate("2", {"en-gb": "Two"}),
        StatusUpdate("Send-4", (TranslationChange("en-gb", "a", "b"),)),
    ]
    assert [c.subject for c in sorted_changes(changes)] == [
        'status "2"',
        'status "10"',
        'status "Send-4"',
        "mapping READY_TO_SEND",
        "mapping CANCEL",
    ]


def test_markers_and_details_give_the_renderers_their_data() -> None:
    create = StatusCreate("1", {"en-gb": "A"})
    delete = StatusDelete("2", {"en-gb": "B"})
    assert [(d.marker, d.old, d.new) for d in create.details] == [("+", None, "A")]
    assert [(d.marker, d.old, d.new) for d in delete.details] == [("-", "B", None)]
    assert [d.marker for d in UPDATE.details] == ["~", "+", "-"]
    assert (create.marker, UPDATE.marker, delete.marker) == ("+", "~", "-")


def test_counts_by_action() -> None:
    changes = [
        StatusCreate("1", {"en-gb": "A"}),
        StatusCreate("2", {"en-gb": "A"}),
        UPDATE,
        MappingChange(Category.CANCEL, None, "1"),
    ]
    assert Counts.of(changes) == Counts(creates=2, updates=1, deletes=0, mapping_changes=1)


def test_describe_changes_names_a_few_then_counts_the_rest() -> None:
    changes = [StatusCreate(str(i), {"en-gb": "x"}) for i in range(1, 8)]
    text = describe_changes(changes, limit=2)
    assert text == 'status "1" added (en-gb "x"); status "2" added (en-gb "x") and 5 more'


@pytest.mark.parametrize(
    ("recorded", "current", "expected"),
    [
        (
            live({"4": {"en-gb": "Paid"}}, {"DELIVERED": "4"}),
            live({"4": {"en-gb": "Paid"}}),
            'mapping DELIVERED was "4", now unmapped',
        ),
        (
            live({"4": {"en-gb": "Paid"}}),
            live({"4": {"en-gb": "Paid"}, "5": {"en-gb": "New"}}),
            'status "5" added (en-gb "New")',
        ),
        (
            live({"4": {"en-gb": "Paid"}}),
            live({"4": {"en-gb": "Paid!"}}),
            'status "4" en-gb was "Paid", now "Paid!"',
        ),
        (
            live({"4": {"en-gb": "Paid"}}, {"DELIVERED": "4"}),
            live({"4": {"en-gb": "Paid"}}, {"DELIVERED": "4"}, invalid=("DELIVERED",)),
            "mapping validity changed",
        ),
    ],
)
def test_the_stale_plan_message_says_was_and_now(
    recorded: LiveState, current: LiveState, expected: str
) -> None:
    assert describe_live_changes(recorded, current) == expected
