"""Shared fixtures. Lab tests run against their own lab instance (`wardlabtest`), started once per session."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
TEST_LAB = "wardlabtest"


def run(cmd: list[str], *, env: dict[str, str] | None = None, timeout: float = 600, check: bool = True,
        cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:  # fmt: skip
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} exited {proc.returncode}\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}")
    return proc


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


@pytest.fixture(scope="session")
def lab() -> Iterator[dict[str, Any]]:
    """The full 17-ward test lab; torn down at the end unless WARDCTL_KEEP_LAB=1."""
    wardctl("lab", "up", timeout=900)
    data = json.loads(wardctl("lab", "status", "--json").stdout)
    yield data
    if os.environ.get("WARDCTL_KEEP_LAB") != "1":
        wardctl("lab", "down", check=False)


@pytest.fixture(scope="session")
def lab_inventory(lab: dict[str, Any]) -> Path:
    return Path(lab["inventory"])


@pytest.fixture(scope="session")
def vault_password_file(lab: dict[str, Any]) -> Path:
    return ROOT / f".lab-{TEST_LAB}" / "vault-password"


def ansible_playbook(inventory: Path, playbook: str, *extra: str, vault: Path | None = None,
                     timeout: float = 900) -> subprocess.CompletedProcess[str]:  # fmt: skip
    cmd = [str(VENV_BIN / "ansible-playbook"), "-i", str(inventory), str(ROOT / "playbooks" / playbook), *extra]
    if vault is not None:
        cmd += ["--vault-password-file", str(vault)]
    return run(cmd, env=lab_env(), timeout=timeout, check=False)
