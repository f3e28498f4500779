"""Intended versus running config, per dialect: one entry point for the push, the tests and the benchmark.

`plan()` returns the commands to push and a readable diff (`+`/`-` lines, secrets still in clear: mask before
showing); `body()` gives the lines that must be equal for two configs to be "the same, line for line".
The dialect specifics live in iosdiff.py (hierarchical) and rosdiff.py (export).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from wardctl.router import iosdiff, rosdiff
from wardctl.router.plan import Plan

DIALECTS = ("cisco_ios", "mikrotik_routeros")


@dataclass
class Hidden:
    """What the device keeps out of its config text and the plan needs: IOS SNMPv3 users, RouterOS users."""

    snmp_users: dict[str, str] | None = None
    users: dict[str, str] | None = None
    # IOS secrets the session itself authenticated with (see iosdiff.secret_equal).
    proven: set[tuple[str, ...]] = field(default_factory=set)


def plan(dialect: str, intended: str, running: str, hidden: Hidden | None = None) -> Plan:
    hidden = hidden or Hidden()
    if dialect == "cisco_ios":
        present = iosdiff.snmp_user_present(hidden.snmp_users) if hidden.snmp_users is not None else None
        p = iosdiff.plan(intended, running, present, hidden.proven)
        stale = iosdiff.stale_hidden(intended, hidden.snmp_users) if hidden.snmp_users else []
        # A stale SNMPv3 user goes first: before its group (which the plan may remove) disappears.
        return Plan([*stale, *p.commands], [*("- " + c.removeprefix("no ") for c in stale), *p.diff])
    if dialect == "mikrotik_routeros":
        r = rosdiff.plan(intended, running, hidden.users)
        return r
    raise ValueError(f"unknown device type {dialect!r}")


def body(dialect: str, text: str) -> list[str]:
    return iosdiff.body(text) if dialect == "cisco_ios" else rosdiff.body(text)


def same_config(dialect: str, a: str, b: str) -> bool:
    return body(dialect, a) == body(dialect, b)


def needs_hidden(dialect: str, intended: str, running: str) -> tuple[bool, bool]:
    """(query `show snmp user`, query `/user print`): only when the intended or running config involves them."""
    if dialect == "cisco_ios":
        return (bool(re.search(r"^snmp-server (user|group) \S*", intended, re.M))
                or iosdiff.OWNED in "".join(re.findall(r"^snmp-server group .*$", running, re.M)), False)  # fmt: skip
    return False, bool(re.search(r"^/user\b", intended, re.M))


def qos_attached(dialect: str, running: str, interface: str, policy: str) -> bool:
    """IOS: `service-policy output POLICY` under the WAN interface. RouterOS: queue POLICY with parent=WAN."""
    if not policy:
        return True
    if dialect == "cisco_ios":
        for node in iosdiff.parse(running):
            if iosdiff.norm(node.line) == f"interface {interface}":
                return any(iosdiff.norm(c.line) == f"service-policy output {policy}" for c in node.children)
        return False
    st = rosdiff.state(rosdiff.parse(running))
    return any(i.get("name") == policy and i.get("parent") == interface for i in st.items.get("/queue tree", []))


def first_difference(dialect: str, a: str, b: str) -> str:
    """The first line where two configs differ, for a one-line failure message."""
    x, y = body(dialect, a), body(dialect, b)
    for i, (p, q) in enumerate(zip(x, y, strict=False)):
        if p != q:
            return f"line {i + 1}: {p.strip()!r} != {q.strip()!r}"
    return f"{len(x)} lines != {len(y)} lines"
