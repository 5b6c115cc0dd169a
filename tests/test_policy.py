"""Policy rules, evaluated without YAML or HTTP: each kind passes and fails, selectors select."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from reconciler.model import DesiredState
from reconciler.policy import PlacedRule, Rule, Subject, applies_to, evaluate
from reconciler.project import Origin

RULE: TypeAdapter[Rule] = TypeAdapter(Rule)


class File:
    """A loaded file as the evaluator sees it; every value located on its own line, those under
    ``from_base`` in a base file."""

    def __init__(
        self, state: dict[str, Any], path: str = "shops/nl-1.yaml", from_base: str = "\0"
    ) -> None:
        self.path = path
        self.state = DesiredState.model_validate(state)
        self.from_base = from_base

    def origin(self, *location: str) -> Origin:
        if self.from_base in location:
            return Origin("bases/nl.yaml", 20 + len(location), 5)
        return Origin(self.path, 10 + len(location), 3)


def check(rule: dict[str, Any], state: dict[str, Any]) -> list[str]:
    placed = PlacedRule(RULE.validate_python(rule), "reconciler.yaml:7")
    file = File({"integration_id": 1, **state})
    return [v.detail for v in evaluate([placed], [(file, Subject(1, file.path))])]


def mapping(**given: str) -> dict[str, str | None]:
    return {c: given.get(c) for c in ("READY_TO_SEND", "IN_TRANSIT", "DELIVERED", "CANCEL")}


CASES = [
    (
        {"kind": "required-languages", "languages": ["en-gb", "de-de"]},
        {"statuses": {"1": {"en-gb": "Paid", "de-de": "Bezahlt"}}},
        {"statuses": {"1": {"en-gb": "Paid"}}},
        ['status "1" has no de-de text'],
    ),
    (
        {"kind": "mapped-categories", "categories": ["CANCEL"]},
        {"statuses": {"1": {"en-gb": "C"}}, "mapping": mapping(CANCEL="1")},
        {"statuses": {"1": {"en-gb": "C"}}, "mapping": mapping()},
        ["CANCEL is not mapped"],
    ),
    (
        {"kind": "distinct-categories", "categories": ["DELIVERED", "CANCEL"]},
        {
            "statuses": {"1": {"en-gb": "D"}, "2": {"en-gb": "C"}},
            "mapping": mapping(DELIVERED="1", CANCEL="2"),
        },
        {"statuses": {"1": {"en-gb": "D"}}, "mapping": mapping(DELIVERED="1", CANCEL="1")},
        ['DELIVERED and CANCEL both map to status "1"'],
    ),
    (
        {"kind": "external-id-pattern", "pattern": "[0-9]+"},
        {"statuses": {"12": {"en-gb": "Paid"}}},
        {"statuses": {"12a": {"en-gb": "Paid"}}},
        ["external id \"12a\" does not match '[0-9]+'"],
    ),
    (
        {"kind": "status-text", "match": "[A-Z].*", "avoid": "(?i)test"},
        {"statuses": {"1": {"en-gb": "Paid"}}},
        {"statuses": {"1": {"en-gb": "paid"}, "2": {"en-gb": "Test"}}},
        [
            "status \"1\" en-gb \"paid\" does not match '[A-Z].*'",
            "status \"2\" en-gb \"Test\" contains '(?i)test'",
        ],
    ),
    (
        {"kind": "max-statuses", "max": 1},
        {"statuses": {"1": {"en-gb": "Paid"}}},
        {"statuses": {"1": {"en-gb": "Paid"}, "2": {"en-gb": "Sent"}}},
        ["2 statuses, more than 1"],
    ),
]  # fmt: skip


@pytest.mark.parametrize(("rule", "passing", "failing", "details"), CASES, ids=lambda c: "")
def test_each_kind_passes_and_fails(
    rule: dict[str, Any], passing: dict[str, Any], failing: dict[str, Any], details: list[str]
) -> None:
    assert check(rule, passing) == []
    assert sorted(check(rule, failing)) == sorted(details)


def test_sections_a_file_does_not_manage_are_not_checked() -> None:
    assert check({"kind": "mapped-categories", "categories": ["CANCEL"]}, {}) == []
    assert check({"kind": "max-statuses", "max": 0}, {"mapping": mapping()}) == []


def test_status_text_limited_to_languages() -> None:
    rule = {"kind": "status-text", "avoid": "x", "languages": ["de-de"]}
    assert check(rule, {"statuses": {"1": {"en-gb": "x", "de-de": "y"}}}) == []


def test_a_violation_names_the_value_the_rule_and_the_message() -> None:
    rule = RULE.validate_python(
        {"kind": "max-statuses", "max": 0, "name": "none", "message": "Keep it empty."}
    )
    file = File({"integration_id": 1, "statuses": {"1": {"en-gb": "Paid"}}})
    [violation] = evaluate([PlacedRule(rule, "reconciler.yaml:3")], [(file, Subject(1, "x"))])
    assert str(violation) == (
        "shops/nl-1.yaml:11:3: error: 1 status, more than 0; Keep it empty. "
        "(rule 'none' at reconciler.yaml:3)"
    )


def test_selectors() -> None:
    def rule(**selectors: Any) -> Rule:
        return RULE.validate_python({"kind": "max-statuses", "max": 1, **selectors})

    subject = Subject(5, "shops/de/berlin.yaml", account="agency-de", labels=("tier-1", "de"))
    assert applies_to(rule(), subject)
    assert applies_to(rule(integrations=[5, 6]), subject)
    assert not applies_to(rule(integrations=[6]), subject)
    assert applies_to(rule(paths=["shops/de/*"]), subject)
    assert not applies_to(rule(paths=["shops/nl/*"]), subject)
    assert applies_to(rule(accounts=["agency-de"]), subject)
    assert applies_to(rule(accounts=["agency-nl", "agency-de"]), subject)
    assert not applies_to(rule(accounts=["agency-nl"]), subject)
    assert applies_to(rule(labels=["de"]), subject)
    assert applies_to(rule(labels=["nl", "tier-1"]), subject)  # any of the labels
    assert not applies_to(rule(labels=["nl"]), subject)
    assert not applies_to(rule(paths=["shops/de/*"], integrations=[6]), subject)
    assert not applies_to(rule(accounts=["agency-de"], labels=["nl"]), subject)  # all must hold
    # Without a project file, a file has no account: an account rule selects nothing.
    assert not applies_to(rule(accounts=["agency-de"]), Subject(5, "shops/de/berlin.yaml"))


def test_path_globs_mean_what_account_paths_mean() -> None:
    def selects(glob: str, path: str) -> bool:
        rule = RULE.validate_python({"kind": "max-statuses", "max": 1, "paths": [glob]})
        return applies_to(rule, Subject(5, path))

    assert selects("shops/*.yaml", "shops/a.yaml")
    assert not selects("shops/*.yaml", "shops/de/a.yaml")  # `*` stays within a directory
    assert selects("shops/**", "shops/de/a.yaml")  # `**` crosses them
    assert selects("**/de-*.yaml", "x/y/de-1.yaml")


def test_a_value_set_in_a_base_is_located_in_the_base_and_names_the_integration() -> None:
    rule = RULE.validate_python({"kind": "required-languages", "languages": ["de-de"]})
    state = {"integration_id": 8, "statuses": {"1": {"en-gb": "Paid"}, "2": {"en-gb": "Sent"}}}
    file = File(state, path="shops/a.yaml", from_base="2")
    found = evaluate([PlacedRule(rule, "reconciler.yaml:3")], [(file, Subject(8, "shops/a.yaml"))])
    assert [str(v) for v in found] == [
        'bases/nl.yaml:22:5: error: status "2" has no de-de text (integration 8, shops/a.yaml) '
        "(rule 'required-languages' at reconciler.yaml:3)",
        'shops/a.yaml:12:3: error: status "1" has no de-de text '
        "(rule 'required-languages' at reconciler.yaml:3)",
    ]
    assert [(v.integration_id, v.source) for v in found] == [(8, "shops/a.yaml")] * 2


@pytest.mark.parametrize(
    "bad",
    [
        {"kind": "unknown"},
        {"kind": "max-statuses", "max": -1},
        {"kind": "status-text", "match": "("},
        {"kind": "distinct-categories", "categories": ["CANCEL"]},
        {"kind": "required-languages", "languages": ["xx-xx"]},
        {"kind": "max-statuses", "max": 1, "severity": "fatal"},
        {"kind": "max-statuses", "max": 1, "typo": True},
    ],
)
def test_bad_rules_are_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        RULE.validate_python(bad)
