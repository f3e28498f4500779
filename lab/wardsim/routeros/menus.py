"""RouterOS menus (what a ward router configures), the device database and value validation."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from wardsim.routeros.parse import (
    RosError,
    fmt_rate,
    fmt_time,
    is_ip,
    norm_prefix,
    parse_bool,
    parse_rate,
    parse_time,
)


@dataclass(frozen=True)
class Prop:
    name: str
    kind: str = "str"
    arg: str = ""
    default: str | None = None
    required: bool = False
    sensitive: bool = False  # hidden by /export and print unless show-sensitive


def _props(spec: str) -> dict[str, Prop]:
    """`name[:kind[:arg]][=default][!][*]` entries; `!` required, `*` sensitive."""
    out: dict[str, Prop] = {}
    for entry in spec.split():
        sensitive = entry.endswith("*")
        entry = entry.rstrip("*")
        required = entry.endswith("!")
        entry = entry.rstrip("!")
        head, _, default = entry.partition("=")
        name, _, rest = head.partition(":")
        kind, _, arg = rest.partition(":")
        out[name] = Prop(name, kind or "str", arg, default if "=" in entry else None, required, sensitive)
    return out


@dataclass(frozen=True)
class Menu:
    path: str
    kind: str  # list | single | fixed (items exist, no add/remove)
    spec: str = ""
    unique: str | None = None
    ordered: bool = False
    ref: str = "find-name"  # how /export names a built-in item: plain | find-name | find-default-name
    exported: bool = True
    entry: tuple[str, ...] = ()  # properties no two items may share (besides `unique`)
    entry_error: str = "failure: already have such entry"
    defaults: tuple[dict[str, str], ...] = ()
    props: dict[str, Prop] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        extra = " comment disabled:bool=no" if self.kind != "single" else ""
        object.__setattr__(self, "props", _props(self.spec + extra))


_FW = (
    "chain! protocol src-address:addr dst-address:addr src-address-list dst-address-list src-port:ports "
    "dst-port:ports in-interface out-interface in-interface-list out-interface-list connection-state "
    "connection-mark packet-mark dscp:int:0-63 log:bool=no log-prefix jump-target address-list "
    "address-list-timeout connection-nat-state limit tcp-flags icmp-options "
)
_FILTER_ACT = "accept|drop|reject|jump|return|log|passthrough|fasttrack-connection|tarpit|add-src-to-address-list"
_MANGLE_ACT = (
    "accept|mark-connection|mark-packet|mark-routing|change-dscp|change-mss|change-ttl|passthrough|jump|"
    "return|log|set-priority|add-src-to-address-list|add-dst-to-address-list|clear-df|route"
)
_NAT_ACT = "accept|masquerade|src-nat|dst-nat|netmap|redirect|return|jump|passthrough|log"
_SERVICES = (
    ("telnet", "23"),
    ("ftp", "21"),
    ("www", "80"),
    ("ssh", "22"),
    ("www-ssl", "443"),
    ("api", "8728"),
    ("winbox", "8291"),
    ("api-ssl", "8729"),
)

# In /export order (roughly what RouterOS 7 prints).
MENUS: tuple[Menu, ...] = (
    Menu("/interface ethernet", "fixed", "name default-name mtu:int:64-9000=1500", ref="find-default-name"),
    Menu("/interface list", "list", "name!", unique="name"),
    Menu(
        "/queue simple",
        "list",
        "name target! max-limit limit-at priority packet-marks parent queue dst",
        unique="name",
    ),
    Menu(
        "/queue tree",
        "list",
        "name! parent:qparent! packet-mark priority:int:1-8 max-limit:rate limit-at:rate burst-limit:rate "
        "burst-threshold:rate burst-time:time queue bucket-size",
        unique="name",
    ),
    Menu(
        "/snmp community",
        "list",
        "name! addresses:prefixes security:enum:none|authorized|private=none "
        "authentication-protocol:enum:MD5|SHA1=MD5 encryption-protocol:enum:DES|AES=DES "
        "authentication-password* encryption-password* read-access:bool=yes write-access:bool=no",
        unique="name",
        ref="find-default",
        defaults=({"name": "public", "addresses": "::/0"},),
    ),
    Menu(
        "/system logging action",
        "list",
        "name! target:enum:memory|disk|echo|remote|email! remote remote-port:int:1-65535 src-address "
        "bsd-syslog:bool syslog-facility syslog-severity memory-lines:int:1-65535 disk-file-name "
        "remote-log-format",
        unique="name",
        defaults=(
            {"name": "memory", "target": "memory"},
            {"name": "disk", "target": "disk"},
            {"name": "echo", "target": "echo"},
            {"name": "remote", "target": "remote", "remote": "0.0.0.0"},
        ),
    ),
    Menu(
        "/user group",
        "list",
        "name! policy skin",
        unique="name",
        defaults=({"name": "read"}, {"name": "write"}, {"name": "full"}),
    ),
    Menu("/interface list member", "list", "list! interface:iface!"),
    Menu(
        "/ip address",
        "list",
        "address:ipprefix! interface:iface! network",
        entry=("address", "interface"),
        entry_error="failure: already have such address",
    ),
    Menu("/ip dns", "single", "servers:iplist allow-remote-requests:bool=no cache-size:int:64-1048576=2048"),
    Menu("/ip firewall address-list", "list", "list! address! timeout:time", entry=("list", "address")),
    Menu("/ip firewall filter", "list", _FW + f"action:enum:{_FILTER_ACT}=accept reject-with", ordered=True),
    Menu(
        "/ip firewall mangle",
        "list",
        _FW + f"action:enum:{_MANGLE_ACT}=accept new-packet-mark new-connection-mark new-routing-mark "
        "new-dscp:int:0-63 new-priority passthrough:bool",
        ordered=True,
    ),
    Menu("/ip firewall nat", "list", _FW + f"action:enum:{_NAT_ACT}=accept to-addresses to-ports:ports", ordered=True),
    Menu("/ip neighbor discovery-settings", "single", "discover-interface-list=all"),
    Menu("/ip proxy", "single", "enabled:bool=no"),
    Menu("/ip route", "list", "dst-address:prefix gateway! distance:int:1-255 routing-table"),
    Menu(
        "/ip service",
        "fixed",
        "name port:int:1-65535 address:prefixes certificate vrf=main tls-version max-sessions:int:1-1000",
        ref="plain",
        defaults=tuple({"name": n, "port": p, **({"disabled": "yes"} if n == "www-ssl" else {})} for n, p in _SERVICES),
    ),
    Menu("/ip socks", "single", "enabled:bool=no"),
    Menu(
        "/ip ssh",
        "single",
        "strong-crypto:bool=no allow-none-crypto:bool=no forwarding-enabled:enum:both|local|no|remote=no "
        "always-allow-password-login:bool=no host-key-size:int:1024-8192=2048 host-key-type:enum:rsa|ed25519=rsa",
    ),
    Menu("/ip upnp", "single", "enabled:bool=no"),
    Menu(
        "/snmp",
        "single",
        "enabled:bool=no contact location trap-version:int:1-3=1 trap-community trap-target engine-id "
        "trap-generators src-address",
    ),
    Menu("/system clock", "single", "time-zone-name=manual time-zone-autodetect:bool=yes"),
    Menu("/system identity", "single", "name=MikroTik"),
    Menu("/system logging", "list", "topics! action:ref:/system/logging/action! prefix"),
    Menu("/system note", "single", "note show-at-login:bool=yes"),
    Menu(
        "/system ntp client",
        "single",
        "enabled:bool=no servers mode:enum:unicast|broadcast|multicast|manycast=unicast",
    ),
    Menu(
        "/system scheduler",
        "list",
        "name! start-date start-time interval:time=0s on-event policy",
        unique="name",
    ),
    Menu("/system script", "list", "name! source policy dont-require-permissions:bool=no", unique="name"),
    Menu("/tool bandwidth-server", "single", "enabled:bool=yes authenticate:bool=yes"),
    Menu("/tool mac-server", "single", "allowed-interface-list=all"),
    Menu("/tool mac-server mac-winbox", "single", "allowed-interface-list=all"),
    Menu("/tool mac-server ping", "single", "enabled:bool=yes"),
    Menu(
        "/user",
        "list",
        "name! group:ref:/user/group! password* address:prefixes",
        unique="name",
        exported=False,
    ),
)
MENU_BY_PATH = {m.path: m for m in MENUS}


@dataclass
class Item:
    id: int
    props: dict[str, str]
    default: bool = False  # built in: /export shows it only as `set` of what changed; cannot be removed
    base: dict[str, str] = field(default_factory=dict)


@dataclass
class RosDb:
    """Everything /system backup saves: per-menu settings and items (user password hashes included)."""

    singles: dict[str, dict[str, str]] = field(default_factory=dict)
    lists: dict[str, list[Item]] = field(default_factory=dict)
    next_id: int = 1

    def clone(self) -> RosDb:
        return copy.deepcopy(self)

    def items(self, path: str) -> list[Item]:
        return self.lists.setdefault(path, [])

    def new_item(self, path: str, props: dict[str, str], default: bool = False) -> Item:
        item = Item(self.next_id, dict(props), default, dict(props) if default else {})
        self.next_id += 1
        self.items(path).append(item)
        return item

    def to_json(self) -> dict[str, Any]:
        return {
            "singles": self.singles,
            "lists": {p: [vars(i) for i in items] for p, items in self.lists.items()},
            "next_id": self.next_id,
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> RosDb:
        lists = {p: [Item(**i) for i in items] for p, items in raw["lists"].items()}
        return cls(dict(raw["singles"]), lists, int(raw["next_id"]))


def base_db(interfaces: list[str]) -> RosDb:
    """A freshly reset device: built-in items only."""
    db = RosDb()
    for name in interfaces:
        db.new_item("/interface ethernet", {"name": name, "default-name": name}, default=True)
    for menu in MENUS:
        for d in menu.defaults:
            db.new_item(menu.path, d, default=True)
    return db


# --- validation ----------------------------------------------------------------------------------


def validate(db: RosDb, menu: Menu, key: str, raw: str) -> str:
    """Check one value; returns it the way RouterOS stores/prints it."""
    prop = menu.props[key]
    kind, arg = prop.kind, prop.arg
    if kind == "str":
        return raw
    if kind == "bool":
        v = parse_bool(raw)
        if v is None:
            raise RosError(f"input does not match any value of {key}")
        return v
    if kind == "int":
        lo, hi = (int(x) for x in arg.split("-"))
        if not raw.isdigit():
            raise RosError(f"invalid value for argument {key}")
        if not lo <= int(raw) <= hi:
            raise RosError(f"value of {key} out of range ({lo}..{hi})")
        return str(int(raw))
    if kind == "enum":
        if raw not in arg.split("|"):
            raise RosError(f"input does not match any value of {key}")
        return raw
    if kind == "time":
        t = parse_time(raw)
        if t is None:
            raise RosError(f"invalid value for argument {key}")
        return fmt_time(t)
    if kind == "rate":
        r = parse_rate(raw)
        if r is None:
            raise RosError(f"invalid value for argument {key}")
        return fmt_rate(r)
    if kind in ("prefixes", "iplist"):
        parts = [p for p in raw.split(",") if p]
        norm = [norm_prefix(p) if kind == "prefixes" else (p if is_ip(p) else None) for p in parts]
        if any(n is None for n in norm):
            raise RosError(f"invalid value for argument {key}")
        return ",".join(n for n in norm if n)
    if kind in ("prefix", "ipprefix"):
        n = norm_prefix(raw)
        if n is None:
            raise RosError(f"invalid value for argument {key}")
        return raw if kind == "ipprefix" and "/" in raw else n
    if kind == "addr":
        core = raw.lstrip("!")
        if not all(norm_prefix(p) for p in core.split("-")):
            raise RosError(f"invalid value for argument {key}")
        return raw
    if kind == "ports":
        if not all(p.isdigit() for part in raw.split(",") for p in part.split("-")):
            raise RosError(f"invalid value for argument {key}")
        return raw
    if kind == "iface":
        if raw not in interface_names(db):
            raise RosError(f"input does not match any value of {key}")
        return raw
    if kind == "qparent":
        names = {"global", *interface_names(db), *(i.props.get("name", "") for i in db.items("/queue tree"))}
        if raw not in names:
            raise RosError(f"input does not match any value of {key}")
        return raw
    if kind == "ref":  # arg names the referenced menu with "/" for spaces: /user/group
        menu_path = "/" + arg.strip("/").replace("/", " ")
        if raw not in {i.props.get("name") for i in db.items(menu_path)}:
            raise RosError(f"input does not match any value of {key}")
        return raw
    return raw


def interface_names(db: RosDb) -> list[str]:
    return [i.props["name"] for i in db.items("/interface ethernet")]
