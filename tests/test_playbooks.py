"""Every playbook parses against the production inventory, without connecting to anything in it."""

from __future__ import annotations

import ipaddress
import json

import pytest
from support import ROOT, VENV_BIN, lab_env, run

PLAYBOOKS = sorted(p.name for p in (ROOT / "playbooks").glob("*.yml"))


@pytest.mark.parametrize("playbook", PLAYBOOKS)
def test_playbook_syntax_against_production_inventory(playbook, tmp_path):
    vault = tmp_path / "vault-pass"
    vault.write_text("vungtau-example-change-me\n")
    proc = run(
        [str(VENV_BIN / "ansible-playbook"), "--syntax-check", "-i", str(ROOT / "inventory" / "vungtau"),
         "--vault-password-file", str(vault), str(ROOT / "playbooks" / playbook)],
        env=lab_env(), check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr


def test_production_hosts_resolve_to_placeholders_only(tmp_path):
    """The shipped inventory points nowhere real until a city edits it: RFC 5737 ranges or .invalid names.

    Not 192.0.2.0/24: CI machines of this kind sit on that very range, so a stray connection could land.
    """
    vault = tmp_path / "vault-pass"
    vault.write_text("vungtau-example-change-me\n")
    proc = run(
        [str(VENV_BIN / "ansible-inventory"), "-i", str(ROOT / "inventory" / "vungtau"), "--list",
         "--vault-password-file", str(vault)],
        env=lab_env(),
    )  # fmt: skip
    hostvars = json.loads(proc.stdout)["_meta"]["hostvars"]
    assert len(hostvars) >= 35
    docs = [ipaddress.ip_network(n) for n in ("198.51.100.0/24", "203.0.113.0/24")]
    for host, hv in hostvars.items():
        addr = hv["ansible_host"]
        if addr.endswith(".invalid"):
            continue
        assert any(ipaddress.ip_address(addr) in n for n in docs), (host, addr)
