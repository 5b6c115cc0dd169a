"""Policies: rules the desired state must follow, checked by validate, plan and apply. Pure.

A rule has a ``kind`` (what it checks), a ``severity`` (``error`` blocks validate and apply;
``warning`` is reported by validate, plan and the pull-request comment), a ``message`` its author
writes, and selectors saying which integrations it applies to; none = every integration, several
= all must hold:

- ``integrations``: integration ids;
- ``paths``: globs over the file's path relative to the project file's directory, read as
  accounts' ``paths`` and ``--only`` globs are (`reconciler.globs`);
- ``accounts``: the account the file belongs to (`reconciler.project.Project.account_for`);
- ``labels``: any of the file's labels, its own or those of a base it extends (as ``--only
  label:NAME`` selects).

`reconciler.config.policies` reads rules from the project file; this module knows no YAML.

Kinds, chosen for order statuses (a section the file does not manage is not checked):

============================  ==========================================================
``required-languages``        every status has a text in each of ``languages``
``mapped-categories``         each of ``categories`` is mapped (never ``null``)
``distinct-categories``       no two of ``categories`` map to the same status
``external-id-pattern``       every external id matches ``pattern`` (whole id)
``status-text``               texts (of ``languages``, default all) match ``match`` and
                              do not contain ``avoid`` (regular expressions)
``max-statuses``              at most ``max`` statuses
============================  ==========================================================

``BUILT_IN`` lists the rule the planner always enforces (no status is deleted while the live
mapping uses it), so the rule report shows it next to the configured ones.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Annotated, Literal, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from reconciler.globs import glob_match
from reconciler.model import Category, DesiredState, Language
from reconciler.project import Origin, PathGlob
from reconciler.quoting import quote

Severity = Literal["error", "warning"]
_T = TypeVar("_T")
_STRICT = ConfigDict(extra="forbid", frozen=True)


class _Rule(BaseModel):
    model_config = _STRICT

    name: str | None = Field(default=None, min_length=1)
    severity: Severity = "error"
    message: str = Field(default="", description="Why the rule exists, in the author's words.")
    integrations: list[Annotated[int, Field(gt=0, strict=True)]] = Field(default_factory=list)
    paths: list[PathGlob] = Field(default_factory=list)
    accounts: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list)
    labels: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list)


class RequiredLanguages(_Rule):
    """Every status has a text in each of ``languages``."""

    kind: Literal["required-languages"]
    languages: list[Language] = Field(min_length=1)

    _check = field_validator("languages")(lambda cls, value: _once_each(value))


class MappedCategories(_Rule):
    """Each of ``categories`` is mapped onto a status."""

    kind: Literal["mapped-categories"]
    categories: list[Category] = Field(min_length=1)

    _check = field_validator("categories")(lambda cls, value: _once_each(value))


class DistinctCategories(_Rule):
    """No two of ``categories`` map to the same status."""

    kind: Literal["distinct-categories"]
    categories: list[Category] = Field(min_length=2)

    # [CANCEL, CANCEL] would compare a category with itself: a rule that never fires.
    _check = field_validator("categories")(lambda cls, value: _once_each(value))


class ExternalIdPattern(_Rule):
    """Every external id matches ``pattern`` as a whole."""

    kind: Literal["external-id-pattern"]
    pattern: str

    _check = field_validator("pattern")(lambda cls, value: _regex(value))


class StatusText(_Rule):
    """Status texts match ``match`` (as a whole) and contain nothing ``avoid`` finds."""

    kind: Literal["status-text"]
    match: str | None = None
    avoid: str | None = None
    languages: list[Language] = Field(default_factory=list)

    _check = field_validator("match", "avoid")(
        lambda cls, value: None if value is None else _regex(value)
    )

    @model_validator(mode="after")
    def _does_something(self) -> StatusText:
        if self.match is None and self.avoid is None:
            raise ValueError(
                "a status-text rule needs `match`, `avoid` or both; without them it checks nothing"
            )
        return self


class MaxStatuses(_Rule):
    """At most ``max`` statuses."""

    kind: Literal["max-statuses"]
    max: int = Field(ge=0, strict=True)


Rule = Annotated[
    RequiredLanguages
    | MappedCategories
    | DistinctCategories
    | ExternalIdPattern
    | StatusText
    | MaxStatuses,
    Field(discriminator="kind"),
]
KINDS = (
    "required-languages",
    "mapped-categories",
    "distinct-categories",
    "external-id-pattern",
    "status-text",
    "max-statuses",
)


def _once_each(values: list[_T]) -> list[_T]:
    """``values`` when none is listed twice (a repeat is a slip: it checks nothing more)."""
    twice = [v for i, v in enumerate(values) if v in values[:i]]
    if twice:
        shown = getattr(twice[0], "value", twice[0])
        raise ValueError(f"{shown} is listed twice; list each once")
    return values


def _regex(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"not a valid regular expression: {exc}") from None
    return value


@dataclass(frozen=True)
class PlacedRule:
    """A rule and where it was written (``origin``: ``reconciler.yaml:12``)."""

    rule: Rule
    origin: str

    @property
    def name(self) -> str:
        """The rule's name, or its kind when it has none."""
        return self.rule.name or self.rule.kind

    def describe(self) -> str:
        """What the rule checks, in one line: ``status texts avoid 'test'``."""
        return _DESCRIBE[self.rule.kind](self.rule)


BUILT_IN: tuple[tuple[str, str], ...] = (
    (
        "mapped-status-not-deleted",
        "no status is deleted while the live mapping uses it (built in: plan marks such a "
        "plan unsafe and apply refuses it)",
    ),
)


@dataclass(frozen=True)
class Subject:
    """An integration as the selectors see it: its id, its file (relative to the project),
    and (with fleets) its account and labels."""

    integration_id: int
    path: str
    account: str | None = None
    labels: tuple[str, ...] = ()


@dataclass(frozen=True, order=True)
class Violation:
    """One broken rule: where (the file and line that set the value: the integration's file, or
    a base it extends), which rule (and where it is written), why, and for which integration
    (``integration_id`` and its file, ``source``)."""

    path: str
    line: int
    col: int
    severity: Severity
    rule: str
    rule_origin: str
    detail: str
    message: str
    integration_id: int
    source: str

    @property
    def subject(self) -> str:
        """`` (integration 12, shops/a.yaml)`` when the value is in a base, else ``""``."""
        if self.path == self.source:
            return ""
        return f" (integration {self.integration_id}, {self.source})"

    def __str__(self) -> str:
        why = f"; {self.message}" if self.message else ""
        return (
            f"{self.path}:{self.line}:{self.col}: {self.severity}: {self.detail}{self.subject}"
            f"{why} (rule {self.rule!r} at {self.rule_origin})"
        )


class Locatable(Protocol):
    """A loaded desired-state file: its path, state and where each value was set."""

    @property
    def path(self) -> str: ...

    @property
    def state(self) -> DesiredState: ...

    def origin(self, *location: str) -> Origin: ...


def applies_to(rule: Rule, subject: Subject) -> bool:
    """Whether every selector of ``rule`` selects ``subject`` (no selector: every integration)."""
    if rule.integrations and subject.integration_id not in rule.integrations:
        return False
    if rule.paths and not any(glob_match(g, subject.path) for g in rule.paths):
        return False
    if rule.accounts and subject.account not in rule.accounts:
        return False
    return not rule.labels or bool(set(rule.labels) & set(subject.labels))


def evaluate(
    rules: Sequence[PlacedRule], files: Sequence[tuple[Locatable, Subject]]
) -> list[Violation]:
    """Every violation of ``rules`` by ``files``, sorted by file, line and column."""
    found: list[Violation] = []
    for placed in rules:
        for desired, subject in files:
            if not applies_to(placed.rule, subject):
                continue
            for location, detail in _CHECKS[placed.rule.kind](placed.rule, desired.state):
                # The value's own file and line: a value a base set is fixed in the base.
                where = desired.origin(*location)
                found.append(
                    Violation(
                        where.path,
                        where.line,
                        where.col,
                        placed.rule.severity,
                        placed.name,
                        placed.origin,
                        detail,
                        placed.rule.message,
                        desired.state.integration_id,
                        desired.path,
                    )
                )
    return sorted(found)


Finding = tuple[tuple[str, ...], str]


def _required_languages(rule: RequiredLanguages, state: DesiredState) -> Iterator[Finding]:
    for external_id, texts in (state.statuses or {}).items():
        missing = [language for language in rule.languages if language not in texts]
        if missing:
            yield (
                ("statuses", external_id),
                (f"status {quote(external_id)} has no {' or '.join(missing)} text"),
            )


def _mapped_categories(rule: MappedCategories, state: DesiredState) -> Iterator[Finding]:
    if state.mapping is None:
        return
    mapping = state.mapping.as_dict()
    for category in rule.categories:
        if mapping[category] is None:
            yield ("mapping", category.value), f"{category.value} is not mapped"


def _distinct_categories(rule: DistinctCategories, state: DesiredState) -> Iterator[Finding]:
    if state.mapping is None:
        return
    mapping = state.mapping.as_dict()
    seen: dict[str, Category] = {}
    for category in rule.categories:
        target = mapping[category]
        if target is None:
            continue
        if target in seen:
            yield (
                ("mapping", category.value),
                (f"{seen[target].value} and {category.value} both map to status {quote(target)}"),
            )
        else:
            seen[target] = category


def _external_id_pattern(rule: ExternalIdPattern, state: DesiredState) -> Iterator[Finding]:
    pattern = re.compile(rule.pattern)
    for external_id in state.statuses or {}:
        if not pattern.fullmatch(external_id):
            yield (
                ("statuses", external_id),
                (f"external id {quote(external_id)} does not match {rule.pattern!r}"),
            )


def _status_text(rule: StatusText, state: DesiredState) -> Iterator[Finding]:
    match = re.compile(rule.match) if rule.match is not None else None
    avoid = re.compile(rule.avoid) if rule.avoid is not None else None
    for external_id, texts in (state.statuses or {}).items():
        for language, text in texts.items():
            if rule.languages and language not in rule.languages:
                continue
            where = ("statuses", external_id, language)
            said = f"status {quote(external_id)} {language} {quote(text)}"
            if match is not None and not match.fullmatch(text):
                yield where, f"{said} does not match {rule.match!r}"
            if avoid is not None and avoid.search(text):
                yield where, f"{said} contains {rule.avoid!r}"


def _max_statuses(rule: MaxStatuses, state: DesiredState) -> Iterator[Finding]:
    if state.statuses is not None and len(state.statuses) > rule.max:
        count = len(state.statuses)
        yield (
            ("statuses",),
            f"{count} {'status' if count == 1 else 'statuses'}, more than {rule.max}",
        )


_CHECKS: dict[str, Callable[..., Iterator[Finding]]] = {
    "required-languages": _required_languages,
    "mapped-categories": _mapped_categories,
    "distinct-categories": _distinct_categories,
    "external-id-pattern": _external_id_pattern,
    "status-text": _status_text,
    "max-statuses": _max_statuses,
}


def _describe_text(rule: StatusText) -> str:
    parts = [f"match {rule.match!r}"] if rule.match is not None else []
    parts += [f"avoid {rule.avoid!r}"] if rule.avoid is not None else []
    scope = f" ({', '.join(rule.languages)})" if rule.languages else ""
    return f"status texts{scope} " + " and ".join(parts)


_DESCRIBE: dict[str, Callable[..., str]] = {
    "required-languages": lambda r: f"every status has {', '.join(r.languages)} texts",
    "mapped-categories": lambda r: f"{', '.join(c.value for c in r.categories)} always mapped",
    "distinct-categories": lambda r: (
        f"{', '.join(c.value for c in r.categories)} never share a status"
    ),
    "external-id-pattern": lambda r: f"external ids match {r.pattern!r}",
    "status-text": _describe_text,
    "max-statuses": lambda r: f"at most {r.max} statuses",
}
