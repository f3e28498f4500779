"""`make demo`'s main job against the test lab: every endpoint over SSH, every router through Netmiko."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from support import ROOT, TEST_LAB, VENV_BIN, ansible_playbook, lab_env, run

pytestmark = pytest.mark.lab


def test_demo_reaches_every_host_and_router(lab, lab_inventory, vault_password_file):
    proc = ansible_playbook(lab_inventory, "demo.yml", vault=vault_password_file)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    recap = dict(re.findall(r"^(\S+)\s+: ok=(\d+)\s+changed=0\s+unreachable=0\s+failed=0", proc.stdout, re.M))
    assert set(recap) == {h["host"] for h in lab["hosts"]}
    for sim in (h for h in lab["hosts"] if h["kind"] == "simulator"):
        model = "ISR4321/K9" if sim["dialect"] == "cisco_ios" else "RB750Gr3"
        assert re.search(rf"{re.escape(sim['host'])} \(.*\): {sim['dialect']} {re.escape(model)}, OS", proc.stdout)
    secrets = [p.read_text().strip() for p in (ROOT / f".lab-{TEST_LAB}" / "secrets").iterdir()]
    for secret in secrets:
        assert secret not in proc.stdout + proc.stderr


def test_lab_inventory_has_the_production_shape(lab, lab_inventory, vault_password_file, tmp_path):
    def listing(inventory: Path, vault: Path) -> dict:
        cmd = [str(VENV_BIN / "ansible-inventory"), "-i", str(inventory), "--list", "--vault-password-file", str(vault)]
        return json.loads(run(cmd, env=lab_env()).stdout)

    example = tmp_path / "vault-pass"
    example.write_text("vungtau-example-change-me\n")
    prod, labinv = listing(ROOT / "inventory" / "vungtau", example), listing(lab_inventory, vault_password_file)
    # ansible-inventory omits empty groups (the lab has no Windows PC): compare the files' groups instead.
    assert file_groups(ROOT / "inventory" / "vungtau") == file_groups(lab_inventory)
    assert groups(labinv) <= groups(prod)
    lab_only = {"lab_instance", "ansible_ssh_private_key_file", "ansible_ssh_common_args", "router_known_hosts",
                "line_check_iperf_ports", "lab_known_bad_lines", "line_check_waive_unfit",
                # iperf3 paced to a line's scale: a lab room's veth runs at memory speed.
                "line_check_iperf_max_mbps",
                # The lab's own client build: a city pins its real package's version and checksum itself.
                "conference_client_version", "conference_client_deb_sha256",
                # The services host's port 80 is the lab's software mirror: the portal listens beside it.
                "report_site_port"}  # fmt: skip
    # Production endpoints may be Windows (WinRM, no become); every lab endpoint is Linux.
    by_platform = {"ansible_connection", "ansible_winrm_transport", "ansible_password", "ansible_port"}
    by_platform.add("ansible_become")
    for group in ("routers", "meeting_rooms", "city_services", "leader_pcs"):
        pv, lv = var_names(prod, group), var_names(labinv, group)
        assert pv - lv <= by_platform, group
        assert lv - pv <= lab_only | by_platform, group


def file_groups(inventory: Path) -> set[str]:
    found: set[str] = set()

    def walk(children: dict | None) -> None:
        for name, body in (children or {}).items():
            found.add(name)
            walk((body or {}).get("children"))

    for name in ("hosts.yml", "merger_2025.yml"):
        walk(yaml.safe_load((inventory / name).read_text())["all"]["children"])
    return found


def groups(inv: dict) -> set[str]:
    return {g for g in inv if g not in ("_meta", "ungrouped")}


def members(inv: dict, group: str) -> list[str]:
    hosts = list(inv.get(group, {}).get("hosts", []))
    for child in inv.get(group, {}).get("children", []):
        hosts += members(inv, child)
    return hosts


def var_names(inv: dict, group: str) -> set[str]:
    return {k for h in members(inv, group) for k in inv["_meta"]["hostvars"][h]}
