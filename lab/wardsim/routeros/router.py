"""The MikroTik RouterOS 7 router: its database and persistence, reboot and reset, safe mode, /ip service access."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import ipaddress
import json
import logging
import time
from typing import Any

from wardsim.routeros import show as rosshow
from wardsim.routeros.interp import RosInterp, path_key
from wardsim.routeros.menus import Menu, RosDb, base_db
from wardsim.routeros.output import export_header, export_text
from wardsim.routeros.parse import RosError, ip_in, ros_date
from wardsim.routeros.sched import Scheduler
from wardsim.secrets import salted_sha256, verify_salted_sha256
from wardsim.server import CliSession, Router, SimConfig, StateDir

log = logging.getLogger("wardsim.routeros")

# The device's own store: the whole database (user password hashes and sensitive values included), which is
# what the router boots from. running.cfg/startup.cfg are readable /export copies of it, for the lab.
DB_FILE = "config.dat"


class RosRouter(Router):
    dialect = "mikrotik_routeros"

    def __init__(self, cfg: SimConfig, state: StateDir) -> None:
        super().__init__(cfg, state)
        self.version = cfg.os_version or "7.12.1"
        self.model = cfg.model or "RB5009UG+S+"
        self.serial = cfg.serial or "HE408K0XXXX"
        self.ifaces = list(cfg.interfaces) or [f"ether{n}" for n in range(1, 6)]
        self.db = base_db(self.ifaces)
        self.changed_at = time.time()
        self.booted_at = time.time()
        self.sched = Scheduler(self)
        self.logs: list[tuple[float, str, str]] = []
        self.safe_holder: CliSession | None = None
        self.safe_snapshot: RosDb | None = None
        self._task: asyncio.Task[None] | None = None

    # --- state, persistence --------------------------------------------------------------------

    def identity(self) -> str:
        return self.db.singles.get("/system identity", {}).get("name", "MikroTik")

    def export(self, scope: str = "", terse: bool = False, sensitive: bool = False) -> str:
        header = export_header(self.changed_at, self.version, self.model, self.serial, full=not scope)
        return export_text(self.db, scope, header, terse, sensitive)

    def commit(self) -> None:
        """RouterOS keeps every change: running.cfg and startup.cfg are the same /export."""
        self.changed_at = time.time()
        self.persist()

    def persist(self) -> None:
        text = self.export()
        self.state.write("running.cfg", text)
        self.state.write("startup.cfg", text)
        data = {"format": "wardsim routeros db", "changed_at": self.changed_at, "db": self.db.to_json()}
        self.state.write(DB_FILE, json.dumps(data) + "\n")

    def _base(self, defaults: bool = True) -> None:
        """A reset device: built-in items, sim.json's identity and users, and (unless no-defaults) its
        default configuration (sim.json's initial_config, as a netinstall script would be)."""
        self.db = base_db(self.ifaces)
        self.db.singles["/system identity"] = {"name": self.cfg.hostname}
        for user, password in self.cfg.users.items():
            self.db.new_item("/user", {"name": user, "group": "full", "_hash": salted_sha256(password)})
        if defaults and self.cfg.initial_config:
            _out, error = self.run_script("\n".join(self.cfg.initial_config), "admin")
            if error is not None:
                log.warning("initial_config: %s", error.in_script())

    def boot(self) -> None:
        """Boot from the saved database. No startup.cfg means a wiped device (the lab resets a router by
        deleting it): boot the base configuration."""
        raw = self.state.read(DB_FILE) if self.state.read("startup.cfg") is not None else None
        saved: dict[str, Any] | None = None
        if raw:
            try:
                saved = json.loads(raw)
            except ValueError:
                log.warning("%s unreadable: booting the base configuration", DB_FILE)
        if saved is not None:
            self.db = RosDb.from_json(saved["db"])
            self.changed_at = float(saved.get("changed_at", time.time()))
        else:
            self._base()
            self.changed_at = time.time()
        self.sched.boot(self.booted_at)
        self.persist()

    def fixup(self, menu: Menu, props: dict[str, str], new: bool) -> None:
        """Values RouterOS derives itself when an item is added or changed."""
        if menu.path == "/user" and ("password" in props or new):
            props["_hash"] = salted_sha256(props.pop("password", ""))
        elif menu.path == "/ip address" and "address" in props:
            props["network"] = str(ipaddress.ip_network(props["address"], strict=False).network_address)
        elif menu.path == "/queue simple" and new and "name" not in props:
            props["name"] = f"queue{len(self.db.items(menu.path)) + 1}"
        elif menu.path == "/system scheduler" and new:
            # Scheduler manual: start-date/start-time default to when the entry is added.
            now = time.time()
            props.setdefault("start-date", ros_date(now, self.version))
            props.setdefault("start-time", time.strftime("%H:%M:%S", time.gmtime(now)))

    def print_extra(self, path: str) -> dict[str, str]:
        if path == "/system clock":
            # The clock is UTC (time-zone-name=manual); 7.10+ prints the date as YYYY-MM-DD.
            now = time.time()
            return {"time": time.strftime("%H:%M:%S", time.gmtime(now)), "date": ros_date(now, self.version)}
        return {}

    # --- scripts, import, backups --------------------------------------------------------------

    def run_script(self, text: str, user: str, whole: bool = True) -> tuple[str, RosError | None]:
        """Run a script (/import, /system script, scheduler events) in a fresh interpreter: (output, error)."""
        return RosInterp(self, user).run_script(text, whole)

    def _backup_name(self, name: str) -> str:
        return name if name.endswith(".backup") else name + ".backup"

    def backup_save(self, name: str) -> bool:
        data = {"format": "wardctl-sim routeros backup", "db": self.db.to_json()}
        return self.state.write_file(self._backup_name(name), json.dumps(data).encode())

    def backup_read(self, name: str) -> dict[str, Any] | None:
        text = self.state.read_file(self._backup_name(name))
        try:
            return json.loads(text) if text else None
        except ValueError:
            return None

    def backup_load(self, name: str) -> None:
        raw = self.backup_read(name)
        if raw is None:
            return
        self.db = RosDb.from_json(raw["db"])
        self.commit()
        self._schedule_reboot()

    def reset_configuration(self, keep_users: bool, no_defaults: bool, run_after: str | None) -> None:
        """The only way RouterOS replaces a configuration: wipe it, reboot, then run the file (if any) on the
        empty one (Configuration Management manual, "Configuration Reset")."""
        users = copy.deepcopy(self.db.items("/user"))
        next_id = self.db.next_id
        self._base(defaults=not no_defaults)
        self.db.next_id = max(self.db.next_id, next_id)
        if keep_users:
            self.db.lists["/user"] = users
        if run_after:
            text = self.state.read_file(run_after.split("/")[-1])
            if text is None:
                log.warning("reset-configuration: run-after-reset: no such file %s", run_after)
            else:
                _out, error = self.run_script(text, "admin")
                if error is not None:
                    log.warning("reset-configuration: run-after-reset %s: %s", run_after, error.in_script())
        self.commit()
        self._schedule_reboot()

    def reboot(self) -> None:
        self._schedule_reboot()

    def _schedule_reboot(self) -> None:
        asyncio.get_running_loop().call_soon(self._reboot_now)

    def _reboot_now(self) -> None:
        log.info("reboot")
        self.safe_holder, self.safe_snapshot = None, None  # a reboot ends safe mode, keeping what is saved
        self.logs.clear()  # the default log action, `memory`, is RAM: gone after a reboot
        self.booted_at = time.time()
        self.boot()
        self.kill_sessions()

    # --- scheduler -----------------------------------------------------------------------------

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._ticker())

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()

    async def _ticker(self) -> None:
        while True:
            await asyncio.sleep(0.2)
            try:
                self.sched.tick()
            except Exception:
                log.exception("scheduler")

    def add_log(self, topic: str, msg: str) -> None:
        self.logs.append((time.time(), topic, msg))
        del self.logs[:-1000]

    # --- safe mode -----------------------------------------------------------------------------

    def safe_take(self, sess: CliSession) -> bool:
        if self.safe_holder not in (None, sess):
            return False
        self.safe_holder, self.safe_snapshot = sess, self.db.clone()
        return True

    def safe_release(self, sess: CliSession) -> None:
        if self.safe_holder is sess:
            self.safe_holder, self.safe_snapshot = None, None

    def safe_rollback(self, sess: CliSession) -> None:
        if self.safe_holder is sess and self.safe_snapshot is not None:
            log.info("safe mode session of %s ended: undoing its changes", sess.username)
            self.db = self.safe_snapshot
            self.safe_holder, self.safe_snapshot = None, None
            self.commit()

    # --- access --------------------------------------------------------------------------------

    def admit(self, peer: str) -> int | None:
        ssh = next((i for i in self.db.items("/ip service") if i.props.get("name") == "ssh"), None)
        if ssh is None:
            return 0
        if ssh.props.get("disabled") == "yes" or not ip_in(peer, ssh.props.get("address", "")):
            return None
        return 0

    def login_name(self, username: str) -> str:
        return username.split("+", 1)[0]  # Netmiko logs in as "admin+ct511w4098h" (terminal options)

    def authenticate(self, username: str, password: str) -> bool:
        name = self.login_name(username)
        for item in self.db.items("/user"):
            if item.props.get("name") == name and item.props.get("disabled") != "yes":
                return verify_salted_sha256(item.props.get("_hash", ""), password)
        return False

    def open_session(self, username: str, peer: str, line_no: int) -> CliSession:
        return RosSession(self, username, peer, line_no)

    # --- fixed outputs -------------------------------------------------------------------------

    def resource_text(self) -> str:
        return rosshow.resource(self.version, self.model, self.booted_at)

    def routerboard_text(self) -> str:
        return rosshow.routerboard(self.version, self.model, self.serial)

    def interfaces_text(self) -> str:
        rows = [
            (i.props["name"], i.props.get("disabled") == "yes", i.props.get("mtu", "1500"))
            for i in self.db.items("/interface ethernet")
        ]
        return rosshow.interfaces(rows)

    def files_text(self) -> str:
        return rosshow.files(self.state.list_files())

    def log_text(self) -> str:
        return rosshow.log_lines(self.logs)


class RosSession(CliSession):
    def __init__(self, router: RosRouter, username: str, peer: str, line_no: int) -> None:
        super().__init__(router, username, peer, line_no)
        self.r = router
        self.interp = RosInterp(router, username, interactive=True)
        self.safe = False
        router.add_log("system,info,account", f"user {username} logged in from {peer} via ssh")

    def prompt(self) -> str:
        cwd = path_key(self.interp.cwd) if self.interp.cwd else ""
        head = f"[{self.username}@{self.r.identity()}] "
        if self.safe:
            return f"{head}{cwd}<SAFE> "
        return f"{head}{cwd}> "

    def greeting(self) -> str:
        text = rosshow.BANNER.format(version=self.r.version)
        note = self.r.db.singles.get("/system note", {})
        if note.get("note") and note.get("show-at-login", "yes") == "yes":
            text += note["note"] + "\n\n"
        return _crlf(text) + self.prompt()

    def handle_line(self, line: str) -> str:
        if self.interp.question is not None:
            _question, answer = self.interp.question
            self.interp.question = None
            out = answer(line)
        else:
            out = self.interp.run(line)
        if self.interp.mutated:
            self.interp.mutated = False
            self.config_lines += 1
            self.r.commit()
        if self.interp.closed:
            self.closed = True
            return _crlf(out)
        if self.interp.question is not None:
            return _crlf(out + self.interp.question[0])
        return _crlf(out) + self.prompt()

    def reject(self, line: str) -> str:
        return _crlf("failure: command rejected by device policy\n") + self.prompt()

    def handle_control(self, ch: str, buf: str) -> tuple[str, str]:
        if ch == "\x18":  # Ctrl-X toggles safe mode
            if self.safe:
                self.r.safe_release(self)
                self.safe = False
                msg = "[Safe Mode released]"
            elif self.r.safe_take(self):
                self.safe = True
                msg = "[Safe Mode taken]"
            else:
                msg = "[Safe Mode not taken: already taken by another session]"
            return f"\r\n{msg}\r\n\r\n{self.prompt()}{buf}", buf
        if ch == "\x03":
            return "\r\n" + self.prompt(), ""
        if ch == "\x04" and not buf:
            self.closed = True
        return "", buf

    def ended(self, clean: bool) -> None:
        # Any end of a safe-mode session that did not release it (drop, quit, Ctrl-D) undoes its changes.
        if self.safe:
            self.r.safe_rollback(self)
        with contextlib.suppress(Exception):
            self.r.add_log("system,info,account", f"user {self.username} logged out from {self.peer} via ssh")


def _crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")
