"""Netmiko sessions to ward routers, the one way this kit opens them.

Host keys are checked against a known_hosts file and every read has a deadline; what a dialect says and does
is its driver's (wardctl.router.drivers), which also passes its error strings as Netmiko's `error_pattern`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Target:
    host: str
    port: int
    device_type: str
    username: str
    password: str
    secret: str = ""
    known_hosts: str = "~/.ssh/known_hosts"
    timeout: float = 20.0

    def netmiko_args(self) -> dict[str, Any]:
        return {
            "device_type": self.device_type,
            "host": self.host,
            "port": self.port,
            "username": self.username,
            "password": self.password,
            "secret": self.secret,
            "ssh_strict": True,  # unknown or changed host key: refuse, never trust on first use
            "system_host_keys": False,
            "alt_host_keys": True,
            "alt_key_file": str(Path(self.known_hosts).expanduser()),
            "conn_timeout": self.timeout,
            "auth_timeout": self.timeout,
            "banner_timeout": self.timeout,
            "read_timeout_override": None,
            "fast_cli": True,
            "use_keys": False,
            "allow_agent": False,
        }


def connect(target: Target) -> Any:
    """An open, privileged (enable) Netmiko session."""
    from netmiko import ConnectHandler  # imported here: ~0.2 s, only paid by code that talks to routers

    conn = ConnectHandler(**target.netmiko_args())
    # Recorded for callers that must know the enable secret was proven by this login (Netmiko raises if
    # `enable` fails); a privilege-15 user lands in enable mode and proves nothing about it.
    conn.wardkit_enable_proven = False
    if target.device_type == "cisco_ios" and not conn.check_enable_mode():
        conn.enable()
        conn.wardkit_enable_proven = True
    return conn


def is_unreachable(exc: BaseException) -> bool:
    """No SSH answer at all — Ansible's "unreachable" — as opposed to a refused login or a wrong host key."""
    from netmiko.exceptions import NetmikoTimeoutException

    return isinstance(exc, NetmikoTimeoutException | ConnectionError | TimeoutError) or (
        isinstance(exc, OSError) and not type(exc).__module__.startswith("paramiko")
    )
