"""Cisco IOS: the running config as a tree, and the commands that bring it to the intended config.

Merge semantics with ownership, as a careful engineer would type it:

- every intended line that is missing (after normalisation) is pushed, inside its block;
- a line the device shows differently but means the same is equal: `match  dscp ef` (IOS prints two spaces),
  `banner login ^C...^C` for `banner login @...@`, and `username X secret 9 $9$...` when the vault's plain
  value hashes to it (verified with scrypt on the controller);
- lines the kit manages are removed with their `no` form when they are not intended: everything named
  `WARDKIT-...` (its ACLs, class-maps, policy-maps, their entries, references to them in any block), the
  city-service lists (`ntp server`, `logging host`, `ip name-server`) and the kit's SNMPv3 users;
- anything else on the device is left alone (a technician's own static route survives a run).

Additions come before removals inside a block, so an access list is never narrower than both its old and its
new form while it changes; stale policy-maps are removed before the class-maps and ACLs they use.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from wardctl.router.drivers.cisco_ios.hashes import ios_type9, ios_verify
from wardctl.router.plan import Plan

OWNED = "WARDKIT-"
# Top-level families the intended config fully manages: lines of these not intended are removed.
MANAGED_FAMILIES = re.compile(r"^(ntp server|logging host|ip name-server) ")
_SKIP = ("Building configuration", "Current configuration", "Using ")
_BANNER = re.compile(r"^banner (\S+) (.*)$", re.S)
_USER = re.compile(r"^username (\S+)((?: privilege \d+)?) (secret|password) (?:(\d) )?(\S+)$")
_ENABLE = re.compile(r"^enable (secret|password) (?:(\d) )?(\S+)$")
_SNMP_USER = re.compile(r"^snmp-server user (\S+) (\S+) v3\b")


@dataclass
class Node:
    line: str
    children: list[Node] = field(default_factory=list)


def parse(text: str) -> list[Node]:
    """Running or intended IOS config -> tree by indentation (comments, headers and `end` dropped).

    A banner spanning lines (`banner motd ^C` ... `^C`) becomes one node whose line holds the newlines.
    """
    root = Node("")
    stack: list[tuple[int, Node]] = [(-1, root)]
    raw_lines = text.replace("\r", "").split("\n")
    i = 0
    while i < len(raw_lines):
        raw = raw_lines[i]
        i += 1
        stripped = raw.strip()
        if not stripped or stripped.startswith("!") or raw.startswith(_SKIP):
            continue
        if raw == "end":
            break
        if stripped.startswith("banner "):
            m = _BANNER.match(stripped)
            if m:
                body = m.group(2)
                delim = "^C" if body.startswith("^C") else body[:1]
                if delim and delim not in body[len(delim) :]:
                    parts = [stripped]
                    while i < len(raw_lines):
                        parts.append(raw_lines[i])
                        i += 1
                        if delim in raw_lines[i - 1]:
                            break
                    stripped = "\n".join(parts)
        depth = len(raw) - len(raw.lstrip(" "))
        while stack[-1][0] >= depth:
            stack.pop()
        node = Node(stripped)
        stack[-1][1].children.append(node)
        stack.append((depth, node))
    return root.children


def body(text: str) -> list[str]:
    """Config lines of a running config or backup, without IOS's comments and headers: equal bodies are the
    same configuration line for line (the `! Last configuration change` stamp differs after any revert)."""
    out = []
    for raw in text.replace("\r", "").split("\n"):
        if not raw.strip() or raw.lstrip().startswith("!") or raw.startswith(_SKIP):
            continue
        out.append(raw.rstrip())
    return out


def norm(line: str) -> str:
    """The comparison form of one line."""
    m = _BANNER.match(line)
    if m:
        rest = m.group(2)
        delim = "^C" if rest.startswith("^C") else rest[:1]
        text = rest[len(delim) :]
        text = text[: text.rfind(delim)] if delim in text else text
        return f"banner {m.group(1)} ^C{text}^C"
    return " ".join(line.split())


def _secret_identity(line: str) -> tuple[str, ...] | None:
    if m := _USER.match(line):
        return ("username", m.group(1))
    if m := _ENABLE.match(line):
        return ("enable", m.group(1))
    return None


def _secret_parts(line: str) -> tuple[str, str, str] | None:
    """(fixed part, kind, value): `username X privilege 15 secret`, `9`, `$9$...`."""
    if m := _USER.match(line):
        return (f"username {m.group(1)}{m.group(2)} {m.group(3)}", m.group(4) or "0", m.group(5))
    if m := _ENABLE.match(line):
        return (f"enable {m.group(1)}", m.group(2) or "0", m.group(3))
    return None


def plain_secret(intended: str, ident: tuple[str, ...]) -> str | None:
    """The plain (type 0) value the intended config gives a secret identity, None if it gives none."""
    for node in parse(intended):
        if _secret_identity(node.line) == ident and (parts := _secret_parts(node.line)) and parts[1] == "0":
            return parts[2]
    return None


def secret_equal(want: str, have: str, proven: bool = False) -> bool:
    """Same secret? `proven`: this session authenticated with the intended value (the login user's password,
    the enable secret after `enable`), so the device's hash of it needs no scrypt to be known equal."""
    w, h = _secret_parts(want), _secret_parts(have)
    if w is None or h is None or w[0] != h[0]:
        return False
    if proven and w[1] == "0":
        return True
    if w[1] == "0":
        return bool(ios_verify(h[1], h[2], w[2]))
    return (w[1], w[2]) == (h[1], h[2])


def push_form(line: str) -> str:
    """What is sent for an intended line: plain secrets leave the controller only as type-9 hashes."""
    parts = _secret_parts(line)
    if parts is None or parts[1] != "0":
        return line
    fixed, _kind, value = parts
    if fixed.endswith(" password"):
        return line  # `password 0 X` has no hashed input form; the role uses `secret`
    return f"{fixed} 9 {ios_type9(value)}"


def _owned(line: str) -> bool:
    return OWNED in line


# Commands that hold one value per block: pushing the new value replaces the old line, so the old one must not
# also be removed with `no` (on IOS that would remove the new value too). Keyed like IOS keys them.
_SINGLE = {"priority", "bandwidth", "shape", "description", "queue-limit", "police", "set", "fair-queue",
           "random-detect", "path", "maximum", "exec-timeout", "transport", "login"}  # fmt: skip
_DIRECTIONAL = ("service-policy", "access-class", "ip access-group")


def head(line: str) -> str | None:
    """The identity of a single-valued command (`priority`, `service-policy output`), None if multi-valued."""
    words = line.split()
    if not words:
        return None
    if words[0] in _SINGLE:
        return words[0]
    for prefix in _DIRECTIONAL:
        if line.startswith(prefix + " "):
            direction = [w for w in words if w in ("in", "out", "input", "output")]
            return f"{prefix} {direction[-1]}" if direction else None
    return None


def _removal_rank(line: str) -> int:
    for rank, prefix in enumerate(("policy-map ", "class-map ", "ip access-list ")):
        if line.startswith(prefix):
            return rank
    return -1  # single lines go first (e.g. a stale ntp server)


def _subtree(node: Node, indent: int, sign: str, out_cmds: list[str], out_diff: list[str]) -> None:
    out_cmds.append(push_form(node.line))
    out_diff.append(f"{sign} {' ' * indent}{node.line}")
    for child in node.children:
        _subtree(child, indent + 1, sign, out_cmds, out_diff)
    if node.children:
        out_cmds.append("exit")


class _Differ:
    def __init__(self, hidden_present: Callable[[str], bool] | None, proven: set[tuple[str, ...]]) -> None:
        self.hidden_present = hidden_present
        self.proven = proven

    def level(self, want: list[Node], have: list[Node], owned: bool, indent: int) -> tuple[list[str], list[str]]:
        cmds: list[str] = []
        diff: list[str] = []
        have_by = {norm(h.line): h for h in have}
        matched: set[int] = set()
        added_heads: set[str] = set()
        for w in want:
            h = have_by.get(norm(w.line))
            if h is None and (ident := _secret_identity(w.line)) is not None:
                ok = ident in self.proven
                same = (x for x in have if _secret_identity(x.line) == ident and secret_equal(w.line, x.line, ok))
                h = next(same, None)
            hidden = indent == 0 and _SNMP_USER.match(w.line) and self.hidden_present
            if h is None and hidden and self.hidden_present(w.line):
                continue  # shown by `show snmp user`, never in the running config (as on real IOS)
            if h is None:
                _subtree(w, indent, "+", cmds, diff)
                if (hd := head(w.line)) is not None:
                    added_heads.add(hd)
                continue
            matched.add(id(h))
            if w.children:
                sub_cmds, sub_diff = self.level(w.children, h.children, owned or _owned(w.line), indent + 1)
                if sub_cmds:
                    cmds += [w.line, *sub_cmds, "exit"]
                    diff += [f"  {' ' * indent}{w.line}", *sub_diff]
        removals: list[tuple[int, list[str], list[str]]] = []
        for h in have:
            if id(h) in matched or head(h.line) in added_heads:
                continue
            if owned or _owned(h.line) or (indent == 0 and MANAGED_FAMILIES.match(h.line)):
                first = h.line.split("\n")[0]
                if indent == 0 and first.startswith("banner "):
                    first = " ".join(first.split()[:2])
                removals.append((_removal_rank(h.line), [f"no {norm(first)}"], [f"- {' ' * indent}{h.line}"]))
            elif h.children:
                # An unmanaged block (another interface, a vty range) still loses references to the kit's
                # objects that are no longer intended, e.g. the shaper on a former WAN interface.
                sub = [c for c in h.children if _owned(c.line)]
                if sub:
                    removals.append(
                        (
                            -1,
                            [h.line, *(f"no {c.line}" for c in sub), "exit"],
                            [f"  {' ' * indent}{h.line}", *(f"- {' ' * (indent + 1)}{c.line}" for c in sub)],
                        )
                    )
        for _rank, rc, rd in sorted(removals, key=lambda r: r[0]):
            cmds += rc
            diff += rd
        return cmds, diff


def plan(
    intended: str,
    running: str,
    hidden_present: Callable[[str], bool] | None = None,
    proven: set[tuple[str, ...]] | None = None,
) -> Plan:
    """The commands that make `running` contain `intended` (and drop what the kit manages but no longer wants).

    `hidden_present(line)` answers for lines IOS never shows (`snmp-server user`): True if the device has it.
    `proven`: secret identities (`("username", NAME)`, `("enable", "secret")`) this session authenticated with.
    """
    differ = _Differ(hidden_present, proven or set())
    cmds, diff = differ.level(parse(intended), parse(running), owned=False, indent=0)
    return Plan(cmds, diff)


def stale_hidden(intended: str, users: dict[str, str]) -> list[str]:
    """`no snmp-server user` commands for the kit's SNMPv3 users (group WARDKIT-...) that are not intended."""
    wanted = {m.group(1) for n in parse(intended) if (m := _SNMP_USER.match(n.line))}
    return [f"no snmp-server user {u} {g} v3" for u, g in sorted(users.items()) if _owned(g) and u not in wanted]


def parse_snmp_users(text: str) -> dict[str, str]:
    """`show snmp user` -> {user: group}."""
    users: dict[str, str] = {}
    name = None
    for line in text.splitlines():
        if m := re.match(r"^\s*User name:\s*(\S+)", line):
            name = m.group(1)
        elif (m := re.match(r"^\s*Group-name:\s*(\S+)", line)) and name:
            users[name] = m.group(1)
            name = None
    return users


def snmp_user_present(users: dict[str, str]) -> Callable[[str], bool]:
    def present(line: str) -> bool:
        m = _SNMP_USER.match(line)
        return bool(m) and users.get(m.group(1)) == m.group(2)

    return present


FINGERPRINTS = "ip access-list standard WARDKIT-SECRETS"


def fingerprints_current(intended: str, running: str) -> bool:
    """Does the device hold the intended fingerprints of the secrets IOS never shows (SNMPv3 keys)? They are
    remarks of an ACL that filters nothing (`WARDKIT-SECRETS`); a rotated key changes its remark."""

    def remarks(text: str) -> set[str]:
        return {norm(c.line) for n in parse(text) if norm(n.line) == FINGERPRINTS for c in n.children}

    return remarks(intended) <= remarks(running)
