"""Which integrations a command works on: ``--only`` / ``--exclude``, and what was left out.

Pure: no I/O. A selector is one of

- an integration id: ``12`` (or ``id:12``);
- a file glob, relative to the current directory: ``integrations/nl/**``, ``shops/12.yaml``,
  ``integrations/be/`` (a directory means everything under it), or ``file:PATTERN``, read as
  `reconciler.globs` reads every file glob;
- an account name from the project file: ``agency-nl`` (or ``account:agency-nl``);
- a label of a file or of a base it extends: ``tier-1`` (or ``label:tier-1``).

A bare word is an account when the project file names such an account, otherwise a label; a word
that is neither is refused (a typo must not silently select nothing), and so are ``account:NAME``
for an account the project file does not define, ``label:NAME`` for a label no file carries, and
an empty selector (``--only ''``, an unset variable in CI: it must not mean "everything"), and
a file glob or path that matches none of the files read (a typo, ``/**``, ``../**``, an unclosed
``[``, a file outside the command's PATHS).
``--only`` keeps the integrations any of its selectors match; ``--exclude`` then drops those any
of its selectors match. Every integration left out is listed with the reason, so a plan always
says what it did not look at.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from reconciler.config.messages import suggest
from reconciler.errors import ReconcilerError
from reconciler.globs import GLOB_CHARS, expand, glob_match

Kind = Literal["id", "file", "account", "label"]
_PREFIXES: tuple[Kind, ...] = ("id", "file", "account", "label")


class TargetingError(ReconcilerError):
    """A selector that cannot be understood or matches nothing that exists."""


@dataclass(frozen=True)
class Target:
    """What a selector can match about one integration."""

    integration_id: int
    source: str  # the file, as the command was given it (relative paths stay relative)
    account: str = ""  # "" when there is no project file
    labels: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Selector:
    kind: Kind
    value: str
    option: str  # "--only" or "--exclude", for messages

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"

    def matches(self, target: Target) -> bool:
        if self.kind == "id":
            return target.integration_id == int(self.value)
        if self.kind == "account":
            return target.account == self.value
        if self.kind == "label":
            return self.value in target.labels
        return glob_match(self.value, target.source)


@dataclass(frozen=True)
class LeftOut:
    """An integration a command did not look at, and why (``--exclude label:tier-1``)."""

    integration_id: int
    source: str
    account: str
    reason: str


@dataclass(frozen=True)
class Selection:
    """What a targeted run said about its choice: left out, why each was chosen, notices."""

    left_out: tuple[LeftOut, ...] = ()
    # Per selected integration, why it was chosen (only when that is not "it was asked for").
    reasons: tuple[tuple[int, str], ...] = ()
    # Sentences about the selection as a whole, e.g. a deleted file that is no longer managed.
    notes: tuple[str, ...] = ()
    criteria: tuple[str, ...] = field(default=())  # "--only account:agency-nl", ...

    @property
    def is_targeted(self) -> bool:
        return bool(self.left_out or self.criteria or self.notes)

    def merged(self, other: Selection) -> Selection:
        return Selection(
            self.left_out + other.left_out,
            self.reasons + other.reasons,
            self.notes + other.notes,
            self.criteria + other.criteria,
        )


def parse_selectors(
    option: str,
    values: Iterable[str],
    *,
    accounts: Collection[str],
    labels: Collection[str],
    check_names: bool = True,
) -> list[Selector]:
    """Parse ``--only``/``--exclude`` values (repeatable, comma-separated) into selectors.

    ``check_names=False``: ``account:NAME`` and ``label:NAME`` are taken as written, for a
    caller that says itself what exists (restore: the accounts an apply wrote to).

    Raises `TargetingError` naming the option and the value for an empty selector, an unknown
    prefix, a bad id, an account or label that does not exist, or a bare word that is neither an
    account nor a label (with the nearest name, when one is close).
    """
    selectors: list[Selector] = []
    for raw in values:
        for item in (part.strip() for part in raw.split(",")):
            if not item:
                raise TargetingError(
                    f"{option} {raw!r}: an empty selector selects nothing, and is not "
                    f'"everything"; give an id, a file glob, an account or a label (leave '
                    f"{option} out to work on every integration)"
                )
            selectors.append(_parse_one(option, item, accounts, labels, check_names))
    return selectors


def _parse_one(
    option: str,
    item: str,
    accounts: Collection[str],
    labels: Collection[str],
    check_names: bool = True,
) -> Selector:
    prefix, sep, rest = item.partition(":")
    if sep and prefix in _PREFIXES:
        kind: Kind = prefix
        if not rest:
            raise TargetingError(f"{option} {item!r}: nothing after {prefix}:; write {prefix}:NAME")
        if kind == "id" and not rest.isdigit():
            raise TargetingError(f"{option} {item!r}: an integration id is a number, e.g. id:12")
        if kind == "account" and check_names and rest not in accounts:
            raise TargetingError(_unknown(option, item, "account", rest, accounts))
        if kind == "label" and check_names and rest not in labels:
            raise TargetingError(_unknown(option, item, "label", rest, labels))
        return Selector(kind, expand(rest) if kind == "file" else rest, option)
    if item.isdigit():
        return Selector("id", str(int(item)), option)
    if _looks_like_path(item):
        return Selector("file", expand(item), option)
    if item in accounts:
        return Selector("account", item, option)
    if item in labels:
        return Selector("label", item, option)
    known = []
    if accounts:
        known.append(f"accounts: {', '.join(sorted(accounts))}")
    if labels:
        known.append(f"labels: {', '.join(sorted(labels))}")
    listing = f" ({'; '.join(known)})" if known else ""
    hint = suggest(item, [*accounts, *labels])
    did_you_mean = f"did you mean {hint!r}? " if hint else ""
    raise TargetingError(
        f"{option} {item!r} is not an integration id, a file path, an account or a label{listing}; "
        f"{did_you_mean}write account:NAME, label:NAME or file:GLOB to be explicit"
    )


def _unknown(option: str, item: str, kind: str, name: str, known: Collection[str]) -> str:
    """A selector naming an account or label that does not exist, with the nearest one."""
    hint = suggest(name, known)
    did_you_mean = f"did you mean {kind}:{hint}? " if hint else ""
    where = "the project file defines" if kind == "account" else "the files (and bases) carry"
    listing = (
        f"{where} {', '.join(sorted(known))}"
        if known
        else f"{where} no {kind}s"
        + (" (or there is no reconciler.yaml above the paths)" if kind == "account" else "")
    )
    return f"{option} {item!r}: there is no {kind} {name!r}; {did_you_mean}{listing}"


def _looks_like_path(item: str) -> bool:
    return "/" in item or bool(GLOB_CHARS & set(item)) or item.endswith((".yaml", ".yml"))


def select(
    targets: Sequence[Target], only: Sequence[Selector], exclude: Sequence[Selector]
) -> tuple[list[Target], Selection]:
    """The targets to work on, and a `Selection` listing the others with their reasons."""
    chosen: list[Target] = []
    left_out: list[LeftOut] = []
    for target in targets:
        reason = _left_out_reason(target, only, exclude)
        if reason is None:
            chosen.append(target)
        else:
            left_out.append(LeftOut(target.integration_id, target.source, target.account, reason))
    criteria = []
    if only:
        criteria.append("--only " + ", ".join(str(s) for s in only))
    if exclude:
        criteria.append("--exclude " + ", ".join(str(s) for s in exclude))
    return chosen, Selection(left_out=tuple(left_out), criteria=tuple(criteria))


def _left_out_reason(
    target: Target, only: Sequence[Selector], exclude: Sequence[Selector]
) -> str | None:
    if only and not any(s.matches(target) for s in only):
        return "not selected by --only " + ", ".join(str(s) for s in only)
    for selector in exclude:
        if selector.matches(target):
            return f"excluded by --exclude {selector}"
    return None


def unmatched_ids(targets: Sequence[Target], selectors: Sequence[Selector]) -> list[str]:
    """Messages for ``id:`` selectors that name an integration no file describes."""
    known = {t.integration_id for t in targets}
    return [
        f"{s.option} {s.value}: no file describes integration {s.value}"
        for s in selectors
        if s.kind == "id" and int(s.value) not in known
    ]


def unmatched_files(
    targets: Sequence[Target], selectors: Sequence[Selector], *, what: str = "read"
) -> list[str]:
    """Messages for file selectors that match none of ``targets`` (the files the command read;
    ``what`` says so: "read", or "to write" for import).

    A mistyped path, ``/**``, ``../**`` or a file outside the command's PATHS would otherwise
    select nothing and make a plan of nothing, exit 0. Each message names the nearest file
    when one is close, and says so when an unclosed ``[`` is what made the glob literal.
    """
    sources = [t.source for t in targets]
    messages = []
    for s in selectors:
        if s.kind != "file" or any(s.matches(t) for t in targets):
            continue
        written = s.value.removesuffix("/**") if s.value.endswith("/**") else s.value
        hint = suggest(written, sources)
        nearest = f"did you mean {hint}? " if hint else ""
        bracket = (
            " (an unclosed [ is read as a plain character)"
            if "[" in s.value and "]" not in s.value.partition("[")[2]
            else ""
        )
        among = f"the {len(sources)} files {what}" if sources else f"the files {what} (none)"
        messages.append(
            f"{s.option} {s}: matches none of {among}{bracket}; {nearest}file globs are "
            "relative to the current directory and select only files under the PATHS given"
        )
    return messages
