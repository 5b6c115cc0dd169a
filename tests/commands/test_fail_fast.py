"""Nothing listening at the API URL: `plan` names the URL after a few quick, announced tries."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.cli import main
from reconciler.sendcloud import client as client_module
from reconciler.sendcloud.pacing import RetryPolicy

FILE = 'integration_id: 5\nstatuses:\n  "1": {en-gb: New}\n'


@pytest.fixture
def nothing_listens(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("SENDCLOUD_PUBLIC_KEY", "public")
    monkeypatch.setenv("SENDCLOUD_SECRET_KEY", "secret")
    monkeypatch.chdir(tmp_path)
    # The real waits (about half a second, then one) scaled down; the attempt count is not.
    quick = RetryPolicy(initial=0.001, maximum=0.001, jitter=0.0)
    monkeypatch.setattr(client_module, "RetryPolicy", lambda: quick)
    (tmp_path / "integrations").mkdir()
    (tmp_path / "integrations" / "5.yaml").write_text(FILE)
    return tmp_path


def test_a_refused_connection_is_named_with_the_url(
    nothing_listens: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["plan", "--api-url", "http://127.0.0.1:9/api/v3", "integrations"]) == 1
    out, err = capsys.readouterr()
    # Named at the first failure, on stderr, while the tool waits to try again...
    assert err.startswith("could not connect to http://127.0.0.1:9/api/v3 (connection refused")
    # ...and in the plan's report of the integration it could not read.
    assert "could not connect to http://127.0.0.1:9/api/v3 (connection refused" in out
    assert "Check the API URL (from --api-url) and that the server is running" in out
    # Both reads (statuses and mapping) announce each retry, three attempts in all.
    assert err.count("attempt 2 of 3") == 2
    assert err.count("attempt 3 of 3") == 2
    assert "attempt 4" not in err
    assert "Sendcloud may be unavailable" not in out + err
    assert "Warning: the API URL" not in err


def test_an_api_url_without_the_documented_path_is_warned_about(
    nothing_listens: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["plan", "--api-url", "http://127.0.0.1:9", "integrations"]) == 1
    err = capsys.readouterr().err
    assert (
        "Warning: the API URL http://127.0.0.1:9 does not end in /api/v3, the path Sendcloud "
        "documents" in err
    )
