"""`open_client`: the sandbox (in-process simulator) and the real-API configuration."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from reconciler.errors import AuthenticationError, ConfigError
from reconciler.model import CATEGORIES
from reconciler.sendcloud.connect import SANDBOX_BASE_URL, open_client
from reconciler.sendcloud.options import GlobalOptions
from tests.sendcloud.support import IID


async def test_sandbox_persists_to_its_state_file(tmp_path: Path) -> None:
    state = tmp_path / "deep" / "er" / "sandbox.json"
    options = GlobalOptions(sandbox=True, sandbox_state=state, writes_per_minute=6000)
    async with open_client(options, {}) as client:
        assert client.base_url == SANDBOX_BASE_URL
        await client.post_statuses(IID, {"1": {"en-gb": "Paid"}})
        await client.post_mapping(IID, dict.fromkeys(CATEGORIES, "1"))
    saved = json.loads(state.read_text())
    assert saved["integrations"][str(IID)]["mapping"]["CANCEL"] == "1"
    async with open_client(options, {}) as client:  # a new process would see the same
        assert [s.external_id for s in await client.get_statuses(IID)] == ["1"]


async def test_sandbox_uses_the_environments_key_pair_when_set(tmp_path: Path) -> None:
    options = GlobalOptions(sandbox=True, sandbox_state=tmp_path / "s.json")
    env = {"SENDCLOUD_PUBLIC_KEY": "mine", "SENDCLOUD_SECRET_KEY": "also-mine"}
    async with open_client(options, env) as client:
        assert client.public_key == "mine"
        assert await client.get_statuses(IID) == []


def test_corrupt_sandbox_state_is_a_config_error(tmp_path: Path) -> None:
    state = tmp_path / "sandbox.json"
    state.write_text("{not json")
    with pytest.raises(ConfigError, match="sandbox state"):
        open_client(GlobalOptions(sandbox=True, sandbox_state=state), {})


async def test_real_mode_needs_the_key_pair_the_server_accepts(
    simulator_server: object,
) -> None:
    from tests.support.simulator import BackgroundServer

    assert isinstance(simulator_server, BackgroundServer)
    options = GlobalOptions(api_url=simulator_server.base_url)
    env = {"SENDCLOUD_PUBLIC_KEY": "someone", "SENDCLOUD_SECRET_KEY": "else"}
    async with open_client(options, env) as client:
        with pytest.raises(AuthenticationError):
            await client.get_statuses(IID)


def test_importing_connect_does_not_import_the_simulator() -> None:
    code = (
        "import sys, reconciler.sendcloud.connect; "
        "print(any(m.startswith(('reconciler.simulator.simulator', 'starlette')) "
        "for m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
