"""The MikroTik RouterOS 7 router: its database, persistence, scheduler, safe mode and /ip service access."""

from __future__ import annotations

import asyncio
import calendar
import contextlib
import copy
import ipaddress
import json
import logging
import math
import re
import time
from typing import Any

from wardsim.routeros import show as rosshow
from wardsim.routeros.interp import RosInterp, path_key
from wardsim.routeros.menus import MENUS, Item, Menu, RosDb, base_db, export_header, export_text
from wardsim.routeros.parse import RosError, ip_in, parse_time
from wardsim.secrets import salted_sha256, verify_salted_sha256
from wardsim.server import CliSession, Router, SimConfig, StateDir

log = logging.getLogger("wardsim.routeros")

_HEADER_DATE = re.compile(r"^# (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) by RouterOS ")


def logical_lines(text: str) -> list[tuple[int, str]]:
    """Script lines with `\\` continuations joined, comments and blanks dropped: (first line no, text)."""
    out: list[tuple[int, str]] = []
    buf, start = "", 0
    for n, raw in enumerate(text.replace("\r", "").split("\n"), start=1):
        line = raw.strip() if buf else raw.rstrip()
        if not buf:
            start = n
        if line.endswith("\\"):
            buf += line[:-1]
            continue
        line = buf + line
        buf = ""
        if line.strip() and not line.lstrip().startswith("#"):
            out.append((start, line))
    return out


def is_full_export(text: str) -> bool:
    """A whole-device /export (the sim marks it with the model line), not a menu's own export."""
    head = text.lstrip().split("\n", 8)
    return bool(head) and bool(_HEADER_DATE.match(head[0])) and any(h.startswith("# model = ") for h in head)


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
        self.booted_mono = time.monotonic()
        self.boot_ids: set[int] = set()
        self.sched: dict[int, list[float]] = {}  # scheduler item id -> [next due (monotonic), runs]
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
        # user.dat: what /export leaves out (users with password hashes, sensitive values).
        private = {"users": [vars(i) for i in self.db.items("/user")], "secrets": self._secrets(self.db)}
        self.state.write("user.dat", json.dumps(private, indent=1) + "\n")

    @staticmethod
    def _secrets(db: RosDb) -> dict[str, dict[str, str]]:
        out: dict[str, dict[str, str]] = {}
        for menu in MENUS:
            hidden = [p.name for p in menu.props.values() if p.sensitive]
            if not hidden or menu.path == "/user":
                continue
            for item in db.items(menu.path):
                vals = {k: item.props[k] for k in hidden if k in item.props}
                if vals:
                    out[f"{menu.path}|{item.props.get('name', '')}"] = vals
        return out

    def _apply_secrets(self, secrets: dict[str, dict[str, str]]) -> None:
        for key, vals in secrets.items():
            path, _, name = key.partition("|")
            for item in self.db.items(path):
                if item.props.get("name", "") == name:
                    item.props.update({k: v for k, v in vals.items() if k not in item.props})

    def _base(self) -> None:
        self.db = base_db(self.ifaces)
        self.db.singles["/system identity"] = {"name": self.cfg.hostname}
        for user, password in self.cfg.users.items():
            self.db.new_item("/user", {"name": user, "group": "full", "_hash": salted_sha256(password)})
        if self.cfg.initial_config:
            error = self.run_script("\n".join(self.cfg.initial_config), "admin")
            if error:
                log.warning("initial_config: %s", error)

    def boot(self) -> None:
        startup = self.state.read("startup.cfg")
        private_text = self.state.read("user.dat")
        if startup:
            self.db = base_db(self.ifaces)
            private: dict[str, Any] = json.loads(private_text) if private_text else {}
            self.db.lists["/user"] = [Item(**raw) for raw in private.get("users", [])]
            self.db.next_id = max([self.db.next_id, *(i.id + 1 for i in self.db.items("/user"))])
            if not self.db.items("/user"):  # no user.dat: fall back to sim.json's users
                for user, password in self.cfg.users.items():
                    self.db.new_item("/user", {"name": user, "group": "full", "_hash": salted_sha256(password)})
            error = self.import_text(startup, "admin", private.get("secrets", {}))
            if error:
                log.warning("startup.cfg: %s", error)
            m = _HEADER_DATE.match(startup)
            self.changed_at = calendar.timegm(time.strptime(m.group(1), "%Y-%m-%d %H:%M:%S")) if m else time.time()
        else:
            self._base()
            self.changed_at = time.time()
        self.boot_ids = {i.id for i in self.db.items("/system scheduler")}
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
            now = time.gmtime()
            props.setdefault("start-date", time.strftime("%Y-%m-%d", now))
            props.setdefault("start-time", time.strftime("%H:%M:%S", now))

    def print_extra(self, path: str) -> dict[str, str]:
        if path == "/system clock":
            now = time.gmtime()
            return {"time": time.strftime("%H:%M:%S", now), "date": time.strftime("%Y-%m-%d", now)}
        return {}

    # --- scripts, import, backups --------------------------------------------------------------

    def run_script(self, text: str, user: str) -> str | None:
        """Run script lines until the first error (as /import does); returns that error's text."""
        interp = RosInterp(self, user)
        for lineno, line in logical_lines(text):
            try:
                interp.exec_line(line, lineno)
            except RosError as e:
                return e.text(lineno)
        return None

    def import_text(self, text: str, user: str, secrets: dict[str, dict[str, str]] | None = None) -> str | None:
        """/import. Sim rule: a whole-device export replaces the configuration (users kept), like
        `/system reset-configuration no-defaults=yes keep-users=yes run-after-reset=FILE` without
        the reboot; any other script runs on top of the current configuration."""
        if not is_full_export(text):
            return self.run_script(text, user)
        old = self.db
        keep = secrets if secrets is not None else self._secrets(old)
        self.db = base_db(self.ifaces)
        self.db.lists["/user"] = copy.deepcopy(old.items("/user"))
        self.db.next_id = max(self.db.next_id, old.next_id)
        error = self.run_script(text, user)
        self._apply_secrets(keep)
        return error

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

    def reset_configuration(self, keep_users: bool, run_after: str | None) -> None:
        users = copy.deepcopy(self.db.items("/user"))
        self._base()
        if keep_users:
            self.db.lists["/user"] = users
        if run_after:
            text = self.state.read_file(run_after.split("/")[-1])
            error = self.run_script(text, "admin") if text else f"run-after-reset: no such file {run_after}"
            if error:
                log.warning("reset-configuration: %s", error)
        self.commit()
        self._schedule_reboot()

    def reboot(self) -> None:
        self._schedule_reboot()

    def _schedule_reboot(self) -> None:
        asyncio.get_running_loop().call_soon(self._reboot_now)

    def _reboot_now(self) -> None:
        log.info("reboot")
        self.safe_holder, self.safe_snapshot = None, None  # a reboot ends safe mode, keeping what is saved
        self.sched.clear()
        self.booted_at, self.booted_mono = time.time(), time.monotonic()
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
                self.run_due()
            except Exception:
                log.exception("scheduler")

    def _first_due(self, props: dict[str, str], item_id: int, now: float) -> float:
        interval = parse_time(props.get("interval", "0s")) or 0
        start = props.get("start-time", "")
        if start == "startup":
            return self.booted_mono + 3 if item_id in self.boot_ids else math.inf
        if interval > 0:
            return now + interval
        try:
            when = calendar.timegm(time.strptime(f"{props.get('start-date', '')} {start}", "%Y-%m-%d %H:%M:%S"))
        except ValueError:
            return math.inf
        delta = when - time.time()
        return now + delta if delta >= 0 else math.inf

    def run_due(self) -> None:
        now = time.monotonic()
        for item in list(self.db.items("/system scheduler")):
            if item.props.get("disabled") == "yes":
                continue
            st = self.sched.setdefault(item.id, [self._first_due(item.props, item.id, now), 0])
            if now < st[0]:
                continue
            interval = parse_time(item.props.get("interval", "0s")) or 0
            st[0] = st[0] + interval if interval > 0 else math.inf
            st[1] += 1
            self._run_event(item.props.get("name", ""), item.props.get("on-event", ""))

    def _run_event(self, name: str, event: str) -> None:
        script = next((s for s in self.db.items("/system script") if s.props.get("name") == event), None)
        source = script.props.get("source", "") if script else event
        log.info("scheduler %s: running %r", name, source)
        error = self.run_script(source, "admin")
        if error:
            log.warning("scheduler %s: %s", name, error)
            self.add_log("script,error", f"executing script from scheduler ({name}) failed: {error}")
        self.commit()

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
