"""The project file (``reconciler.yaml``) and the settings it shares with desired-state files.

Pure values, no I/O and no YAML: `reconciler.config.project` reads the file into these models,
and the core (`reconciler.plan`) receives the effective `Safety` and unmanaged patterns of each
integration as plain values. ``schemas/project.schema.json`` is generated from `ProjectFile`.

Settings resolve from the general to the particular, later wins::

    built-in defaults < project ``defaults`` < the integration's account < its bases < its file

``unmanaged`` patterns accumulate instead (a status left alone anywhere is left alone).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Final, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from reconciler.globs import glob_match, problem

PROJECT_FILE_NAMES: Final = ("reconciler.yaml", "reconciler.yml")

# The delete threshold as it was before it became configurable: a plan deleting more than 30 %
# of an integration's live statuses (from 4 of them), or all of them, is unsafe.
DEFAULT_MAX_DELETE_SHARE: Final = 0.30
DEFAULT_MIN_LIVE_STATUSES: Final = 4


@dataclass(frozen=True)
class Safety:
    """Effective thresholds for one integration (shares are fractions, 0.3 = 30 %).

    ``max_integration_share`` applies to a whole plan (per account): the share of integrations
    one plan may change before it is unsafe. ``None``: no limit.
    """

    max_delete_share: float = DEFAULT_MAX_DELETE_SHARE
    min_live_statuses: int = DEFAULT_MIN_LIVE_STATUSES
    max_integration_share: float | None = None

    def overlaid(self, settings: FileSafetySettings | None) -> Safety:
        """These thresholds with the keys ``settings`` writes (and only those) replaced."""
        if settings is None:
            return self
        given = {name: getattr(settings, name) for name in settings.model_fields_set}
        return Safety(**{**self.__dict__, **given})


@dataclass(frozen=True, order=True)
class Origin:
    """Where a resolved value was written: file as shown to the user, 1-based line and column."""

    path: str
    line: int
    col: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


Share = Annotated[float, Field(ge=0, le=1)]
Pattern = Annotated[
    str,
    StringConstraints(min_length=1),
    Field(description="An external_id, or a glob over external ids (`*`, `?`, `[...]`)."),
]
Label = Annotated[str, StringConstraints(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]


def _relative_glob(pattern: str) -> str:
    why = problem(pattern)
    if why is not None:
        raise ValueError(f"the glob {pattern!r} {why}")
    return pattern


PathGlob = Annotated[
    str,
    StringConstraints(min_length=1),
    AfterValidator(_relative_glob),
    Field(
        description="A file glob relative to the project file's directory: `*` within a "
        "directory, `**` zero or more directories, a directory means every file below it."
    ),
]
EnvName = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$"),
    Field(description="The NAME of an environment variable (never the credential itself)."),
]

_STRICT = ConfigDict(extra="forbid", frozen=True)


class FileSafetySettings(BaseModel):
    """Thresholds as a desired-state file or base writes them; a key left out is inherited."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="Safety thresholds (file)")

    max_delete_share: Share = Field(
        default=DEFAULT_MAX_DELETE_SHARE,
        description="Share (0..1) of an integration's live statuses one plan may delete.",
    )
    min_live_statuses: int = Field(
        default=DEFAULT_MIN_LIVE_STATUSES,
        ge=0,
        strict=True,
        description="The share rule applies from this many live statuses (deleting all of "
        "them is always unsafe).",
    )


class SafetySettings(FileSafetySettings):
    """Thresholds in the project file (defaults or an account), with the plan-wide one."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="Safety thresholds")

    max_integration_share: Share | None = Field(
        default=None,
        description="Share (0..1) of an account's integrations one plan may change before it "
        "is unsafe; null: no limit.",
    )


class Account(BaseModel):
    """One Sendcloud account: which files belong to it and where its credentials are."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="Sendcloud account")

    paths: list[PathGlob] = Field(
        default_factory=list,
        description="Globs of desired-state files, relative to the project file's directory "
        "(`integrations/nl/**`, `integrations/nl/`).",
    )
    labels: list[Label] = Field(
        default_factory=list, description="Files carrying any of these labels belong here too."
    )
    auth: Literal["basic", "oauth2"] = Field(
        default="basic",
        description="basic: HTTP Basic with the key pair on every request; oauth2: OAuth2 "
        "client credentials with the same pair (tokens from `token_url`).",
    )
    public_key_env: EnvName = Field(description="Variable holding the public key (client id).")
    secret_key_env: EnvName = Field(description="Variable holding the secret key.")
    api_url: str | None = Field(default=None, description="API base URL for this account.")
    token_url: str | None = Field(
        default=None,
        min_length=1,
        description="OAuth2 token endpoint of this account (auth: oauth2 only); default: "
        "SENDCLOUD_TOKEN_URL when set, else Sendcloud's (https://account.sendcloud.com/oauth2/"
        "token). Like api_url: https://, or http:// to a loopback host.",
    )
    safety: SafetySettings | None = None
    unmanaged: list[Pattern] = Field(default_factory=list)

    @model_validator(mode="after")
    def _token_url_needs_oauth2(self) -> Account:
        # Under Basic there is no token to ask for: a token_url there is a mistake (most likely
        # a forgotten `auth: oauth2`), never silently ignored.
        if self.token_url is not None and self.auth != "oauth2":
            raise ValueError(
                "token_url is the OAuth2 token endpoint, but this account's auth is basic; "
                "add `auth: oauth2` or remove token_url"
            )
        return self


class Defaults(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, title="Project defaults")

    safety: SafetySettings | None = None
    unmanaged: list[Pattern] = Field(
        default_factory=list,
        description="Live statuses to leave alone (carried over unchanged) in every integration.",
    )


def _project_schema_extra(schema: dict[str, Any]) -> None:
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://sendcloud-reconciler.invalid/schemas/project.schema.json"


AccountName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]


class ProjectFile(BaseModel):
    """``reconciler.yaml``: accounts, defaults and safety thresholds of a managed tree."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        title="reconciler project file",
        json_schema_extra=_project_schema_extra,
    )

    defaults: Defaults = Field(default_factory=Defaults)
    accounts: dict[AccountName, Account] = Field(default_factory=dict)
    unclaimed: Literal["error", "command-line"] = Field(
        default="error",
        description="A file no account claims, when accounts are defined: `error` (default) "
        "refuses it, so no shop is silently left out of a per-account job; `command-line` "
        "serves it with SENDCLOUD_PUBLIC_KEY / SENDCLOUD_SECRET_KEY, as without accounts "
        "(`matrix` then refuses: no account's job would serve it).",
    )
    policies: list[Any] = Field(
        default_factory=list,
        description="Rules the desired state must follow, checked by validate, plan and apply "
        "(each a `kind` with its parameters, `severity`, `message` and selectors `integrations`, "
        "`paths`, `accounts`, `labels`), or `include: FILE` naming a file with its own "
        "`policies` list. Read by reconciler.config.policies; see the README's Policies section.",
    )


class ClaimConflict(ValueError):
    """A file two or more accounts claim (by paths, labels, or both); the message says which
    and how to resolve it."""

    def __init__(self, project_path: str, claims: Sequence[tuple[str, str]]) -> None:
        self.claims = tuple(claims)
        listed = " and ".join(f"{name} ({how})" for name, how in claims)
        by_label = [name for name, how in claims if how.startswith("its label")]
        fix = (
            "remove the label from the file (or its base), or the account's label in "
            f"{project_path}"
            if by_label
            else f"narrow the accounts' paths in {project_path}"
        )
        super().__init__(
            f"this file is claimed by {len(claims)} accounts: {listed}; a file belongs to exactly "
            f"one account: {fix}"
        )


class Unclaimed(ValueError):
    """A file no account claims in a project that defines accounts (and `unclaimed: error`):
    every per-account job (``--only account:NAME``, ``matrix``) would leave it out."""

    def __init__(self, project_path: str, accounts: Sequence[str]) -> None:
        super().__init__(
            f"no account of {project_path} claims this file ({', '.join(accounts)}), so no "
            "per-account plan, apply or drift would include it: add its path to an account's "
            "`paths`, or give it (or a base it extends) one of an account's `labels`; or set "
            f"`unclaimed: command-line` in {project_path} to serve such files with "
            "SENDCLOUD_PUBLIC_KEY / SENDCLOUD_SECRET_KEY"
        )


@dataclass(frozen=True)
class Project:
    """A loaded project file: the model plus where it is (paths resolve against ``root``).

    ``path`` is the file as it is shown to the user (``fleet/reconciler.yaml``); ``root`` its
    directory. Without a project file, `Project.none()` gives today's behaviour: no accounts,
    built-in thresholds, nothing unmanaged.
    """

    path: str | None
    root: str
    model: ProjectFile

    @classmethod
    def none(cls) -> Project:
        return cls(None, ".", ProjectFile())

    @property
    def defaults(self) -> Safety:
        return Safety().overlaid(self.model.defaults.safety)

    def claims(self, path: str, labels: Iterable[str] = ()) -> list[tuple[str, str]]:
        """Every account claiming a file, with how: ``[("agency-nl", "paths 'nl/**'")]``.

        ``path`` is relative to ``root`` with ``/`` separators; ``labels`` are the file's own and
        its bases'. An account claims by its first matching glob, else its labels.
        """
        found: list[tuple[str, str]] = []
        label_set = set(labels)
        for name, account in self.model.accounts.items():
            glob = next((g for g in account.paths if glob_match(g, path)), None)
            matched = [label for label in account.labels if label in label_set]
            if glob is not None:
                found.append((name, f"its paths {glob!r}"))
            elif matched:
                found.append((name, f"its label{'s' if len(matched) > 1 else ''} "
                                    + ", ".join(repr(m) for m in matched)))  # fmt: skip
        return found

    def account_for(self, path: str, labels: Iterable[str] = ()) -> str | None:
        """The account a file belongs to: the one whose paths or labels match.

        None: no account matches (the command line's credentials serve it, as without a project
        file): without accounts, or with ``unclaimed: command-line``; otherwise raises
        `Unclaimed`. Raises `ClaimConflict` when several match: which one wins must not depend
        on the order the accounts are written in.
        """
        found = self.claims(path, labels)
        if len(found) > 1:
            raise ClaimConflict(self.path or "the project file", found)
        if not found and self.model.accounts and self.model.unclaimed == "error":
            raise Unclaimed(self.path or "the project file", sorted(self.model.accounts))
        return found[0][0] if found else None

    def safety_for(self, account: str | None) -> Safety:
        """Built-in < defaults < account; a file's own settings go on top (`Safety.overlaid`)."""
        safety = self.defaults
        if account is not None and account in self.model.accounts:
            safety = safety.overlaid(self.model.accounts[account].safety)
        return safety

    def unmanaged_for(self, account: str | None) -> tuple[str, ...]:
        patterns = list(self.model.defaults.unmanaged)
        if account is not None and account in self.model.accounts:
            patterns += self.model.accounts[account].unmanaged
        return tuple(dict.fromkeys(patterns))


def is_unmanaged(external_id: str, patterns: Iterable[str]) -> bool:
    """Whether a status id is left alone: equal to a pattern, or matching it as a glob."""
    return any(
        external_id == pattern or fnmatch.fnmatchcase(external_id, pattern) for pattern in patterns
    )
