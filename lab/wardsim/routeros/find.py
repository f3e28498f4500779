"""`find` expressions: `[find name=x]`, `[/ip address find where interface=ether1 !disabled]`."""

from __future__ import annotations

import re

from wardsim.routeros.menus import MENU_BY_PATH, Item, Menu, RosDb
from wardsim.routeros.parse import RosError, parse_bool

_COND = re.compile(r'\s*(?:(?P<k>[\w.-]+?)\s*(?P<op>!=|=|~)\s*(?P<v>"(?:[^"\\]|\\.)*"|[^\s\]]+)|(?P<flag>!?[\w-]+))')


def find_expr(db: RosDb, expr: str, where: Menu | None, cwd_key: str) -> list[Item]:
    """`[find ...]` / `[/path find ...]`; without a path it searches the command's own menu (else the current one)."""
    m = re.match(r"^\s*(/?[\w\s/-]*?)\s*find\b(.*)$", expr, re.S)
    if not m:
        raise RosError("syntax error")
    path = m.group(1).strip()
    menu = where
    if path or menu is None:
        key = "/" + " ".join(path.strip("/").replace("/", " ").split()) if path else cwd_key
        menu = MENU_BY_PATH.get(key)
    if menu is None:
        raise RosError("syntax error")
    return find_items(db, menu, m.group(2))


def find_items(db: RosDb, menu: Menu, conds: str) -> list[Item]:
    """`find [where] k=v k!=v k~regex flag !flag ...`, all of them true."""
    tests: list[tuple[str, str, str]] = []  # (prop, op, value)
    for m in _COND.finditer(conds):
        flag = m.group("flag")
        if flag and flag not in ("where", "and"):
            tests.append((flag.lstrip("!"), "!=" if flag.startswith("!") else "=", "yes"))
        elif m.group("k"):
            tests.append((m.group("k"), m.group("op"), _unquote(m.group("v"))))
    return [i for i in db.items(menu.path) if all(_compare(_prop(i, k), op, v) for k, op, v in tests)]


def _prop(item: Item, k: str) -> str:
    if k == "default":
        return "yes" if item.default else "no"
    if k == "dynamic":
        return "no"
    if k == "disabled":
        return item.props.get("disabled", "no")
    return item.props.get(k, "")


def _unquote(v: str) -> str:
    if len(v) >= 2 and v[0] == v[-1] == '"':
        return re.sub(r"\\(.)", r"\1", v[1:-1])
    return v


def _compare(actual: str, op: str, want: str) -> bool:
    if op == "~":
        try:
            return re.search(want, actual) is not None
        except re.error:
            return False
    same = (parse_bool(actual) or actual) == (parse_bool(want) or want)
    return same if op == "=" else not same
