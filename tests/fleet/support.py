"""Helpers for the fleet tests: a project with two accounts, shop files, the CLI, the logs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from reconciler.cli import main
from reconciler.simulator.requestlog import LogEntry
from tests.commands.simstate import integration
from tests.support.simulator import BackgroundServer

NL_KEYS = ("nl-public", "nl-s3cr3t-DO-NOT-LEAK-41")
BE_KEYS = ("be-public", "be-s3cr3t-DO-NOT-LEAK-97")
SECRETS = (NL_KEYS[1], BE_KEYS[1])
FAST = ("--reads-per-minute", "60000", "--writes-per-minute", "900")

PROJECT = """\
defaults:
  safety: {{max_delete_share: 0.3, min_live_statuses: 4}}
accounts:
  agency-nl:
    paths: ["integrations/nl/**"]
    public_key_env: NL_SENDCLOUD_PUBLIC_KEY
    secret_key_env: NL_SENDCLOUD_SECRET_KEY
    api_url: {nl_url}
  agency-be:
    paths: ["integrations/be/**"]
    labels: [be]
    public_key_env: BE_SENDCLOUD_PUBLIC_KEY
    secret_key_env: BE_SENDCLOUD_SECRET_KEY
    api_url: {be_url}
"""

SHOP = """\
integration_id: {id}
{labels}statuses:
  "1": {{en-gb: Awaiting payment}}
  "2": {{en-gb: {paid}}}
mapping:
  READY_TO_SEND: "2"
  IN_TRANSIT: null
  DELIVERED: null
  CANCEL: null
"""


@dataclass
class Fleet:
    root: Path
    nl: BackgroundServer
    be: BackgroundServer
    capsys: pytest.CaptureFixture[str]

    def write_project(self, text: str | None = None) -> None:
        project = text or PROJECT.format(nl_url=self.nl.base_url, be_url=self.be.base_url)
        (self.root / "reconciler.yaml").write_text(project, encoding="utf-8")

    def shop(
        self, country: str, integration_id: int, *, paid: str = "Paid", labels: str = ""
    ) -> Path:
        path = self.root / "integrations" / country / f"{integration_id}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        label_line = f"labels: [{labels}]\n" if labels else ""
        path.write_text(SHOP.format(id=integration_id, paid=paid, labels=label_line), "utf-8")
        return path

    def seed(self, server: BackgroundServer, ids: list[int], *, paid: str = "Paid") -> None:
        """Give these integrations the shop file's statuses and mapping live."""
        state = {
            str(i): integration(
                {"1": {"en-gb": "Awaiting payment"}, "2": {"en-gb": paid}},
                {"READY_TO_SEND": "2"},
            )
            for i in ids
        }
        server.simulator.replace_state({"integrations": state})

    def run(self, *args: str) -> tuple[int, str, str]:
        """Run the CLI; (exit code, stdout, stderr), checked for leaked secrets."""
        self.capsys.readouterr()
        code = main([*FAST, *args])
        out, err = self.capsys.readouterr()
        for secret in SECRETS:
            assert secret not in out + err
        return code, out, err


def reads(server: BackgroundServer) -> list[LogEntry]:
    return [e for e in server.simulator.log.entries() if e.method == "GET"]


def ids_seen(server: BackgroundServer) -> set[int]:
    return {e.integration_id for e in server.simulator.log.entries() if e.integration_id}
