"""RouterOS command-line syntax: statements, words, `key=value`, quoted strings, `[ ... ]`, and values."""

from __future__ import annotations

import ipaddress
import re
import time
from dataclasses import dataclass


class RosError(Exception):
    """An error RouterOS prints: the parser's own errors carry a column; run-time errors name the command
    that failed (`where`, e.g. /queue/tree/add), which a script's error report shows with its line."""

    def __init__(self, msg: str, col: int | None = None, where: str | None = None) -> None:
        super().__init__(msg)
        self.msg = msg
        self.col = col
        self.where = where
        self.line: int | None = None  # the script line, once known

    def text(self, lineno: int = 1) -> str:
        """As the console prints it after a typed line."""
        return self.msg if self.col is None else f"{self.msg} (line {self.line or lineno} column {self.col})"

    def in_script(self) -> str:
        """As a script's error report shows it. The scheduler's debug log line in the Scripting manual reads
        `not enough permissions (9) (/ip/dhcp-client/add; line 1)`; parse errors keep `(line N column M)`."""
        line = self.line or 1
        if self.col is not None:
            return f"{self.msg} (line {line} column {self.col})"
        return f"{self.msg} ({self.where}; line {line})" if self.where else self.msg


@dataclass
class Tok:
    kind: str  # "word", "kv", "expr" ([ ... ]) or "block" ({ ... })
    text: str  # the word, the key of a kv, or the inside of an expr or block
    col: int  # 1-based column in the line
    value: str = ""
    value_expr: bool = False  # key=[ ... ]
    value_block: bool = False  # key={ ... }


_ESC = {"n": "\n", "r": "\r", "t": "\t", "a": "\a", "b": "\b", "f": "\f", "v": "\v", "_": " "}


def split_statements(line: str) -> list[tuple[str, int]]:
    """Split at `;` outside quotes and brackets; returns (statement, 0-based offset)."""
    out: list[tuple[str, int]] = []
    depth, quoted, start, i = 0, False, 0, 0
    while i < len(line):
        ch = line[i]
        if quoted:
            if ch == "\\":
                i += 1
            elif ch == '"':
                quoted = False
        elif ch == '"':
            quoted = True
        elif ch in "[{(":
            depth += 1
        elif ch in "]})":
            depth -= 1
        elif ch == ";" and depth == 0:
            out.append((line[start:i], start))
            start = i + 1
        i += 1
    out.append((line[start:], start))
    return [(s, o) for s, o in out if s.strip()]


def script_lines(text: str, first: int = 1) -> list[tuple[int, str]]:
    """A script's command lines: (first physical line number, text).

    Scripting manual, "Line structure": a line ending in `\\` joins the next one; a command inside
    (), [] or {} may span physical lines; a comment runs from `#` (where a command could start) to
    the end of its physical line.
    """
    out: list[tuple[int, str]] = []
    buf, start, depth, quoted = "", first, 0, False
    physical = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for n, raw in enumerate(physical, start=first):
        line = raw.lstrip() if buf and not depth else raw
        if not buf:
            start = n
        kept, depth, quoted = _scan(line, depth, quoted)
        if kept.endswith("\\") and not kept.endswith("\\\\"):
            buf += kept[:-1]
            continue
        buf += kept
        if depth > 0 or quoted:
            buf += "\n"
            continue
        if buf.strip():
            out.append((start, buf.rstrip()))
        buf, depth, quoted = "", 0, False
    if buf.strip():
        out.append((start, buf.rstrip()))
    return out


def _scan(line: str, depth: int, quoted: bool) -> tuple[str, int, bool]:
    """One physical line: drop its comment, track brackets and quotes; returns (kept text, depth, quoted)."""
    at_start = True  # where a command could begin: line start, after `;` or an opening brace
    i = 0
    while i < len(line):
        ch = line[i]
        if quoted:
            if ch == "\\":
                i += 1
            elif ch == '"':
                quoted = False
        elif ch == "#" and at_start:
            return line[:i].rstrip(), depth, quoted
        elif ch == '"':
            quoted = True
        elif ch in "[{(":
            depth += 1
        elif ch in "]})":
            depth = max(0, depth - 1)
        if not quoted and not ch.isspace():
            at_start = ch in ";{"
        i += 1
    return line, depth, quoted


def iso_dates(version: str) -> bool:
    """RouterOS 7.10 and later print dates as YYYY-MM-DD (older: nov/17/2023)."""
    nums = [int(p) for p in re.findall(r"\d+", version)[:2]]
    return tuple(nums) >= (7, 10)


def ros_date(when: float, version: str) -> str:
    t = time.gmtime(when)
    return time.strftime("%Y-%m-%d", t) if iso_dates(version) else time.strftime("%b/%d/%Y", t).lower()


def parse_date(v: str) -> str | None:
    """`2023-11-17` or `nov/17/2023` as YYYY-MM-DD."""
    for fmt in ("%Y-%m-%d", "%b/%d/%Y"):
        try:
            return time.strftime("%Y-%m-%d", time.strptime(v, fmt))
        except ValueError:
            continue
    return None


def _quoted(line: str, i: int) -> tuple[str, int]:
    """Read a "..." string starting at line[i] == '"'; returns (value, index after the quote)."""
    out: list[str] = []
    j = i + 1
    while j < len(line):
        ch = line[j]
        if ch == "\\" and j + 1 < len(line):
            nxt = line[j + 1]
            if re.match(r"[0-9A-Fa-f]{2}", line[j + 1 : j + 3]):
                out.append(chr(int(line[j + 1 : j + 3], 16)))
                j += 3
                continue
            out.append(_ESC.get(nxt, nxt))
            j += 2
            continue
        if ch == '"':
            return "".join(out), j + 1
        out.append(ch)
        j += 1
    raise RosError("syntax error", i + 1)


def _bracket(line: str, i: int) -> tuple[str, int]:
    """Read [ ... ] or { ... } starting at line[i]; returns (inside, index after the closing bracket)."""
    opening = line[i]
    closing = "]" if opening == "[" else "}"
    depth, j, quoted = 0, i, False
    while j < len(line):
        ch = line[j]
        if quoted:
            if ch == "\\":
                j += 1
            elif ch == '"':
                quoted = False
        elif ch == '"':
            quoted = True
        elif ch == opening:
            depth += 1
        elif ch == closing:
            depth -= 1
            if depth == 0:
                return line[i + 1 : j].strip(), j + 1
        j += 1
    raise RosError("syntax error", i + 1)


def tokenize(stmt: str, offset: int = 0) -> list[Tok]:
    toks: list[Tok] = []
    i = 0
    n = len(stmt)
    while i < n:
        ch = stmt[i]
        if ch.isspace():
            i += 1
            continue
        col = offset + i + 1
        if ch in "[{":
            inner, i = _bracket(stmt, i)
            toks.append(Tok("expr" if ch == "[" else "block", inner, col))
            continue
        if ch == '"':
            val, i = _quoted(stmt, i)
            toks.append(Tok("word", val, col))
            continue
        j = i
        while j < n and not stmt[j].isspace() and stmt[j] not in '="[{':
            j += 1
        word = stmt[i:j]
        if j < n and stmt[j] == "=" and word:
            j += 1
            if j < n and stmt[j] == '"':
                val, j = _quoted(stmt, j)
                toks.append(Tok("kv", word, col, val))
            elif j < n and stmt[j] in "[{":
                inner, j = _bracket(stmt, j)
                block = stmt[j - 1] == "}"
                toks.append(Tok("kv", word, col, inner, value_expr=not block, value_block=block))
            else:
                k = j
                while k < n and not stmt[k].isspace():
                    k += 1
                toks.append(Tok("kv", word, col, stmt[j:k]))
                j = k
            i = j
            continue
        if j < n and stmt[j] in '"[{' and word:
            raise RosError("syntax error", offset + j + 1)
        if not word:
            raise RosError("syntax error", col)
        toks.append(Tok("word", word, col))
        i = j
    return toks


# --- values ----------------------------------------------------------------------------------------

_NEEDS_QUOTES = re.compile(r'[\s"\\;$\[\]{}=#?]')


def quote(value: str) -> str:
    """How /export writes a value."""
    if value and not _NEEDS_QUOTES.search(value):
        return value
    esc = value.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$").replace("?", "\\?")
    return '"' + esc.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t") + '"'


def parse_bool(v: str) -> str | None:
    low = v.lower()
    return "yes" if low in ("yes", "true") else "no" if low in ("no", "false") else None


_TIME_UNITS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}


def parse_time(v: str) -> float | None:
    if re.fullmatch(r"\d+", v):
        return float(v)
    m = re.fullmatch(r"(\d+):(\d\d):(\d\d)", v)
    if m:
        return int(m.group(1)) * 3600 + int(m.group(2)) * 60 + int(m.group(3))
    m = re.fullmatch(r"(\d+)ms", v)
    if m:
        return int(m.group(1)) / 1000
    parts = re.findall(r"(\d+)([wdhms])", v)
    if parts and "".join(a + b for a, b in parts) == v:
        return float(sum(int(a) * _TIME_UNITS[b] for a, b in parts))
    return None


def fmt_time(sec: float) -> str:
    if sec and sec < 1:
        return f"{int(sec * 1000)}ms"
    rest = int(sec)
    out = ""
    for unit in "wdhms":
        q, rest = divmod(rest, _TIME_UNITS[unit])
        if q:
            out += f"{q}{unit}"
    return out or "0s"


_RATE = re.compile(r"^(\d+)([kKMG]?)$")
_RATE_MULT = {"": 1, "k": 1000, "K": 1000, "M": 1000000, "G": 1000000000}


def parse_rate(v: str) -> int | None:
    m = _RATE.match(v)
    return int(m.group(1)) * _RATE_MULT[m.group(2)] if m else None


def fmt_rate(n: int) -> str:
    for suffix, mult in (("G", 10**9), ("M", 10**6), ("k", 1000)):
        if n and n % mult == 0:
            return f"{n // mult}{suffix}"
    return str(n)


def norm_prefix(v: str) -> str | None:
    """`10.0.0.0/8` or `192.0.2.1` (-> `192.0.2.1/32`), as /ip service address shows them."""
    try:
        return str(ipaddress.ip_network(v, strict=False))
    except ValueError:
        return None


def is_ip(v: str) -> bool:
    try:
        ipaddress.IPv4Address(v)
    except ValueError:
        return False
    return True


def ip_in(ip: str, prefixes: str) -> bool:
    """Is ip inside any of the comma-separated prefixes (empty = everything)?"""
    if not prefixes:
        return True
    addr = ipaddress.ip_address(ip)
    for p in prefixes.split(","):
        try:
            if addr in ipaddress.ip_network(p, strict=False):
                return True
        except ValueError:
            continue
    return False
