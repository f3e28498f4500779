"""Shared plumbing of the router simulators: sim.json, the state directory, faults, SSH and line editing.

A dialect (ios.py, routeros.py) supplies a `Router` (device state, who may log in) and a `CliSession`
(one logged-in user's CLI). Everything that is the same on both devices lives here.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import os
import re
import signal
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, ClassVar

import asyncssh

log = logging.getLogger("wardsim")


class SimConfigError(ValueError):
    """sim.json is missing or wrong; the process exits with this message."""


@dataclass(frozen=True)
class SimConfig:
    """The contents of DIR/sim.json (the contract the lab manager writes)."""

    dialect: str
    hostname: str
    listen: str
    port: int
    host_key: str
    users: dict[str, str]
    enable_secret: str = ""
    model: str = ""
    os_version: str = ""
    serial: str = ""
    interfaces: tuple[str, ...] = ()
    initial_config: tuple[str, ...] = ()
    # Sim-only: length of one "minute" of IOS `revert timer N`, so tests can use 1-second minutes.
    revert_timer_unit_seconds: float = 60.0

    @classmethod
    def from_file(cls, path: Path, dialects: tuple[str, ...]) -> SimConfig:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SimConfigError(f"cannot read {path}: {exc}") from exc
        if not isinstance(raw, dict):
            raise SimConfigError(f"{path}: expected a JSON object")
        missing = [k for k in ("dialect", "hostname", "listen", "port", "host_key", "users") if k not in raw]
        if missing:
            raise SimConfigError(f"{path}: missing keys {', '.join(missing)}")
        if raw["dialect"] not in dialects:
            raise SimConfigError(f"{path}: dialect must be one of {', '.join(dialects)}")
        try:
            ipaddress.ip_address(raw["listen"])
        except ValueError as exc:
            raise SimConfigError(f"{path}: listen must be an IP address") from exc
        users = raw["users"]
        if not isinstance(users, dict) or not users:
            raise SimConfigError(f"{path}: users must map user names to passwords")
        return cls(
            dialect=raw["dialect"],
            hostname=str(raw["hostname"]),
            listen=str(raw["listen"]),
            port=int(raw["port"]),
            host_key=str(raw["host_key"]),
            users={str(k): str(v) for k, v in users.items()},
            enable_secret=str(raw.get("enable_secret", "")),
            model=str(raw.get("model", "")),
            os_version=str(raw.get("os_version", "")),
            serial=str(raw.get("serial", "")),
            interfaces=tuple(str(i) for i in raw.get("interfaces", ())),
            initial_config=tuple(str(i) for i in raw.get("initial_config", ())),
            revert_timer_unit_seconds=float(raw.get("revert_timer_unit_seconds", 60.0)),
        )


@dataclass(frozen=True)
class Faults:
    """DIR/faults.json, re-read before every command so tests can change it while a session runs."""

    drop_after: int | None = None
    hang_after: int | None = None
    reject: tuple[re.Pattern[str], ...] = field(default=())

    def rejects(self, line: str) -> bool:
        return any(p.search(line.strip()) for p in self.reject)


_FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+=,@-]*$")


class StateDir:
    """DIR: sim.json in, running.cfg / startup.cfg / files/ / ready out. Writes are atomic."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files = root / "files"
        self.files.mkdir(parents=True, exist_ok=True)

    def write(self, name: str, text: str) -> None:
        self._atomic(self.root / name, text.encode("utf-8"))

    def read(self, name: str) -> str | None:
        try:
            return (self.root / name).read_text(encoding="utf-8")
        except FileNotFoundError:
            return None

    def remove(self, name: str) -> None:
        (self.root / name).unlink(missing_ok=True)

    def file(self, name: str) -> Path | None:
        """A device file (flash:/ or RouterOS files); None for names that would leave files/."""
        return self.files / name if _FILE_NAME.match(name) else None

    def write_file(self, name: str, data: bytes) -> bool:
        path = self.file(name)
        if path is None:
            return False
        self._atomic(path, data)
        return True

    def read_file(self, name: str) -> str | None:
        path = self.file(name)
        if path is None or not path.is_file():
            return None
        return path.read_text(encoding="utf-8", errors="replace")

    def list_files(self) -> list[Path]:
        return sorted(p for p in self.files.iterdir() if p.is_file() and not p.name.startswith("."))

    def faults(self) -> Faults:
        text = self.read("faults.json")
        if not text:
            return Faults()
        try:
            raw = json.loads(text)
            return Faults(
                drop_after=_opt_int(raw.get("drop_after_config_lines")),
                hang_after=_opt_int(raw.get("hang_after_config_lines")),
                reject=tuple(re.compile(str(r)) for r in raw.get("reject", ())),
            )
        except (ValueError, AttributeError, re.error) as exc:
            log.warning("ignoring unreadable faults.json: %s", exc)
            return Faults()

    @staticmethod
    def _atomic(path: Path, data: bytes) -> None:
        # Readers (the lab manager, tests) must never see a half-written file.
        tmp = path.with_name(f".{path.name}.tmp")
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)


def _opt_int(value: Any) -> int | None:
    return None if value is None else int(value)


class CliSession(ABC):
    """One logged-in user's command line; the dialect decides what every line means."""

    def __init__(self, router: Router, username: str, peer: str, line_no: int) -> None:
        self.router = router
        self.username = username
        self.peer = peer
        self.line_no = line_no
        self.echo = True  # off while the device reads a password
        self.closed = False  # set by exit/quit: the session ends cleanly
        self.config_lines = 0  # accepted config lines, counted for the drop/hang faults
        self._kill: Callable[[], None] | None = None

    def bind_kill(self, kill: Callable[[], None]) -> None:
        self._kill = kill

    def kill(self) -> None:
        """Cut the connection (reload, reboot): the client sees the transport close."""
        if self._kill is not None:
            self._kill()

    @abstractmethod
    def greeting(self) -> str:
        """Banner plus first prompt."""

    @abstractmethod
    def handle_line(self, line: str) -> str:
        """Run one entered line; return the output including the next prompt."""

    @abstractmethod
    def reject(self, line: str) -> str:
        """Output for a line refused by the `reject` fault, in the dialect's own error words."""

    def handle_control(self, ch: str, buf: str) -> tuple[str, str]:
        """A control character other than Enter/backspace; returns (output, new input buffer)."""
        return "", buf

    def ended(self, clean: bool) -> None:  # noqa: B027 - optional hook
        """The connection is gone; clean is False when it dropped without exit/quit."""


class Router(ABC):
    """One simulated device: its configuration, timers and who may connect."""

    dialect: ClassVar[str]

    def __init__(self, cfg: SimConfig, state: StateDir) -> None:
        self.cfg = cfg
        self.state = state
        self.sessions: set[CliSession] = set()

    @abstractmethod
    def boot(self) -> None:
        """Load startup.cfg if present (the device reboots into its saved config), else the base."""

    def start(self) -> None:  # noqa: B027 - optional hook
        """Called once the event loop runs (timers may be created from here on)."""

    def stop(self) -> None:  # noqa: B027 - optional hook
        """Called on SIGTERM before the listener closes."""

    @abstractmethod
    def admit(self, peer: str) -> int | None:
        """Management access control before authentication: a line number, or None to refuse."""

    def release(self, line_no: int) -> None:  # noqa: B027 - optional hook
        """The connection holding line_no is gone."""

    @abstractmethod
    def authenticate(self, username: str, password: str) -> bool: ...

    def login_name(self, username: str) -> str:
        return username

    @abstractmethod
    def open_session(self, username: str, peer: str, line_no: int) -> CliSession: ...

    def kill_sessions(self) -> None:
        for sess in list(self.sessions):
            sess.kill()


class _SshServer(asyncssh.SSHServer):
    """Per-connection hooks: refuse before auth if management ACLs say so, then password auth."""

    def __init__(self, router: Router) -> None:
        self.router = router
        self.line_no: int | None = None

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        peer = str(conn.get_extra_info("peername")[0])
        self.line_no = self.router.admit(peer)
        if self.line_no is None:
            # Like a vty access-class: the TCP session is closed before any SSH exchange.
            log.info("refused connection from %s (management access control)", peer)
            conn.abort()

    def connection_lost(self, exc: Exception | None) -> None:
        if self.line_no is not None:
            self.router.release(self.line_no)
            self.line_no = None

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        ok = self.router.authenticate(username, password)
        log.info("login %s for %s", "accepted" if ok else "rejected", self.router.login_name(username))
        return ok


class _Terminal:
    """Character-at-a-time line editing with echo, as both devices do it on a vty."""

    def __init__(self, sess: CliSession, process: asyncssh.SSHServerProcess[str], state: StateDir) -> None:
        self.sess = sess
        self.process = process
        self.state = state
        self.buf = ""
        self.pending: list[str] = []
        self.after_cr = False
        self.in_escape = ""  # an ANSI key sequence (arrows...) being swallowed
        self.hung = False
        self.dropped = False

    async def run(self) -> bool:
        """Serve until exit (True) or until the connection goes (False)."""
        self.pending.append(self.sess.greeting())
        self._flush()
        while True:
            try:
                data = await self.process.stdin.read(4096)
            except (asyncssh.TerminalSizeChanged, asyncssh.BreakReceived, asyncssh.SignalReceived):
                continue
            except (asyncssh.Error, OSError):
                return False
            if not data:
                return False
            if self.hung:
                continue  # the fault: keep the connection, never answer again
            self._feed(data)
            if self.dropped:
                return False
            if self.sess.closed:
                return True

    def _feed(self, data: str) -> None:
        for ch in data:
            if self.hung or self.dropped or self.sess.closed:
                break
            if self.in_escape or ch == "\x1b":
                # ESC [ ... letter (cursor keys): no line editing history here, so drop them.
                self.in_escape += ch
                if len(self.in_escape) > 1 and (ch.isalpha() or ch == "~" or self.in_escape[1] != "["):
                    self.in_escape = ""
                continue
            if self.after_cr and ch == "\n":
                self.after_cr = False  # CR LF is one Enter (the RouterOS driver sends both)
                continue
            self.after_cr = ch == "\r"
            if ch in "\r\n":
                self._enter()
            elif ch in "\x7f\x08":
                if self.buf:
                    self.buf = self.buf[:-1]
                    if self.sess.echo:
                        self.pending.append("\b \b")
            elif ch < " ":
                out, self.buf = self.sess.handle_control(ch, self.buf)
                self.pending.append(out)
            else:
                self.buf += ch
                if self.sess.echo:
                    self.pending.append(ch)
        self._flush()

    def _enter(self) -> None:
        line, self.buf = self.buf, ""
        self.pending.append("\r\n")
        faults = self.state.faults()
        before = self.sess.config_lines
        try:
            if self.sess.echo and line.strip() and faults.rejects(line):
                log.info("fault: rejected %r", line)
                out = self.sess.reject(line)
            else:
                out = self.sess.handle_line(line)
        except Exception:
            # A simulator bug must not look like a network fault: answer with the device's error.
            log.exception("internal error on %r", line)
            out = self.sess.reject(line)
        count = self.sess.config_lines
        if count > before:
            if faults.drop_after is not None and count >= faults.drop_after:
                log.info("fault: dropping the connection after config line %d", count)
                self._flush()
                self.dropped = True
                self.sess.kill()
                return
            if faults.hang_after is not None and count >= faults.hang_after:
                log.info("fault: hanging after config line %d", count)
                self._flush()
                self.hung = True
                return
        self.pending.append(out)

    def _flush(self) -> None:
        text = "".join(self.pending)
        self.pending.clear()
        if text and not self.dropped:
            try:
                self.process.stdout.write(text)
            except (asyncssh.Error, OSError, BrokenPipeError):
                self.dropped = True


async def _run_process(router: Router, process: asyncssh.SSHServerProcess[str]) -> None:
    conn = process.get_extra_info("connection")
    owner = conn.get_owner()
    line_no = owner.line_no if isinstance(owner, _SshServer) and owner.line_no is not None else 0
    username = router.login_name(str(process.get_extra_info("username")))
    peer = str(process.get_extra_info("peername")[0])
    sess = router.open_session(username, peer, line_no)
    sess.bind_kill(conn.abort)
    router.sessions.add(sess)
    clean = False
    try:
        if process.command:
            # `ssh router "show version"`: one command, its output without the trailing prompt.
            out = sess.handle_line(process.command)
            process.stdout.write(out.rsplit("\r\n", 1)[0] + "\r\n")
            clean = True
        else:
            clean = await _Terminal(sess, process, router.state).run()
    finally:
        router.sessions.discard(sess)
        sess.ended(clean)
    if clean:
        process.exit(0)


async def serve(state_dir: Path, routers: Mapping[str, type[Router]]) -> None:
    """Run one simulated router until SIGTERM/SIGINT; `routers` maps each dialect to its Router class."""
    state = StateDir(state_dir)
    cfg = SimConfig.from_file(state_dir / "sim.json", tuple(routers))
    state.remove("ready")  # a stale flag from an earlier run must not fool the lab manager
    router = routers[cfg.dialect](cfg, state)
    router.boot()
    key = asyncssh.read_private_key(cfg.host_key)
    server = await asyncssh.create_server(
        partial(_SshServer, router),
        cfg.listen,
        cfg.port,
        server_host_keys=[key],
        process_factory=partial(_run_process, router),
        line_editor=False,
        encoding="utf-8",
        errors="replace",
        keepalive_interval=0,
    )
    router.start()
    port = server.sockets[0].getsockname()[1]
    state.write("ready", json.dumps({"pid": os.getpid(), "listen": cfg.listen, "port": port}) + "\n")
    log.info("%s %s listening on %s:%d", cfg.dialect, cfg.hostname, cfg.listen, port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        state.remove("ready")
        server.close()
        router.stop()
        router.kill_sessions()
        await server.wait_closed()
        log.info("stopped")
