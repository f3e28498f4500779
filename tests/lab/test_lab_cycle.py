"""A small lab of its own (instance `wardlabmini`): up, up again, down, and nothing left behind."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support import ROOT, lab_env, run, wardctl

pytestmark = pytest.mark.lab
NAME = "wardlabmini"


def alive(pid: int) -> bool:
    """Running, as opposed to gone or a zombie waiting for a reaper (this sandbox's PID 1 may not reap)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


def test_small_lab_up_status_down_leaves_nothing(tmp_path):
    try:
        wardctl("lab", "up", "--wards", "2", name=NAME, timeout=600)
        data = json.loads(wardctl("lab", "status", "--json", name=NAME).stdout)
        assert {h["ward"] for h in data["hosts"]} == {"city_hall", "phuong_1", "phuong_2"}
        assert all(h["state"] == "running" for h in data["hosts"])
        inventory = Path(data["inventory"])
        assert (inventory / "hosts.yml").is_file()
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
