"""``apply --plan FILE --check-files PATHS`` compares like with like: the files planned again
against the live state the plan recorded must give the reviewed plan. Statuses carried over as
unmanaged are part of the plan, never of the files, so they never void it; what the files now
leave alone, the account they belong to and their thresholds are compared too."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.simulator.simulator import Simulator
from tests.apply.support import Cli, live_statuses, seed, write_file

PAID = {"en-gb": "Paid"}
SHIPPED = {"en-gb": "Shipped"}
MODULE = {"en-gb": "Paid by module"}
PROJECT_UNMANAGED = 'defaults:\n  unmanaged: ["module-*"]\n'


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository (the project file is looked for up to its root) with ``shops/``."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "shops").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _where_unmanaged(repo: Path, where: str) -> Path:
    """Integration 41's file renaming "1", with ``module-*`` left alone by ``where``."""
    path = write_file(repo / "shops", 41, statuses={"1": {"en-gb": "Paid!"}, "2": SHIPPED})
    text = path.read_text(encoding="utf-8")
    if where == "project file":
        (repo / "reconciler.yaml").write_text(PROJECT_UNMANAGED, encoding="utf-8")
    elif where == "file":
        path.write_text(text + 'unmanaged: ["module-*"]\n', encoding="utf-8")
    else:  # a base the file extends
        (repo / "bases").mkdir()
        (repo / "bases" / "shop.yaml").write_text(
            'unmanaged: ["module-*"]\nstatuses:\n  "2": {en-gb: Shipped}\n', encoding="utf-8"
        )
        text = text.replace('  "2":\n    en-gb: "Shipped"\n', "")
        path.write_text(text + "extends: ../bases/shop.yaml\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("where", ["project file", "file", "base"])
def test_a_plan_carrying_an_unmanaged_status_is_applied_after_the_check(
    cli: Cli, sim: Simulator, repo: Path, where: str
) -> None:
    seed(sim, {41: ({"1": PAID, "2": SHIPPED, "module-pay": MODULE}, {"READY_TO_SEND": "1"})})
    _where_unmanaged(repo, where)
    planned = cli("plan", "shops", "--out", "plan.json")
    assert planned.code == 0, planned.err
    assert 'unmanaged, kept as they are: "module-pay"' in planned.out

    applied = cli("apply", "--plan", "plan.json", "--check-files", "shops", "--auto-approve")

    assert applied.code == 0, applied.err
    assert "not the ones the plan" not in applied.err
    assert "Apply complete: 1 applied, 0 in sync, 0 failed (1 write)." in applied.err
    assert live_statuses(sim, 41) == {"1": {"en-gb": "Paid!"}, "2": SHIPPED, "module-pay": MODULE}


def test_a_plan_with_nothing_to_do_but_an_unmanaged_status_passes_the_check(
    cli: Cli, sim: Simulator, repo: Path
) -> None:
    """The tester's case: a shop module added a status; the next merge must still apply."""
    seed(sim, {41: ({"1": PAID, "2": SHIPPED, "module-pay": MODULE}, {"READY_TO_SEND": "1"})})
    (repo / "reconciler.yaml").write_text(PROJECT_UNMANAGED, encoding="utf-8")
    write_file(repo / "shops", 41, statuses={"1": PAID, "2": SHIPPED})
    assert cli("plan", "shops", "--out", "plan.json").code == 0

    applied = cli("apply", "--plan", "plan.json", "--check-files", "shops", "--auto-approve")

    assert applied.code == 0, applied.err
    assert applied.err == ""


def test_an_unmanaged_pattern_dropped_since_the_plan_voids_it(
    cli: Cli, sim: Simulator, repo: Path
) -> None:
    """Same file, but the files would now delete module-pay: not the plan that was reviewed."""
    seed(sim, {41: ({"1": PAID, "2": SHIPPED, "module-pay": MODULE}, {"READY_TO_SEND": "1"})})
    _where_unmanaged(repo, "project file")
    assert cli("plan", "shops", "--out", "plan.json").code == 0
    (repo / "reconciler.yaml").write_text("defaults:\n  unmanaged: []\n", encoding="utf-8")

    applied = cli("apply", "--plan", "plan.json", "--check-files", "shops", "--auto-approve")

    assert applied.code == 1
    assert (
        "integration 41 (shops/integration-41.yaml) leaves other live statuses alone "
        '(unmanaged) than the plan did: the plan kept "module-pay", the files now keep none'
    ) in applied.err
    assert live_statuses(sim, 41)["1"] == PAID  # nothing applied


def test_an_unmanaged_pattern_matching_nothing_live_does_not_void_the_plan(
    cli: Cli, sim: Simulator, repo: Path
) -> None:
    seed(sim, {41: ({"1": PAID, "2": SHIPPED, "module-pay": MODULE}, {"READY_TO_SEND": "1"})})
    _where_unmanaged(repo, "project file")
    assert cli("plan", "shops", "--out", "plan.json").code == 0
    (repo / "reconciler.yaml").write_text(
        'defaults:\n  unmanaged: ["module-*", "other-*"]\n', encoding="utf-8"
    )

    applied = cli("apply", "--plan", "plan.json", "--check-files", "shops", "--auto-approve")

    assert applied.code == 0, applied.err


ACCOUNTS = """\
accounts:
  shop-a:
    paths: ["{a}"]
    public_key_env: A_PUBLIC
    secret_key_env: A_SECRET
  shop-b:
    paths: ["{b}"]
    public_key_env: B_PUBLIC
    secret_key_env: B_SECRET
"""


def test_a_file_moved_to_another_account_voids_the_plan(
    cli: Cli,
    sim: Simulator,
    repo: Path,
    monkeypatch: pytest.MonkeyPatch,
    credentials: tuple[str, str],
) -> None:
    for name in ("A", "B"):
        monkeypatch.setenv(f"{name}_PUBLIC", credentials[0])
        monkeypatch.setenv(f"{name}_SECRET", credentials[1])
    seed(sim, {41: ({"1": PAID, "2": SHIPPED}, {"READY_TO_SEND": "1"})})
    project = repo / "reconciler.yaml"
    project.write_text(ACCOUNTS.format(a="shops/**", b="other/**"), encoding="utf-8")
    write_file(repo / "shops", 41, statuses={"1": {"en-gb": "Paid!"}, "2": SHIPPED})
    assert cli("plan", "shops", "--out", "plan.json").code == 0
    project.write_text(ACCOUNTS.format(a="other/**", b="shops/**"), encoding="utf-8")

    applied = cli("apply", "--plan", "plan.json", "--check-files", "shops", "--auto-approve")

    assert applied.code == 1
    assert (
        "integration 41 (shops/integration-41.yaml) belongs to account shop-b now, but the "
        "plan applies it as account shop-a"
    ) in applied.err
    assert live_statuses(sim, 41)["1"] == PAID


def test_changed_safety_thresholds_void_the_plan(cli: Cli, sim: Simulator, repo: Path) -> None:
    seed(sim, {41: ({"1": PAID, "2": SHIPPED}, {"READY_TO_SEND": "1"})})
    write_file(repo / "shops", 41, statuses={"1": {"en-gb": "Paid!"}, "2": SHIPPED})
    assert cli("plan", "shops", "--out", "plan.json").code == 0
    (repo / "reconciler.yaml").write_text(
        "defaults:\n  safety: {max_delete_share: 0.9}\n", encoding="utf-8"
    )

    applied = cli("apply", "--plan", "plan.json", "--check-files", "shops", "--auto-approve")

    assert applied.code == 1
    assert "has other safety thresholds now than the plan was judged by" in applied.err


def test_a_carried_status_whose_id_looks_like_a_glob_carries_itself_only(
    cli: Cli, sim: Simulator, repo: Path
) -> None:
    """The plan file records the carried ids; read back they match themselves, not as globs."""
    live = {"1": PAID, "mod*": MODULE, "modxyz": MODULE}
    seed(sim, {41: (live, {"READY_TO_SEND": "1"})})
    (repo / "reconciler.yaml").write_text('defaults:\n  unmanaged: ["mod?"]\n', encoding="utf-8")
    write_file(repo / "shops", 41, statuses={"1": PAID})
    planned = cli("plan", "shops", "--out", "plan.json")
    assert '- status "modxyz"' in planned.out

    applied = cli("apply", "--plan", "plan.json", "--check-files", "shops", "--auto-approve")

    assert applied.code == 0, applied.err
    assert live_statuses(sim, 41) == {"1": PAID, "mod*": MODULE}
