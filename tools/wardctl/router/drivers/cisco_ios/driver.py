"""Cisco IOS / IOS XE on an open Netmiko session.

The revert is the device's own "Rollback Confirmed Change": `configure terminal revert timer N` (minutes),
confirmed by `configure confirm`, undone at once by `configure revert now`. IOS refuses the timer until the
configuration archive has a path (`%Turn config archive on before using Rollback Confirmed Change`; Cisco,
"Configuration Replace and Configuration Rollback": "You must configure a configuration archive before
performing this procedure"), so `prepare` sets one up first. `write memory` saves; the saved config is
`show startup-config`. A device-side copy of a backup is `copy running-config flash:wardkit-<stamp>.cfg`,
restored by `configure replace flash:... force` under the revert timer.
"""

from __future__ import annotations

import re
from typing import ClassVar

from wardctl.router.drivers.base import LOST, DeviceError, Driver, NotArmed, Rejected, SessionLost, first_line
from wardctl.router.drivers.cisco_ios import diff
from wardctl.router.plan import Plan

# What `prepare` configures when the archive has no path; the role's template holds the same lines.
ARCHIVE = ["archive", "path flash:archive-"]
_ARCHIVE_PATH = re.compile(r"^archive\n(?:[ \t]+.*\n)*?[ \t]+path \S+", re.M)
_CONFIG_PROMPT = r"\(config[^)]*\)#\s*$"


class IosDriver(Driver):
    dialect = "cisco_ios"
    ext = "cfg"
    show_config = "show running-config"
    show_facts = "show version"
    error_pattern = (
        r"% ?(Invalid input|Incomplete command|Ambiguous command|Unknown command|Bad mask|Error|Duplicate"
        r"|A named .* already exists|Physical interfaces cannot|Turn config archive on)|^ERROR: "
    )
    # `?` asks IOS's parser for help wherever it is typed, so it can never be part of a typed secret.
    secret_forbidden = "?"
    interface_pattern: ClassVar[re.Pattern[str]] = re.compile(r"^[A-Za-z][A-Za-z-]*\d+(/\d+)*(\.\d+)?$")
    timer_unit = 60
    uses_enable_secret = True

    enable_proven = False  # this login proved the enable secret (a privilege-15 user lands in enable mode)

    def after_login(self) -> None:
        if not self.conn.check_enable_mode():
            self.conn.enable()  # Netmiko raises if the secret is refused
            self.enable_proven = True

    def prompt(self) -> str:
        # Netmiko keeps only the first 16 characters of an IOS hostname as the base prompt.
        return re.escape(self.conn.base_prompt) + r"[\w.-]*[>#]\s*$"

    # --- text ------------------------------------------------------------------------------------------

    @staticmethod
    def parse_facts(text: str) -> dict[str, str]:
        facts = {"model": "", "os_version": "", "serial": ""}
        if m := re.search(r"Version ([\w.()]+)", text):
            facts["os_version"] = m.group(1).rstrip(",")
        if m := re.search(r"^cisco (\S+) .*processor", text, re.M | re.I):
            facts["model"] = m.group(1)
        if m := re.search(r"Processor board ID (\S+)", text):
            facts["serial"] = m.group(1)
        return facts

    @staticmethod
    def body(text: str) -> list[str]:
        return diff.body(text)

    @staticmethod
    def qos_attached(running: str, interface: str, policy: str) -> bool:
        """`service-policy output POLICY` under the WAN interface."""
        if not policy:
            return True
        for node in diff.parse(running):
            if diff.norm(node.line) == f"interface {interface}":
                return any(diff.norm(c.line) == f"service-policy output {policy}" for c in node.children)
        return False

    # --- plan ------------------------------------------------------------------------------------------

    def plan(self, intended: str, running: str) -> Plan:
        users = None
        groups = "".join(re.findall(r"^snmp-server group .*$", running, re.M))
        if re.search(r"^snmp-server (user|group) \S*", intended, re.M) or diff.OWNED in groups:
            users = diff.parse_snmp_users(self.send("show snmp user"))
        proven: set[tuple[str, ...]] = set()
        if not re.search(r"^aaa new-model", running, re.M):
            # `login local`: this login proved the password the device holds; it is the intended one unless a
            # rotation is under way (then the user's line is compared with its hash, and pushed).
            user = ("username", self.target.username)
            if diff.plain_secret(intended, user) in (None, self.login_password):
                proven.add(user)
            if self.enable_proven:
                proven.add(("enable", "secret"))
        present = None
        if users is not None:
            # A rotated key changes its fingerprint: then the user counts as absent and is pushed again.
            present = diff.snmp_user_present(users) if diff.fingerprints_current(intended, running) else _absent
        p = diff.plan(intended, running, present, proven)
        stale = diff.stale_hidden(intended, users) if users else []
        # A stale SNMPv3 user goes first: before its group (which the plan may remove) disappears.
        return Plan([*stale, *p.commands], [*("- " + c.removeprefix("no ") for c in stale), *p.diff])

    def unsaved(self, running: str) -> str:
        out = self.send("show startup-config")
        if "startup-config is not present" in out or not diff.body(out):
            return "the router has no saved startup-config"
        if diff.body(out) != diff.body(running):
            return f"the saved startup-config differs from the running config ({self.first_difference(out, running)})"
        return ""

    def prepare(self, running: str) -> list[str]:
        if _ARCHIVE_PATH.search(running):
            return []
        self.push_lines(ARCHIVE)
        if not _ARCHIVE_PATH.search(self.running()):
            raise Rejected("the archive path did not show in the running config after configuring it")
        return ARCHIVE

    # --- device-side copies ----------------------------------------------------------------------------

    def save_copy(self, name: str) -> None:
        cmd = f"copy running-config flash:{name}.{self.ext}"
        out = self.send(cmd, expect=r"Destination filename|\[confirm\]|" + self.prompt())
        if "Destination filename" in out or "[confirm]" in out:
            out += self.send("", expect=self.prompt())
        self.check(cmd, out)

    def list_copies(self) -> list[str]:
        out = self.send("dir flash:")
        return [m.group(1) for m in re.finditer(rf"\s(wardkit-\S+)\.{self.ext}\s*$", out, re.M)]

    def delete_copy(self, name: str) -> None:
        self.send(f"delete /force flash:{name}.{self.ext}")

    def read_copy(self, name: str) -> str | None:
        out = self.send(f"more flash:{name}.{self.ext}")
        return None if out.lstrip().startswith("%Error") else out

    def find_copy(self, preferred: str, wanted: str) -> str:
        """The flash file to restore `wanted` from: its own twin, else any twin with the same content."""
        for name in [preferred, *(n for n in sorted(self.list_copies(), reverse=True) if n != preferred)]:
            text = self.read_copy(name)
            if text is not None and self.same(text, wanted):
                return name
        raise DeviceError(f"the router has no copy of this backup (flash:{preferred}.{self.ext} or a twin)")

    # --- the revert ------------------------------------------------------------------------------------

    def pending(self) -> tuple[bool, float | None]:
        # Cisco's layout (`Time configured`, `Timer type`, `Timer value: N min`) gives no time left in a form the
        # controller can compare with its own clock: the caller counts from when it armed the timer.
        out = self.send("show archive config rollback timer")
        return "No Rollback Confirmed Change pending" not in out, None

    def arm(self, minutes: int) -> None:
        """Enter config mode with the revert timer; `Rejected` (nothing changed) if IOS stays in exec mode."""
        cmd = f"configure terminal revert timer {minutes}"
        try:
            out = self.conn.send_command(
                cmd, expect_string=_CONFIG_PROMPT + "|" + self.prompt(), read_timeout=self.read_timeout,
                strip_prompt=False, strip_command=True,
            )  # fmt: skip
        except LOST as exc:
            raise SessionLost(f"no answer to {cmd!r} ({type(exc).__name__})") from exc
        if not re.search(_CONFIG_PROMPT, str(out)):
            raise NotArmed(f"{cmd!r} refused: {first_line(str(out))}")

    def push(self, plan: Plan, revert_minutes: int) -> int:
        self.arm(revert_minutes)
        return self.push_lines(plan.commands, enter_config_mode=False)

    def confirm(self) -> None:
        self.check("configure confirm", self.send("configure confirm"))

    def revert_now(self) -> None:
        try:
            self.conn.exit_config_mode()
        except (ValueError, *LOST) as exc:
            raise SessionLost(f"cannot leave config mode ({type(exc).__name__})") from exc
        self.send("configure revert now")

    def restore(self, copy: str, wanted: str, revert_minutes: int) -> None:
        copy = self.find_copy(copy, wanted)
        self.arm(revert_minutes)
        try:
            self.conn.exit_config_mode()
        except (ValueError, *LOST) as exc:
            raise SessionLost(f"cannot leave config mode ({type(exc).__name__})") from exc
        cmd = f"configure replace flash:{copy}.{self.ext} force"
        out = self.send(cmd, read_timeout=max(self.read_timeout, 60))
        if "Rollback Done" not in out:
            raise Rejected(f"{cmd!r}: {first_line(out)}")

    def save(self) -> None:
        out = self.send("write memory")
        if "[OK]" not in out:
            raise Rejected(f"'write memory' did not report [OK]: {first_line(out)}")


def _absent(line: str) -> bool:
    return False
