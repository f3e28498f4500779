"""MikroTik RouterOS 7 on an open Netmiko session.

Every change persists at once (nothing to save). The revert is the kit's: a one-shot script, the inverse of the
plan, scheduled at the router's own time before the first change (revert.py); removing it is the confirm.
A restore is a plan too, made with `exact` from the running config to the backup, pushed the same way.
A device-side copy of a backup is `/export file=wardkit-<stamp>` (an export holds no secrets).
"""

from __future__ import annotations

import re
from typing import ClassVar

from wardctl.router.drivers.base import Driver, NotArmed, Rejected
from wardctl.router.drivers.mikrotik_routeros import diff, revert
from wardctl.router.plan import Plan


class RosDriver(Driver):
    dialect = "mikrotik_routeros"
    ext = "rsc"
    show_config = "/export"
    show_facts = "/system resource print"
    # RouterOS reports bad values in words of its own (and `failure:` for refused actions).
    error_pattern = (
        r"bad command name|expected end of command|syntax error|input does not match|failure:"
        r"|invalid value for argument|out of range|no such item"
    )
    interface_pattern: ClassVar[re.Pattern[str]] = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    native_revert = False

    def prompt(self) -> str:
        return re.escape(self.conn.base_prompt) + r"[^\n]*>\s*$"

    # --- text ------------------------------------------------------------------------------------------

    @staticmethod
    def parse_facts(text: str) -> dict[str, str]:
        facts = {"model": "", "os_version": "", "serial": ""}
        if m := re.search(r"^\s*version: (\S+)", text, re.M):
            facts["os_version"] = m.group(1)
        if m := re.search(r"^\s*board-name: (.+)$", text, re.M):
            facts["model"] = m.group(1).strip()
        return facts

    @staticmethod
    def body(text: str) -> list[str]:
        return diff.body(text)

    @staticmethod
    def qos_attached(running: str, interface: str, policy: str) -> bool:
        """A queue named POLICY with parent=WAN."""
        if not policy:
            return True
        st = diff.state(diff.parse(running))
        return any(i.get("name") == policy and i.get("parent") == interface for i in st.items.get("/queue tree", []))

    # --- plan ------------------------------------------------------------------------------------------

    def plan(self, intended: str, running: str, exact: bool = False) -> Plan:
        users = diff.parse_users(self.send("/user print")) if re.search(r"^/user\b", intended, re.M) else None
        login = (self.target.username, self.login_password)
        plan = diff.plan(intended, running, users, None, exact, login)
        if not plan.lossy:
            return plan
        # The undo must put back secrets the export does not show: read them, only where the plan needs them.
        found: diff.Secrets = {}
        for menu in sorted(diff.lossy_menus(plan)):
            found.update(diff.secrets_of(self.send(f"{menu} export show-sensitive")))
        return diff.plan(intended, running, users, found, exact, login)

    # --- device-side copies ----------------------------------------------------------------------------

    def save_copy(self, name: str) -> None:
        cmd = f"/export file={name}"
        self.check(cmd, self.send(cmd))

    def list_copies(self) -> list[str]:
        return [m.group(1) for m in re.finditer(rf"\s(wardkit-\S+)\.{self.ext}\s", self.send("/file print"))]

    def delete_copy(self, name: str) -> None:
        self.send(f"/file remove {name}.{self.ext}")

    # --- the revert ------------------------------------------------------------------------------------

    def pending(self) -> tuple[bool, float | None]:
        out = self.send(f"/system scheduler print count-only where name={diff.REVERT_ITEM}").strip()
        return (out.isdigit() and int(out) > 0), None

    def push(self, plan: Plan, revert_seconds: int) -> int:
        arm = revert.arm(plan, self.send("/system clock print"), revert_seconds)
        try:
            self.push_lines(arm)
        except Rejected as exc:
            self._disarm()  # a part may have been added: nothing of the plan was sent
            raise NotArmed(str(exc)) from exc
        if not self.pending()[0]:
            self._disarm()
            raise NotArmed("the revert's scheduler entry is not there after adding it")
        return self.push_lines(plan.commands)

    def _disarm(self) -> None:
        for cmd in revert.disarm():
            self.check(cmd, self.send(cmd))

    def confirm(self) -> None:
        self._disarm()

    def revert_now(self) -> None:
        cmd = f"/system script run {diff.REVERT_ITEM}"
        self.check(cmd, self.send(cmd, read_timeout=max(self.read_timeout, 60)))

    def restore(self, copy: str, wanted: str, revert_seconds: int) -> None:
        """Planned from the backup's text (an export), so the device-side copy is not needed."""
        plan = self.plan(wanted, self.running(), exact=True)
        if plan.changed:
            self.push(plan, revert_seconds)

    def save(self) -> None:
        """RouterOS keeps every change (and Netmiko's save_config() would send an IOS command)."""
