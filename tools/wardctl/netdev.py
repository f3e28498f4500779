"""Netmiko sessions to ward routers, the one way this kit opens them.

Host keys are checked against a known_hosts file and every read has a deadline; what a dialect says and does
is its driver's (wardctl.router.drivers), which also passes its error strings as Netmiko's `error_pattern`.
"""

from __future__ import annotations

import re
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
    """An open Netmiko session (what a dialect does after the login, such as IOS's `enable`, is its driver's)."""
    from netmiko import ConnectHandler  # imported here: ~0.2 s, only paid by code that talks to routers

    return ConnectHandler(**target.netmiko_args())


def is_unreachable(exc: BaseException) -> bool:
    """No SSH answer at all — Ansible's "unreachable" — as opposed to a refused login or a wrong host key."""
    from netmiko.exceptions import NetmikoTimeoutException

    cause = exc.__context__
    if (
        isinstance(exc, NetmikoTimeoutException)
        and cause is not None
        and type(cause).__module__.startswith("paramiko")
        and not isinstance(cause, OSError)  # paramiko's NoValidConnectionsError: the port refused or no route
        and not _SILENT.search(str(cause))
    ):
        # Netmiko reports every paramiko SSHException as a timeout, but an unknown or changed host key (or any
        # other SSH-level refusal) means the router answered.
        return False
    return isinstance(exc, NetmikoTimeoutException | ConnectionError | TimeoutError) or (
        isinstance(exc, OSError) and not type(exc).__module__.startswith("paramiko")
    )


# paramiko's words for an SSH server that accepted the connection but then said nothing.
_SILENT = re.compile(r"No existing session|Error reading SSH protocol banner|timed out", re.I)
