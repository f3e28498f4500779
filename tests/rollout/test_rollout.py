"""`wardctl rollout` against the test lab, through the real ansible-runner and ansible-playbook."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from support import ROOT, TEST_LAB, VENV_BIN, lab_env, run, short_gate_inventory

pytestmark = pytest.mark.lab
# The full rollout runs with verify.yml (real line checks) as the gate. Its playbook is the routers' part of
# site.yml by default: with the endpoint roles the command takes 32 min, and 19 min again, over the lab's 21
# machines on 2 cores (Ansible spends ~0.3 s of CPU per task and host on the module alone); those roles are
# tested by molecule and the Lynis benchmark (tests/roles).
# `make test-site` runs this test with the whole site.yml (WARDCTL_TEST_ROLLOUT_PLAYBOOK=site.yml).
SITE = os.environ.get("WARDCTL_TEST_ROLLOUT_PLAYBOOK", "routers.yml")
PLAYBOOK = "routers.yml"
TOUCH = str(Path(__file__).parent / "playbooks" / "touch.yml")
TAGGED = str(Path(__file__).parent / "playbooks" / "tagged.yml")
LAB_DIR = ROOT / f".lab-{TEST_LAB}"
# Given again on a resume: a run does not record where its vault password is (rollout/settings.py).
VAULT = ["--vault-password-file", str(LAB_DIR / "vault-password")]


def read_file(host: str, path: str) -> str:
    """A file on a lab container ('' when absent): what the device really holds, whatever the record says."""
    proc = run([str(VENV_BIN / "wardctl"), "lab", "status", "--json"], env=lab_env())
    container = next(h["container"] for h in json.loads(proc.stdout)["hosts"] if h["host"] == host)
    out = run(["podman", "exec", container, "cat", path], env=lab_env(), check=False)
    return out.stdout if out.returncode == 0 else ""


@pytest.fixture(scope="module")
def state(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("state")


@pytest.fixture(scope="module")
def gated(lab, tmp_path_factory) -> list[str]:
    """The options of a rollout whose gate (verify.yml) measures briefly: these tests are about the waves, the
    record and resuming, and run ~40 gates between them (the Ctrl-C test keeps the role's default lengths)."""
    inventory = short_gate_inventory(Path(lab["inventory"]), tmp_path_factory.mktemp("gated") / "inventory")
    return ["-i", str(inventory), *VAULT]


def rollout(state: Path, *args: str, check: bool = False, timeout: float = 900,
            env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:  # fmt: skip
    env = lab_env() | {"WARDCTL_STATE_DIR": str(state)} | (env_extra or {})
    return run([str(VENV_BIN / "wardctl"), "rollout", "--plain", *args], env=env, check=check, timeout=timeout)


def db(state: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(state / "runs.db")
    conn.row_factory = sqlite3.Row
    return conn


def last_run(state: Path) -> tuple[str, dict[str, sqlite3.Row]]:
    with db(state) as conn:
        run_id = conn.execute("SELECT run_id FROM runs ORDER BY rowid DESC LIMIT 1").fetchone()[0]
        wards = {r["ward"]: r for r in conn.execute("SELECT * FROM wards WHERE run_id = ?", (run_id,))}
    return run_id, wards


def test_full_rollout_in_waves_then_a_second_run_changes_nothing(lab, state, gated, tmp_path):
    junit = tmp_path / "wards.xml"
    proc = rollout(state, *gated, "--all", "--canary", "phuong_1", "--wave-size", "5", "--playbook", SITE,
                   "--junit", str(junit), timeout=1800)  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    run_id, wards = last_run(state)
    assert len(wards) == 18 and all(w["status"] == "done" for w in wards.values())
    # The first run must have changed routers, or the second run's "nothing changed" below proves nothing. A
    # fresh lab's routers all lack the intended config; earlier lab tests of the session configure a few.
    assert any(w["changed"] for w in wards.values())
    with db(state) as conn:
        waves = json.loads(conn.execute("SELECT waves FROM runs WHERE run_id = ?", (run_id,)).fetchone()[0])
    assert waves[0] == ["phuong_1"] and [len(w) for w in waves[1:]] == [5, 5, 5, 2]
    # The canary's wave finished before the next one started.
    assert wards["phuong_1"]["finished_at"] <= min(w["started_at"] for k, w in wards.items() if k != "phuong_1")
    cases = ET.parse(junit).getroot().iter("testcase")
    assert len(list(cases)) == 18

    # The rerun rolls (rollout/rolling.py): the canary, then a window of 8, the longest expected ward first: city
    # hall (four machines), then the slowest contracted line.
    again = rollout(state, *gated, "--all", "--canary", "phuong_1", "--wave-size", "8", "--rolling", "--playbook", SITE,
                    timeout=1800)  # fmt: skip
    assert again.returncode == 0, again.stdout[-3000:]
    _, wards = last_run(state)
    assert all(w["status"] == "done" and w["changed"] == 0 for w in wards.values())
    rest = {k: w for k, w in wards.items() if k != "phuong_1"}
    assert wards["phuong_1"]["finished_at"] <= min(w["started_at"] for w in rest.values())
    assert rest["city_hall"]["started_at"] == min(w["started_at"] for w in rest.values())  # same-format UTC stamps
    # Never more than 8 at once (stamps are whole seconds: one ending as another starts is not an overlap).
    in_flight = [sum(1 for v in rest.values() if v["started_at"] <= w["started_at"] < v["finished_at"])
                 for w in rest.values()]  # fmt: skip
    assert max(in_flight) <= 8, in_flight
    assert "rolling, up to 8 wards at once, longest expected first: city_hall, long_son, phuong_11," in again.stdout


def test_check_mode_exit_codes(lab, state, monkeypatch):
    token = str(time.time())
    monkeypatch.setenv("WARDCTL_TEST_TOKEN", token)  # a change is pending whatever ran before
    marker = "/var/tmp/wardctl-rollout-marker"
    limit = ["--wards", "phuong_2,phuong_3", "--playbook", TOUCH, "--gate-playbook", ""]
    pending = rollout(state, *limit, "--check")
    assert pending.returncode == 2, pending.stdout[-2000:]
    # A dry run: the device did not change (this fails if --check never reached ansible-playbook).
    assert token not in read_file("phuong_2-room", marker)
    assert rollout(state, *limit).returncode == 0  # apply
    assert read_file("phuong_2-room", marker) == f"rolled out {token}\n"
    assert rollout(state, *limit, "--check").returncode == 0  # nothing left to change


def test_tags_select_what_runs(lab, state, monkeypatch):
    token = str(time.time())
    monkeypatch.setenv("WARDCTL_TEST_TOKEN", token)
    proc = rollout(state, "--wards", "phuong_4", "--playbook", TAGGED, "--gate-playbook", "", "--tags", "one")
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert read_file("phuong_4-room", "/var/tmp/wardctl-tag-one") == f"one {token}\n"
    assert token not in read_file("phuong_4-room", "/var/tmp/wardctl-tag-two")


def test_a_stopped_router_makes_its_ward_unreachable_and_resume_finishes(lab, state, gated):
    from wardctl.lab import routers

    sim = ROOT / f".lab-{TEST_LAB}" / "routers" / "phuong_7-router"
    assert routers.stop(sim)
    try:
        proc = rollout(state, *gated, "--wards", "phuong_5,phuong_7,phuong_8,phuong_9", "--wave-size", "2",
                       "--playbook", PLAYBOOK)  # fmt: skip
        assert proc.returncode == 1
        run_id, wards = last_run(state)
        assert wards["phuong_7"]["status"] == "unreachable"
        assert wards["phuong_5"]["status"] == "done"
        # Budget 0: the wave after the failure never started.
        assert wards["phuong_8"]["status"] == "pending" and wards["phuong_9"]["status"] == "pending"
        assert "stopping before wave 2" in proc.stdout
    finally:
        run([str(VENV_BIN / "wardctl"), "lab", "up"], env=lab_env())  # starts the stopped simulator again
    resumed = rollout(state, "--resume", run_id, *VAULT, "--playbook", PLAYBOOK)
    assert resumed.returncode == 0, resumed.stdout[-2000:]
    again_id, wards = last_run(state)
    assert again_id == run_id and all(w["status"] == "done" for w in wards.values())
    rerun = [ln for ln in resumed.stdout.splitlines() if " wave " in ln and "/" in ln]
    assert rerun and not any("phuong_5" in ln for ln in rerun)  # done wards are not re-run


def test_ctrl_c_leaves_a_resumable_record(lab, state):
    # The lab's own inventory: this test's gates measure for the role's default times, as a city's do.
    env = lab_env() | {"WARDCTL_STATE_DIR": str(state)}
    cmd = [str(VENV_BIN / "wardctl"), "rollout", "--plain", "--wards", "phuong_10,phuong_11,phuong_12",
           "--wave-size", "1", "--playbook", PLAYBOOK]  # fmt: skip
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    started = False
    while time.monotonic() < deadline and not started:
        # ansible-runner has launched ansible-playbook once it writes the artifact dir of the wave.
        started = any((state / "runner").glob("*-apply/artifacts/*"))
        time.sleep(0.2)
    assert started, "no playbook started within 120 s"
    time.sleep(1)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, out[-2000:] + err[-2000:]
    run_id, wards = last_run(state)
    with db(state) as conn:
        assert conn.execute("SELECT status FROM runs WHERE run_id = ?", (run_id,)).fetchone()[0] == "interrupted"
    assert {w["status"] for w in wards.values()} <= {"pending", "done"}
    # The interrupt landed in a playbook, which was cancelled: its ward says so.
    assert any(w["message"] == "interrupted" for w in wards.values()), dict(wards)
    assert not list((state / "runner").iterdir())  # the cancelled playbook's artifacts are gone too
    assert wards["phuong_12"]["status"] == "pending"
    resumed = rollout(state, "--resume", run_id, *VAULT, "--playbook", PLAYBOOK)
    assert resumed.returncode == 0
    assert all(w["status"] == "done" for w in last_run(state)[1].values())


def test_a_broken_inventory_stops_before_anything_runs(lab, tmp_path):
    broken = tmp_path / "inv"
    run(["cp", "-r", str(lab["inventory"]), str(broken)])
    router = broken / "host_vars" / "phuong_1-router.yml"
    router.write_text(router.read_text().replace("router_line_down_mbps:", "router_line_down_mbps: -5\nx_old:"))
    state = tmp_path / "state"
    proc = rollout(state, "-i", str(broken), "--all", "--playbook", PLAYBOOK)
    assert proc.returncode == 1
    assert "phuong_1-router: router_line_down_mbps" in proc.stderr and "nothing was changed" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (state / "runs.db").exists() or not db(state).execute("SELECT * FROM runs").fetchall()


def test_host_keys_are_checked_through_the_runner(lab, tmp_path):
    """ansible-runner disables host key checking unless told; a wrong pinned key must stop the ward."""
    inv = tmp_path / "inv"
    run(["cp", "-r", str(lab["inventory"]), str(inv)])
    known = Path(lab["known_hosts"])
    room = next(h for h in lab["hosts"] if h["host"] == "phuong_4-room")
    other = next(h for h in lab["hosts"] if h["host"] == "phuong_5-room")
    lines = known.read_text().splitlines()
    other_key = next(ln.split(maxsplit=1)[1] for ln in lines if ln.startswith(other["address"] + " "))
    forged = [f"{room['address']} {other_key}" if ln.startswith(room["address"] + " ") else ln for ln in lines]
    (tmp_path / "known_hosts").write_text("\n".join(forged) + "\n")
    extra = inv / "group_vars" / "all" / "extra.yml"
    extra.write_text(extra.read_text().replace(str(known), str(tmp_path / "known_hosts")))
    vault = ROOT / f".lab-{TEST_LAB}" / "vault-password"
    # Fresh SSH control sockets: a multiplexed connection opened earlier would skip the host key exchange.
    cp = tmp_path / "cp"
    cp.mkdir()
    # A playbook that must open SSH (demo.yml may be served from the fact cache without connecting).
    args = ["-i", str(inv), "--vault-password-file", str(vault), "--wards", "phuong_4", "--playbook", TOUCH]
    proc = rollout(
        tmp_path / "state", *args, "--gate-playbook", "", env_extra={"ANSIBLE_SSH_CONTROL_PATH_DIR": str(cp)}
    )
    assert proc.returncode == 1
    _, wards = last_run(tmp_path / "state")
    assert wards["phuong_4"]["status"] in ("unreachable", "failed")
    assert "host key" in (wards["phuong_4"]["message"] or "").lower() or "HOST IDENTIFICATION" in proc.stdout
