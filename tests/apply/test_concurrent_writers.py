"""Another writer changes the integration while apply is between two of its writes."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from reconciler.simulator.faults import Fault
from reconciler.simulator.simulator import Simulator
from tests.apply.support import Cli, live_mapping, live_statuses, seed, write_file, write_paths

PAID = {"en-gb": "Paid"}
SENT = {"en-gb": "Sent"}


def _meanwhile_map_cancel_to(sim: Simulator, external_id: str) -> threading.Thread:
    """Once apply's first write has landed (its answer is slow), another writer remaps CANCEL."""

    def other_writer() -> None:
        for _ in range(2000):
            if "2" in live_statuses(sim, 11):
                state = sim.get_state()
                state["integrations"]["11"]["mapping"]["CANCEL"] = external_id
                sim.replace_state(state)
                return
            time.sleep(0.001)

    thread = threading.Thread(target=other_writer)
    thread.start()
    return thread


def test_a_change_between_two_writes_stops_the_integration_as_stale(
    cli: Cli, sim: Simulator, tmp_path: Path
) -> None:
    seed(sim, {11: ({"1": PAID}, {})})
    path = write_file(tmp_path, 11, statuses={"1": PAID, "2": SENT}, mapping={"IN_TRANSIT": "2"})
    sim.inject(Fault("POST /shop-order-statuses", action="delay", delay=0.3, after_commit=True))
    other = _meanwhile_map_cancel_to(sim, "1")

    run = cli("apply", path, "--auto-approve")
    other.join()

    assert run.code == 1
    assert "integration 11" in run.err
    assert "stale" in run.err
    assert (
        'live state changed during apply, after write 1 of 2 (mapping CANCEL was unmapped, now "1")'
        in run.err
    )
    # The mapping write was not sent: the other writer's CANCEL survives.
    assert write_paths(sim, 11) == ["/shop-order-statuses"]
    assert live_mapping(sim, 11)["CANCEL"] == "1"


def test_without_another_writer_every_write_is_sent(
    cli: Cli, sim: Simulator, tmp_path: Path
) -> None:
    seed(sim, {11: ({"1": PAID}, {})})
    path = write_file(tmp_path, 11, statuses={"1": PAID, "2": SENT}, mapping={"IN_TRANSIT": "2"})

    run = cli("apply", path, "--auto-approve")

    assert run.code == 0, run.err
    assert write_paths(sim, 11) == ["/shop-order-statuses", "/shop-order-statuses/mapping"]
    # Plan's two GETs, then apply's: two before the first write, two again before the
    # second (the re-read), two to verify.
    assert len([e for e in sim.log.entries() if e.method == "GET"]) == 2 + 6
