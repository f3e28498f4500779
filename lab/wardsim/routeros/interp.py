"""The RouterOS command interpreter: menu paths, commands, arguments, `[find ...]`, scripts.

One interpreter per CLI session (it remembers the current menu); scripts (/import, scheduler events)
get their own, non-interactive one. Commands outside the menus live in globalcmds.py.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from wardsim.routeros.find import find_expr, find_items
from wardsim.routeros.globalcmds import GlobalCommands
from wardsim.routeros.menus import MENU_BY_PATH, MENUS, Item, Menu, validate
from wardsim.routeros.output import print_items, print_single
from wardsim.routeros.parse import RosError, Tok, script_lines, split_statements, tokenize

if TYPE_CHECKING:
    from wardsim.routeros.router import RosRouter

log = logging.getLogger("wardsim.routeros")

_SPECIAL: dict[str, set[str]] = {
    "/": {"import", "export", "quit"},
    "/system": {"reboot", "reset-configuration"},
    "/system backup": {"save", "load"},
    "/system resource": {"print"},
    "/system routerboard": {"print"},
    "/system script": {"run"},
    "/file": {"print", "remove"},
    "/interface": {"print"},
    "/log": {"print"},
}
_BY_KIND = {
    "list": {"add", "set", "remove", "print", "enable", "disable", "comment", "unset", "find", "get"},
    "single": {"set", "print", "get", "unset"},
    "fixed": {"set", "print", "enable", "disable", "comment", "find", "get", "unset"},
}


def _tree() -> dict[tuple[str, ...], set[str]]:
    kids: dict[tuple[str, ...], set[str]] = {}
    for path in [m.path for m in MENUS] + [p for p in _SPECIAL if p != "/"]:
        comps = tuple(path.strip("/").split(" "))
        for i in range(len(comps)):
            kids.setdefault(comps[:i], set()).add(comps[i])
    return kids


_KIDS = _tree()


def path_key(comps: Iterable[str]) -> str:
    comps = tuple(comps)
    return "/" + " ".join(comps) if comps else "/"


def commands_at(key: str) -> set[str]:
    menu = MENU_BY_PATH.get(key)
    cmds = {"export"} | _SPECIAL.get(key, set())
    if menu is not None:
        cmds |= _BY_KIND[menu.kind] | ({"move"} if menu.ordered else set())
    return cmds


def unique_match(options: Iterable[str], word: str) -> str | None:
    opts = set(options)
    if word in opts:
        return word
    cands = [o for o in opts if o.startswith(word)]
    return cands[0] if len(cands) == 1 else None


class RosInterp:
    def __init__(self, router: RosRouter, user: str, interactive: bool = False) -> None:
        self.r = router
        self.user = user
        self.interactive = interactive
        self.cwd: tuple[str, ...] = ()
        self.lineno = 1
        self.mutated = False
        self.closed = False
        self.question: tuple[str, Callable[[str], str]] | None = None
        self.g = GlobalCommands(self)

    # --- lines, scripts, statements ------------------------------------------------------------

    def run(self, line: str) -> str:
        """One interactive line; errors come back as the text RouterOS prints."""
        try:
            lines = script_lines(line)
            self.check(lines)
            return "".join(self.exec_line(text, 1) for _, text in lines)
        except RosError as e:
            log.info("%s: command failed (%s): %s", self.user, e.text(1), line.strip())
            return e.text(1) + "\n"

    def run_script(self, text: str, whole: bool = True) -> tuple[str, RosError | None]:
        """A script: RouterOS parses all of it first, so a syntax error anywhere runs nothing; then "command
        lines are executed one by one until the end of the script or until a runtime error occurs"
        (Scripting manual). whole=False parses each line just before running it (/import verbose=yes)."""
        out: list[str] = []
        lines = script_lines(text)
        try:
            if whole:
                self.check(lines)
            for lineno, line in lines:
                if not whole:
                    self.check([(lineno, line)])
                out.append(self.exec_line(line, lineno))
        except RosError as e:
            return "".join(out), e
        return "".join(out), None

    def check(self, lines: list[tuple[int, str]]) -> None:
        """The parse step: quoting, brackets, menu paths and command names, `:` commands and their blocks."""
        cwd = self.cwd
        for lineno, line in lines:
            try:
                cwd = self._check_line(line, cwd)
            except RosError as e:
                e.line = e.line or lineno
                raise

    def check_text(self, text: str, cwd: tuple[str, ...]) -> None:
        for _, line in script_lines(text):
            cwd = self._check_line(line, cwd)

    def _check_line(self, line: str, cwd: tuple[str, ...]) -> tuple[str, ...]:
        for stmt, off in split_statements(line):
            toks = tokenize(stmt, off)
            if not toks:
                continue
            if toks[0].kind == "block" and len(toks) == 1:
                self.check_text(toks[0].text, cwd)
            elif toks[0].kind == "word" and toks[0].text.startswith(":"):
                self.g.check_ice(toks, cwd)
            else:
                path, cmd, pos = self._resolve(toks, cwd)
                if cmd is None:
                    if pos < len(toks):
                        raise RosError("syntax error", toks[pos].col)
                    cwd = path
        return cwd

    def exec_line(self, line: str, lineno: int) -> str:
        self.lineno = lineno
        try:
            return "".join(self._stmt(stmt, off) for stmt, off in split_statements(line))
        except RosError as e:
            e.line = e.line or lineno
            raise

    def exec_block(self, text: str, lineno: int) -> str:
        """The lines of a `{ ... }` block, in their own menu scope."""
        cwd = self.cwd
        try:
            return "".join(self.exec_line(line, n) for n, line in script_lines(text, first=lineno))
        finally:
            self.cwd = cwd

    def _resolve(self, toks: list[Tok], cwd: tuple[str, ...]) -> tuple[tuple[str, ...], str | None, int]:
        """Leading words as a menu path and command: (path, command or None, index of the first argument)."""
        path = list(cwd)
        cmd: str | None = None
        pos = 0
        while pos < len(toks) and toks[pos].kind == "word" and cmd is None:
            tok = toks[pos]
            if tok.text.startswith("/"):
                path = []
            col = tok.col
            pieces = tok.text.split("/")
            for n, piece in enumerate(pieces):
                if piece == "..":
                    path = path[:-1]
                elif piece:
                    kids = _KIDS.get(tuple(path), set())
                    cmds = commands_at(path_key(path))
                    m = unique_match(kids | cmds, piece)
                    if m is None or (m in cmds and m not in kids and n != len(pieces) - 1):
                        raise RosError(f"bad command name {piece}", col)
                    if m in kids:
                        path.append(m)
                    else:
                        cmd = m
                col += len(piece) + 1
            pos += 1
        return tuple(path), cmd, pos

    def _stmt(self, stmt: str, off: int) -> str:
        toks = tokenize(stmt, off)
        if not toks:
            return ""
        if toks[0].kind == "block" and len(toks) == 1:
            return self.exec_block(toks[0].text, self.lineno)
        if toks[0].kind == "word" and toks[0].text.startswith(":"):
            return self.g.ice(toks)
        path, cmd, pos = self._resolve(toks, self.cwd)
        if cmd is None:
            if pos < len(toks):
                raise RosError("syntax error", toks[pos].col)
            self.cwd = path
            return ""
        key = path_key(path)
        try:
            return self._command(key, cmd, toks[pos:])
        except RosError as e:
            if e.col is None and e.where is None:
                e.where = "/".join(["", *path, cmd])  # as RouterOS names it: /queue/tree/add
            raise

    def _command(self, key: str, cmd: str, args: list[Tok]) -> str:
        special = self.g.table()
        if (key, cmd) in special:
            return special[(key, cmd)](args)
        if cmd == "export":
            return self.g.export(key, args)
        menu = MENU_BY_PATH[key]
        handler: Callable[[Menu, list[Tok]], str] = getattr(self, "_m_" + cmd)
        return handler(menu, args)

    # --- arguments -----------------------------------------------------------------------------

    def _bind(
        self, args: list[Tok], names: Iterable[str], unnamed: int = 0, flags: Iterable[str] = ()
    ) -> tuple[dict[str, Tok], list[Tok]]:
        """Match `key=value` by unique prefix, bare flag words, and up to `unnamed` positional words."""
        names, flags = list(names), list(flags)
        named: dict[str, Tok] = {}
        positional: list[Tok] = []
        for t in args:
            if t.kind == "kv":
                k = unique_match(names, t.text)
                if k is None:
                    raise RosError("expected end of command", t.col)
                named[k] = t
            elif t.kind == "word" and flags and unique_match(flags, t.text):
                named[unique_match(flags, t.text) or ""] = t
            elif len(positional) < unnamed:
                positional.append(t)
            else:
                raise RosError("expected end of command", t.col)
        return named, positional

    def _val(self, t: Tok) -> str:
        if t.kind == "kv" and t.value_expr:
            return ",".join(f"*{i.id:X}" for i in self._find_any(t.value))
        return t.value if t.kind == "kv" else t.text

    def _find_any(self, expr: str, where: Menu | None = None) -> list[Item]:
        return find_expr(self.r.db, expr, where, path_key(self.cwd))

    def _find(self, menu: Menu, conds: str) -> list[Item]:
        return find_items(self.r.db, menu, conds)

    def _items(self, menu: Menu, sel: Tok | None) -> list[Item]:
        if sel is None:
            raise RosError("no such item")
        items = self.r.db.items(menu.path)
        if sel.kind == "expr":
            return self._find_any(sel.text, menu)
        if sel.kind == "kv" and sel.value_expr:
            return self._find_any(sel.value, menu)
        text = sel.value if sel.kind == "kv" else sel.text
        out: list[Item] = []
        for part in text.split(","):
            if part.isdigit() and int(part) < len(items):
                out.append(items[int(part)])
            elif part.startswith("*") and any(f"*{i.id:X}" == part.upper() for i in items):
                out += [i for i in items if f"*{i.id:X}" == part.upper()]
            elif part and any(i.props.get("name") == part for i in items):
                out += [i for i in items if i.props.get("name") == part]
            else:
                raise RosError("no such item")
        return out

    def _validate(self, menu: Menu, updates: dict[str, Tok]) -> dict[str, str]:
        return {k: validate(self.r.db, menu, k, self._val(t)) for k, t in updates.items()}

    # --- generic menu commands -----------------------------------------------------------------

    def _m_add(self, menu: Menu, args: list[Tok]) -> str:
        extra = ["place-before"] if menu.ordered else []
        named, _ = self._bind(args, [*menu.props, *extra])
        before = named.pop("place-before", None)
        props = self._validate(menu, named)
        self.r.fixup(menu, props, new=True)
        for p in menu.props.values():
            if p.required and p.name not in props:
                raise RosError(f"failure: {p.name} not specified")
        self._check_unique(menu, props, None)
        item = self.r.db.new_item(menu.path, props)
        if before is not None:
            target = self._items(menu, before)[0]
            items = self.r.db.items(menu.path)
            items.remove(item)
            items.insert(items.index(target), item)
        self.mutated = True
        return ""

    def _check_unique(self, menu: Menu, props: dict[str, str], item: Item | None) -> None:
        others = [i for i in self.r.db.items(menu.path) if i is not item]
        key = menu.unique
        if key and key in props and any(i.props.get(key) == props[key] for i in others):
            # The trap RouterOS API clients record for a duplicate /queue simple or /ip pool add.
            raise RosError("failure: already have such name")
        merged = {**(item.props if item else {}), **props}
        entry = menu.entry
        same = [o for o in others if entry and all(k in merged and o.props.get(k) == merged[k] for k in entry)]
        if same:  # e.g. an /ip firewall address-list add of a list+address that is there already
            raise RosError(menu.entry_error)

    def _m_set(self, menu: Menu, args: list[Tok]) -> str:
        if menu.kind == "single":
            named, _ = self._bind(args, menu.props)
            self.r.db.singles.setdefault(menu.path, {}).update(self._validate(menu, named))
            self.mutated = True
            return ""
        # Built-in items named by RouterOS itself (/ip service) cannot be renamed.
        names = [n for n in menu.props if n != "default-name" and not (n == "name" and menu.ref == "plain")]
        named, pos = self._bind(args, [*names, "numbers"], unnamed=1)
        items = self._items(menu, named.pop("numbers", None) or (pos[0] if pos else None))
        updates = self._validate(menu, named)
        for item in items:
            props = dict(updates)
            self.r.fixup(menu, props, new=False)
            self._check_unique(menu, props, item)
            item.props.update(props)
        self.mutated = True
        return ""

    def _m_remove(self, menu: Menu, args: list[Tok]) -> str:
        # `remove [find ...]` that finds nothing removes nothing and is no error: published scripts run
        # `/ip firewall address-list remove [find where list=...]` before every refill, the first time included
        # (e.g. github.com/rokoman/Mikrotik-Blacklist-1, install.rsc).
        named, pos = self._bind(args, ["numbers"], unnamed=1)
        items = self._items(menu, named.get("numbers") or (pos[0] if pos else None))
        if any(i.default for i in items):
            raise RosError("failure: default item can not be removed")
        ids = {i.id for i in items}
        self.r.db.lists[menu.path] = [i for i in self.r.db.items(menu.path) if i.id not in ids]
        self.mutated = True
        return ""

    def _toggle(self, menu: Menu, args: list[Tok], value: str) -> str:
        named, pos = self._bind(args, ["numbers"], unnamed=1)
        for item in self._items(menu, named.get("numbers") or (pos[0] if pos else None)):
            item.props["disabled"] = value
        self.mutated = True
        return ""

    def _m_enable(self, menu: Menu, args: list[Tok]) -> str:
        return self._toggle(menu, args, "no")

    def _m_disable(self, menu: Menu, args: list[Tok]) -> str:
        return self._toggle(menu, args, "yes")

    def _m_comment(self, menu: Menu, args: list[Tok]) -> str:
        named, pos = self._bind(args, ["numbers", "comment"], unnamed=1)
        comment = self._val(named["comment"]) if "comment" in named else ""
        for item in self._items(menu, named.get("numbers") or (pos[0] if pos else None)):
            item.props["comment"] = comment
        self.mutated = True
        return ""

    def _m_unset(self, menu: Menu, args: list[Tok]) -> str:
        named, pos = self._bind(args, ["numbers", "value-name"], unnamed=2 if menu.kind != "single" else 1)
        target = named.get("value-name") or (pos[-1] if pos else None)
        prop = unique_match(menu.props, self._val(target)) if target else None
        if prop is None:
            raise RosError("expected end of command", target.col if target else None)
        if menu.kind == "single":
            self.r.db.singles.setdefault(menu.path, {}).pop(prop, None)
        else:
            sel = named.get("numbers") or (pos[0] if len(pos) > 1 else None)
            for item in self._items(menu, sel):
                item.props.pop(prop, None)
        self.mutated = True
        return ""

    def _m_move(self, menu: Menu, args: list[Tok]) -> str:
        named, pos = self._bind(args, ["numbers", "destination"], unnamed=2)
        moving = self._items(menu, named.get("numbers") or (pos[0] if pos else None))
        dest_tok = named.get("destination") or (pos[1] if len(pos) > 1 else None)
        items = self.r.db.items(menu.path)
        dest = self._items(menu, dest_tok)[0] if dest_tok else None
        for item in moving:
            items.remove(item)
        at = items.index(dest) if dest in items else len(items)
        items[at:at] = moving
        self.mutated = True
        return ""

    def _m_find(self, menu: Menu, args: list[Tok]) -> str:
        return ""

    def _m_get(self, menu: Menu, args: list[Tok]) -> str:
        named, pos = self._bind(args, ["number", "value-name"], unnamed=2)
        if menu.kind == "single":
            values = self.r.db.singles.get(menu.path, {})
            name = self._val(pos[0]) if pos else ""
        else:
            values = self._items(menu, named.get("number") or (pos[0] if pos else None))[0].props
            name = self._val(pos[1]) if len(pos) > 1 else ""
        prop = unique_match(menu.props, name)
        if prop is None or menu.props[prop].sensitive:
            raise RosError("input does not match any value of value-name")
        return values.get(prop, menu.props[prop].default or "") + "\n"

    def _m_print(self, menu: Menu, args: list[Tok]) -> str:
        where = next((n for n, t in enumerate(args) if t.kind == "word" and t.text == "where"), len(args))
        flags = ["detail", "terse", "brief", "without-paging", "count-only", "show-sensitive", "value-list"]
        named, _ = self._bind(args[:where], ["proplist", "interval", "file"], flags=flags)
        sensitive = "show-sensitive" in named
        if menu.kind == "single":
            return print_single(menu, self.r.db.singles.get(menu.path, {}), self.r.print_extra(menu.path))
        cond = " ".join(f'{t.text}="{t.value}"' if t.kind == "kv" else t.text for t in args[where + 1 :])
        items = self._find(menu, cond)
        if "count-only" in named:
            return f"{len(items)}\n"
        return print_items(menu, items, sensitive)
