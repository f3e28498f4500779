"""Netmiko sessions to ward routers, the one way this kit opens them.

Host keys are checked against a known_hosts file and every read has a deadline; what a dialect says and does
is its driver's (wardctl.router.drivers), which also checks every pushed line's answer for its error strings.
"""

from __future__ import annotations

import contextlib
import re
import tempfile
from collections.abc import Iterator
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
    # A rotation in progress: the password the config sets next. The router knows one of the two, so a login
    # tries both; `next_first` when the new one is the likelier (after the push that set it).
    password_next: str = ""
    next_first: bool = False

    @property
    def intended_password(self) -> str:
        """The password the router's config must hold once this run is done."""
        return self.password_next or self.password

    def passwords(self) -> list[str]:
        """The passwords to log in with, likeliest first (each tried at most once: a device may count refusals)."""
        both = [self.password_next, self.password] if self.next_first else [self.password, self.password_next]
        return list(dict.fromkeys(p for p in both if p))

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


def connect(target: Target) -> tuple[Any, str]:
    """An open Netmiko session and the password it logged in with (what a dialect does after the login, such
    as IOS's `enable`, is its driver's). A refused password is followed by the other one of a rotation."""
    from netmiko import ConnectHandler  # imported here: ~0.2 s, only paid by code that talks to routers
    from netmiko.exceptions import NetmikoAuthenticationException

    passwords = target.passwords()
    with host_keys_of(target) as known_hosts:
        for n, password in enumerate(passwords):
            try:
                args = {**target.netmiko_args(), "password": password, "alt_key_file": known_hosts}
                return ConnectHandler(**args), password
            except NetmikoAuthenticationException:
                if n == len(passwords) - 1:
                    raise
    raise ValueError("no password to log in with")


@contextlib.contextmanager
def host_keys_of(target: Target) -> Iterator[str]:
    """A known_hosts file with only the lines paramiko would match for this target, for the login's length.
    At each login paramiko parses every key of the file and compares every entry with those before it: with a
    city's routers in one file that is O(n²) per login, twice per router. Same verdicts: paramiko matches a
    line by its names (`host`, `[host]:port`, or their `|1|` hashes) and nothing else."""
    path = Path(target.known_hosts).expanduser()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):  # missing or unreadable: paramiko's own refusal says so
        yield str(path)
        return
    name = target.host if target.port == 22 else f"[{target.host}]:{target.port}"
    mine = [line.strip() for line in lines if _names(line, name)]
    try:
        fh = tempfile.NamedTemporaryFile("w", encoding="utf-8", prefix="wardkit-host-keys-")  # noqa: SIM115
        fh.write("".join(f"{line}\n" for line in mine))
        fh.flush()
    except OSError:  # no room for it: the whole file, as paramiko would read it anyway
        yield str(path)
        return
    with fh:
        yield fh.name


def _names(line: str, name: str) -> bool:
    """Does this known_hosts line name the host as paramiko looks it up (HostKeys.lookup)?"""
    from paramiko.hostkeys import HostKeys

    fields = line.split()
    if len(fields) < 3 or fields[0].startswith("#"):
        return False
    return any(n == name or (n.startswith("|1|") and HostKeys.hash_host(name, n) == n) for n in fields[0].split(","))


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
