"""What the safe sequence does on an open Netmiko session, per dialect.

- Cisco IOS: the revert timer is `configure terminal revert timer N` (minutes), confirmed by `configure
  confirm`, undone at once by `configure revert now`; `write memory` saves; a device-side copy of a backup is
  `copy running-config flash:wardkit-<stamp>.cfg`, restored by `configure replace flash:... force`.
- MikroTik RouterOS: every change persists, so the "timer" is a scheduler entry that imports the pre-change
  export (`/export file=wardkit-<stamp>`) after N real seconds; the import of that whole export restores the
  configuration and, since the export predates the scheduler entry, removes the entry too. Removing the entry
  is the confirm. Rollback runs in safe mode (Ctrl-X), which the device undoes if the session ends.

Every read has a deadline (`read_timeout`); a session that stops answering or drops raises `SessionLost`,
a line the device refuses raises `Rejected` (the session is still usable).
"""

from __future__ import annotations

import contextlib
import re
import time
from typing import Any, ClassVar

# Imported at module level on purpose: Ansible's main process imports the action plugins (to read their
# class attributes) before it forks a worker per host, so every worker inherits Netmiko already loaded.
import netmiko
from netmiko.exceptions import ConfigInvalidException

from wardctl import netdev
from wardctl.router import rosdiff

REVERT_NAME = rosdiff.REVERT_ITEM
COPY_PREFIX = "wardkit-"


class DeviceError(Exception):
    unreachable = False  # no answer at all (as opposed to refused credentials or a wrong host key)

    """A failure with a one-line reason."""


class SessionLost(DeviceError):
    """The session dropped or stopped answering: nothing more can be done over it."""


class Rejected(DeviceError):
    """The device refused a command (its error text is in the message); the session still answers."""


_LOST = (netmiko.exceptions.ReadTimeout, netmiko.exceptions.NetmikoTimeoutException, OSError, EOFError)


def _first_line(text: str) -> str:
    """The gist of a (Netmiko) message; a first line ending in `:` is joined with the next one."""
    lines = [ln.strip() for ln in str(text).splitlines() if ln.strip()]
    if not lines:
        return "no details"
    return f"{lines[0]} {lines[1]}" if lines[0].endswith(":") and len(lines) > 1 else lines[0]


def connect(target: netdev.Target) -> Any:
    """A Netmiko session (host key checked against known_hosts); DeviceError with one line if it fails."""
    try:
        return netdev.connect(target)
    except Exception as exc:  # paramiko/Netmiko raise many types; the reason is what matters
        error = DeviceError(f"cannot log in ({type(exc).__name__}: {_first_line(str(exc))})")
        error.unreachable = netdev.is_unreachable(exc)
        raise error from exc


def close(conn: Any) -> None:
    """Close the transport without the polite exit (which waits for a prompt a broken session never sends)."""
    with contextlib.suppress(Exception):
        conn.paramiko_cleanup()


class Ops:
    dialect: ClassVar[str]
    ext: ClassVar[str]
    show_config: ClassVar[str]

    def __init__(self, conn: Any, read_timeout: float = 20.0, push_read_timeout: float = 5.0) -> None:
        self.conn = conn
        self.read_timeout = read_timeout
        self.push_read_timeout = push_read_timeout
        self.error_pattern = netdev.ERROR_PATTERNS[self.dialect]

    # --- plumbing --------------------------------------------------------------------------------------

    def prompt(self) -> str:
        """The exec prompt as a pattern anchored at the end of the output (Netmiko's own default would send
        a newline and sleep to find the prompt before every command)."""
        raise NotImplementedError

    def send(self, command: str, expect: str | None = None, read_timeout: float | None = None) -> str:
        try:
            out = self.conn.send_command(
                command,
                expect_string=expect or self.prompt(),
                read_timeout=read_timeout or self.read_timeout,
                strip_prompt=True,
                strip_command=True,
            )
        except _LOST as exc:
            raise SessionLost(f"no answer to {command[:40]!r} ({type(exc).__name__})") from exc
        return str(out)

    def check(self, command: str, out: str) -> str:
        if re.search(self.error_pattern, out, re.M):
            raise Rejected(f"{command!r} refused: {_first_line(out)}")
        return out

    def close(self) -> None:
        close(self.conn)

    def facts(self) -> dict[str, str]:
        return netdev.parse_facts(self.dialect, self.send(netdev.SHOW_FACTS[self.dialect]))

    def running(self) -> str:
        return self.send(self.show_config).strip("\n") + "\n"

    def copy_name(self, stamp: str) -> str:
        return f"{COPY_PREFIX}{stamp}"

    def prune_copies(self, keep: int) -> None:
        names = sorted(self.list_copies())
        for name in names[: max(0, len(names) - keep)]:
            self.delete_copy(name)

    # --- per dialect -----------------------------------------------------------------------------------

    def save_copy(self, name: str) -> None:
        raise NotImplementedError

    def list_copies(self) -> list[str]:
        raise NotImplementedError

    def delete_copy(self, name: str) -> None:
        raise NotImplementedError

    def pending(self) -> tuple[bool, float | None]:
        """(a revert is pending, seconds left if the device says)."""
        raise NotImplementedError

    def push(self, commands: list[str], revert: int, copy: str) -> int:
        """Start the revert and send the lines; returns how many were sent."""
        raise NotImplementedError

    def confirm(self) -> None:
        raise NotImplementedError

    def revert_now(self, copy: str) -> None:
        raise NotImplementedError

    def save(self) -> None:
        raise NotImplementedError

    def hidden_snmp_users(self) -> str:
        return ""

    def users(self) -> str:
        return ""

    def _push_lines(self, commands: list[str], **kwargs: Any) -> int:
        try:
            self.conn.send_config_set(
                commands,
                error_pattern=self.error_pattern,
                read_timeout=self.push_read_timeout,
                cmd_verify=True,
                bypass_commands="",  # single-line banners are verified like any other line
                **kwargs,
            )
        except ConfigInvalidException as exc:
            raise Rejected(_first_line(str(exc))) from exc
        except (ValueError, *_LOST) as exc:
            raise SessionLost(f"session lost during the push ({type(exc).__name__})") from exc
        return len(commands)


class IosOps(Ops):
    dialect = "cisco_ios"
    ext = "cfg"
    show_config = "show running-config"

    def prompt(self) -> str:
        # Netmiko keeps only the first 16 characters of an IOS hostname as the base prompt.
        return re.escape(self.conn.base_prompt) + r"[\w.-]*[>#]\s*$"

    def save_copy(self, name: str) -> None:
        cmd = f"copy running-config flash:{name}.{self.ext}"
        out = self.send(cmd, expect=r"Destination filename|\[confirm\]|" + self.prompt())
        if "Destination filename" in out or "[confirm]" in out:
            out += self.send("", expect=self.prompt())
        self.check(cmd, out)

    def list_copies(self) -> list[str]:
        out = self.send("dir flash:")
        return [m.group(1) for m in re.finditer(rf"\s({COPY_PREFIX}\S+)\.{self.ext}\s*$", out, re.M)]

    def delete_copy(self, name: str) -> None:
        self.send(f"delete /force flash:{name}.{self.ext}")

    def read_copy(self, name: str) -> str | None:
        out = self.send(f"more flash:{name}.{self.ext}")
        return None if out.lstrip().startswith("%Error") else out

    def pending(self) -> tuple[bool, float | None]:
        out = self.send("show archive config rollback timer")
        if "No Rollback Confirmed Change pending" in out:
            return False, None
        m = re.search(r"Time remaining\s*:\s*(\d+):(\d+):(\d+)", out)
        return True, (int(m.group(1)) * 3600 + int(m.group(2)) * 60 + int(m.group(3))) if m else None

    def push(self, commands: list[str], revert: int, copy: str) -> int:
        return self._push_lines(commands, config_mode_command=f"configure terminal revert timer {revert}")

    def confirm(self) -> None:
        self.check("configure confirm", self.send("configure confirm", expect=self.prompt()))

    def revert_now(self, copy: str) -> None:
        try:
            self.conn.exit_config_mode()
        except (ValueError, *_LOST) as exc:
            raise SessionLost(f"cannot leave config mode ({type(exc).__name__})") from exc
        self.send("configure revert now", expect=self.prompt())

    def save(self) -> None:
        out = self.send("write memory", expect=self.prompt())
        if "[OK]" not in out:
            raise Rejected(f"'write memory' did not report [OK]: {_first_line(out)}")

    def replace(self, copy: str) -> None:
        cmd = f"configure replace flash:{copy}.{self.ext} force"
        out = self.send(cmd, expect=self.prompt(), read_timeout=max(self.read_timeout, 60))
        if "Rollback Done" not in out:
            raise Rejected(f"{cmd!r}: {_first_line(out)}")

    def start_timer(self, minutes: int) -> None:
        """Arm the revert timer without changing anything (rollback arms it before `configure replace`)."""
        self._push_lines([], config_mode_command=f"configure terminal revert timer {minutes}")

    def hidden_snmp_users(self) -> str:
        return self.send("show snmp user")


class RosOps(Ops):
    dialect = "mikrotik_routeros"
    ext = "rsc"
    show_config = "/export"

    def prompt(self) -> str:
        return re.escape(self.conn.base_prompt) + r"[^\n]*>\s*$"

    def save_copy(self, name: str) -> None:
        cmd = f"/export file={name}"
        self.check(cmd, self.send(cmd))

    def _files(self) -> str:
        return self.send("/file print")

    def list_copies(self) -> list[str]:
        return [m.group(1) for m in re.finditer(rf"\s({COPY_PREFIX}\S+)\.{self.ext}\s", self._files())]

    def copy_sizes(self) -> dict[str, int]:
        pattern = rf"\s({COPY_PREFIX}\S+)\.{self.ext}\s+\S+\s+(\d+)\s"
        return {m.group(1): int(m.group(2)) for m in re.finditer(pattern, self._files())}

    def delete_copy(self, name: str) -> None:
        self.send(f"/file remove {name}.{self.ext}")

    def pending(self) -> tuple[bool, float | None]:
        out = self.send(f"/system scheduler print count-only where name={REVERT_NAME}").strip()
        return (out.isdigit() and int(out) > 0), None

    def push(self, commands: list[str], revert: int, copy: str) -> int:
        event = f'"/import file-name={copy}.{self.ext}"'
        arm = f"/system scheduler add name={REVERT_NAME} interval={revert}s on-event={event}"
        return self._push_lines([arm, *commands]) - 1

    def confirm(self) -> None:
        cmd = f"/system scheduler remove [find name={REVERT_NAME}]"
        self.check(cmd, self.send(cmd))

    def revert_now(self, copy: str) -> None:
        cmd = f"/import file-name={copy}.{self.ext}"
        out = self.send(cmd, read_timeout=max(self.read_timeout, 60))
        if "successfully" not in out:
            raise Rejected(f"{cmd!r}: {_first_line(out)}")

    def save(self) -> None:
        """RouterOS keeps every change (and Netmiko's save_config() would send an IOS command)."""

    def users(self) -> str:
        return self.send("/user print")

    # Safe mode: Ctrl-X takes it; if the session ends before the second Ctrl-X, the device undoes its changes.
    def safe_mode(self, take: bool) -> None:
        want = r"<SAFE>" if take else r"\]\s*>\s*$"
        try:
            self.conn.write_channel("\x18")
            out = self.conn.read_until_pattern(pattern=want, read_timeout=self.push_read_timeout)
        except _LOST as exc:
            raise SessionLost(f"no answer to safe mode ({type(exc).__name__})") from exc
        if take and "Safe Mode taken" not in out:
            raise Rejected(f"safe mode not taken: {_first_line(out)}")
        time.sleep(0.05)
        with contextlib.suppress(Exception):
            self.conn.read_channel()


def ops_for(device_type: str, conn: Any, read_timeout: float = 20.0, push_read_timeout: float = 5.0) -> Ops:
    cls = IosOps if device_type == "cisco_ios" else RosOps
    return cls(conn, read_timeout, push_read_timeout)
