"""What RouterOS prints from the database: `print` and `/export` (output.py keeps menus.py small)."""

from __future__ import annotations

import time

from wardsim.routeros.menus import MENUS, Item, Menu, RosDb
from wardsim.routeros.parse import quote, ros_date


def _shown(menu: Menu, props: dict[str, str], sensitive: bool) -> list[tuple[str, str]]:
    out = []
    for k in sorted(props):
        if k.startswith("_") or k == "default-name":
            continue
        p = menu.props.get(k)
        if p is not None and p.sensitive and not sensitive:
            continue
        out.append((k, props[k]))
    return out


def _wrap(words: list[str], first: str, width: int = 80) -> list[str]:
    """RouterOS export folds long commands with a trailing backslash."""
    lines = [first]
    for w in words:
        if len(lines[-1]) + 1 + len(w) > width - 2 and lines[-1].strip() != first.strip():
            lines[-1] += " \\"
            lines.append("    " + w)
        else:
            lines[-1] += " " + w
    return lines


def _item_ref(menu: Menu, item: Item) -> str:
    name = item.base.get("name", "")
    if menu.ref == "plain":
        return name
    if menu.ref == "find-default-name":
        return f"[ find default-name={item.props.get('default-name', name)} ]"
    if menu.ref == "find-default":
        return "[ find default=yes ]"
    return f"[ find name={quote(name)} ]"


def menu_commands(db: RosDb, menu: Menu, sensitive: bool = False) -> list[list[str]]:
    """The export of one menu as commands (word lists), e.g. [['add', 'chain=input', ...]]."""
    out: list[list[str]] = []
    if menu.kind == "single":
        values = db.singles.get(menu.path, {})
        words = [
            f"{k}={quote(v)}"
            for k, v in _shown(menu, values, sensitive)
            # A compact export leaves out values at their default; a setting without a declared default is
            # empty by default (RouterOS manual, DNS: `servers` default empty; `/ip dns set servers=""` then
            # exports nothing).
            if menu.props.get(k) is None or v != (menu.props[k].default or "")
        ]
        return [["set", *words]] if words else []
    for item in db.items(menu.path):
        if item.default:
            changed = {k: v for k, v in item.props.items() if item.base.get(k) != v}
            changed.pop("default-name", None)
            words = [f"{k}={quote(v)}" for k, v in _shown(menu, changed, sensitive)]
            if words:
                out.append(["set", _item_ref(menu, item), *words])
            continue
        props = {k: v for k, v in item.props.items() if not (k in ("disabled", "log") and v == "no")}
        out.append(["add", *[f"{k}={quote(v)}" for k, v in _shown(menu, props, sensitive)]])
    return out


def export_header(when: float, version: str, model: str, serial: str, full: bool) -> list[str]:
    stamp = f"{ros_date(when, version)} {time.strftime('%H:%M:%S', time.gmtime(when))}"
    head = [f"# {stamp} by RouterOS {version}", f"# software id = {serial[-4:].upper():0>4}-{serial[:4].upper():0>4}"]
    if full:
        head += ["#", f"# model = {model}", f"# serial number = {serial}"]
    return head


def export_text(db: RosDb, scope: str, header: list[str], terse: bool = False, sensitive: bool = False) -> str:
    out = list(header)
    for menu in MENUS:
        if not menu.exported or (scope and not (menu.path == scope or menu.path.startswith(scope + " "))):
            continue
        cmds = menu_commands(db, menu, sensitive)
        if not cmds:
            continue
        if not terse:
            out.append(menu.path)
        for words in cmds:
            if terse:
                out.append(" ".join([menu.path, *words]))
            else:
                out += _wrap(words[1:], words[0])
    return "\n".join(out) + "\n"


def print_single(menu: Menu, values: dict[str, str], extra: dict[str, str] | None = None) -> str:
    shown = {k: v for k, v in values.items() if not k.startswith("_") and not menu.props[k].sensitive}
    rows = {**{k: p.default or "" for k, p in menu.props.items() if not p.sensitive}, **shown, **(extra or {})}
    width = max((len(k) for k in rows), default=0)
    return "".join(f"  {k:>{width}}: {v}\n" for k, v in rows.items())


def print_items(menu: Menu, items: list[Item], sensitive: bool = False) -> str:
    flags = "Flags: X - disabled" + ("; * - default" if any(i.default for i in items) else "")
    out = [flags]
    for n, item in enumerate(items):
        mark = ("X" if item.props.get("disabled") == "yes" else " ") + ("*" if item.default else " ")
        lead = f"{n:>2} {mark} "
        comment = item.props.get("comment")
        if comment:
            out.append(f"{lead};;; {comment}")
            lead = " " * len(lead)
        words = [f"{k}={quote(v)}" for k, v in _shown(menu, item.props, sensitive) if k not in ("comment", "disabled")]
        line = lead
        for w in words:
            if len(line) + len(w) > 79 and line.strip():
                out.append(line.rstrip())
                line = " " * len(lead)
            line += w + " "
        out.append(line.rstrip())
    return "\n".join(out) + "\n"
