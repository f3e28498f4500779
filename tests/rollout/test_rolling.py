"""`wardctl rollout --rolling` without a lab: a fake runner that takes time, so the window, the order, the
budget and Ctrl-C are seen with real threads and a real signal. The lab run is in test_rollout.py."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest
from test_engine import CITY, HOST_WARD, TOUCH, rollout, runs

from wardctl.record.store import HostCounts, Store, WaveOutcome
from wardctl.rollout import rolling, runner

RATES = {"long_son": 30.0, "phuong_11": 80.0, "phuong_12": 80.0}  # inventory/vungtau's routers below 100 Mbit/s


class SlowRunner:
    """Each playbook run takes `seconds[ward]` (default 0.2 s); counts how many run at once."""

    def __init__(self, seconds: dict[str, float] | None = None, fail: set[str] | None = None) -> None:
        self.seconds, self.fail = seconds or {}, fail or set()
        self.lock = threading.Lock()
        self.running = self.most = 0
        self.started: list[str] = []
        self.interrupt_at: str | None = None
        self.crash_at: str | None = None
        self.cancelled: list[str] = []

    def __call__(self, spec: runner.PlaybookRun, private_dir: Path, **kw: object) -> WaveOutcome:
        with self.lock:
            self.started.append(",".join(spec.limit))
            self.running += 1
            self.most = max(self.most, self.running)
        try:
            cancelled = kw["cancelled"]
            assert callable(cancelled)
            if spec.limit == [self.interrupt_at]:
                os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C, handled in the main thread
            if spec.limit == [self.crash_at]:
                raise RuntimeError("runner broke")
            deadline = time.monotonic() + max(self.seconds.get(w, 0.2) for w in spec.limit)
            while time.monotonic() < deadline:
                if cancelled():
                    self.cancelled.append(",".join(spec.limit))
                    return WaveOutcome(cancelled=True)
                time.sleep(0.01)
            out = WaveOutcome()
            for host, ward in HOST_WARD.items():
                if ward in spec.limit:
                    out.hosts[host] = HostCounts(ok=1, changed=1, failed=int(ward in self.fail))
            return out
        finally:
            with self.lock:
                self.running -= 1


@pytest.fixture
def slow(monkeypatch: pytest.MonkeyPatch) -> SlowRunner:
    fake = SlowRunner()
    monkeypatch.setattr(runner, "run", fake)
    return fake


def started(out: str) -> list[str]:
    """Wards in the order the rollout started them (its progress lines, printed by the main thread)."""
    return [line.split()[1] for line in out.splitlines() if line.endswith(": running")]


def statuses(record: Path) -> dict[str, str]:
    return {w["ward"]: w["status"] for w in Store(record / "runs.db").wards(runs(record)[0]["run_id"])}


def test_longest_expected_ward_first_then_inventory_order():
    wards = ["phuong_1", "long_son", "phuong_11", "city_hall", "phuong_12"]
    one_room = dict.fromkeys(wards, 1)
    # City hall's machines outweigh a slow line; among one-room wards, the slowest contracted line first.
    assert rolling.longest_first(wards, one_room | {"city_hall": 14}, RATES | {"phuong_1": 100.0}) == [
        "city_hall", "long_son", "phuong_11", "phuong_12", "phuong_1"]  # fmt: skip
    # Machines being equal, the line decides: city hall (no router here, no contracted rate) counts as on the
    # fastest known line, so it keeps its place among the fastest, not the end.
    assert rolling.longest_first(["city_hall", "phuong_1", "long_son"], one_room, RATES | {"phuong_1": 100.0}) == [
        "long_son", "city_hall", "phuong_1"]  # fmt: skip
    # A very slow line outweighs machines: one room on 2 Mbit/s before three rooms on 100 Mbit/s, but not
    # before five.
    rates = {"phuong_2": 2.0, "phuong_3": 100.0}
    assert rolling.longest_first(["phuong_3", "phuong_2"], {"phuong_2": 1, "phuong_3": 3}, rates) == [
        "phuong_2", "phuong_3"]  # fmt: skip
    assert rolling.longest_first(["phuong_2", "phuong_3"], {"phuong_2": 1, "phuong_3": 5}, rates) == [
        "phuong_3", "phuong_2"]  # fmt: skip
    # Nothing known: the order given. A ward of a router alone counts as one machine, not none.
    assert rolling.longest_first(["city_hall", "phuong_2"], {}, {}) == ["city_hall", "phuong_2"]
    assert rolling.longest_first(["phuong_2", "long_son"], {"phuong_2": 1}, RATES | {"phuong_2": 100.0}) == [
        "long_son", "phuong_2"]  # fmt: skip


def test_after_the_canary_a_window_of_the_wave_size_longest_first(state, slow, capsys):
    code, _ = rollout(capsys, "-i", str(CITY), "--all", "--canary", "phuong_1", "--wave-size", "3", "--rolling",
                      "--playbook", str(TOUCH))  # fmt: skip
    assert code == 0
    out = capsys.readouterr().out
    assert slow.started[0] == "phuong_1"  # the canary alone, and done before anything else started
    # Then city hall (14 machines), then the slowest lines.
    assert started(out)[:5] == ["phuong_1", "city_hall", "long_son", "phuong_11", "phuong_12"]
    assert len(slow.started) == 18 and all("," not in s for s in slow.started)  # one ward per playbook run
    assert slow.most == 3  # the window is full, never more
    assert set(statuses(state).values()) == {"done"}
    assert "rolling, up to 3 wards at once, longest expected first: city_hall, long_son, phuong_11, phuong_12," in out


def test_a_slow_ward_does_not_hold_the_others(state, slow, capsys):
    """In waves of 2, phuong_3 would wait for long_son (1.5 s); in the window it starts when phuong_2 is done."""
    slow.seconds = {"long_son": 1.5}
    code, _ = rollout(capsys, "-i", str(CITY), "--wards", "phuong_5,long_son,phuong_2,phuong_3,phuong_4",
                      "--canary", "phuong_5", "--wave-size", "2", "--rolling", "--playbook", str(TOUCH))  # fmt: skip
    assert code == 0
    out = capsys.readouterr().out
    assert started(out) == ["phuong_5", "long_son", "phuong_2", "phuong_3", "phuong_4"]
    done = [line.split()[1] for line in out.splitlines() if line.endswith(": done")]
    assert done == ["phuong_5", "phuong_2", "phuong_3", "phuong_4", "long_son"]  # the slow ward last, alone


def test_once_failures_exceed_the_budget_no_ward_starts_and_those_running_finish(state, slow, capsys):
    slow.fail, slow.seconds = {"city_hall"}, {"long_son": 1.0}
    code, _ = rollout(capsys, "-i", str(CITY), "--all", "--canary", "phuong_1", "--wave-size", "2", "--rolling",
                      "--playbook", str(TOUCH))  # fmt: skip
    assert code == 1
    out = capsys.readouterr().out
    # city_hall failed while long_son was still running: nothing more started, long_son finished.
    assert sorted(slow.started) == ["city_hall", "long_son", "phuong_1"] and slow.started[0] == "phuong_1"
    got = statuses(state)
    assert got["city_hall"] == "failed" and got["long_son"] == "done" and got["phuong_1"] == "done"
    assert {w for w, s in got.items() if s == "pending"} == set(HOST_WARD.values()) - {"phuong_1", "long_son",
                                                                                      "city_hall"}  # fmt: skip
    assert out.count("stopping before phuong_11: 1 failed ward(s) exceed the budget of 0") == 1


def test_ctrl_c_cancels_every_ward_in_flight_and_the_run_resumes(state, slow, capsys):
    slow.interrupt_at, slow.seconds = "long_son", {"city_hall": 5.0, "long_son": 5.0}
    code, _ = rollout(capsys, "-i", str(CITY), "--all", "--canary", "phuong_1", "--wave-size", "2", "--rolling",
                      "--playbook", str(TOUCH))  # fmt: skip
    assert code == 130
    # Both in flight were cancelled; none started after.
    assert sorted(slow.started) == ["city_hall", "long_son", "phuong_1"] and slow.started[0] == "phuong_1"
    got = statuses(state)
    assert got["phuong_1"] == "done" and got["city_hall"] == "pending" and got["long_son"] == "pending"
    run_id = runs(state)[0]["run_id"]
    assert runs(state)[0]["status"] == "interrupted"
    capsys.readouterr()
    slow.interrupt_at, slow.seconds, slow.started = None, {}, []
    assert rollout(capsys, "--resume", run_id, "--rolling")[0] == 0
    assert "phuong_1" not in slow.started and started(capsys.readouterr().out)[:2] == ["city_hall", "long_son"]
    assert set(statuses(state).values()) == {"done"}


def test_a_worker_that_breaks_cancels_the_wards_in_flight_and_says_so_in_one_line(state, slow, capsys):
    slow.crash_at, slow.seconds = "long_son", {"city_hall": 20.0}
    code, err = rollout(capsys, "-i", str(CITY), "--all", "--canary", "phuong_1", "--wave-size", "2", "--rolling",
                        "--playbook", str(TOUCH))  # fmt: skip
    assert code == 1 and "runner broke" in err and len(err.strip().splitlines()) == 1
    assert slow.cancelled == ["city_hall"]  # cancelled, not left to run its 20 s
    assert statuses(state)["city_hall"] == "running"  # as a killed rollout leaves it: --resume retries it
