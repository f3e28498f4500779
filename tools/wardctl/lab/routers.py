"""The lab's routers: one simulator process per router (`python -m wardsim --state-dir DIR`,
the simulators in lab/wardsim: devices under test, not part of the wardctl package)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from wardctl import paths
from wardctl.lab import daemon

MODELS = {
    "cisco_ios": {
        "model": "ISR4321/K9",
        "os_version": "16.9.4",
        "interfaces": ["GigabitEthernet0/0/0", "GigabitEthernet0/0/1", "GigabitEthernet0/1/0"],
    },
    "mikrotik_routeros": {
        "model": "RB750Gr3",
        "os_version": "7.14.3",
        "interfaces": ["ether1", "ether2", "ether3", "ether4", "ether5"],
    },
}


def sim_config(
    dialect: str,
    hostname: str,
    address: str,
    port: int,
    host_key: Path,
    users: dict[str, str],
    enable: str,
    revert_unit_seconds: int = 60,
) -> dict[str, Any]:
    serial = "FDO" + hashlib.sha256(hostname.encode()).hexdigest()[:7].upper()  # stable across `lab up`s
    return {
        "dialect": dialect,
        "hostname": hostname,
        "listen": address,
        "port": port,
        "host_key": str(host_key),
        "users": users,
        "enable_secret": enable,
        "serial": serial,
        "revert_timer_unit_seconds": revert_unit_seconds,
        **MODELS[dialect],
    }


def write_config(state_dir: Path, config: dict[str, Any]) -> bool:
    """Write sim.json (0600: it holds the device's own credentials). True when it changed."""
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / "sim.json"
    text = json.dumps(config, indent=2, sort_keys=True) + "\n"
    if path.exists() and path.read_text() == text:
        return False
    path.touch(mode=0o600)
    path.write_text(text)
    return True


SIM = "wardsim"


def pid_of(state_dir: Path) -> int | None:
    return daemon.pid_of(state_dir, SIM)


def start(state_dir: Path) -> int:
    return daemon.start(state_dir, SIM, "--state-dir", str(state_dir), path=paths.repo_root() / "lab")


def wait_ready(state_dirs: list[Path], timeout: float = 30.0) -> None:
    daemon.wait_ready(state_dirs, SIM, "router simulator", timeout)


def stop(state_dir: Path) -> bool:
    return daemon.stop(state_dir, SIM)
