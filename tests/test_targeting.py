"""Selectors for --only / --exclude: ids, file globs, accounts, labels; what is left out and why."""

from __future__ import annotations

import pytest

from reconciler.targeting import (
    Selector,
    Target,
    TargetingError,
    glob_match,
    parse_selectors,
    select,
    unmatched_ids,
)

ACCOUNTS = ("agency-nl", "agency-be")
LABELS = ("tier-1", "nl")
TARGETS = [
    Target(1, "integrations/nl/1.yaml", "agency-nl", frozenset({"tier-1", "nl"})),
    Target(2, "integrations/nl/2.yaml", "agency-nl", frozenset({"nl"})),
    Target(11, "integrations/be/11.yaml", "agency-be", frozenset()),
    Target(12, "integrations/be/sub/12.yaml", "agency-be", frozenset({"tier-1"})),
]


def parse(option: str, *values: str) -> list[Selector]:
    return parse_selectors(option, values, accounts=ACCOUNTS, labels=LABELS)


def chosen(only: tuple[str, ...] = (), exclude: tuple[str, ...] = ()) -> list[int]:
    targets, _ = select(TARGETS, parse("--only", *only), parse("--exclude", *exclude))
    return [t.integration_id for t in targets]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12", [12]),
        ("id:2", [2]),
        ("agency-be", [11, 12]),
        ("account:agency-nl", [1, 2]),
        ("tier-1", [1, 12]),
        ("label:nl", [1, 2]),
        ("integrations/be/**", [11, 12]),
        ("integrations/be/*.yaml", [11]),
        ("integrations/be", [11, 12]),
        ("integrations/nl/", [1, 2]),
        ("./integrations/nl/2.yaml", [2]),
        ("file:**/12.yaml", [12]),
        ("1,11", [1, 11]),
    ],
)
def test_only_selects(value: str, expected: list[int]) -> None:
    assert chosen(only=(value,)) == expected


def test_exclude_drops_after_only() -> None:
    assert chosen(only=("agency-nl", "agency-be"), exclude=("tier-1",)) == [2, 11]


def test_every_integration_left_out_has_its_reason() -> None:
    _, selection = select(TARGETS, parse("--only", "agency-nl"), parse("--exclude", "tier-1"))
    reasons = {item.integration_id: item.reason for item in selection.left_out}
    assert reasons == {
        1: "excluded by --exclude label:tier-1",
        11: "not selected by --only account:agency-nl",
        12: "not selected by --only account:agency-nl",
    }
    assert selection.criteria == ("--only account:agency-nl", "--exclude label:tier-1")


def test_a_word_that_is_neither_account_nor_label_is_refused() -> None:
    with pytest.raises(TargetingError) as caught:
        parse("--only", "agency-fr")
    message = str(caught.value)
    assert (
        "--only 'agency-fr' is not an integration id, a file path, an account or a label" in message
    )
    assert "accounts: agency-be, agency-nl; labels: nl, tier-1" in message


@pytest.mark.parametrize("value", ["id:x", "account:", "label:"])
def test_malformed_prefixed_selectors_are_refused(value: str) -> None:
    with pytest.raises(TargetingError, match="--exclude"):
        parse("--exclude", value)


def test_an_id_no_file_describes_is_reported() -> None:
    assert unmatched_ids(TARGETS, parse("--only", "99")) == [
        "--only 99: no file describes integration 99"
    ]


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("a/**", "a/b/c.yaml", True),
        ("a/**/c.yaml", "a/c.yaml", True),
        ("a/*.yaml", "a/b/c.yaml", False),
        ("a/?.yaml", "a/c.yaml", True),
        ("a/[bc].yaml", "a/c.yaml", True),
        ("a/[!bc].yaml", "a/c.yaml", False),
        ("a.yaml", "b.yaml", False),
    ],
)
def test_glob_match(pattern: str, path: str, matches: bool) -> None:
    assert glob_match(pattern, path) is matches


@pytest.mark.parametrize("value", ["", " ", "  ,  ", "1,", ",tier-1"])
def test_an_empty_selector_is_refused_not_everything(value: str) -> None:
    with pytest.raises(TargetingError) as caught:
        parse("--only", value)
    assert f"--only {value!r}: an empty selector selects nothing" in str(caught.value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("account:agency-nk", "there is no account 'agency-nk'; did you mean account:agency-nl? "),
        ("label:teir-1", "there is no label 'teir-1'; did you mean label:tier-1? "),
        ("account:zz", "there is no account 'zz'; the project file defines agency-be, agency-nl"),
        ("label:zz", "there is no label 'zz'; the files (and bases) carry nl, tier-1"),
    ],
)
def test_an_account_or_label_that_does_not_exist_is_refused(value: str, expected: str) -> None:
    with pytest.raises(TargetingError) as caught:
        parse("--exclude", value)
    assert str(caught.value).startswith(f"--exclude {value!r}: ")
    assert expected in str(caught.value)


def test_a_bare_typo_suggests_the_nearest_name() -> None:
    with pytest.raises(TargetingError, match="did you mean 'tier-1'"):
        parse("--only", "teir-1")


def test_without_accounts_account_selectors_are_refused() -> None:
    with pytest.raises(TargetingError, match="defines no accounts"):
        parse_selectors("--only", ["account:x"], accounts=(), labels=())
