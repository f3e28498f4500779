"""`wardctl rollout --timings FILE`: each playbook run's task durations, and nothing that can carry a secret.

Unit tests feed events shaped as ansible-runner 2.4 emits them (recorded from a real run); one test runs the
real runner on localhost, one a real rollout against the lab.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from support import ROOT, TEST_LAB, VENV_BIN, lab_env, run

from wardctl import cli
from wardctl.errors import WardctlError
from wardctl.inventory.reader import read_inventory
from wardctl.record.store import HostCounts, WaveOutcome
from wardctl.rollout import runner
from wardctl.rollout.timings import TaskTimings, TimingsFile

SECRETS = ("Hunter2pass", "s3cretcomm", "tok-123456", "argsecret9")


def event(kind: str, task: str, host: str = "phuong_1-room", **data: Any) -> dict[str, Any]:
    """One event as ansible-runner 2.4 hands it to the event handler (keys from a recorded localhost run)."""
    event_data = {
        "playbook": "endpoints.yml", "play": "Meeting rooms", "play_pattern": "meeting_rooms", "task": task,
        "task_uuid": f"uuid-{task}", "task_action": "ansible.builtin.command", "task_args": "",
        "task_path": "/work/main/roles/x/tasks/main.yml:6", "host": host, "remote_addr": "10.120.0.10",
        "uuid": "d102c78c",
    }  # fmt: skip
    event_data.update(data)
    return {"uuid": "d102c78c", "counter": 5, "stdout": f"ok: [{host}]", "event": kind, "pid": 1,
            "created": "2026-12-02T05:16:22.333771+00:00", "event_data": event_data}  # fmt: skip


def final(kind: str, task: str, seconds: float | None, host: str = "phuong_1-room", **data: Any) -> dict[str, Any]:
    stamps = {"start": "2026-12-02T05:16:22.000000+00:00", "end": "2026-12-02T05:16:24.500000+00:00"}
    return event(kind, task, host, duration=seconds, event_loop=None, **(stamps | data))


def playbook_events() -> list[dict[str, Any]]:
    """Two hosts through a short play: a start and item events per task, then one final result per host."""
    out = []
    for host, scale in (("phuong_1-room", 1.0), ("phuong_2-room", 2.0)):
        out += [
            event("playbook_on_task_start", "Gathering Facts", host),
            event("runner_on_start", "Gathering Facts", host),
            final("runner_on_ok", "Gathering Facts", 1.5 * scale, host, res={"ansible_facts": {"x": 1}}),
            event("runner_on_start", "Install client", host, role="conference_client"),
            event("runner_item_on_ok", "Install client", host, role="conference_client", res={"changed": True}),
            final("runner_on_ok", "Install client", 4.0 * scale, host, role="conference_client",
                  res={"changed": host == "phuong_1-room"}),
            final("runner_on_skipped", "Only on Windows", 0.1, host),
            final("runner_on_failed", "Probe optional", 0.2, host, ignore_errors=True, res={"msg": "no"}),
        ]  # fmt: skip
    out.append(event("playbook_on_stats", "", "", ok={"phuong_1-room": 2}))
    return out


def test_one_entry_per_task_with_results_total_and_longest_host():
    timings = TaskTimings("apply", 1, "site.yml", ["phuong_1", "phuong_2"])
    for e in playbook_events():
        timings(e)
    tasks = timings.as_dict()["tasks"]
    assert list(tasks) == ["Gathering Facts", "conference_client : Install client", "Only on Windows",
                           "Probe optional"]  # fmt: skip
    client = tasks["conference_client : Install client"]
    assert client["hosts"] == 2  # the item event is not a second result
    assert client["total_seconds"] == 12.0 and client["max_seconds"] == 8.0
    assert client["results"] == {"ok": 1, "changed": 1, "failed": 0, "ignored": 0, "skipped": 0, "unreachable": 0}
    assert tasks["Probe optional"]["results"]["ignored"] == 2 and tasks["Probe optional"]["results"]["failed"] == 0
    assert tasks["Only on Windows"]["results"]["skipped"] == 2
    assert client["action"] == "ansible.builtin.command"


def test_stamps_stand_in_for_a_missing_duration_and_nothing_is_never_negative():
    timings = TaskTimings("gate", 2, "verify.yml", ["phuong_1"])
    timings(final("runner_on_ok", "Measure the line", None))  # start/end 2.5 s apart
    timings(final("runner_on_unreachable", "Measure the line", None, start=None, end=None, host="b"))
    timings(final("runner_on_ok", "Clock went back", -3.0))
    tasks = timings.as_dict()["tasks"]
    assert tasks["Measure the line"]["total_seconds"] == 2.5 and tasks["Measure the line"]["hosts"] == 2
    assert tasks["Measure the line"]["results"]["unreachable"] == 1
    assert tasks["Clock went back"]["total_seconds"] == 0


def test_memory_follows_tasks_and_hosts_not_events():
    timings = TaskTimings("apply", 1, "site.yml", ["phuong_1"])
    for i in range(5000):
        timings(final("runner_on_ok", f"Task {i % 3}", 0.01, host=f"h{i % 7}", res={"stdout": "x" * 1000}))
    assert len(timings.tasks) == 3 and sum(t.hosts for t in timings.tasks.values()) == 5000
    assert len(timings.hosts) == 7


def test_each_host_says_how_long_it_worked_and_when_it_was_done():
    """Where a wave waits: a host done early under `free`, or idle behind a slower host's task under linear."""
    now = [100.0]
    timings = TaskTimings("apply", 1, "site.yml", ["phuong_1", "phuong_2"], clock=lambda: now[0])
    for e in playbook_events():
        now[0] += 1.0 if e["event_data"]["host"] == "phuong_1-room" else 10.0
        timings(e)
    hosts = timings.as_dict()["hosts"]
    assert set(hosts) == {"phuong_1-room", "phuong_2-room"}  # the stats event is no host's result
    # phuong_1: 1.5 + 4 + 0.1 + 0.2 s of results, its last of 8 events at +8 s; phuong_2 (twice as slow) later.
    assert hosts["phuong_1-room"] == {"busy_seconds": 5.8, "done_at_seconds": 8.0}
    assert hosts["phuong_2-room"] == {"busy_seconds": 11.3, "done_at_seconds": 88.0}


def test_no_secret_reaches_the_file(tmp_path):
    """Results, arguments and stdout are never kept; task names (templated) are masked."""
    timings_file = TimingsFile(tmp_path / "t.json", "run-1")
    with timings_file.playbook("apply", 1, "site.yml", ["phuong_1"]) as timings:
        timings(final("runner_on_ok", "Set the SNMP community s3cretcomm", 1.0,
                      res={"changed": True, "stdout": "password Hunter2pass", "token": "tok-123456"},
                      task_args="password=argsecret9"))  # fmt: skip
        timings(final("runner_on_ok", "Log in with password Hunter2pass", 1.0, res={"censored": "hidden"}))
        timings(final("runner_on_failed", "api_token: tok-123456", 1.0, res={"msg": "argsecret9 refused"}))
        timings(event("runner_item_on_ok", "Loop", res={"item": "argsecret9"}))
    text = (tmp_path / "t.json").read_text()
    assert not [s for s in SECRETS if s in text], text
    assert "Log in with password ********" in text  # masked, still readable


def test_the_file_is_rewritten_after_each_playbook_run_even_an_interrupted_one(tmp_path):
    path = tmp_path / "t.json"
    timings_file = TimingsFile(path, "run-1")
    assert json.loads(path.read_text()) == {"schema": 2, "run_id": "run-1", "playbook_runs": []}
    with timings_file.playbook("apply", 1, "site.yml", ["phuong_1"]) as timings:
        timings(final("runner_on_ok", "A", 1.0))
    with pytest.raises(KeyboardInterrupt), timings_file.playbook("gate", 1, "verify.yml", ["phuong_1"]) as timings:
        timings(final("runner_on_ok", "B", 2.0))
        raise KeyboardInterrupt
    runs = json.loads(path.read_text())["playbook_runs"]
    assert [(r["phase"], r["wave"], r["playbook"], list(r["tasks"])) for r in runs] == [
        ("apply", 1, "site.yml", ["A"]), ("gate", 1, "verify.yml", ["B"])]  # fmt: skip
    assert all(r["seconds"] >= 0 for r in runs) and not list(tmp_path.glob(".t.json.*"))  # no temporary left


def test_an_unwritable_file_is_one_line(tmp_path):
    with pytest.raises(WardctlError, match=r"^--timings .*/missing/t.json: cannot write"):
        TimingsFile(tmp_path / "missing" / "t.json", "run-1")


# --- through the rollout -----------------------------------------------------------------------------------------

CITY = ROOT / "inventory" / "vungtau"  # read only: the fake runner below connects to nothing
HOST_WARD = {h: w.id for w in read_inventory(CITY).wards for h in w.hosts}


@pytest.fixture
def fake_runner(state: Path, monkeypatch: pytest.MonkeyPatch) -> list[runner.PlaybookRun]:
    calls: list[runner.PlaybookRun] = []

    def fake(spec: runner.PlaybookRun, private_dir: Path, *, on_event: Any = None, **_: object) -> WaveOutcome:
        calls.append(spec)
        out = WaveOutcome()
        for host in (h for h, w in HOST_WARD.items() if w in spec.limit):
            out.hosts[host] = HostCounts(ok=1)
            if on_event is not None:
                on_event(final("runner_on_ok", f"{spec.phase} task", 0.5, host=host))
        return out

    monkeypatch.setattr(runner, "run", fake)
    return calls


def test_rollout_writes_one_entry_per_playbook_run(tmp_path, fake_runner, capsys):
    out = tmp_path / "timings.json"
    code = cli.main(["rollout", "--plain", "-i", str(CITY), "--wards", "phuong_1,phuong_2,phuong_3",
                     "--canary", "phuong_1", "--gate-playbook", "verify.yml", "--timings", str(out)])  # fmt: skip
    assert code == 0, capsys.readouterr()
    doc = json.loads(out.read_text())
    runs = [(r["phase"], r["wave"], r["playbook"], r["wards"]) for r in doc["playbook_runs"]]
    assert runs == [("apply", 1, "site.yml", ["phuong_1"]), ("gate", 1, "verify.yml", ["phuong_1"]),
                    ("apply", 2, "site.yml", ["phuong_2", "phuong_3"]),
                    ("gate", 2, "verify.yml", ["phuong_2", "phuong_3"])]  # fmt: skip
    wave_hosts = [h for h, w in HOST_WARD.items() if w in ("phuong_2", "phuong_3")]
    assert doc["playbook_runs"][2]["tasks"]["apply task"]["hosts"] == len(wave_hosts) > 2
    assert doc["run_id"] and doc["run_id"] in capsys.readouterr().out


def test_an_unwritable_timings_file_stops_the_rollout_before_it_is_recorded(tmp_path, fake_runner, capsys):
    code = cli.main(["rollout", "--plain", "-i", str(CITY), "--wards", "phuong_1", "--gate-playbook", "",
                     "--timings", str(tmp_path / "no" / "such" / "dir.json")])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 1 and err.startswith("wardctl: --timings ") and len(err.strip().splitlines()) == 1, err
    assert fake_runner == [] and not (tmp_path / "state" / "runs.db").exists()


def test_real_runner_events_have_durations_and_the_record_still_gets_its_stats(tmp_path):
    """ansible-runner on localhost: the shape assumed above is the one it emits, and the tee loses no stats."""
    inventory = tmp_path / "hosts.ini"
    inventory.write_text("localhost ansible_connection=local ansible_python_interpreter=" + sys.executable + "\n")
    playbook = tmp_path / "two.yml"
    playbook.write_text(
        "- hosts: all\n  gather_facts: false\n  tasks:\n"
        "    - name: Sleep a little\n      ansible.builtin.command: sleep 0.2\n"
        "    - name: Loop twice\n      ansible.builtin.command: 'true'\n      loop: [1, 2]\n"
        "    - name: Never\n      ansible.builtin.debug: msg=no\n      when: false\n"
    )
    timings = TaskTimings("apply", 1, playbook.name, ["localhost"])
    outcome = runner.run(runner.PlaybookRun(playbook, inventory, ["localhost"]), tmp_path / "private",
                         on_event=timings)  # fmt: skip
    assert outcome.hosts["localhost"].changed == 2 and outcome.hosts["localhost"].skipped == 1
    tasks = timings.as_dict()["tasks"]
    assert list(tasks) == ["Sleep a little", "Loop twice", "Never"]
    assert tasks["Sleep a little"]["total_seconds"] >= 0.2 and tasks["Loop twice"]["hosts"] == 1
    assert tasks["Never"]["results"]["skipped"] == 1


# --- against the lab ------------------------------------------------------------------------------------------------

PROBE = """\
- name: Timings probe
  hosts: linux
  gather_facts: false
  tasks:
    - name: "Log in with password {{ vault_router_password }}"
      ansible.builtin.command: "true"
      changed_when: false
    - name: Hold a secret
      ansible.builtin.set_fact:
        timings_probe: "{{ vault_snmpv3_auth_key }}"
      no_log: true
    - name: Print one into a result
      ansible.builtin.command: "echo {{ vault_snmpv3_priv_key }} {{ vault_router_enable_secret }}"
      changed_when: false
    - name: Never on a room
      ansible.builtin.debug:
        msg: "{{ vault_router_password }}"
      when: false
"""


@pytest.mark.lab
def test_a_lab_rollout_writes_every_task_with_its_duration_and_no_secret(lab, lab_inventory, tmp_path):
    playbook = tmp_path / "timings_probe.yml"
    playbook.write_text(PROBE)
    out = tmp_path / "timings.json"
    env = lab_env() | {"WARDCTL_STATE_DIR": str(tmp_path / "state")}
    run([str(VENV_BIN / "wardctl"), "rollout", "-i", str(lab_inventory), "--wards", "phuong_3", "--playbook",
         str(playbook), "--gate-playbook", "", "--plain", "--timings", str(out)], env=env)  # fmt: skip
    text = out.read_text()
    (only,) = json.loads(text)["playbook_runs"]
    assert only["phase"] == "apply" and only["wards"] == ["phuong_3"] and only["seconds"] > 0
    tasks = only["tasks"]
    login = next(name for name in tasks if name.startswith("Log in with password ********"))  # masked, rendered
    assert set(tasks) == {login, "Hold a secret", "Print one into a result", "Never on a room"}, list(tasks)
    for name in (login, "Hold a secret", "Print one into a result"):
        assert tasks[name]["hosts"] == 1 and tasks[name]["total_seconds"] > 0, (name, tasks[name])
    assert tasks["Never on a room"]["results"]["skipped"] == 1
    secrets = [p.read_text().strip() for p in (ROOT / f".lab-{TEST_LAB}" / "secrets").iterdir()]
    assert secrets and not [s for s in secrets if s and s in text]
