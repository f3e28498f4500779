"""Helpers shared by the test modules (a plain module: several conftest.py files would shadow each other)."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

from wardctl.paths import fact_cache_dir

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
# Another instance (WARDKIT_TEST_LAB=wardlabdev1) lets two test sessions run side by side.
TEST_LAB = os.environ.get("WARDKIT_TEST_LAB", "wardlabtest")
# Shorter line measurements for tests of what runs around them: iperf3 2 s per direction instead of 5, the 200
# pings 10 ms apart instead of 20 (the same count: a 3 % loss still shows). ~8 s less per ward's gate.
SHORT_GATE = {"line_check_iperf_seconds": 2, "line_check_ping_interval": 0.01}


def short_gate_inventory(inventory: Path, dest: Path) -> Path:
    """A copy of `inventory` whose health gate measures for SHORT_GATE's times (a group_vars/all file of its own,
    read after the lab's)."""
    shutil.copytree(inventory, dest)
    (dest / "group_vars" / "all" / "zz_short_gate.yml").write_text(json.dumps(SHORT_GATE) + "\n")
    return dest


def config_without_lean_workers(tmp_path: Path) -> Path:
    """The project's ansible.cfg without the wardkit.core.lean_workers callback (its collections path made
    absolute, for a config elsewhere): Ansible's own behaviour, to compare the plugin's with."""
    lines = (ROOT / "ansible.cfg").read_text().splitlines()
    assert any(line.startswith("callbacks_enabled") and "wardkit.core.lean_workers" in line for line in lines)
    kept = [line for line in lines if not line.startswith("callbacks_enabled")]
    absolute = f"collections_path = {ROOT / 'collections'}"
    config = tmp_path / "ansible.cfg"
    config.write_text("\n".join(absolute if line.startswith("collections_path") else line for line in kept) + "\n")
    return config


def run(cmd: list[str], *, env: dict[str, str] | None = None, timeout: float = 600, check: bool = True,
        cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:  # fmt: skip
    # No stdin shared with pytest: Ansible refuses a non-blocking one, which another process may have made it.
    proc = subprocess.run(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=timeout, check=False)  # fmt: skip
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} exited {proc.returncode}\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}")
    return proc


def admin_ssh(lab_state: Path, address: str, command: str, known_hosts: Path | None = None,
              ) -> subprocess.CompletedProcess[str]:  # fmt: skip
    """`command` on a lab host as wardadmin with the lab's key, its host key pinned (the lab's known_hosts)."""
    known = known_hosts or lab_state / "known_hosts"
    return run(
        ["ssh", "-i", str(lab_state / "ssh" / "id_ed25519"), "-o", f"UserKnownHostsFile={known}",
         "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-o", "ConnectTimeout=5",
         f"wardadmin@{address}", command],
        check=False, timeout=30,
    )  # fmt: skip


def lab_env(name: str = TEST_LAB) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        WARDCTL_LAB_NAME=name,
        CONTAINERS_CONF=str(ROOT / "lab" / "containers.conf"),
        ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
        PATH=f"{VENV_BIN}:{env.get('PATH', '')}",
    )
    return env


def wardctl(
    *args: str, name: str = TEST_LAB, check: bool = True, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    return run([str(VENV_BIN / "wardctl"), *args], env=lab_env(name), check=check, timeout=timeout)


def ansible_playbook(inventory: Path, playbook: str, *extra: str, vault: Path | None = None,
                     timeout: float = 900) -> subprocess.CompletedProcess[str]:  # fmt: skip
    cmd = [str(VENV_BIN / "ansible-playbook"), "-i", str(inventory), str(ROOT / "playbooks" / playbook), *extra]
    if vault is not None:
        cmd += ["--vault-password-file", str(vault)]
    env = lab_env()
    env["ANSIBLE_CACHE_PLUGIN_CONNECTION"] = str(fact_cache_dir(inventory))  # as wardctl does: no stale facts
    return run(cmd, env=env, timeout=timeout, check=False)


def load_module(name: str, path: Path) -> ModuleType:
    """Import a role's module or plugin file by path (roles are not packages), for unit tests."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
