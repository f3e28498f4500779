"""MikroTik RouterOS: `/export` parsed into settings and items, and the commands that bring it to the intended.

The intended config is written as RouterOS commands (one per line, full menu path, like `/export terse`);
the running config is the device's `/export` (section headers, `\\` continuations). Both become:

- settings of a menu (`/ip dns set servers=...`), compared property by property;
- built-in items (`/ip service set telnet disabled=yes`), compared property by property;
- added items (`/queue tree add name=...`), identified per menu (name, comment, list+address).

An export omits values that are at their defaults, so a property the device does not show is compared with its
known default (`DEFAULTS`). Items the kit owns (name, list or comment starting with `wardkit`) are removed when
no longer intended; in ordered menus (firewall) the kit's rules are re-added in order when their order differs.
Sensitive values (`password=`, SNMP keys) never appear in a plain export and are not compared: the template
gives an item with secrets a fingerprint of them in its comment, so a rotated secret changes the comment and the
item's secrets are pushed again. /user is not part of an export: users are checked with `/user print`.

Every command comes with its undo (Plan.undo): RouterOS has no revert of its own, so the push arms a one-shot
script made of them (revert.py) before the first change.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field

from wardctl.router.plan import Plan

OWNED = "wardkit"
REVERT_ITEM = "wardkit-revert"
VERBS = ("add", "set", "remove", "unset", "enable", "disable", "move", "print", "export", "import")

# How an added item is identified, per menu.
IDENTITY: dict[str, tuple[str, ...]] = {
    "/queue tree": ("name",),
    "/queue simple": ("name",),
    "/ip firewall address-list": ("list", "address"),
    "/ip firewall mangle": ("comment",),
    "/ip firewall filter": ("comment",),
    "/ip firewall nat": ("comment",),
    "/system logging": ("comment",),
    "/snmp community": ("name",),
    "/system scheduler": ("name",),
    "/system script": ("name",),
    "/interface list": ("name",),
    "/user": ("name",),
}
ORDERED = {"/ip firewall mangle", "/ip firewall filter", "/ip firewall nat"}
SENSITIVE = {"password", "authentication-password", "encryption-password"}
# Menus whose items hold secrets a plain export leaves out (RouterOS manual, "SNMP": the community's
# authentication-password / encryption-password; "Configuration Management": export hides sensitive values).
SECRET_MENUS = {"/snmp community"}
# Values RouterOS does not print when at their default: (menu, item or "", property) -> default.
DEFAULTS: dict[tuple[str, str, str], str] = {
    ("/ip service", "www-ssl", "disabled"): "yes",
    ("/ip ssh", "", "strong-crypto"): "no",
    ("/ip ssh", "", "allow-none-crypto"): "no",
    ("/ip ssh", "", "forwarding-enabled"): "no",
    ("/ip dns", "", "allow-remote-requests"): "no",
    ("/system ntp client", "", "enabled"): "no",
    ("/system ntp client", "", "mode"): "unicast",
    ("/tool bandwidth-server", "", "enabled"): "yes",
    ("/tool mac-server ping", "", "enabled"): "yes",
    ("/tool mac-server", "", "allowed-interface-list"): "all",
    ("/tool mac-server mac-winbox", "", "allowed-interface-list"): "all",
    ("/ip neighbor discovery-settings", "", "discover-interface-list"): "all",
    ("/ip proxy", "", "enabled"): "no",
    ("/ip socks", "", "enabled"): "no",
    ("/ip upnp", "", "enabled"): "no",
    ("/snmp", "", "enabled"): "no",
    ("/system note", "", "show-at-login"): "yes",
    ("/system logging action", "remote", "remote"): "0.0.0.0",
}
ANY_ITEM_DEFAULTS = {"disabled": "no", "log": "no"}
_RATE_KEYS = {"max-limit", "limit-at", "burst-limit", "burst-threshold"}
_PREFIX_LIST_KEYS = {"address", "addresses", "src-address", "dst-address"}


class RosSyntaxError(ValueError):
    pass


@dataclass
class Cmd:
    path: str
    verb: str
    selector: str = ""  # `telnet`, `[ find name=remote ]`
    props: dict[str, str] = field(default_factory=dict)
    text: str = ""  # the command as written (one line, with its path)


# --- parsing -------------------------------------------------------------------------------------------


def logical_lines(text: str) -> list[str]:
    """Lines with `\\` continuations joined; comments and blanks dropped."""
    out: list[str] = []
    buf = ""
    for raw in text.replace("\r", "").split("\n"):
        line = raw.strip() if buf else raw.rstrip()
        if line.endswith("\\"):
            buf += line[:-1].rstrip() + " " if not buf else line[:-1].strip() + " "
            continue
        line = (buf + line.strip()) if buf else line.strip()
        buf = ""
        if line and not line.startswith("#"):
            out.append(line)
    return out


def _unescape(body: str) -> str:
    out: list[str] = []
    i = 0
    esc = {"n": "\n", "r": "\r", "t": "\t", "_": " ", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            if re.match(r"[0-9A-Fa-f]{2}", body[i + 1 : i + 3]):
                out.append(chr(int(body[i + 1 : i + 3], 16)))
                i += 3
                continue
            out.append(esc.get(body[i + 1], body[i + 1]))
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _tokens(line: str) -> list[str]:
    """Words of one command; `"..."` and `[ ... ]` stay whole (quotes kept, unescaped later)."""
    toks: list[str] = []
    i, n = 0, len(line)
    while i < n:
        if line[i].isspace():
            i += 1
            continue
        j = i
        depth, quoted = 0, False
        while j < n:
            ch = line[j]
            if quoted:
                if ch == "\\":
                    j += 1
                elif ch == '"':
                    quoted = False
            elif ch == '"':
                quoted = True
            elif ch == "[":
                depth += 1
            elif ch == "]":
                depth -= 1
            elif ch.isspace() and depth == 0:
                break
            j += 1
        if quoted or depth:
            raise RosSyntaxError(f"unbalanced quote or bracket in: {line}")
        toks.append(line[i:j])
        i = j
    return toks


def unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return _unescape(value[1:-1])
    return value


_NEEDS_QUOTES = re.compile(r'[\s"\\;$\[\]{}=#?]')


def quote(value: str) -> str:
    """A value as RouterOS writes it in an export."""
    if value and not _NEEDS_QUOTES.search(value):
        return value
    esc = value.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$").replace("?", "\\?")
    return '"' + esc.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t") + '"'


def parse(text: str) -> list[Cmd]:
    cmds: list[Cmd] = []
    path = "/"
    for line in logical_lines(text):
        toks = _tokens(line)
        words: list[str] = []
        pos = 0
        if toks[0].startswith("/"):
            words = [toks[0]]
            pos = 1
            while pos < len(toks) and toks[pos] not in VERBS and "=" not in toks[pos] and not toks[pos].startswith("["):
                words.append(toks[pos])
                pos += 1
            path = "/" + " ".join(w for part in words for w in part.strip("/").split("/") if w)
            if pos == len(toks):
                continue  # a section header
        verb = toks[pos]
        if verb not in VERBS:
            raise RosSyntaxError(f"unknown command {verb!r} in: {line}")
        selector = ""
        props: dict[str, str] = {}
        for tok in toks[pos + 1 :]:
            key, eq, value = tok.partition("=")
            if eq and not tok.startswith("["):
                props[key] = unquote(value)
            elif not selector:
                selector = tok
            else:
                raise RosSyntaxError(f"unexpected {tok!r} in: {line}")
        text_line = line if line.startswith("/") else f"{path} {line}"
        cmds.append(Cmd(path, verb, selector, props, text_line))
    return cmds


def body(text: str) -> list[str]:
    """Export lines without the `#` header (its first line is the time of the last change) and without the push's
    own pending revert entries (they are not configuration, and gone once it is confirmed or has run)."""
    lines = [ln.rstrip() for ln in text.replace("\r", "").split("\n") if ln.strip() and not ln.startswith("#")]
    out: list[str] = []
    section, entry = "", []
    for line in [*lines, "/"]:
        if entry and entry[-1].endswith("\\"):
            entry.append(line)
            continue
        if entry:
            whole = " ".join(entry)
            if not (section in ("/system scheduler", "/system script") and f"name={REVERT_ITEM}" in whole):
                out += entry
            entry = []
        if line.startswith("/"):
            if out and out[-1] == section:
                out.pop()  # a section left empty
            section = line
            out.append(line)
        else:
            entry = [line]
    return out[:-1]


# --- the device state ----------------------------------------------------------------------------------


def selector_key(selector: str) -> str:
    """`telnet` and `[ find name=telnet ]` name the same built-in item."""
    inner = selector.strip()
    if inner.startswith("[") and inner.endswith("]"):
        inner = inner[1:-1].strip()
        m = re.fullmatch(r"find\s+(?:where\s+)?(.*)", inner)
        inner = m.group(1).strip() if m else inner
        m = re.fullmatch(r"name=(\S+)", inner)
        if m:
            return unquote(m.group(1))
        return " ".join(inner.split())
    return unquote(inner)


@dataclass
class State:
    singles: dict[str, dict[str, str]] = field(default_factory=dict)
    builtins: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)
    items: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    selectors: dict[tuple[str, str], str] = field(default_factory=dict)  # as written, for commands


def state(cmds: list[Cmd]) -> State:
    st = State()
    for c in cmds:
        if c.verb == "set" and not c.selector:
            st.singles.setdefault(c.path, {}).update(c.props)
        elif c.verb == "set":
            key = (c.path, selector_key(c.selector))
            st.builtins.setdefault(key, {}).update(c.props)
            st.selectors.setdefault(key, c.selector)
        elif c.verb == "add":
            st.items.setdefault(c.path, []).append(dict(c.props))
        else:
            raise RosSyntaxError(f"{c.verb} is not a configuration statement: {c.text}")
    return st


# --- comparison ----------------------------------------------------------------------------------------


def _bool(v: str) -> str:
    return {"true": "yes", "false": "no"}.get(v.lower(), v)


def _rate(v: str) -> str:
    m = re.fullmatch(r"(\d+)([kKMG]?)", v)
    if not m:
        return v
    return str(int(m.group(1)) * {"": 1, "k": 1000, "K": 1000, "M": 10**6, "G": 10**9}[m.group(2)])


def _prefixes(v: str) -> str:
    out = []
    for part in v.split(","):
        if not part:
            continue
        try:
            out.append(str(ipaddress.ip_network(part, strict=False)))
        except ValueError:
            out.append(part)
    return ",".join(sorted(out))


def value(key: str, v: str) -> str:
    v = _bool(v)
    if key in _RATE_KEYS:
        return _rate(v)
    if key in _PREFIX_LIST_KEYS and not v.startswith("!"):
        return _prefixes(v)
    return v


def _props_differ(path: str, item: str, want: dict[str, str], have: dict[str, str]) -> dict[str, str]:
    """Intended properties the device does not have (its defaults count as values)."""
    out = {}
    for k, v in want.items():
        if k in SENSITIVE:
            continue
        current = have.get(k)
        if current is None:
            current = DEFAULTS.get((path, item, k), ANY_ITEM_DEFAULTS.get(k, ""))
        if value(k, v) != value(k, current):
            out[k] = v
    return out


def _identity(path: str, props: dict[str, str]) -> tuple[str, ...]:
    keys = IDENTITY.get(path)
    if keys is None:
        return tuple(sorted(f"{k}={v}" for k, v in props.items()))
    return tuple(value(k, props.get(k, "")) for k in keys)


def is_revert(path: str, props: dict[str, str]) -> bool:
    """The push's own revert entries (scheduler + scripts named wardkit-revert*): not configuration."""
    return path in ("/system scheduler", "/system script") and props.get("name", "").startswith(REVERT_ITEM)


def _owned(path: str, props: dict[str, str]) -> bool:
    keys = IDENTITY.get(path, ("name", "comment", "list"))
    return any(props.get(k, "").startswith(OWNED) for k in keys)


def _find(path: str, props: dict[str, str]) -> str:
    """A `find` that selects this item: by its identity, or by all its properties where a menu has none."""
    keys = IDENTITY.get(path) or tuple(k for k in props if k not in SENSITIVE)
    return "[ find " + " ".join(f"{k}={quote(props.get(k, ''))}" for k in keys) + " ]"


def _kv(props: dict[str, str]) -> str:
    return " ".join(f"{k}={quote(v)}" for k, v in props.items())


def _item_equal(path: str, want: dict[str, str], have: dict[str, str]) -> tuple[bool, bool]:
    """(intended props match, device has extra non-default props)."""
    same = not _props_differ(path, "", want, have)
    extra = any(
        k not in want and k not in SENSITIVE and value(k, v) != ANY_ITEM_DEFAULTS.get(k) for k, v in have.items()
    )
    return same, extra


Secrets = dict[tuple[str, tuple[str, ...]], dict[str, str]]


def lossy_menus(plan: Plan) -> set[str]:
    """The menus whose secrets the undo lacks (Plan.lossy entries start with the menu, then its `[ find`)."""
    return {entry.split(" [ find", 1)[0] for entry in plan.lossy}


def secrets_of(export: str) -> Secrets:
    """Sensitive values per item from an `export show-sensitive`: what the undo needs to put back."""
    found: Secrets = {}
    for c in parse(export):
        hidden = {k: v for k, v in c.props.items() if k in SENSITIVE}
        if c.verb == "add" and hidden:
            found[(c.path, _identity(c.path, c.props))] = hidden
    return found


def _old(path: str, item: str, keys: dict[str, str], have: dict[str, str]) -> dict[str, str]:
    return {k: have.get(k, DEFAULTS.get((path, item, k), ANY_ITEM_DEFAULTS.get(k, ""))) for k in keys}


def _reset(path: str, item: str, want: dict[str, str], have: dict[str, str]) -> dict[str, str]:
    """exact: properties the device has and the wanted config leaves at their default."""
    out = {}
    for k, v in have.items():
        default = DEFAULTS.get((path, item, k), ANY_ITEM_DEFAULTS.get(k, ""))
        if k not in want and k not in SENSITIVE and value(k, v) != value(k, default):
            out[k] = default
    return out


def plan(
    intended: str, running: str, users: dict[str, str] | None = None, secrets: Secrets | None = None,
    exact: bool = False, login: tuple[str, str] | None = None,
) -> Plan:  # fmt: skip
    """Commands that make the device's export contain the intended config, each with its undo.

    `users`: {name: group} from `/user print` (None: the intended config has no /user lines to check).
    `secrets`: the device's sensitive values (`export show-sensitive`) of the menus the intended config sets
    secrets in: an item whose other properties change gets its secrets pushed again (a rotated key changes the
    item's fingerprint comment), and the undo puts the old ones back.
    `exact`: the device must hold nothing else (a restore): other items go, other properties return to default.
    `login`: (user, password) this session logged in with: the one password the kit can know the device holds
    (RouterOS never shows one), so an intended other password for that user (a rotation) is set, and its undo
    sets the login password back.
    """
    want_cmds = parse(intended)
    want_users = [c for c in want_cmds if c.path == "/user"]
    want = state([c for c in want_cmds if c.path != "/user"])
    have = state(parse(running))
    out = Plan()

    for path in [*want.singles, *(p for p in have.singles if exact and p not in want.singles)]:
        wp, hp = want.singles.get(path, {}), have.singles.get(path, {})
        diff = {**_props_differ(path, "", wp, hp), **(_reset(path, "", wp, hp) if exact else {})}
        if diff:
            old = _old(path, "", diff, hp)
            out.add(f"{path} set {_kv(diff)}", f"- {path} set {_kv(old)}", f"+ {path} set {_kv(diff)}",
                    undo=[f"{path} set {_kv(old)}"])  # fmt: skip

    for key in [*want.builtins, *(k for k in have.builtins if exact and k not in want.builtins)]:
        path, item = key
        wp, hp = want.builtins.get(key, {}), have.builtins.get(key, {})
        diff = {**_props_differ(path, item, wp, hp), **(_reset(path, item, wp, hp) if exact else {})}
        if diff:
            sel = want.selectors.get(key) or have.selectors[key]
            old = _old(path, item, diff, hp)
            out.add(f"{path} set {sel} {_kv(diff)}", f"- {path} set {sel} {_kv(old)}",
                    f"+ {path} set {sel} {_kv(diff)}", undo=[f"{path} set {sel} {_kv(old)}"])  # fmt: skip

    for path in [*want.items, *(p for p in have.items if p not in want.items)]:
        w_items = [w for w in want.items.get(path, []) if not is_revert(path, w)]
        h_items = [h for h in have.items.get(path, []) if not is_revert(path, h)]
        _Items(out, path, secrets or {}).plan(w_items, h_items, exact)

    for c in want_users:
        name, group = c.props.get("name", ""), c.props.get("group", "")
        if users is None or name not in users:
            out.add(c.text, f"+ {c.text}", undo=[f"/user remove [ find name={quote(name)} ]"])
        else:
            sel = f"[ find name={quote(name)} ]"
            if group and users[name] != group:
                out.add(f"/user set {sel} group={quote(group)}", f"+ /user set {name} group={group}",
                        undo=[f"/user set {sel} group={quote(users[name])}"])  # fmt: skip
            password = c.props.get("password")
            if login and login[0] == name and password is not None and password != login[1]:
                out.add(f"/user set {sel} password={quote(password)}", f"+ /user set {name} password=(new)",
                        undo=[f"/user set {sel} password={quote(login[1])}"])  # fmt: skip
    return out


class _Items:
    """The added items of one menu: what to add, set and remove, each with its undo."""

    def __init__(self, out: Plan, path: str, secrets: Secrets) -> None:
        self.out, self.path, self.secrets = out, path, secrets

    def _full(self, h: dict[str, str]) -> dict[str, str]:
        """An item as the device holds it, its secrets included where they were read."""
        return {**h, **self.secrets.get((self.path, _identity(self.path, h)), {})}

    def add(self, w: dict[str, str]) -> None:
        p = self.path
        self.out.add(f"{p} add {_kv(w)}", f"+ {p} add {_kv(w)}", undo=[f"{p} remove {_find(p, w)}"])

    def remove(self, h: dict[str, str]) -> None:
        # The undo first removes any item of the same identity, so it is right whether or not the removal
        # ran before the revert fired (a push cut short), and re-adds the item at the end of its menu.
        p = self.path
        full = self._full(h)
        if (p in SECRET_MENUS or SENSITIVE & h.keys()) and (p, _identity(p, h)) not in self.secrets:
            self.out.lossy.append(f"{p} {_find(p, h)}: its secrets")
        self.out.add(f"{p} remove {_find(p, h)}", f"- {p} add {_kv(h)}",
                     undo=[f"{p} remove {_find(p, h)}", f"{p} add {_kv(full)}"])  # fmt: skip

    def set(self, w: dict[str, str], h: dict[str, str], diff: dict[str, str]) -> None:
        p = self.path
        secret = {k: v for k, v in w.items() if k in SENSITIVE}
        diff = {**diff, **secret}  # another property changed (say, a fingerprint): push the secrets again
        old = _old(p, "", {k: "" for k in diff if k not in SENSITIVE}, h)
        known = self.secrets.get((p, _identity(p, h)), {})
        old.update({k: known[k] for k in secret if k in known})
        self.out.lossy.extend(f"{p} {_find(p, w)}: its old {k}" for k in secret if k not in known)
        self.out.add(f"{p} set {_find(p, w)} {_kv(diff)}", f"- {p} add {_kv(h)}", f"+ {p} add {_kv(w)}",
                     undo=[f"{p} set {_find(p, w)} {_kv(old)}"] if old else [])  # fmt: skip

    def plan(self, want: list[dict[str, str]], have: list[dict[str, str]], exact: bool) -> None:
        path = self.path
        have_by = {_identity(path, h): h for h in have}
        want_ids = [_identity(path, w) for w in want]
        wanted = set(want_ids)
        stale = [h for h in have if (exact or _owned(path, h)) and _identity(path, h) not in wanted]

        if (path in ORDERED or exact) and want:
            mine = have if exact else [h for h in have if _owned(path, h)]
            present = [i for i in (_identity(path, h) for h in have) if i in wanted]
            in_order = present == [i for i in want_ids if i in set(present)]
            differs = any(
                i not in have_by or _item_equal(path, w, have_by[i]) != (True, False)
                for w, i in zip(want, want_ids, strict=True)
            )
            if differs or not in_order:
                # Rebuild in order (others' rules stay where they are, before ours). Removed last first, so the
                # undo, which runs last first, re-adds them in their first order.
                for h in reversed(mine):
                    self.remove(h)
                for w in want:
                    self.add(w)
                return

        for w, ident in zip(want, want_ids, strict=True):
            h = have_by.get(ident)
            if h is None:
                self.add(w)
                continue
            same, extra = _item_equal(path, w, h)
            if same and not extra:
                continue
            if extra:
                self.remove(h)
                self.add(w)
                continue
            self.set(w, h, _props_differ(path, "", w, h))

        # Stale items last, children before parents (a queue's children are listed after it).
        for h in reversed(stale):
            self.remove(h)


def parse_users(text: str) -> dict[str, str]:
    """`/user print` -> {name: group}."""
    users: dict[str, str] = {}
    for chunk in re.split(r"\n(?=\s*\d+\s)", text):
        name = re.search(r"\bname=(\"[^\"]*\"|\S+)", chunk)
        group = re.search(r"\bgroup=(\"[^\"]*\"|\S+)", chunk)
        if name:
            users[unquote(name.group(1))] = unquote(group.group(1)) if group else ""
    return users
