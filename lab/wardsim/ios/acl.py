"""IOS access lists: validating/canonicalising entries as IOS prints them, and evaluating them.

Evaluation is what makes `line vty ... access-class NAME in` real: a new SSH connection from a peer the
list does not permit is refused.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Sequence

from wardsim.ios.parse import is_ipv4

TCP_PORTS = {
    "bgp": 179, "chargen": 19, "cmd": 514, "daytime": 13, "discard": 9, "domain": 53, "echo": 7,
    "exec": 512, "finger": 79, "ftp": 21, "ftp-data": 20, "gopher": 70, "hostname": 101, "ident": 113,
    "irc": 194, "klogin": 543, "kshell": 544, "login": 513, "lpd": 515, "nntp": 119, "pop2": 109,
    "pop3": 110, "smtp": 25, "sunrpc": 111, "tacacs": 49, "talk": 517, "telnet": 23, "time": 37,
    "uucp": 540, "whois": 43, "www": 80,
}  # fmt: skip
UDP_PORTS = {
    "biff": 512, "bootpc": 68, "bootps": 67, "discard": 9, "dnsix": 195, "domain": 53, "echo": 7,
    "isakmp": 500, "mobile-ip": 434, "nameserver": 42, "netbios-dgm": 138, "netbios-ns": 137,
    "non500-isakmp": 4500, "ntp": 123, "rip": 520, "snmp": 161, "snmptrap": 162, "sunrpc": 111,
    "syslog": 514, "tacacs": 49, "talk": 517, "tftp": 69, "time": 37, "who": 513, "xdmcp": 177,
}  # fmt: skip
DSCP = {
    "default": 0, "cs1": 8, "af11": 10, "af12": 12, "af13": 14, "cs2": 16, "af21": 18, "af22": 20,
    "af23": 22, "cs3": 24, "af31": 26, "af32": 28, "af33": 30, "cs4": 32, "af41": 34, "af42": 36,
    "af43": 38, "cs5": 40, "ef": 46, "cs6": 48, "cs7": 56,
}  # fmt: skip
_DSCP_NAME = {v: k for k, v in DSCP.items()}
PROTOCOLS = ("ip", "tcp", "udp", "icmp", "gre", "esp", "ahp", "ospf", "eigrp", "pim", "igmp", "sctp")
ICMP_TYPES = ("echo", "echo-reply", "unreachable", "time-exceeded", "packet-too-big", "ttl-exceeded")

Result = tuple[list[str] | None, int]


def _kw(tok: str, options: Sequence[str]) -> str | None:
    low = tok.lower()
    if low in options:
        return low
    cands = [o for o in options if o.startswith(low)]
    return cands[0] if len(cands) == 1 else None


def dscp_value(tok: str) -> str | None:
    """`ef`, `af41` or 0-63 -> the name IOS prints (numbers with a name are shown by name)."""
    name = _kw(tok, tuple(DSCP))
    if name:
        return name
    if tok.isdigit() and int(tok) <= 63:
        return _DSCP_NAME.get(int(tok), str(int(tok)))
    return None


def dscp_list(toks: list[str], raw: str) -> Result:
    if not toks:
        return None, 0
    out: list[str] = []
    for i, t in enumerate(toks[:8]):
        v = dscp_value(t)
        if v is None:
            return None, i
        out.append(v)
    return (out, 0) if len(toks) <= 8 else (None, 8)


def dscp_one(toks: list[str], raw: str) -> Result:
    res, bad = dscp_list(toks[:1], raw)
    return (res, 0) if res is not None and len(toks) == 1 else (None, bad if res is None else 1)


def ip_list(toks: list[str], raw: str) -> Result:
    if not toks:
        return None, 0
    for i, t in enumerate(toks[:6]):
        if not is_ipv4(t):
            return None, i
    return (list(toks), 0) if len(toks) <= 6 else (None, 6)


def _addr(toks: list[str], i: int, standard: bool) -> tuple[list[str] | None, int]:
    """any | host A | A W (standard: also bare A). Returns canonical tokens and the next index."""
    if i >= len(toks):
        return None, i
    kw = _kw(toks[i], ("any", "host"))
    if kw == "any":
        return ["any"], i + 1
    if kw == "host":
        if i + 1 < len(toks) and is_ipv4(toks[i + 1]):
            return ([toks[i + 1]] if standard else ["host", toks[i + 1]]), i + 2
        return None, i + 1
    if not is_ipv4(toks[i]):
        return None, i
    if i + 1 < len(toks) and is_ipv4(toks[i + 1]):
        a, w = toks[i], toks[i + 1]
        if w == "0.0.0.0":
            return ([a] if standard else ["host", a]), i + 2
        if w == "255.255.255.255":
            return ["any"], i + 2
        return [a, w], i + 2
    if standard:
        return [toks[i]], i + 1
    return None, i + 1


def _port(tok: str, proto: str) -> str | None:
    names = TCP_PORTS if proto == "tcp" else UDP_PORTS
    if tok.isdigit() and int(tok) <= 65535:
        by_num = {v: k for k, v in names.items()}
        return by_num.get(int(tok), str(int(tok)))
    low = tok.lower()
    return low if low in names else None


def _ports(toks: list[str], i: int, proto: str) -> tuple[list[str] | None, int]:
    """Optional `eq|neq|lt|gt P` or `range P P` after an address of a tcp/udp entry."""
    if proto not in ("tcp", "udp") or i >= len(toks):
        return [], i
    op = _kw(toks[i], ("eq", "neq", "lt", "gt", "range"))
    if op is None:
        return [], i
    need = 2 if op == "range" else 1
    out = [op]
    for j in range(i + 1, i + 1 + need):
        p = _port(toks[j], proto) if j < len(toks) else None
        if p is None:
            return None, j
        out.append(p)
    return out, i + 1 + need


def ace_std(toks: list[str], raw: str) -> Result:
    addr, i = _addr(toks, 0, standard=True)
    if addr is None:
        return None, i
    if i < len(toks) and _kw(toks[i], ("log",)):
        addr.append("log")
        i += 1
    return (addr, 0) if i == len(toks) else (None, i)


def ace_ext(toks: list[str], raw: str) -> Result:
    if not toks:
        return None, 0
    proto = _kw(toks[0], PROTOCOLS) or (toks[0] if toks[0].isdigit() and int(toks[0]) <= 255 else None)
    if proto is None:
        return None, 0
    out = [proto]
    i = 1
    for _ in ("source", "destination"):
        addr, i = _addr(toks, i, standard=False)
        if addr is None:
            return None, i
        ports, i = _ports(toks, i, proto)
        if ports is None:
            return None, i
        out += addr + ports
    if proto == "icmp" and i < len(toks):
        t = _kw(toks[i], ICMP_TYPES)
        if t or toks[i].isdigit():
            out.append(t or toks[i])
            i += 1
    while i < len(toks):
        opt = _kw(toks[i], ("log", "log-input", "established", "fragments", "dscp", "precedence"))
        if opt is None or (opt == "established" and proto != "tcp"):
            return None, i
        if opt in ("dscp", "precedence"):
            val = dscp_value(toks[i + 1]) if opt == "dscp" and i + 1 < len(toks) else None
            if opt == "precedence" and i + 1 < len(toks) and toks[i + 1].isdigit():
                val = toks[i + 1]
            if val is None:
                return None, i + 1
            out += [opt, val]
            i += 2
        else:
            out.append(opt)
            i += 1
    return out, 0


def _entry(toks: list[str], raw: str, ace: Callable[[list[str], str], Result]) -> Result:
    """The part after `access-list N`: `permit|deny <entry>` or `remark <text>`."""
    if not toks:
        return None, 0
    action = _kw(toks[0], ("permit", "deny", "remark"))
    if action is None:
        return None, 0
    if action == "remark":
        rest = raw.split(None, 1)[1].strip() if len(toks) > 1 else ""
        return (["remark", rest], 0) if rest else (None, 1)
    res, bad = ace(toks[1:], "")
    return (None, bad + 1) if res is None else ([action, *res], 0)


def std_entry(toks: list[str], raw: str) -> Result:
    return _entry(toks, raw, ace_std)


def ext_entry(toks: list[str], raw: str) -> Result:
    return _entry(toks, raw, ace_ext)


# --- evaluation ----------------------------------------------------------------------------------


def _addr_match(toks: list[str], i: int, ips: Sequence[str], standard: bool) -> tuple[bool, int]:
    if toks[i] == "any":
        return True, i + 1
    if toks[i] == "host":
        return toks[i + 1] in ips, i + 2
    if standard and (i + 1 >= len(toks) or not is_ipv4(toks[i + 1])):
        return toks[i] in ips, i + 1
    base, wild = int(ipaddress.IPv4Address(toks[i])), int(ipaddress.IPv4Address(toks[i + 1]))
    mask = ~wild & 0xFFFFFFFF
    return any(is_ipv4(ip) and int(ipaddress.IPv4Address(ip)) & mask == base & mask for ip in ips), i + 2


def _port_match(toks: list[str], i: int, proto: str, port: int | None) -> tuple[bool, int]:
    if i >= len(toks) or toks[i] not in ("eq", "neq", "lt", "gt", "range"):
        return True, i
    names = TCP_PORTS if proto == "tcp" else UDP_PORTS

    def num(t: str) -> int:
        return int(t) if t.isdigit() else names[t]

    op = toks[i]
    if port is None:
        return False, i + (3 if op == "range" else 2)
    if op == "range":
        return num(toks[i + 1]) <= port <= num(toks[i + 2]), i + 3
    p = num(toks[i + 1])
    ok = {"eq": port == p, "neq": port != p, "lt": port < p, "gt": port > p}[op]
    return ok, i + 2


def ace_permits(entry: list[str], standard: bool, src: str, dsts: Sequence[str]) -> bool | None:
    """True/False if the entry matches an SSH connection src -> dsts:22, None if it does not apply."""
    action, toks = entry[0], entry[1:]
    if action == "remark":
        return None
    if standard:
        ok, _ = _addr_match(toks, 0, [src], standard=True)
        return (action == "permit") if ok else None
    proto = toks[0]
    if proto not in ("ip", "tcp"):
        return None
    ok, i = _addr_match(toks, 1, [src], standard=False)
    pok, i = _port_match(toks, i, proto, None)  # the client's source port is not known
    if not (ok and pok):
        return None
    ok, i = _addr_match(toks, i, dsts, standard=False)
    pok, i = _port_match(toks, i, proto, 22)
    return (action == "permit") if ok and pok else None


def acl_permits(entries: Sequence[list[str]], standard: bool, src: str, dsts: Sequence[str]) -> bool:
    """First match wins; no match is the implicit `deny any`."""
    for entry in entries:
        verdict = ace_permits(entry, standard, src, dsts)
        if verdict is not None:
            return verdict
    return False
