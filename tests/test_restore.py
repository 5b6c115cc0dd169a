"""The pure part of restore: which selectors the journal can answer, and restore targets that
never map onto a status they do not hold (whatever Sendcloud's validity flag said)."""

from __future__ import annotations

import pytest

from reconciler.history import ApplyRun, IntegrationRun
from reconciler.model import CATEGORIES, Category, LiveMappingEntry, LiveState
from reconciler.restore import parse_selectors, reference_safe, restore_targets
from reconciler.targeting import TargetingError

ACCOUNTS = ("agency-nl", "agency-be")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("12", "id:12"), ("id:12", "id:12"), ("agency-nl", "account:agency-nl"),
     ("account:agency-be", "account:agency-be"), ("account:gone", "account:gone")],
)  # fmt: skip
def test_ids_and_accounts_are_selectors_the_journal_answers(value: str, expected: str) -> None:
    assert [str(s) for s in parse_selectors("--only", [value], ACCOUNTS)] == [expected]


@pytest.mark.parametrize("value", ["label:tier-1", "tier-1", "integrations/nl/**", "file:x.yaml"])
def test_labels_and_files_are_refused_naming_what_is_accepted(value: str) -> None:
    with pytest.raises(TargetingError) as caught:
        parse_selectors("--only", [value], ACCOUNTS)
    assert str(caught.value) == (
        f"--only {value!r}: restore selects by what the journal records: an integration id (12) "
        "or an account (account:NAME, one of agency-be, agency-nl); labels and file globs are "
        "not in the journal"
    )


def _live(statuses: dict[str, str], mapping: dict[Category, tuple[str, bool]]) -> LiveState:
    return LiveState(
        integration_id=7,
        statuses={ext: {"en-gb": text} for ext, text in statuses.items()},
        mapping={
            c: LiveMappingEntry(external_id=mapping[c][0], is_valid=mapping[c][1])
            if c in mapping
            else LiveMappingEntry(external_id=None, is_valid=True)
            for c in CATEGORIES
        },
    )


def test_a_mapping_entry_outside_the_recorded_statuses_is_never_restored_onto_a_gap() -> None:
    # Flagged valid, yet no such status recorded: the target cannot hold it either way.
    before = _live({"1": "Paid"}, {Category.CANCEL: ("5", True), Category.DELIVERED: ("6", False)})
    run = ApplyRun("abc", None, {}, "t0", "t1", {7: IntegrationRun(7, before)})
    [target] = restore_targets(run, source_of=lambda _: "j.jsonl")[0]
    assert [(c, ext) for c, ext, _ in target.orphaned] == [
        (Category.DELIVERED, "6"),
        (Category.CANCEL, "5"),
    ]
    assert not target.before.mapping[Category.CANCEL].is_valid  # --to-files writes it as null

    # Live: DELIVERED still on the missing '6', CANCEL already unmapped: the restore writes no
    # mapping, so DELIVERED is left alone (no warning).
    live = _live({"1": "Paid"}, {Category.DELIVERED: ("6", False)})
    desired, warnings = reference_safe(target, live)
    assert desired.mapping is not None
    assert (desired.mapping.DELIVERED, desired.mapping.CANCEL) == ("6", None)
    [warning] = warnings
    assert "CANCEL is restored as unmapped" in warning

    # CANCEL elsewhere: the restore posts the mapping, all four categories, so DELIVERED cannot
    # keep the missing '6' (the POST takes a live external_id or null): both unmapped.
    live = _live({"1": "Paid"}, {Category.CANCEL: ("1", True), Category.DELIVERED: ("6", False)})
    desired, warnings = reference_safe(target, live)

    assert desired.mapping is not None
    assert desired.mapping.DELIVERED is None
    assert desired.mapping.CANCEL is None
    assert warnings[1] == (
        "integration 7: before the apply CANCEL was mapped to status '5', a status the state "
        "recorded before the apply does not hold; the restore does not re-create that status, "
        "so CANCEL is restored as unmapped (null)"
    )
    assert "DELIVERED is restored as unmapped" in warnings[0]
