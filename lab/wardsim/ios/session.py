"""One IOS vty session: exec and privileged exec commands, config mode, questions IOS asks back."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from wardsim.ios import show as iosshow
from wardsim.ios.config import Node, diff_commands, flash_name, render_body, show_running
from wardsim.ios.editor import ConfigEditor, EditResult
from wardsim.ios.grammar import EXEC_PRIV, EXEC_USER, MODE_PROMPTS, PIPE_FILTERS
from wardsim.ios.parse import Parsed, normalize_ifname, parse
from wardsim.server import CliSession

if TYPE_CHECKING:
    from wardsim.ios.router import IosRouter

log = logging.getLogger("wardsim.ios")

_CONF_T = "Enter configuration commands, one per line.  End with CNTL/Z.\n"
_REPLACE_Q = (
    "This will apply all necessary additions and deletions\n"
    "to replace the current running configuration with the\n"
    "contents of the specified configuration file, which is\n"
    "assumed to be a complete configuration, not a partial\n"
    "configuration. Enter Y if you are sure you want to proceed. ? [no]: "
)


# IOS refuses every Rollback Confirmed Change (`configure terminal revert timer [idle] N`, `configure replace
# ... time N`) until `archive` / ` path <url>` is configured, and stays in exec mode. Cisco, "Configuration
# Rollback Confirmed Change": "You must configure a configuration archive before performing this procedure";
# the exact line is the one Cisco's NSO cisco-ios NED (IOSNedCli.java, ENTER_CONFIG_PATTERN) expects back
# when entering config mode.
_NO_ARCHIVE = "%Turn config archive on before using Rollback Confirmed Change\n"
_NOT_PENDING = "%No Rollback Confirmed Change pending\n"


def crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def ios_error(prompt: str, line: str, kind: str, pos: int) -> str:
    """IOS's three parser complaints; the caret sits under the echoed line (prompt included). Source: Cisco
    Networking Academy ITN 2.1.4.4 "Command Syntax Check" (the three messages, the caret under the typed line:
    `Router(config)#interface ethernat` / `% Invalid input detected at '^' marker.`)."""
    if kind == "incomplete":
        return "% Incomplete command.\n\n"
    if kind == "ambiguous":
        return f'% Ambiguous command:  "{line.strip()}"\n'
    return " " * (len(prompt) + pos) + "^\n% Invalid input detected at '^' marker.\n\n"


class IosSession(CliSession):
    def __init__(self, router: IosRouter, username: str, peer: str, line_no: int) -> None:
        super().__init__(router, username, peer, line_no)
        self.r = router
        self.level = 15 if router.privilege(username) == 15 else 1
        self.editor: ConfigEditor | None = None
        self.pending: Callable[[str], str] | None = None
        self.tries = 0
        self.banner_text: list[str] = []

    # --- framing -------------------------------------------------------------------------------

    def prompt(self) -> str:
        host = self.r.hostname()
        if self.editor is not None:
            return f"{host[:20]}{MODE_PROMPTS[self.editor.mode]}#"
        return host + ("#" if self.level == 15 else ">")

    def greeting(self) -> str:
        motd = next((c.line for c in self.r.root.children if c.line.startswith("banner motd ^C")), None)
        text = motd[len("banner motd ^C") : -2] + "\n" if motd else ""
        return crlf(f"{text}\n{self.prompt()}")

    def handle_line(self, line: str) -> str:
        prompt = self.prompt()
        self.r.revert_activity()  # an idle rollback timer restarts whenever ENTER is pressed
        if self.pending is not None:
            handler, self.pending = self.pending, None
            self.echo = True
            out = handler(line)
        elif not line.strip():
            out = ""
        elif self.editor is not None:
            out = self._config(line, prompt)
        else:
            out = self._exec(line, prompt)
        if not self.closed and self.pending is None:
            out += self.prompt()
        return crlf(out)

    def reject(self, line: str) -> str:
        pos = len(line) - len(line.lstrip())
        return crlf(ios_error(self.prompt(), line, "invalid", pos) + self.prompt())

    def handle_control(self, ch: str, buf: str) -> tuple[str, str]:
        if ch in "\x1a\x03":  # Ctrl-Z / Ctrl-C leave config mode (and cancel a question)
            self.pending = None
            self.echo = True
            if self.editor is not None:
                self.editor = None
                return "^Z\r\n" + self.prompt(), ""
            return "\r\n" + self.prompt(), ""
        return "", buf

    def _ask(self, question: str, then: Callable[[str], str], echo: bool = True) -> str:
        self.pending = then
        self.echo = echo
        return question

    # --- config mode ---------------------------------------------------------------------------

    def _config(self, line: str, prompt: str) -> str:
        editor = self.editor
        assert editor is not None
        res: EditResult = editor.run(line)
        if not res.ok:
            log.info("%s: config line rejected (%s): %s", self.username, res.error or "message", line.strip())
            return res.message or ios_error(prompt, line, res.error, res.err_pos)
        self.config_lines += 1
        if editor.dirty:
            editor.dirty = False
            self.r.changed(self.username)
        if res.action in ("end", "exit-config"):
            self.editor = None
        elif res.action == "do":
            return self._exec(res.arg, prompt, from_config=True)
        elif res.action == "banner":
            kind, delim, first = res.arg.split(" ", 2)
            self.banner_text = [first] if first else []
            shown = delim if delim != "^C" else "^C"
            return self._ask(
                f"Enter TEXT message.  End with the character '{shown}'.\n",
                lambda text: self._banner_line(kind, delim, text),
            )
        return ""

    def _banner_line(self, kind: str, delim: str, text: str) -> str:
        if delim not in text:
            self.banner_text.append(text)
            return self._ask("", lambda t: self._banner_line(kind, delim, t))
        self.banner_text.append(text[: text.index(delim)])
        assert self.editor is not None
        self.editor.set_banner(kind, "\n" + "\n".join(self.banner_text))
        self.editor.dirty = False
        self.r.changed(self.username)
        return ""

    # --- exec ----------------------------------------------------------------------------------

    def _ifname_tail(self, toks: list[str], raw: str) -> tuple[list[str] | None, int]:
        name, used = normalize_ifname(toks)
        return ([name], 0) if name and used == len(toks) else (None, used)

    def _exec(self, line: str, prompt: str, from_config: bool = False) -> str:
        body, bar, pipe = line.partition("|")
        grammar = EXEC_PRIV if self.level == 15 else EXEC_USER
        p = parse(grammar, body, {"IFNAME": self._ifname_tail})
        if p.cmd is None:
            log.info("%s: exec command rejected (%s): %s", self.username, p.error, line.strip())
            return ios_error(prompt, line, p.error, p.err_pos + (3 if from_config else 0))
        flt = None
        if bar:
            flt = parse(PIPE_FILTERS, pipe, {})
            if flt.cmd is None:
                return ios_error(prompt, line, flt.error, flt.err_pos + len(body) + 1)
        if from_config and p.cmd.act.startswith(("conf", "replace")):
            return ""
        handler = getattr(self, "_x_" + p.cmd.act.replace("-", "_"))
        out: str = handler(p)
        return _pipe(out, flt) if flt is not None else out

    def _x_noop(self, p: Parsed) -> str:
        return ""

    def _x_logout(self, p: Parsed) -> str:
        self.closed = True
        return ""

    def _x_enable(self, p: Parsed) -> str:
        if self.level == 15:
            return ""
        if self.r.enable_check("") is None:
            return "% No password set\n"
        self.tries = 0
        return self._ask("Password: ", self._enable_password, echo=False)

    def _enable_password(self, password: str) -> str:
        if self.r.enable_check(password):
            self.level = 15
            return ""
        self.tries += 1
        if self.tries < 3:
            return self._ask("Password: ", self._enable_password, echo=False)
        return "% Bad secrets\n\n"

    def _x_disable(self, p: Parsed) -> str:
        self.level = 1
        return ""

    def _x_show_version(self, p: Parsed) -> str:
        return iosshow.show_version(self.r)

    def _x_show_clock(self, p: Parsed) -> str:
        return iosshow.show_clock()

    def _x_show_users(self, p: Parsed) -> str:
        return iosshow.show_users(self.r, self)

    def _x_show_privilege(self, p: Parsed) -> str:
        return f"Current privilege level is {self.level}\n"

    def _x_show_run(self, p: Parsed) -> str:
        return show_running(self.r.body())

    def _x_show_run_if(self, p: Parsed) -> str:
        name = p.canon[-1]
        node = next((n for n in self.r.interfaces() if n.line == f"interface {name}"), None)
        if node is None:
            return ios_error(self.prompt(), "", "invalid", len("show running-config interface "))
        return show_running(_one_block(node, self.r))

    def _x_show_start(self, p: Parsed) -> str:
        # IOS XE 16.9 transcripts: "startup-config is not present" before any save, else "Using 1997 out of
        # 33554432 bytes" (the 32768K NVRAM of `show version`) and the saved file from its first "!".
        text = self.r.state.read("startup.cfg")
        if text is None:
            return "startup-config is not present\n"
        return f"Using {len(text.encode())} out of 33554432 bytes\n{text}"

    def _x_show_archive(self, p: Parsed) -> str:
        return iosshow.show_archive(self.r)

    def _x_show_rollback_timer(self, p: Parsed) -> str:
        return iosshow.show_rollback_timer(self.r)

    def _x_show_ip_int_brief(self, p: Parsed) -> str:
        return iosshow.show_ip_int_brief(self.r)

    def _x_show_acl(self, p: Parsed) -> str:
        return iosshow.show_acl(self.r, p.canon[2] if len(p.canon) > 2 else None)

    def _x_show_snmp_user(self, p: Parsed) -> str:
        out = []
        for name, canon in self.r.snmp_users.items():
            auth = canon[canon.index("auth") + 1].upper() if "auth" in canon else "None"
            priv = "None"
            if "priv" in canon:
                i = canon.index("priv")
                priv = "AES" + canon[i + 2] if canon[i + 1] == "aes" else canon[i + 1].upper()
            out += [f"User name: {name}", "Engine ID: 800000090300A0B1C2D3E4F5", "storage-type: nonvolatile"]
            out += [f"Authentication Protocol: {auth}", f"Privacy Protocol: {priv}", f"Group-name: {canon[3]}", ""]
        return "\n".join(out) + "\n"

    def _x_dir(self, p: Parsed) -> str:
        arg = p.canon[1] if len(p.canon) > 1 and p.canon[0] == "dir" else "flash:"
        if not re.match(r"^(boot)?flash:/?$", arg):
            return f"%Error opening {arg} (No such file or directory)\n"
        return iosshow.dir_flash(self.r)

    def _x_more(self, p: Parsed) -> str:
        if p.canon[1] == "nvram:startup-config":
            # Cisco command reference, `more`: the startup-config file as stored, without the "Using N out
            # of M bytes" line that `show startup-config` adds.
            # Nothing saved: the simulator's usual `more` error (IOS's own text was not found in any source).
            start = self.r.state.read("startup.cfg")
            return start if start is not None else "%Error opening nvram:startup-config (No such file or directory)\n"
        name = flash_name(p.canon[1])
        text = self.r.state.read_file(name) if name else None
        return text if text is not None else f"%Error opening {p.canon[1]} (No such file or directory)\n"

    def _x_write_mem(self, p: Parsed) -> str:
        self.r.save()
        return "Building configuration...\n[OK]\n"

    def _quiet(self) -> bool:
        return any(c.line == "file prompt quiet" for c in self.r.root.children)

    def _x_copy(self, p: Parsed) -> str:
        src, dst = p.canon[1], p.canon[2]
        if src == "running-config" and dst == "startup-config":
            return self._confirm_name("startup-config", lambda _n: self._x_write_mem(p))
        text = self._read_source(src)
        if text is None:
            return f"%Error opening {src} (No such file or directory)\n"
        if dst == "running-config":

            def merge(_name: str) -> str:
                bad = self.r.replay(text, self.r.root)
                self.r.replace_root(self.r.root, self.username)
                errs = "".join(f"% Invalid input detected: {b}\n" for b in bad)
                return errs + _copied(len(text))

            return self._confirm_name("running-config", merge)
        if dst == "startup-config":
            self.r.state.write("startup.cfg", text)
            return _copied(len(text))
        name = flash_name(dst)
        if name is None or self.r.state.file(name) is None:
            return f"%Error opening {dst} (Invalid argument)\n"
        return self._confirm_name(name, lambda n: self._write_flash(n, text))

    def _read_source(self, src: str) -> str | None:
        if src == "running-config":
            return self.r.body()
        if src == "startup-config":
            return self.r.state.read("startup.cfg")
        name = flash_name(src)
        return self.r.state.read_file(name) if name else None

    def _confirm_name(self, default: str, then: Callable[[str], str]) -> str:
        if self._quiet():
            return then(default)
        return self._ask(f"Destination filename [{default}]? ", lambda a: then(a.strip() or default))

    def _write_flash(self, name: str, text: str) -> str:
        path = self.r.state.file(name)
        if path is None:
            return f"%Error opening flash:{name} (Invalid argument)\n"
        if path.exists() and not self._quiet():

            def overwrite(answer: str) -> str:
                if answer.strip().lower() in ("n", "no"):
                    return ""
                self.r.state.write_file(name, text.encode())
                return _copied(len(text))

            return self._ask(
                "%Warning:There is a file already existing with this name\nDo you want to over write? [confirm]",
                overwrite,
            )
        self.r.state.write_file(name, text.encode())
        return _copied(len(text))

    def _x_delete(self, p: Parsed) -> str:
        url = p.canon[-1]
        name = flash_name(url)
        path = self.r.state.file(name) if name else None
        if path is None or not path.is_file():
            return f"%Error deleting {url} (No such file or directory)\n"

        def remove(answer: str) -> str:
            if answer.strip().lower() not in ("n", "no"):
                path.unlink(missing_ok=True)
            return ""

        if "/force" in p.canon or self._quiet():
            return remove("")
        return self._ask(
            f"Delete filename [{name}]? ",
            lambda _a: self._ask(f"Delete flash:/{name}? [confirm]", remove),
        )

    def _x_archive_config(self, p: Parsed) -> str:
        return "" if self.r.archive_config() else "%Archive path is not specified\n"

    def _x_conf_t(self, p: Parsed) -> str:
        self.editor = ConfigEditor(self.r, self.r.root)
        return _CONF_T

    def _backup(self) -> tuple[str | None, str]:
        """The backup Rollback Confirmed Change writes first: (archive url, what IOS prints) or (None, error)."""
        if self.r.archive_settings() is None:  # an `archive` block without ` path` does not count
            return None, _NO_ARCHIVE
        url = self.r.archive_config()
        if url is None:  # sim limitation: only flash: archive paths are writable here
            return None, f"%Error opening {self.r.next_archive_name()} (Invalid argument)\n"
        # Real output (byteworks.com transcript, IOS XE): the backup line, a blank line, then the command's own.
        return url, f"Rollback Confirmed Change: Backing up current running config to {url}\n\n"

    def _x_conf_t_revert(self, p: Parsed) -> str:
        if self.r.revert is not None:  # already pending: re-armed, no second backup (no source shows more)
            self.r.start_revert(int(p.canon[-1]), self.username, self.r.revert.archive, idle="idle" in p.canon)
            return self._x_conf_t(p)
        url, msg = self._backup()
        if url is None:
            return msg
        self.r.start_revert(int(p.canon[-1]), self.username, url, idle="idle" in p.canon)
        return msg + self._x_conf_t(p)

    def _x_conf_confirm(self, p: Parsed) -> str:
        # With nothing pending, no source (Cisco doc or device transcript) shows what IOS prints: silent.
        self.r.confirm_revert(self.username)
        return ""

    def _x_revert_now(self, p: Parsed) -> str:
        return "" if self.r.revert_now(self.username) else _NOT_PENDING

    def _x_revert_timer(self, p: Parsed) -> str:
        rv = self.r.revert
        if rv is None:
            return _NOT_PENDING
        self.r.start_revert(int(p.canon[-1]), self.username, rv.archive, idle="idle" in p.canon)
        return ""

    def _x_replace(self, p: Parsed) -> str:
        url, flags = p.canon[2], p.canon[3:]
        minutes = int(flags[flags.index("time") + 1]) if "time" in flags else None
        name = flash_name(url)
        text = self.r.state.read_file(name) if name else None
        if text is None:
            return f"%Error opening {url} (No such file or directory)\n"
        backup: str | None = None
        msg = ""
        if minutes is not None:
            # `time N`: back up first, then ask, then arm the timer (byteworks.com transcript, IOS XE).
            backup, msg = self._backup()
            if backup is None:
                return msg

        def go(answer: str) -> str:
            if answer.strip().lower() not in ("y", "yes"):
                return ""
            before = self.r.root.clone()
            new = self.r.skeleton()
            self.r.replay(text, new)
            out = ["!Pass 1", "!List of Commands:", *diff_commands(self.r.root, new), "end"] if "list" in flags else []
            self.r.replace_root(new, self.username)
            if minutes is not None and backup is not None:
                self.r.start_revert(minutes, self.username, backup, snapshot=before)
            return "\n".join([*out, "Total number of passes: 1", "Rollback Done", "", ""])

        return msg + (go("y") if "force" in flags else self._ask(_REPLACE_Q, go))

    def _x_reload(self, p: Parsed) -> str:
        def proceed(answer: str) -> str:
            if answer.strip().lower() in ("n", "no"):
                return ""
            self.closed = True
            asyncio.get_running_loop().call_soon(self.r.reload)
            return ""

        def save_first(answer: str) -> str:
            if answer.strip().lower().startswith("y"):
                self.r.save()
            return self._ask("Proceed with reload? [confirm]", proceed)

        if self.r.unsaved():
            return self._ask("System configuration has been modified. Save? [yes/no]: ", save_first)
        return self._ask("Proceed with reload? [confirm]", proceed)


def _copied(n: int) -> str:
    return f"\n{n} bytes copied in 0.041 secs ({int(n / 0.041)} bytes/sec)\n"


def _one_block(node: Node, r: IosRouter) -> str:
    lines = render_body(Node("", children=[node]), r.meta()).split("\n")
    start = next(i for i, ln in enumerate(lines) if ln.startswith("interface "))
    end = lines.index("!", start)
    return "!\n" + "\n".join(lines[start:end]) + "\nend\n"


def _pipe(text: str, flt: Parsed) -> str:
    """`| include|exclude|begin|section|count REGEX` as IOS applies them to output lines."""
    act = flt.cmd.act if flt.cmd else ""
    arg = flt.canon[-1] if len(flt.canon) > 1 else ""
    try:
        rx = re.compile(arg)
    except re.error:
        rx = re.compile(re.escape(arg))
    lines = text.rstrip("\n").split("\n")
    if act == "include":
        lines = [ln for ln in lines if rx.search(ln)]
    elif act == "exclude":
        lines = [ln for ln in lines if not rx.search(ln)]
    elif act == "begin":
        idx = next((i for i, ln in enumerate(lines) if rx.search(ln)), len(lines))
        lines = lines[idx:]
    elif act == "section":
        out: list[str] = []
        keep = False
        for ln in lines:
            if not ln.startswith(" "):
                keep = bool(rx.search(ln))
            if keep:
                out.append(ln)
        lines = out
    elif act == "count":
        return f"Number of lines which match regexp = {sum(1 for ln in lines if rx.search(ln))}\n"
    return "\n".join(lines) + ("\n" if lines else "")
