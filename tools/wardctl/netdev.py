"""Netmiko sessions to ward routers, the one way this kit opens them.

Host keys are checked against a known_hosts file, every read has a deadline, and the dialect's error strings
are always passed as `error_pattern` (Netmiko's default is empty, which would let a rejected line pass).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ERROR_PATTERNS = {
    "cisco_ios": (
        r"% ?(Invalid input|Incomplete command|Ambiguous command|Unknown command|Bad mask|Error|Duplicate"
        r"|A named .* already exists|Physical interfaces cannot)|^ERROR: "
    ),
    # RouterOS reports bad values in words of its own (and `failure:` for refused actions).
    "mikrotik_routeros": (
        r"bad command name|expected end of command|syntax error|input does not match|failure:"
        r"|invalid value for argument|out of range|no such item"
    ),
}


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


SHOW_FACTS = {"cisco_ios": "show version", "mikrotik_routeros": "/system resource print"}


def parse_facts(device_type: str, text: str) -> dict[str, str]:
    """Model, OS version and serial from `show version` (IOS) or `/system resource print` (RouterOS)."""
    facts = {"model": "", "os_version": "", "serial": ""}
    if device_type == "cisco_ios":
        if m := re.search(r"Version ([\w.()]+)", text):
            facts["os_version"] = m.group(1).rstrip(",")
        if m := re.search(r"^cisco (\S+) .*processor", text, re.M | re.I):
            facts["model"] = m.group(1)
        if m := re.search(r"Processor board ID (\S+)", text):
            facts["serial"] = m.group(1)
    else:
        if m := re.search(r"^\s*version: (\S+)", text, re.M):
            facts["os_version"] = m.group(1)
        if m := re.search(r"^\s*board-name: (.+)$", text, re.M):
            facts["model"] = m.group(1).strip()
    return facts


def facts(conn: Any, device_type: str, timeout: float = 20.0) -> dict[str, str]:
    return parse_facts(device_type, conn.send_command(SHOW_FACTS[device_type], read_timeout=timeout))


def is_unreachable(exc: BaseException) -> bool:
    """No SSH answer at all — Ansible's "unreachable" — as opposed to a refused login or a wrong host key."""
    from netmiko.exceptions import NetmikoTimeoutException

    return isinstance(exc, NetmikoTimeoutException | ConnectionError | TimeoutError) or (
        isinstance(exc, OSError) and not type(exc).__module__.startswith("paramiko")
    )
