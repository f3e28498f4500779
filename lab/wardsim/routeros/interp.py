"""The RouterOS command interpreter: menu paths, commands, arguments, `[find ...]`, `:` commands, scripts.

One interpreter per CLI session (it remembers the current menu); scripts (/import, scheduler events)
get their own, non-interactive one.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from wardsim.routeros.menus import MENU_BY_PATH, MENUS, Item, Menu, print_items, print_single, validate
from wardsim.routeros.parse import RosError, Tok, parse_bool, split_statements, tokenize

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
_COND = re.compile(r'\s*(?:(?P<k>[\w.-]+?)\s*(?P<op>!=|=|~)\s*(?P<v>"(?:[^"\\]|\\.)*"|[^\s\]]+)|(?P<flag>!?[\w-]+))')


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


def _unquote(v: str) -> str:
    if len(v) >= 2 and v[0] == v[-1] == '"':
        return re.sub(r"\\(.)", r"\1", v[1:-1])
    return v


class RosInterp:
    def __init__(self, router: RosRouter, user: str, interactive: bool = False) -> None:
        self.r = router
        self.user = user
        self.interactive = interactive
        self.cwd: tuple[str, ...] = ()
        self.mutated = False
        self.closed = False
        self.question: tuple[str, Callable[[str], str]] | None = None

    # --- lines and statements ------------------------------------------------------------------

    def run(self, line: str) -> str:
        """One interactive line; errors come back as the text RouterOS prints."""
        try:
            return self.exec_line(line, 1)
        except RosError as e:
            log.info("%s: command failed (%s): %s", self.user, e.text(1), line.strip())
            return e.text(1) + "\n"

    def exec_line(self, line: str, lineno: int) -> str:
        if line.lstrip().startswith("#"):
            return ""
        return "".join(self._stmt(stmt, off) for stmt, off in split_statements(line))

    def _stmt(self, stmt: str, off: int) -> str:
        toks = tokenize(stmt, off)
        if not toks:
            return ""
        if toks[0].kind == "word" and toks[0].text.startswith(":"):
            return self._ice(toks)
        path = list(self.cwd)
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
        if cmd is None:
            if pos < len(toks):
                raise RosError("syntax error", toks[pos].col)
            self.cwd = tuple(path)
            return ""
        return self._command(path_key(path), cmd, toks[pos:])

    def _command(self, key: str, cmd: str, args: list[Tok]) -> str:
        special: dict[tuple[str, str], Callable[[list[Tok]], str]] = {
            ("/", "import"): self._import,
            ("/", "quit"): self._quit,
            ("/system", "reboot"): self._reboot,
            ("/system", "reset-configuration"): self._reset,
            ("/system backup", "save"): self._backup_save,
            ("/system backup", "load"): self._backup_load,
            ("/system resource", "print"): lambda a: self.r.resource_text(),
            ("/system routerboard", "print"): lambda a: self.r.routerboard_text(),
            ("/system script", "run"): self._script_run,
            ("/file", "print"): lambda a: self.r.files_text(),
            ("/file", "remove"): self._file_remove,
            ("/interface", "print"): lambda a: self.r.interfaces_text(),
            ("/log", "print"): lambda a: self.r.log_text(),
        }
        if (key, cmd) in special:
            return special[(key, cmd)](args)
        if cmd == "export":
            return self._export(key, args)
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
        """`[find ...]` / `[/path find ...]`; without a path it searches the command's own menu."""
        m = re.match(r"^\s*(/?[\w\s/-]*?)\s*find\b(.*)$", expr, re.S)
        if not m:
            raise RosError("syntax error")
        path = m.group(1).strip()
        menu = where
        if path or menu is None:
            key = path_key(path.strip("/").replace("/", " ").split()) if path else path_key(self.cwd)
            menu = MENU_BY_PATH.get(key)
        if menu is None:
            raise RosError("syntax error")
        return self._find(menu, m.group(2))

    def _find(self, menu: Menu, conds: str) -> list[Item]:
        """`find [where] k=v k!=v k~regex flag !flag ...`, all of them true."""
        tests: list[tuple[str, str, str]] = []  # (prop, op, value)
        for m in _COND.finditer(conds):
            flag = m.group("flag")
            if flag and flag not in ("where", "and"):
                tests.append((flag.lstrip("!"), "!=" if flag.startswith("!") else "=", "yes"))
            elif m.group("k"):
                tests.append((m.group("k"), m.group("op"), _unquote(m.group("v"))))
        items = self.r.db.items(menu.path)
        return [i for i in items if all(_compare(self._prop(i, k), op, v) for k, op, v in tests)]

    @staticmethod
    def _prop(item: Item, k: str) -> str:
        if k == "default":
            return "yes" if item.default else "no"
        if k == "dynamic":
            return "no"
        if k == "disabled":
            return item.props.get("disabled", "no")
        return item.props.get(k, "")

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
        key = menu.unique
        others = [i for i in self.r.db.items(menu.path) if i is not item]
        if key and key in props and any(i.props.get(key) == props[key] for i in others):
            raise RosError("failure: already have item with such name")

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

    # --- global commands -----------------------------------------------------------------------

    def _export(self, key: str, args: list[Tok]) -> str:
        flags = ["terse", "verbose", "compact", "show-sensitive", "hide-sensitive"]
        named, _ = self._bind(args, ["file"], flags=flags)
        text = self.r.export(
            scope="" if key == "/" else key, terse="terse" in named, sensitive="show-sensitive" in named
        )
        if "file" in named:
            name = self._val(named["file"])
            name = name if name.endswith(".rsc") else name + ".rsc"
            if not self.r.state.write_file(name, text.encode()):
                raise RosError("failure: invalid file name")
            return ""
        return text

    def _import(self, args: list[Tok]) -> str:
        named, pos = self._bind(args, ["file-name", "verbose", "dry-run"], unnamed=1)
        src = named.get("file-name") or (pos[0] if pos else None)
        if src is None:
            raise RosError("failure: file-name not specified")
        name = self._val(src)
        text = self.r.state.read_file(name)
        if text is None:
            raise RosError("failure: no such file")
        error = self.r.import_text(text, self.user)
        self.mutated = True
        return f"{error}\n" if error else "\nScript file loaded and executed successfully\n"

    def _quit(self, args: list[Tok]) -> str:
        self.closed = True
        return ""

    def _confirm(self, question: str, action: Callable[[], str]) -> str:
        """RouterOS asks [y/N] on a terminal; scripts (scheduler, import) just go ahead."""
        if not self.interactive:
            return action()

        def answer(text: str) -> str:
            return action() if text.strip().lower().startswith("y") else "\n"

        self.question = (question, answer)
        return ""

    def _reboot(self, args: list[Tok]) -> str:
        self._bind(args, [])
        return self._confirm("Reboot, yes? [y/N]: ", self._do_reboot)

    def _do_reboot(self) -> str:
        self.closed = True
        self.r.reboot()
        return "system will reboot shortly\n"

    def _reset(self, args: list[Tok]) -> str:
        names = ["no-defaults", "skip-backup", "keep-users", "run-after-reset"]
        named, _ = self._bind(args, names)
        keep = parse_bool(self._val(named["keep-users"])) == "yes" if "keep-users" in named else False
        after = self._val(named["run-after-reset"]) if "run-after-reset" in named else None

        def go() -> str:
            self.closed = True
            self.mutated = True
            self.r.reset_configuration(keep_users=keep, run_after=after)
            return "system configuration will be reset\n"

        return self._confirm("Dangerous! Reset anyway? [y/N]: ", go)

    def _backup_save(self, args: list[Tok]) -> str:
        named, _ = self._bind(args, ["name", "password", "dont-encrypt", "encryption"])
        name = self._val(named["name"]) if "name" in named else f"{self.r.identity()}-{time.strftime('%Y%m%d-%H%M')}"
        if not self.r.backup_save(name):
            raise RosError("failure: invalid file name")
        return "Configuration backup saved\n"

    def _backup_load(self, args: list[Tok]) -> str:
        named, _ = self._bind(args, ["name", "password"])
        if "name" not in named:
            raise RosError("failure: name not specified")
        name = self._val(named["name"])
        if self.r.backup_read(name) is None:
            raise RosError("failure: no such file")

        def go() -> str:
            self.closed = True
            self.mutated = True
            self.r.backup_load(name)
            return "Restoring system configuration\nSystem configuration restored, rebooting now\n"

        return self._confirm("Restore and reboot? [y/N]: ", go)

    def _script_run(self, args: list[Tok]) -> str:
        named, pos = self._bind(args, ["number"], unnamed=1)
        menu = MENU_BY_PATH["/system script"]
        for item in self._items(menu, named.get("number") or (pos[0] if pos else None)):
            error = self.r.run_script(item.props.get("source", ""), self.user)
            if error:
                return error + "\n"
        return ""

    def _file_remove(self, args: list[Tok]) -> str:
        named, pos = self._bind(args, ["numbers"], unnamed=1)
        sel = named.get("numbers") or (pos[0] if pos else None)
        if sel is None:
            raise RosError("no such item")
        files = self.r.state.list_files()
        for part in self._val(sel).split(","):
            path = files[int(part)] if part.isdigit() and int(part) < len(files) else self.r.state.file(part)
            if path is None or not path.is_file():
                raise RosError("no such item")
            path.unlink()
        return ""

    def _ice(self, toks: list[Tok]) -> str:
        """The few `:` commands scheduler scripts use."""
        name = toks[0].text[1:]
        words = [self._val(t) for t in toks[1:]]
        if name == "log" and words:
            self.r.add_log(
                words[0] if words[0] in ("info", "warning", "error", "debug") else "info", " ".join(words[1:])
            )
            return ""
        if name == "put":
            return " ".join(words) + "\n"
        if name == "delay":
            return ""
        raise RosError(f"bad command name {name}", toks[0].col + 1)


def _compare(actual: str, op: str, want: str) -> bool:
    if op == "~":
        try:
            return re.search(want, actual) is not None
        except re.error:
            return False
    same = (parse_bool(actual) or actual) == (parse_bool(want) or want)
    return same if op == "=" else not same
