"""Commands outside the config menus: /export, /import, /system reboot|reset-configuration|backup|script run,
/file, and the `:` commands (ICE) scripts use: :log, :put, :delay, :error, :do { } on-error={ }."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from wardsim.routeros.menus import MENU_BY_PATH
from wardsim.routeros.parse import RosError, Tok, parse_bool

if TYPE_CHECKING:
    from wardsim.routeros.interp import RosInterp

log = logging.getLogger("wardsim.routeros")

ICE = {"log", "put", "delay", "error", "do"}
_LOG_LEVELS = ("debug", "error", "info", "warning")


class GlobalCommands:
    """The commands of one interpreter that are not generic menu commands."""

    def __init__(self, interp: RosInterp) -> None:
        self.i = interp
        self.r = interp.r

    def table(self) -> dict[tuple[str, str], Callable[[list[Tok]], str]]:
        return {
            ("/", "import"): self.import_,
            ("/", "quit"): self.quit,
            ("/system", "reboot"): self.reboot,
            ("/system", "reset-configuration"): self.reset,
            ("/system backup", "save"): self.backup_save,
            ("/system backup", "load"): self.backup_load,
            ("/system resource", "print"): lambda a: self.r.resource_text(),
            ("/system routerboard", "print"): lambda a: self.r.routerboard_text(),
            ("/system script", "run"): self.script_run,
            ("/file", "print"): lambda a: self.r.files_text(),
            ("/file", "remove"): self.file_remove,
            ("/interface", "print"): lambda a: self.r.interfaces_text(),
            ("/log", "print"): lambda a: self.r.log_text(),
        }

    # --- /export, /import ----------------------------------------------------------------------

    def export(self, key: str, args: list[Tok]) -> str:
        # Configuration Management manual: "show-sensitive: show sensitive information ... By default,
        # sensitive information is hidden"; users and their passwords are never exported.
        flags = ["terse", "verbose", "compact", "show-sensitive", "hide-sensitive"]
        named, _ = self.i._bind(args, ["file"], flags=flags)
        text = self.r.export(
            scope="" if key == "/" else key, terse="terse" in named, sensitive="show-sensitive" in named
        )
        if "file" in named:
            name = self.i._val(named["file"])
            name = name if name.endswith(".rsc") else name + ".rsc"
            if not self.r.state.write_file(name, text.encode()):
                raise RosError("failure: invalid file name")
            return ""
        return text

    def import_(self, args: list[Tok]) -> str:
        """Runs the file's commands on top of the current configuration, up to the first error; what ran
        before it stays (Configuration Management manual: replacing a configuration takes
        `/system reset-configuration no-defaults=yes` first). `verbose` runs it line by line, so a syntax
        error stops it there instead of before the first line. (`dry-run` is 7.16+.)"""
        named, pos = self.i._bind(args, ["file-name", "verbose"], unnamed=1)
        src = named.get("file-name") or (pos[0] if pos else None)
        if src is None:
            raise RosError("failure: file-name not specified")
        verbose = "verbose" in named and parse_bool(self.i._val(named["verbose"])) == "yes"
        text = self.r.state.read_file(self.i._val(src))
        if text is None:
            # Measured on RouterOS 7.24.4 (public transcript): "Cannot open import file, file does not exist".
            raise RosError("Cannot open import file, file does not exist", where=":import")
        out, error = self.r.run_script(text, self.i.user, whole=not verbose)
        self.i.mutated = True
        if error is not None:
            # 7.x: "Script Error: syntax error (line 4 column 10)" (7.19.6 import, public issue) and
            # "Script Error: failure: already have ... (/interface/bridge/add; line 2)" (7.24.4).
            raise RosError(f"Script Error: {error.in_script()}", where=":import")
        # Configuration Management manual: "Script file loaded and executed successfully".
        return out + "Script file loaded and executed successfully\n"

    # --- sessions, reboot, reset, backup -------------------------------------------------------

    def quit(self, args: list[Tok]) -> str:
        self.i.closed = True
        return ""

    def _confirm(self, question: str, action: Callable[[], str]) -> str:
        """RouterOS asks [y/N] on a terminal; scripts (scheduler, import) just go ahead."""
        if not self.i.interactive:
            return action()

        def answer(text: str) -> str:
            return action() if text.strip().lower().startswith("y") else "\n"

        self.i.question = (question, answer)
        return ""

    def reboot(self, args: list[Tok]) -> str:
        self.i._bind(args, [])

        def go() -> str:
            self.i.closed = True
            self.r.reboot()
            return "system will reboot shortly\n"

        return self._confirm("Reboot, yes? [y/N]: ", go)

    def reset(self, args: list[Tok]) -> str:
        named, _ = self.i._bind(args, ["no-defaults", "skip-backup", "keep-users", "run-after-reset"])

        def flag(name: str) -> bool:
            return name in named and parse_bool(self.i._val(named[name])) == "yes"

        after = self.i._val(named["run-after-reset"]) if "run-after-reset" in named else None

        def go() -> str:
            self.i.closed = True
            self.i.mutated = True
            self.r.reset_configuration(keep_users=flag("keep-users"), no_defaults=flag("no-defaults"), run_after=after)
            return "system configuration will be reset\n"

        return self._confirm("Dangerous! Reset anyway? [y/N]: ", go)

    def backup_save(self, args: list[Tok]) -> str:
        named, _ = self.i._bind(args, ["name", "password", "dont-encrypt", "encryption"])
        name = self.i._val(named["name"]) if "name" in named else f"{self.r.identity()}-{time.strftime('%Y%m%d-%H%M')}"
        if not self.r.backup_save(name):
            raise RosError("failure: invalid file name")
        return "Configuration backup saved\n"

    def backup_load(self, args: list[Tok]) -> str:
        named, _ = self.i._bind(args, ["name", "password"])
        if "name" not in named:
            raise RosError("failure: name not specified")
        name = self.i._val(named["name"])
        if self.r.backup_read(name) is None:
            raise RosError("failure: no such file")

        def go() -> str:
            self.i.closed = True
            self.i.mutated = True
            self.r.backup_load(name)
            return "Restoring system configuration\nSystem configuration restored, rebooting now\n"

        return self._confirm("Restore and reboot? [y/N]: ", go)

    def script_run(self, args: list[Tok]) -> str:
        named, pos = self.i._bind(args, ["number", "use-script-permissions"], unnamed=1)
        menu = MENU_BY_PATH["/system script"]
        out = ""
        for item in self.i._items(menu, named.get("number") or (pos[0] if pos else None)):
            text, error = self.r.run_script(item.props.get("source", ""), self.i.user)
            self.i.mutated = True
            out += text
            if error is not None:
                # The script's own error goes up as is: the console prints "bad command name routerboard
                # (line 236 column 42)" (7.15, public issue); a calling scheduler logs it with the failed
                # command, "(/ip/dhcp-client/add; line 1)" (Scripting manual, "Script permissions").
                raise error
        return out

    def file_remove(self, args: list[Tok]) -> str:
        named, pos = self.i._bind(args, ["numbers"], unnamed=1)
        sel = named.get("numbers") or (pos[0] if pos else None)
        if sel is None:
            raise RosError("no such item")
        files = self.r.state.list_files()
        for part in self.i._val(sel).split(","):
            path = files[int(part)] if part.isdigit() and int(part) < len(files) else self.r.state.file(part)
            if path is None or not path.is_file():
                raise RosError("no such item")
            path.unlink()
        return ""

    # --- `:` commands ----------------------------------------------------------------------------

    def ice(self, toks: list[Tok]) -> str:
        """The `:` commands a ward router's scripts use (Scripting manual, "Global commands")."""
        name = toks[0].text[1:]
        if name == "do":
            return self._do(toks)
        words = [self.i._val(t) for t in toks[1:]]
        if name == "log" and words:
            # `:log info "x"` from a script is logged with topics script,info.
            level = words[0] if words[0] in _LOG_LEVELS else "info"
            self.r.add_log(f"script,{level}", " ".join(words[1:]))
            return ""
        if name == "put":
            return " ".join(words) + "\n"
        if name == "delay":
            return ""
        if name == "error":
            raise RosError(" ".join(words))  # "Generate console error and stop executing the script"
        raise RosError(f"bad command name {name}", toks[0].col + 1)

    def check_ice(self, toks: list[Tok], cwd: tuple[str, ...]) -> None:
        """The parse step of a `:` command (see RosInterp.check)."""
        name = toks[0].text[1:]
        if name not in ICE:
            raise RosError(f"bad command name {name}", toks[0].col + 1)
        if name == "do":
            body, handler = self._do_parts(toks)
            self.i.check_text(body.text, cwd)
            if handler is not None:
                self.i.check_text(handler, cwd)

    def _do_parts(self, toks: list[Tok]) -> tuple[Tok, str | None]:
        if len(toks) < 2 or toks[1].kind != "block":
            raise RosError("syntax error", toks[0].col + len(toks[0].text))
        handler: str | None = None
        for t in toks[2:]:
            if t.kind == "kv" and t.text == "on-error" and t.value_block:
                handler = t.value
            else:
                raise RosError("expected end of command", t.col)
        return toks[1], handler

    def _do(self, toks: list[Tok]) -> str:
        """`:do { ... } on-error={ ... }` (Scripting manual, "Catch run-time errors"): a run-time error in the
        body runs the handler instead of stopping the script, which then goes on after the `:do`."""
        body, handler = self._do_parts(toks)
        line = self.i.lineno
        try:
            return self.i.exec_block(body.text, line)
        except RosError as e:
            if handler is None:
                raise
            log.info("%s: :do caught %s", self.i.user, e.in_script())
            return self.i.exec_block(handler, line)
