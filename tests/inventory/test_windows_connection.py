"""The kit's venv can reach a Windows endpoint the way the production inventory says (WinRM over HTTPS, NTLM).

No Windows host exists here, and the production addresses are never contacted: the production group's connection
settings are applied to a host on loopback whose port nobody listens on. Ansible's winrm plugin then gets as far as
opening the connection (refused), which it only does with pywinrm and its NTLM support importable; without them it
fails before connecting ("winrm or requests is not installed", "requests_ntlm is not installed").
"""

from __future__ import annotations

import os
import shutil
import socket

from inventory_helpers import PRODUCTION, ROOT
from support import VENV_BIN, run


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again on leaving: connections to it are refused


def test_the_production_windows_settings_reach_the_connection_over_winrm_ntlm(tmp_path):
    inventory = tmp_path / "inventory"
    (inventory / "group_vars").mkdir(parents=True)
    shutil.copy(PRODUCTION / "group_vars" / "windows.yml", inventory / "group_vars" / "windows.yml")
    port = _closed_port()
    (inventory / "hosts.yml").write_text(
        f"all:\n  children:\n    windows:\n      hosts:\n        leader-pc:\n"
        f"          ansible_host: 127.0.0.1\n          ansible_port: {port}\n"
    )  # fmt: skip
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_COLLECTIONS_PATH=str(ROOT / "collections"),
               ANSIBLE_CACHE_PLUGIN_CONNECTION=str(tmp_path / "facts"), ANSIBLE_FORCE_COLOR="0")  # fmt: skip
    proc = run([str(VENV_BIN / "ansible"), "-i", str(inventory), "leader-pc", "-m", "ansible.windows.win_ping",
                "-e", "vault_windows_admin_user=wardkit-test", "-e", "vault_windows_admin_password=not-a-secret"],
               env=env, check=False, timeout=120)  # fmt: skip
    out = proc.stdout + proc.stderr
    assert "not installed" not in out, out[-2000:]
    assert "UNREACHABLE" in out and f"port={port}" in out and "Connection refused" in out, out[-2000:]
