"""A small lab of its own (instance `wardlabmini`): up, up again, down, and nothing left behind."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest
from support import ROOT, admin_ssh, lab_env, run, wardctl

from wardctl.lab.daemon import alive

pytestmark = pytest.mark.lab
NAME = "wardlabmini"


def test_small_lab_up_status_down_leaves_nothing(tmp_path):
    try:
        wardctl("lab", "up", "--wards", "2", name=NAME, timeout=600)
        data = json.loads(wardctl("lab", "status", "--json", name=NAME).stdout)
        assert {h["ward"] for h in data["hosts"]} == {"city_hall", "phuong_1", "phuong_2"}
        assert all(h["state"] == "running" for h in data["hosts"])
        inventory = Path(data["inventory"])
        assert (inventory / "hosts.yml").is_file()
        rooms = [h for h in data["hosts"] if h["role"] == "meeting_room"]
        _lab_up_brings_back_a_host_whose_processes_ended(rooms[0])
        _lab_up_replaces_a_host_made_with_another_key(rooms[1])
        data = json.loads(wardctl("lab", "status", "--json", name=NAME).stdout)
        pids = [h["pid"] for h in data["hosts"] if h["kind"] == "simulator"] + [data["apt_proxy"]["pid"]]
    finally:
        wardctl("lab", "down", name=NAME)
    left = run(["podman", "ps", "-a", "--filter", f"label=wardlab.instance={NAME}", "--format", "{{.Names}}"],
               env=lab_env(NAME)).stdout.split()  # fmt: skip
    assert left == []
    assert run(["podman", "network", "exists", NAME], env=lab_env(NAME), check=False).returncode == 1
    assert not any(alive(pid) for pid in pids)
    assert run(["nft", "list", "table", "bridge", NAME], check=False).returncode != 0
    assert run(["nft", "list", "table", "inet", NAME], check=False).returncode != 0
    assert not (ROOT / f".lab-{NAME}").exists() and not inventory.exists()
    status = wardctl("lab", "status", name=NAME)
    assert "not running" in status.stdout


def test_lab_rejects_a_bad_ward_count():
    proc = wardctl("lab", "up", "--wards", "40", name=NAME, check=False)
    assert proc.returncode == 1 and proc.stderr.strip() == "wardctl: --wards: must be between 1 and 17, got 40"
    assert "Traceback" not in proc.stderr


STATE = ROOT / f".lab-{NAME}"


def _ssh_as_admin(host: dict) -> list[str]:
    """`hostname` over SSH with this lab's admin key and pinned host keys (what every playbook relies on)."""
    return admin_ssh(STATE, host["address"], "hostname").stdout.split()


def _lab_up_brings_back_a_host_whose_processes_ended(host: dict) -> None:
    # What a stopped session or a crashed machine leaves: conmon and the container killed without podman
    # seeing it, so podman still records "running" and `podman start` would do nothing.
    out = run(["podman", "inspect", "--format", "{{.State.Pid}} {{.State.ConmonPid}}", host["container"]],
              env=lab_env(NAME)).stdout.split()  # fmt: skip
    for pid in map(int, out):
        os.kill(pid, signal.SIGKILL)
    # Until reaped, not only dead: podman's own removal waits on a zombie it believes it can still signal.
    deadline = time.monotonic() + 60
    while Path(f"/proc/{out[0]}").exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not alive(int(out[0]))
    status = json.loads(wardctl("lab", "status", "--json", name=NAME).stdout)
    assert next(h["state"] for h in status["hosts"] if h["host"] == host["host"]) == "gone"
    proc = wardctl("lab", "up", "--wards", "2", name=NAME, timeout=600)
    assert f"{host['host']} recreated" in proc.stdout
    assert _ssh_as_admin(host) == [host["host"]]


def _lab_up_replaces_a_host_made_with_another_key(host: dict) -> None:
    # A lab state dir whose key no longer matches the container (another checkout's lab of the same name, or
    # a key regenerated): reusing the container would fail every pinned-key SSH login.
    key_dir = STATE / "hostkeys" / host["host"]
    old = (key_dir / "ssh_host_ed25519_key.pub").read_text()
    for f in key_dir.iterdir():
        f.unlink()
    proc = wardctl("lab", "up", "--wards", "2", name=NAME, timeout=600)
    assert (key_dir / "ssh_host_ed25519_key.pub").read_text() != old
    assert f"{host['host']} recreated" in proc.stdout and proc.stdout.count("recreated") == 1
    assert _ssh_as_admin(host) == [host["host"]]


def test_a_live_process_that_is_not_the_container_is_not_taken_for_it():
    """A stale record's PID may be another process's by now (a new session starts thousands): alive, but not
    in the container's cgroup, so `lab up` recreates the container instead of waiting on its sshd."""
    from wardctl.lab import containers

    assert alive(os.getpid()) and not containers._runs(os.getpid(), "f" * 64)
