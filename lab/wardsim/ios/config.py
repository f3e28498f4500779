"""The IOS running config as a tree, printed the way `show running-config` prints it."""

from __future__ import annotations

import copy
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass
class Node:
    """A config line; block headers (interface, class-map, ...) have children."""

    line: str
    fam: str = ""  # the command family that made the line, so `no` and re-entry find it again
    key: tuple[str, ...] = ()
    children: list[Node] = field(default_factory=list)
    seq: int | None = None  # access-list entry sequence number (not printed, as IOS 16 does)

    def clone(self) -> Node:
        return copy.deepcopy(self)

    def find(self, fam: str, key: tuple[str, ...]) -> list[Node]:
        return [c for c in self.children if c.fam == fam and c.key == key]

    def put(self, node: Node) -> None:
        """Replace the line with the same identity in place (IOS keeps its position) or append."""
        for i, c in enumerate(self.children):
            if c.fam == node.fam and c.key == node.key:
                node.children = node.children or c.children
                self.children[i] = node
                return
        self.children.append(node)

    def remove(self, fam: str, key: tuple[str, ...]) -> int:
        before = len(self.children)
        self.children = [c for c in self.children if not (c.fam == fam and c.key == key)]
        return before - len(self.children)

    def words(self) -> list[str]:
        return self.line.split()


# Top-level order of `show running-config` (IOS groups by feature, not by entry order).
_RANKS = [
    ("version", 0),
    ("service", 1),
    ("no service", 1),
    ("platform", 2),
    ("hostname", 3),
    ("boot-", 4),
    ("vrf", 5),
    ("logging buffered", 6),
    ("no logging", 6),
    ("file prompt", 6),
    ("enable", 7),
    ("aaa", 8),
    ("clock", 9),
    ("ip name-server", 10),
    ("ip domain", 10),
    ("no ip domain", 10),
    ("ip source-route", 10),
    ("no ip source-route", 10),
    ("no ip bootp", 10),
    ("login", 11),
    ("license", 13),
    ("archive", 14),
    ("username", 15),
    ("redundancy", 16),
    ("cdp", 16),
    ("no cdp", 16),
    ("class-map", 17),
    ("policy-map", 18),
    ("interface", 19),
    ("ip forward-protocol", 20),
    ("ip http", 20),
    ("no ip http", 20),
    ("ip ssh", 21),
    ("ip route", 22),
    ("ip access-list", 23),
    ("logging", 24),
    ("access-list", 25),
    ("snmp-server", 26),
    ("control-plane", 27),
    ("banner", 28),
    ("line", 29),
    ("ntp", 30),
]
_IF_ORDER = [
    "description",
    "bandwidth",
    "encapsulation",
    "ip address",
    "no ip address",
    "ip helper",
    "no ip redirects",
    "no ip unreachables",
    "no ip proxy-arp",
    "ip access-group",
    "ip mtu",
    "ip nat",
    "ip tcp",
    "load-interval",
    "shutdown",
    "mtu",
    "speed",
    "duplex",
    "negotiation",
    "no cdp",
    "service-policy",
]


def _rank(line: str, table: list[tuple[str, int]], default: int) -> int:
    best, best_len = default, -1
    for prefix, rank in table:
        if line.startswith(prefix) and len(prefix) > best_len:
            best, best_len = rank, len(prefix)
    return best


def _if_rank(line: str) -> int:
    return _rank(line, [(p, i) for i, p in enumerate(_IF_ORDER)], len(_IF_ORDER))


@dataclass(frozen=True)
class Meta:
    """Device facts printed around the config lines."""

    version: str  # "16.9"
    model: str
    serial: str
    changed_at: float
    changed_by: str
    saved_at: float | None = None


def _stamp(t: float) -> str:
    return time.strftime("%H:%M:%S UTC %a %b %d %Y", time.gmtime(t))


def _block_lines(node: Node, depth: int) -> Iterator[str]:
    children = node.children
    if node.line.startswith("interface "):
        children = sorted(children, key=lambda c: _if_rank(c.line))
        if not any(c.fam == "ip address" for c in children):
            children = sorted([*children, Node("no ip address")], key=lambda c: _if_rank(c.line))
    for c in children:
        if "\n" in c.line:
            yield from c.line.split("\n")  # a multi-line banner is printed unindented
        else:
            yield " " * depth + c.line
        yield from _block_lines(c, depth + 1)


def render_body(root: Node, meta: Meta) -> str:
    """The config as `copy running-config <file>` writes it: from the first `!` to `end`."""
    out = ["!", f"! Last configuration change at {_stamp(meta.changed_at)} by {meta.changed_by}"]
    if meta.saved_at is not None:
        out.append(f"! NVRAM config last updated at {_stamp(meta.saved_at)} by {meta.changed_by}")
    out += ["!", f"version {meta.version}"]
    fixed = [
        Node("boot-start-marker"),
        Node("boot-end-marker"),
        Node(f"license udi pid {meta.model} sn {meta.serial}"),
    ]
    nodes = sorted([*root.children, *fixed], key=lambda n: _rank(n.line, _RANKS, 12))
    last_rank = 0
    for n in nodes:
        rank = _rank(n.line, _RANKS, 12)
        if rank != last_rank and out[-1] != "!":
            out.append("!")
        last_rank = rank
        out += n.line.split("\n")
        if n.children or n.line.startswith(("interface ", "line ", "class-map ", "policy-map ", "archive")):
            out += list(_block_lines(n, 1))
            out.append("!")
    if out[-1] != "!":
        out.append("!")
    out.append("end")
    return "\n".join(out) + "\n"


def show_running(body: str) -> str:
    """What `show running-config` prints around the body."""
    return f"Building configuration...\n\nCurrent configuration : {len(body.encode())} bytes\n{body}"


def config_lines(text: str) -> list[tuple[int, str]]:
    """A saved config as (indent depth, line), banners joined into one line, comments dropped."""
    out: list[tuple[int, str]] = []
    banner: list[str] | None = None
    for raw in text.replace("\r", "").split("\n"):
        if banner is not None:
            banner.append(raw)
            if "^C" in raw:
                out.append((0, "\n".join(banner)))
                banner = None
            continue
        stripped = raw.strip()
        if not stripped or stripped.startswith("!"):
            continue
        if raw.startswith(("Building configuration", "Current configuration", "Using ")):
            continue
        if stripped == "end" and raw == stripped:
            break
        if stripped.startswith("banner ") and "^C" in stripped:
            rest = stripped.split("^C", 1)[1]
            if "^C" not in rest:
                banner = [stripped]
                continue
        out.append((len(raw) - len(raw.lstrip(" ")), stripped))
    return out


def diff_commands(old: Node, new: Node) -> list[str]:
    """The commands `configure replace ... list` prints: removals as `no`, then additions."""
    out: list[str] = []
    old_lines = {c.line: c for c in old.children}
    new_lines = {c.line: c for c in new.children}
    for line, node in old_lines.items():
        if line not in new_lines:
            out.append("no " + line.split("\n")[0])
        elif node.children != new_lines[line].children:
            sub = diff_commands(node, new_lines[line])
            if sub:
                out.append(line)
                out += [" " + s for s in sub]
                out.append(" exit")
    for line, node in new_lines.items():
        if line not in old_lines:
            out += line.split("\n")
            out += [" " + ln for ln in _block_lines(node, 0)]
            if node.children:
                out.append(" exit")
    return out


def flash_name(url: str) -> str | None:
    """`flash:NAME` / `bootflash:/NAME` -> NAME."""
    m = re.match(r"^(?:boot)?flash:/?(.+)$", url)
    return m.group(1) if m else None
