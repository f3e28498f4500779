"""The IOS command parser: command templates per mode, keyword abbreviation and IOS's error positions.

A template is a space-separated list of elements: `keyword`, `a|b|c` (alternatives), `WORD` (any
token), `A.B.C.D`, `<lo-hi>` (integer), `[ ... ]` (optional, not nested), or a *tail* that consumes
the rest of the line: `LINE`, `IFNAME` or `@name` (a validator supplied by the caller).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import product

# A tail gets the remaining tokens and the raw remaining text; it returns the canonical tokens,
# or None plus the index (into the remaining tokens) of the first bad one (len = "incomplete").
TailFn = Callable[[list[str], str], tuple[list[str] | None, int]]

_INT = re.compile(r"^<(-?\d+)-(-?\d+)>$")
_IPV4 = re.compile(r"^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$")


@dataclass(frozen=True)
class Elem:
    words: Mapping[str, str]  # lower-case keyword -> how IOS prints it
    kinds: tuple[str, ...]  # placeholders: WORD, IP, INT:lo:hi, or one tail kind

    @property
    def tail(self) -> str | None:
        k = self.kinds[0] if len(self.kinds) == 1 and not self.words else ""
        return k if k in ("LINE", "IFNAME") or k.startswith("@") else None


def _elem(text: str) -> Elem:
    words: dict[str, str] = {}
    kinds: list[str] = []
    for part in text.split("|"):
        m = _INT.match(part)
        if m:
            kinds.append(f"INT:{m.group(1)}:{m.group(2)}")
        elif part == "A.B.C.D":
            kinds.append("IP")
        elif part in ("WORD", "LINE", "IFNAME") or part.startswith("@"):
            kinds.append(part)
        else:
            words[part.lower()] = part
    return Elem(words, tuple(kinds))


def _variants(syntax: str) -> tuple[tuple[Elem, ...], ...]:
    # Split into fixed parts and optional groups, then expand every on/off combination.
    parts: list[tuple[bool, list[str]]] = []
    in_opt = False
    for tok in re.findall(r"\[|\]|[^\s\[\]]+", syntax):
        if tok == "[":
            parts.append((True, []))
            in_opt = True
        elif tok == "]":
            in_opt = False
        elif in_opt:
            parts[-1][1].append(tok)
        else:
            parts.append((False, [tok]))
    out: list[tuple[Elem, ...]] = []
    for choice in product(*[(True, False) if opt else (True,) for opt, _ in parts]):
        elems = [_elem(t) for (_, toks), keep in zip(parts, choice, strict=True) if keep for t in toks]
        out.append(tuple(elems))
    return tuple(out)


@dataclass(frozen=True)
class Cmd:
    """One command of one mode, and how the config tree keeps it."""

    syntax: str
    key: int = 0  # lines with the same first `key` canonical tokens replace each other; 0 = whole line
    mode: str | None = None  # the sub-mode this command enters (the line heads a block)
    act: str = ""  # special handling in the session (exec commands, secrets, banners...)
    family: str = ""  # commands sharing a family replace each other (e.g. `bandwidth` forms)
    default_on: bool = False  # `no X` is shown as `no X` in the config instead of removing X
    keyfn: str = ""  # named key function for blocks/lines whose identity is not a prefix
    variants: tuple[tuple[Elem, ...], ...] = field(default=(), compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "variants", _variants(self.syntax))

    @property
    def fam(self) -> str:
        return self.family or self.syntax


@dataclass
class Parsed:
    cmd: Cmd | None
    canon: list[str]
    error: str = ""  # "", "invalid", "incomplete", "ambiguous"
    err_pos: int = 0  # character offset of the caret for "invalid"
    complete: bool = True  # False: a prefix of a command (used for `no ...`)

    @property
    def line(self) -> str:
        return " ".join(self.canon)


def tokenize(line: str) -> list[tuple[str, int]]:
    return [(m.group(0), m.start()) for m in re.finditer(r"\S+", line)]


def _accept(kind: str, tok: str) -> str | None:
    if kind == "WORD":
        return tok
    if kind == "IP":
        return tok if is_ipv4(tok) else None
    if kind.startswith("INT:"):
        _, lo, hi = kind.split(":")
        if re.fullmatch(r"-?\d+", tok) and int(lo) <= int(tok) <= int(hi):
            return str(int(tok))
    return None


def is_ipv4(tok: str) -> bool:
    m = _IPV4.match(tok)
    return m is not None and all(int(g) <= 255 for g in m.groups())


def _line_tail(toks: list[str], raw: str) -> tuple[list[str] | None, int]:
    return ([raw.strip()], 0) if toks else (None, 0)


def parse(cmds: Sequence[Cmd], line: str, tails: Mapping[str, TailFn], prefix: bool = False) -> Parsed:
    """Match one line against a mode's commands, the way the IOS parser reports problems."""
    tokens = tokenize(line)
    all_tails: dict[str, TailFn] = {"LINE": _line_tail, **tails}
    State = tuple[int, tuple[Elem, ...], tuple[str, ...]]
    states: list[State] = [(ci, v, ()) for ci, c in enumerate(cmds) for v in c.variants]
    done: list[tuple[int, tuple[str, ...]]] = []
    err_i, err_kind = -1, "invalid"

    def fail(i: int, kind: str) -> None:
        nonlocal err_i, err_kind
        if i > err_i:
            err_i, err_kind = i, kind

    i = 0
    for i, (tok, off) in enumerate(tokens):
        regular: list[State] = []
        for ci, v, canon in states:
            pos = len(canon)
            if pos >= len(v):
                fail(i, "invalid")
                continue
            tail = v[pos].tail
            if tail is None:
                regular.append((ci, v, canon))
                continue
            res, bad = all_tails[tail]([t for t, _ in tokens[i:]], line[off:])
            if res is not None:
                done.append((ci, canon + tuple(res)))
            else:
                fail(i + bad, "incomplete" if i + bad >= len(tokens) else "invalid")
        low = tok.lower()
        words = {w for _, v, canon in regular for w in v[len(canon)].words}
        cands = [low] if low in words else sorted(w for w in words if w.startswith(low))
        chosen = cands[0] if len(cands) == 1 else None
        nxt: list[State] = []
        for ci, v, canon in regular:
            el = v[len(canon)]
            if chosen is not None and chosen in el.words:
                nxt.append((ci, v, (*canon, el.words[chosen])))
                continue
            for kind in el.kinds:
                val = _accept(kind, tok)
                if val is not None:
                    nxt.append((ci, v, (*canon, val)))
                    break
        if not nxt:
            fail(i, "ambiguous" if len(cands) > 1 else "invalid")
            states = []
            break
        states = nxt
    else:
        i = len(tokens)
        for ci, v, canon in states:
            if len(canon) == len(v):
                done.append((ci, canon))
            else:
                fail(len(tokens), "incomplete")

    if done:
        ci, canon = min(done, key=lambda d: d[0])
        return Parsed(cmds[ci], list(canon))
    if prefix and states and i == len(tokens):
        ci, _, canon = min(states, key=lambda s: s[0])
        return Parsed(cmds[ci], list(canon), complete=False)
    if not tokens:
        return Parsed(None, [], "incomplete")
    pos = tokens[err_i][1] if 0 <= err_i < len(tokens) else len(line.rstrip())
    return Parsed(None, [], err_kind if err_i >= 0 else "invalid", pos)


# --- interface names ---------------------------------------------------------------------------

IF_TYPES = (
    "GigabitEthernet",
    "TenGigabitEthernet",
    "FastEthernet",
    "Ethernet",
    "Loopback",
    "Tunnel",
    "Vlan",
    "Port-channel",
    "Dialer",
    "Serial",
    "Virtual-Template",
    "BDI",
    "Cellular",
)
CREATABLE = ("Loopback", "Tunnel", "Vlan", "Port-channel", "Dialer", "Virtual-Template", "BDI")
_IFNUM = re.compile(r"^\d+(/\d+)*(\.\d+)?$")


def normalize_ifname(toks: list[str]) -> tuple[str | None, int]:
    """`gi0/0/0` or `Gi 0/0/0` -> ('GigabitEthernet0/0/0', tokens used); (None, bad index) if not."""
    if not toks:
        return None, 0
    m = re.match(r"^([A-Za-z-]+)(.*)$", toks[0])
    if not m:
        return None, 0
    prefix, num = m.group(1).lower(), m.group(2)
    used = 1
    if not num:
        if len(toks) < 2:
            return None, 1
        num, used = toks[1], 2
    exact = [t for t in IF_TYPES if t.lower() == prefix]
    cands = exact or [t for t in IF_TYPES if t.lower().startswith(prefix)]
    if len(cands) != 1:
        return None, 0
    if not _IFNUM.match(num):
        return None, used - 1
    return cands[0] + num, used
