"""What every part of the checker shares: the raw inventory, the findings so far, and how to report one."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from wardctl.inventory.raw import RawInventory, Vars
from wardctl.inventory.rules import address_error, is_ip, is_placeholder
from wardctl.inventory.yamlfile import Problem, error, warning

Where = tuple[Path | None, int | None]  # file and line, each when known


@dataclass
class Host:
    name: str
    vars: Vars
    file: Path  # host_vars/<name>.yml, where a missing variable belongs

    def at(self, var: str) -> Where:
        return self.vars.where.get(var, (self.file, None))


class CheckerBase:
    def __init__(self, raw: RawInventory) -> None:
        self.raw = raw
        self.out: list[Problem] = []
        self.root = raw.root
        self.ward_groups = raw.children("wards")
        self.members = {name: set(raw.members(name)) for name in raw.groups}
        self.registry: list[str] = []
        # (subject, field) pairs already reported as unsafe data: any further finding on them (not an
        # address, a placeholder...) would be a second line about the same value, and less to the point.
        self.unsafe: set[tuple[str, str]] = set()

    def err(self, subject: str, fld: str, msg: str, where: Where = (None, None)) -> None:
        if (subject, fld) not in self.unsafe:
            self.out.append(error(subject, fld, msg, *where))

    def warn(self, subject: str, fld: str, msg: str, where: Where = (None, None)) -> None:
        if (subject, fld) not in self.unsafe:
            self.out.append(warning(subject, fld, msg, *where))

    def in_group(self, host: str, group: str) -> bool:
        return host in self.members.get(group, set())

    def group_where(self, group: str) -> Where:
        g = self.raw.groups.get(group)
        return (g.file, g.line) if g else (self.root / "hosts.yml", None)

    def address(self, subject: str, fld: str, value: object, where: Where) -> None:
        problem = address_error(value)
        if problem:
            self.err(subject, fld, problem, where)
        elif isinstance(value, str) and is_placeholder(value):
            why = "documentation range" if is_ip(value) else "reserved name"
            self.warn(subject, fld, f"placeholder address {value} ({why}); set the real one", where)
