"""import and adopt write only to the path named, only over a writable regular file, and only
over the bytes they read."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from reconciler.cli import main
from reconciler.simulator.faults import Fault
from tests.commands.simstate import integration, seed
from tests.support.simulator import BackgroundServer


@pytest.fixture
def api(live_api: BackgroundServer) -> BackgroundServer:
    seed(
        live_api,
        {
            21: integration({"1": {"en-gb": "Open 21"}}, {"READY_TO_SEND": "1"}),
            22: integration({"1": {"en-gb": "Open 22"}}, {}),
        },
    )
    Path("integrations").mkdir()
    return live_api


def reconciler(api: BackgroundServer, *args: str) -> int:
    return main(["--api-url", api.base_url, *args])


def test_import_overwrite_replaces_a_link_not_its_target(
    api: BackgroundServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me\n")
    link = Path("integrations", "21.yaml")
    link.symlink_to(outside)

    assert reconciler(api, "import", "21", "--dir", "integrations", "--overwrite") == 0

    assert outside.read_text() == "keep me\n"
    assert not link.is_symlink()
    assert "Open 21" in link.read_text()
    assert capsys.readouterr().out.startswith("Wrote integrations/21.yaml:")


def test_import_overwrite_refuses_a_read_only_file(
    api: BackgroundServer, capsys: pytest.CaptureFixture[str]
) -> None:
    path = Path("integrations", "21.yaml")
    path.write_text("integration_id: 21\n")
    path.chmod(0o444)

    assert reconciler(api, "import", "21", "22", "--dir", "integrations", "--overwrite") == 1

    assert path.read_text() == "integration_id: 21\n"
    out = capsys.readouterr()
    assert "Error: integrations/21.yaml: not written: the file is read-only" in out.err
    assert out.out.endswith("Imported 1 of 2 integrations; 1 failed.\n")


def test_adopt_refuses_a_read_only_file(
    api: BackgroundServer, capsys: pytest.CaptureFixture[str]
) -> None:
    path = Path("integrations", "21.yaml")
    path.write_text("integration_id: 21\nstatuses: {}\n")
    path.chmod(0o444)

    assert reconciler(api, "adopt", "integrations") == 1

    assert path.read_text() == "integration_id: 21\nstatuses: {}\n"
    out = capsys.readouterr()
    assert "Error: integrations/21.yaml: not written: the file is read-only" in out.err
    assert out.out.endswith("Adopted 0 files from Sendcloud; 0 already in sync; 1 failed.\n")


def test_adopt_refuses_a_file_edited_while_it_ran(
    api: BackgroundServer, capsys: pytest.CaptureFixture[str]
) -> None:
    path = Path("integrations", "shop.yaml")
    path.write_text("integration_id: 21\nstatuses: {}\n")
    edited = "integration_id: 22\nstatuses: {}\n"
    # Sendcloud answers slowly; meanwhile someone changes which integration the file describes.
    api.simulator.inject(Fault("GET /shop-order-statuses", action="delay", delay=0.5))

    def edit_during_the_read() -> None:
        for _ in range(500):
            if api.in_flight:
                path.write_text(edited)
                return
            time.sleep(0.002)

    editor = threading.Thread(target=edit_during_the_read)
    editor.start()
    code = reconciler(api, "adopt", "integrations")
    editor.join()

    assert code == 1
    assert path.read_text() == edited  # integration 21's statuses not written under id 22
    out = capsys.readouterr()
    assert "Error: integrations/shop.yaml: not written: the file was edited while adopt ran" in (
        out.err
    )
    assert out.out.endswith("Adopted 0 files from Sendcloud; 0 already in sync; 1 failed.\n")
