"""The lab's routers: one simulator process per router (`python -m wardctl.sim --state-dir DIR`)."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from wardctl.errors import WardctlError

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


def pid_of(state_dir: Path) -> int | None:
    """The simulator's PID if it is running (checked against /proc, not just the pid file)."""
    try:
        pid = int((state_dir / "pid").read_text())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError):
        return None
    return pid if b"wardctl.sim" in cmdline and str(state_dir).encode() in cmdline else None


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


def start(state_dir: Path) -> int:
    if (pid := pid_of(state_dir)) is not None:
        return pid
    (state_dir / "ready").unlink(missing_ok=True)
    with open(state_dir / "sim.log", "ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "wardctl.sim", "--state-dir", str(state_dir)],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True,
        )  # fmt: skip
    (state_dir / "pid").write_text(f"{proc.pid}\n")
    return proc.pid


def wait_ready(state_dirs: list[Path], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    pending = list(state_dirs)
    while pending and time.monotonic() < deadline:
        pending = [d for d in pending if not (d / "ready").exists()]
        dead = [d for d in pending if pid_of(d) is None]
        if dead:
            tail = (dead[0] / "sim.log").read_text(errors="replace").strip().splitlines()[-1:] or ["no log"]
            raise WardctlError(f"router simulator {dead[0].name} exited: {tail[0]}")
        time.sleep(0.05)
    if pending:
        raise WardctlError(f"router simulator {pending[0].name} not ready after {timeout:.0f} s")


def stop(state_dir: Path, timeout: float = 5.0) -> bool:
    pid = pid_of(state_dir)
    if pid is None:
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while pid_of(state_dir) is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    if pid_of(state_dir) is not None:
        os.kill(pid, signal.SIGKILL)
    (state_dir / "ready").unlink(missing_ok=True)
    return True
