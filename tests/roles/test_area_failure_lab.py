"""A failing control area over the lab, through the real ansible-playbook: the machine's one package
transaction fails, each area's packages are then installed on their own, the area whose packages failed is noted
failed and does not run, an area whose own task fails is rescued and noted, the others still run, and the host
fails naming both areas. Nothing the failed areas guard is changed."""

from __future__ import annotations

import json

import pytest
import yaml
from support import ROOT, TEST_LAB, admin_ssh, ansible_playbook

pytestmark = pytest.mark.lab

ROOM = "thang_nhat-room"
MISSING = "wardkit-no-such-package"


def test_failed_areas_are_named_and_the_others_still_run(lab, lab_inventory, vault_password_file):
    packages = yaml.safe_load((ROOT / "roles/endpoint_hardening/vars/Debian.yml").read_text())
    packages = packages["endpoint_hardening__packages"] | {"time": ["chrony", MISSING]}
    address = next(h["address"] for h in lab["hosts"] if h["host"] == ROOM)
    state = ROOT / f".lab-{TEST_LAB}"
    sudoers = "/etc/sudoers.d/00-wardkit-defaults"
    before = admin_ssh(state, address, f"sudo cat {sudoers} 2>/dev/null || true").stdout

    proc = ansible_playbook(
        lab_inventory, "endpoints.yml", "--limit", ROOM,
        "--tags", "endpoint_hardening_time,endpoint_hardening_sudo,endpoint_hardening_banner",
        "-e", json.dumps({"endpoint_hardening__packages": packages,
                          # a quote visudo cannot parse: the area's validation fails, the file stays
                          "endpoint_hardening_sudo_logfile": '/var/log/sudo"broken'}),
        vault=vault_password_file,
    )  # fmt: skip
    out = proc.stdout
    assert proc.returncode == 2, out[-3000:]
    failed = next(line for line in out.splitlines() if "area(s) failed:" in line)
    assert "time (its packages:" in failed and MISSING in failed, failed
    assert "sudo (" in failed and "banner" not in failed, failed
    # the area whose packages failed did not run; the one after the rescued area did
    assert "Write chrony.conf" not in out
    banner = out.split("Write the login banners", 1)[1].split("TASK [", 1)[0]
    assert f"ok: [{ROOM}]" in banner or f"changed: [{ROOM}]" in banner, banner
    assert admin_ssh(state, address, f"sudo cat {sudoers} 2>/dev/null || true").stdout == before
