"""IOS configuration mode: applies config lines to the tree, with sub-modes, `no` and `default`.

Used interactively (a session in `configure terminal`) and to replay saved files (boot from
startup-config, `configure replace`, `copy flash: running-config`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from wardsim.ios import acl as iosacl
from wardsim.ios.config import Node
from wardsim.ios.grammar import COMMON, CONFIG_MODES
from wardsim.ios.parse import Cmd, Parsed, TailFn, normalize_ifname, parse, tokenize
from wardsim.secrets import ios_secret9, ios_type7

if TYPE_CHECKING:
    from wardsim.ios.router import IosRouter

_NO_COMMON = {mode: [c for c in cmds if c not in COMMON] for mode, cmds in CONFIG_MODES.items()}
_HASH = {
    "5": re.compile(r"^\$1\$[./0-9A-Za-z]{1,8}\$[./0-9A-Za-z]{22}$"),
    "8": re.compile(r"^\$8\$[./0-9A-Za-z]{14}\$[./0-9A-Za-z]{43}$"),
    "9": re.compile(r"^\$9\$[./0-9A-Za-z]{14}\$[./0-9A-Za-z]{43}$"),
}


@dataclass
class EditResult:
    ok: bool
    error: str = ""  # invalid / incomplete / ambiguous (formatted by the session with its prompt)
    err_pos: int = 0
    message: str = ""  # a device message printed instead (e.g. `% Duplicate sequence number`)
    action: str = ""  # end / exit-config / do / banner
    arg: str = ""


def node_key(cmd: Cmd, canon: list[str]) -> tuple[str, ...]:
    """The identity of a line: lines with equal (family, key) replace each other."""
    toks = canon[1:] if canon[:1] == ["no"] else canon
    if cmd.keyfn == "last":
        return (toks[0], toks[-1])
    if cmd.keyfn == "acl":
        return ("acl", toks[-1])
    if cmd.keyfn == "dir":
        return (toks[0], *[t for t in toks if t in ("in", "out")])
    if cmd.key:
        return tuple(toks[: cmd.key])
    return tuple(toks)


class ConfigEditor:
    """The mode stack of one configuration session over one config tree."""

    def __init__(self, router: IosRouter, root: Node) -> None:
        self.router = router
        self.root = root
        self.stack: list[tuple[str, list[Node]]] = [("config", [root])]
        self.dirty = False
        self.tails: dict[str, TailFn] = {
            "IFNAME": self._ifname,
            "@iplist": iosacl.ip_list,
            "@ace_std": iosacl.ace_std,
            "@ace_ext": iosacl.ace_ext,
            "@std_entry": iosacl.std_entry,
            "@ext_entry": iosacl.ext_entry,
            "@dscp": iosacl.dscp_list,
            "@dscp1": iosacl.dscp_one,
        }

    @property
    def mode(self) -> str:
        return self.stack[-1][0]

    def _ifname(self, toks: list[str], raw: str) -> tuple[list[str] | None, int]:
        name, used = normalize_ifname(toks)
        if name is None or used != len(toks):
            return None, used
        return ([name], 0) if self.router.interface_ok(name) else (None, 0)

    # --- entry point ---------------------------------------------------------------------------

    def run(self, line: str, depth: int | None = None) -> EditResult:
        """One config line; depth (file replay) pops to the mode the indentation says."""
        if depth is not None:
            del self.stack[max(1, depth + 1) :]
        errors: list[Parsed] = []
        for level in range(len(self.stack) - 1, -1, -1):
            mode = self.stack[level][0]
            p = parse(CONFIG_MODES[mode], line, self.tails)
            if p.cmd is None:
                errors.append(p)
                continue
            q = None
            if p.cmd.act in ("no", "default"):
                first = tokenize(line)[0]
                rest = line[first[1] + len(first[0]) :]
                q = parse(_NO_COMMON[mode], rest, self.tails, prefix=True)
                if q.cmd is None:
                    q.err_pos += first[1] + len(first[0])
                    errors.append(q)
                    continue
            # A command only a parent mode knows leaves the sub-mode, as on IOS.
            del self.stack[level + 1 :]
            return self._apply(p, q)
        worst = max(errors, key=lambda e: (e.error != "incomplete", e.err_pos)) if errors else Parsed(None, [])
        return EditResult(False, worst.error or "invalid", worst.err_pos)

    def _apply(self, p: Parsed, q: Parsed | None) -> EditResult:
        cmd = p.cmd
        assert cmd is not None
        if cmd.act == "exit":
            if len(self.stack) > 1:
                self.stack.pop()
                return EditResult(True)
            return EditResult(True, action="exit-config")
        if cmd.act == "end":
            return EditResult(True, action="end")
        if cmd.act == "do":
            return EditResult(True, action="do", arg=p.canon[-1])
        if q is not None:
            return self._negate(q, default=cmd.act == "default")
        if cmd.mode:
            return self._enter(cmd, p.canon)
        return self._set(cmd, p.canon)

    # --- setting lines -------------------------------------------------------------------------

    @property
    def _targets(self) -> list[Node]:
        return self.stack[-1][1]

    def _put(self, cmd: Cmd, canon: list[str], line: str | None = None) -> None:
        node_line = line if line is not None else " ".join(canon)
        for t in self._targets:
            existing = t.find(cmd.fam, node_key(cmd, canon))
            if not (existing and existing[0].line == node_line):
                t.put(Node(node_line, cmd.fam, node_key(cmd, canon)))
                self.dirty = True

    def _set(self, cmd: Cmd, canon: list[str]) -> EditResult:
        act = cmd.act
        if act == "noop":
            return EditResult(True)
        if act == "secret":
            i = canon.index("secret")
            kind, pw = (canon[i + 1], canon[i + 2]) if len(canon) == i + 3 else ("0", canon[i + 1])
            if kind == "0":
                kind, pw = "9", ios_secret9(pw)
            elif not _HASH[kind].match(pw):
                return EditResult(False, message="ERROR: The secret you entered is not a valid encrypted secret.\n")
            canon = [*canon[: i + 1], kind, pw]
        elif act == "password":
            i = canon.index("password")
            kind, pw = (canon[i + 1], canon[i + 2]) if len(canon) == i + 3 else ("0", canon[i + 1])
            canon = [*canon[: i + 1], "7", pw if kind == "7" else ios_type7(pw)]
        elif act == "domain-name":
            canon = ["ip", "domain", "name", canon[-1]]
        elif act == "implicit":
            for t in self._targets:
                if t.remove(cmd.fam, node_key(cmd, canon)):
                    self.dirty = True
            return EditResult(True)
        elif act == "banner":
            return self._banner(cmd, canon)
        elif act == "snmp-user":
            self.router.snmp_users[canon[2]] = canon
            return EditResult(True)
        elif act == "ace":
            return self._ace(canon)
        elif act == "match-dscp":
            self._put(cmd, canon, "match  dscp " + " ".join(canon[2:]))  # IOS prints two spaces here
            return EditResult(True)
        elif act == "numbered-acl":
            for t in self._targets:
                line = " ".join(canon)
                if not any(c.line == line for c in t.children):
                    t.children.append(Node(line, cmd.fam, tuple(canon)))
                    self.dirty = True
            return EditResult(True)
        self._put(cmd, canon)
        return EditResult(True)

    def _banner(self, cmd: Cmd, canon: list[str]) -> EditResult:
        raw = canon[-1]
        delim = "^C" if raw.startswith("^C") else raw[0]
        body = raw[len(delim) :]
        if delim in body:
            self.set_banner(canon[1], body[: body.index(delim)])
            return EditResult(True)
        return EditResult(True, action="banner", arg=f"{canon[1]} {delim} {body}")

    def set_banner(self, kind: str, text: str) -> None:
        cmd = next(c for c in CONFIG_MODES["config"] if c.act == "banner")
        self._put(cmd, ["banner", kind], f"banner {kind} ^C{text}^C")

    def _ace(self, canon: list[str]) -> EditResult:
        acl = self._targets[0]
        seq = int(canon[0]) if canon[0].isdigit() else None
        line = " ".join(canon[1:] if seq is not None else canon)
        if seq is None and any(c.line == line for c in acl.children):
            return EditResult(True)  # an identical entry is not added twice
        if seq is not None and any(c.seq == seq for c in acl.children):
            return EditResult(False, message="% Duplicate sequence number\n")
        if seq is None:
            seq = max((c.seq or 0 for c in acl.children), default=0) + 10
        acl.children.append(Node(line, "ace", (str(seq),), seq=seq))
        acl.children.sort(key=lambda c: c.seq or 0)
        self.dirty = True
        return EditResult(True)

    # --- blocks --------------------------------------------------------------------------------

    def _enter(self, cmd: Cmd, canon: list[str]) -> EditResult:
        parent = self._targets[0]
        if cmd.act == "vty":
            lo = int(canon[2])
            hi = int(canon[3]) if len(canon) > 3 else lo
            targets = [n for n in parent.children if _vty_overlaps(n, lo, hi)]
            if not targets:
                targets = [Node(" ".join(canon), cmd.fam, tuple(canon))]
                parent.children.append(targets[0])
                self.dirty = True
            self.stack.append((cmd.mode or "", targets))
            return EditResult(True)
        if cmd.keyfn == "last" and len(canon) == 2:
            canon = [canon[0], "match-all", canon[1]]  # a new class-map defaults to match-all
        key = node_key(cmd, canon)
        found = parent.find(cmd.fam, key)
        if found:
            node = found[0]
            if cmd.keyfn == "acl" and node.line != " ".join(canon):
                kind = node.words()[2]
                return EditResult(False, message=f"% A named {kind} IP access list with this name already exists\n")
        else:
            node = Node(" ".join(canon), cmd.fam, key)
            parent.children.append(node)
            self.dirty = True
        self.stack.append((cmd.mode or "", [node]))
        return EditResult(True)

    # --- no / default --------------------------------------------------------------------------

    def _negate(self, q: Parsed, default: bool) -> EditResult:
        cmd = q.cmd
        assert cmd is not None
        canon = q.canon
        if cmd.act == "noop":
            return EditResult(True)
        if cmd.act == "ace":
            return self._negate_ace(q)
        if cmd.act == "snmp-user":
            if len(canon) < 3:
                return EditResult(False, "incomplete")
            self.router.snmp_users.pop(canon[2], None)
            return EditResult(True)
        if cmd.act == "numbered-acl":
            if len(canon) < 2:
                return EditResult(False, "incomplete")
            for t in self._targets:
                keep = [c for c in t.children if not (c.fam == cmd.fam and c.key[1:2] == (canon[1],))]
                if len(keep) != len(t.children):
                    t.children = keep
                    self.dirty = True
            return EditResult(True)
        if cmd.mode:
            return self._negate_block(cmd, q, default)
        need = cmd.key or (len(canon) if q.complete else len(canon) + 1)
        if cmd.keyfn == "dir" and not any(t in ("in", "out") for t in canon):
            need = len(canon) + 1
        if len(canon) < need:
            return EditResult(False, "incomplete")
        key = node_key(cmd, canon)
        positive = " ".join(canon[: cmd.key]) if cmd.key else " ".join(canon)
        for t in self._targets:
            before = [c.line for c in t.children]
            if cmd.default_on and not default:
                t.put(Node("no " + positive, cmd.fam, key))
            else:
                t.remove(cmd.fam, key)
                if cmd.default_on and cmd.act != "implicit":
                    t.put(Node(positive, cmd.fam, key))
            self.dirty |= before != [c.line for c in t.children]
        return EditResult(True)

    def _negate_block(self, cmd: Cmd, q: Parsed, default: bool) -> EditResult:
        canon = q.canon
        if not q.complete:
            return EditResult(False, "incomplete")
        parent = self._targets[0]
        if cmd.act == "vty" or (cmd.act == "interface" and not default and self.router.is_physical(canon[1])):
            msg = "% Physical interfaces cannot be removed\n" if cmd.act == "interface" else ""
            return EditResult(False, "" if msg else "invalid", message=msg)
        key = node_key(cmd, canon)
        for node in parent.find(cmd.fam, key):
            if cmd.act == "interface" and default:
                node.children = self.router.default_interface(canon[1]).children
            else:
                parent.children.remove(node)
            self.dirty = True
        return EditResult(True)

    def _negate_ace(self, q: Parsed) -> EditResult:
        acl = self._targets[0]
        canon = q.canon
        if canon and canon[0].isdigit():
            if len(canon) > 1 and not q.complete:
                return EditResult(False, "incomplete")
            keep = [c for c in acl.children if c.seq != int(canon[0])]
        elif q.complete:
            keep = [c for c in acl.children if c.line != " ".join(canon)]
        else:
            return EditResult(False, "incomplete")
        self.dirty |= len(keep) != len(acl.children)
        acl.children = keep
        return EditResult(True)


def _vty_overlaps(node: Node, lo: int, hi: int) -> bool:
    w = node.words()
    if w[:2] != ["line", "vty"]:
        return False
    a = int(w[2])
    b = int(w[3]) if len(w) > 3 else a
    return a <= hi and lo <= b
