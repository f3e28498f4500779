"""Helpers for the simulator tests: one real `python -m wardsim` process per router, on 127.0.0.1.

Netmiko talks to it exactly as it would to a device: stock drivers, strict host key checking against
a known_hosts file the fixture writes.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from netmiko import BaseConnection, ConnectHandler

ERRORS = r"% ?(Invalid|Incomplete|Ambiguous)|bad command name|expected end of command|syntax error|failure:"
PASSWORD = "s3cret-pw"
ENABLE = "en4ble-pw"


def sim_env() -> dict[str, str]:
    """The simulators live in lab/wardsim, outside the installed package: put lab/ on the path."""
    lab = str(Path(__file__).resolve().parents[2] / "lab")
    return {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (lab, os.environ.get("PYTHONPATH", "")) if p)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Sim:
    """One simulated router: its state dir, its process, and how to reach it."""

    dir: Path
    dialect: str
    port: int
    known_hosts: Path
    proc: subprocess.Popen[bytes] | None = None
    conns: list[BaseConnection] = field(default_factory=list)

    def start(self) -> None:
        log = open(self.dir / "stderr.log", "ab")  # noqa: SIM115 - handed to the child process
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "wardsim", "--state-dir", str(self.dir)], stdout=log, stderr=log, env=sim_env()
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            ready = self.dir / "ready"
            if ready.exists() and json.loads(ready.read_text() or "{}").get("pid") == self.proc.pid:
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.02)
        raise AssertionError(f"simulator did not start:\n{(self.dir / 'stderr.log').read_text()}")

    def stop(self) -> None:
        # The process goes first, so sessions a test left hanging do not wait out Netmiko's timeouts.
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        for c in self.conns:
            with contextlib.suppress(Exception):
                c.disconnect()
        self.conns.clear()

    def restart(self) -> None:
        self.stop()
        self.start()

    def params(self, **extra: Any) -> dict[str, Any]:
        return {
            "device_type": self.dialect,
            "host": "127.0.0.1",
            "port": self.port,
            "username": "admin",
            "password": PASSWORD,
            "secret": ENABLE,
            "ssh_strict": True,
            "system_host_keys": False,
            "alt_host_keys": True,
            "alt_key_file": str(self.known_hosts),
            "fast_cli": True,
            "conn_timeout": 5,
            "banner_timeout": 5,
            "auth_timeout": 5,
            **extra,
        }

    def connect(self, **extra: Any) -> BaseConnection:
        conn = ConnectHandler(**self.params(**extra))
        self.conns.append(conn)
        return conn

    def text(self, name: str) -> str:
        return (self.dir / name).read_text()

    def faults(self, **faults: Any) -> None:
        tmp = self.dir / ".faults.tmp"
        tmp.write_text(json.dumps(faults))
        tmp.replace(self.dir / "faults.json")


def wait_for(pred: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.05)
    return pred()
