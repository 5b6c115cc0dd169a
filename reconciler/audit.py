"""Who, what and where an apply ran: the audit fields every journal record carries.

``apply_id`` is new for each run of ``apply`` (so the records of one run can be told from the
next run's in the same file), ``tool_version`` is this package's version, and inside GitHub
Actions ``github`` names the repository, commit, actor and run URL. Only those named variables
are read: never a token, a key or any other part of the environment.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field

from reconciler import __version__

# GitHub's default variables that say where a run comes from; none of them is a secret.
_GITHUB_FIELDS = {
    "repository": "GITHUB_REPOSITORY",
    "commit": "GITHUB_SHA",
    "ref": "GITHUB_REF",
    "actor": "GITHUB_ACTOR",
    "workflow": "GITHUB_WORKFLOW",
}


@dataclass(frozen=True)
class Audit:
    """The audit fields of one apply run, as journaled: ``{"apply_id", "tool_version",
    "github"?}`` where ``github`` is ``{"repository", "commit", "ref", "actor", "workflow",
    "run_url"}`` (each only when set)."""

    apply_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    tool_version: str = __version__
    github: Mapping[str, str] | None = None

    def fields(self) -> dict[str, object]:
        """The keys added to each journal record."""
        fields: dict[str, object] = {"apply_id": self.apply_id, "tool_version": self.tool_version}
        if self.github:
            fields["github"] = dict(self.github)
        return fields


def audit_from_env(env: Mapping[str, str]) -> Audit:
    """A new apply id; the GitHub fields when ``GITHUB_ACTIONS`` is ``true`` in ``env``."""
    if env.get("GITHUB_ACTIONS") != "true":
        return Audit()
    github = {key: env[name] for key, name in _GITHUB_FIELDS.items() if env.get(name)}
    server, repository, run = (
        env.get("GITHUB_SERVER_URL", "https://github.com"),
        env.get("GITHUB_REPOSITORY"),
        env.get("GITHUB_RUN_ID"),
    )
    if repository and run:
        url = f"{server.rstrip('/')}/{repository}/actions/runs/{run}"
        attempt = env.get("GITHUB_RUN_ATTEMPT")
        github["run_url"] = f"{url}/attempts/{attempt}" if attempt else url
    return Audit(github=github)
