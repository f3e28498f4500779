"""The interface every dialect's driver implements, and the plumbing they share on an open Netmiko session.

A driver knows one dialect: how to read its config and facts, how to diff an intended config against it, how
to arm the device's own revert, push, confirm, revert at once, restore a device-side copy and save. The safe
sequence that strings these together (push.py) knows no dialect.

Every read has a deadline (`read_timeout`); a session that stops answering or drops raises `SessionLost`,
a line the device refuses raises `Rejected` (the session is still usable).
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable
from typing import Any, ClassVar

# Imported at module level on purpose: Ansible's main process imports the action plugins (to read their
# class attributes) before it forks a worker per host, so every worker inherits Netmiko already loaded.
import netmiko

from wardctl import netdev
from wardctl.router.plan import Plan

COPY_PREFIX = "wardkit-"


class DeviceError(Exception):
    """A failure with a one-line reason."""

    unreachable = False  # no answer at all (as opposed to refused credentials or a wrong host key)


class SessionLost(DeviceError):
    """The session dropped or stopped answering: nothing more can be done over it."""


class Rejected(DeviceError):
    """The device refused a command (its error text is in the message); the session still answers."""


class NotArmed(Rejected):
    """The device refused to arm its revert: nothing of the change was sent."""


LOST = (netmiko.exceptions.ReadTimeout, netmiko.exceptions.NetmikoTimeoutException, OSError, EOFError)


def first_line(text: str) -> str:
    """The gist of a (Netmiko) message; a first line ending in `:` is joined with the next one."""
    lines = [ln.strip() for ln in str(text).splitlines() if ln.strip()]
    if not lines:
        return "no details"
    return f"{lines[0]} {lines[1]}" if lines[0].endswith(":") and len(lines) > 1 else lines[0]


def close(conn: Any) -> None:
    """Close the transport without the polite exit (which waits for a prompt a broken session never sends)."""
    with contextlib.suppress(Exception):
        conn.paramiko_cleanup()


class Driver:
    """One dialect on one open session. Subclasses fill in the per-dialect part below the plumbing."""

    dialect: ClassVar[str]
    ext: ClassVar[str]  # device-side copies: wardkit-<stamp>.<ext>
    show_config: ClassVar[str]
    show_facts: ClassVar[str]
    # What the device answers to a line it refuses (checked after every pushed line and command).
    error_pattern: ClassVar[str]
    error_re: ClassVar[re.Pattern[str]]  # compiled once, at import, for every worker to inherit
    # Characters a secret may not hold on this CLI (besides control characters and spaces, refused everywhere).
    secret_forbidden: ClassVar[str] = ""
    interface_pattern: ClassVar[re.Pattern[str]]
    # Does the dialect have an enable secret besides the login password (IOS)?
    uses_enable_secret: ClassVar[bool] = False
    # Does the revert timer restore the config itself (IOS), or does the kit give the device the way back?
    native_revert: ClassVar[bool] = True
    # The revert timer's unit as the device takes it: IOS minutes (60), the kit's RouterOS script seconds (1).
    timer_unit: ClassVar[int] = 1

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "error_pattern" in cls.__dict__:
            cls.error_re = re.compile(cls.error_pattern, re.M)

    def __init__(
        self, conn: Any, target: netdev.Target, read_timeout: float = 20.0, push_read_timeout: float = 5.0,
        login_password: str = "",
    ) -> None:  # fmt: skip
        self.conn = conn
        self.target = target
        self.read_timeout = read_timeout
        self.push_read_timeout = push_read_timeout
        # The password this session logged in with: the device holds it, which its config may not show.
        self.login_password = login_password or target.password

    @classmethod
    def open(cls, target: netdev.Target, read_timeout: float = 20.0, push_read_timeout: float = 5.0) -> Driver:
        """Log in (host key checked against known_hosts); DeviceError with one line if that fails."""
        d: Driver | None = None
        try:
            conn, password = netdev.connect(target)
            d = cls(conn, target, read_timeout, push_read_timeout, password)
            d.after_login()
        except Exception as exc:  # paramiko/Netmiko raise many types; the reason is what matters
            if d is not None:
                d.close()
            error = DeviceError(f"cannot log in ({type(exc).__name__}: {first_line(str(exc))})")
            error.unreachable = netdev.is_unreachable(exc)
            raise error from exc
        return d

    def after_login(self) -> None:
        """What the dialect does right after the login (IOS: `enable`)."""

    @property
    def login_rotated(self) -> bool:
        """This login proved the device already holds the password a rotation sets (`password_next`)."""
        return bool(self.target.password_next) and self.login_password == self.target.password_next != (
            self.target.password
        )

    # --- plumbing --------------------------------------------------------------------------------------

    def prompt(self) -> str:
        """The exec prompt as a pattern anchored at the end of the output (Netmiko's own default would send
        a newline and sleep to find the prompt before every command)."""
        raise NotImplementedError

    def send(self, command: str, expect: str | None = None, read_timeout: float | None = None) -> str:
        try:
            out = self.conn.send_command(
                command,
                expect_string=expect or self.prompt(),
                read_timeout=read_timeout or self.read_timeout,
                strip_prompt=True,
                strip_command=True,
            )
        except LOST as exc:
            # The whole command, never a cut: the masker finds only whole secrets (push_lines names lines by number).
            raise SessionLost(f"no answer to {command!r} ({type(exc).__name__})") from exc
        return str(out)

    def check(self, command: str, out: str) -> str:
        if self.error_re.search(out):
            raise Rejected(f"{command!r} refused: {first_line(out)}")
        return out

    def close(self) -> None:
        close(self.conn)

    def running(self) -> str:
        return self.send(self.show_config).strip("\n") + "\n"

    def facts(self) -> dict[str, str]:
        return self.parse_facts(self.send(self.show_facts))

    def copy_name(self, stamp: str) -> str:
        return f"{COPY_PREFIX}{stamp}"

    def prune_copies(self, keep: int) -> None:
        names = sorted(self.list_copies())
        for name in names[: max(0, len(names) - keep)]:
            self.delete_copy(name)

    def push_lines(self, commands: list[str], enter_config_mode: bool = True) -> int:
        """Type each line, then await its echo and the prompt after it; the first line the device answers with an
        error raises `Rejected` (the lines before it are in), a session that stops answering `SessionLost`.
        Netmiko's send_config_set(cmd_verify=True) does the same, but awaits each echo with a regular expression
        made from the line: compiled again in every worker Ansible forks (~0.1 ms a line, more than the rest of
        the line's work on the controller). Here the echo is found as text, and the prompt's expression is
        Netmiko's (its base prompt, or its `#` terminator, to the end of the line), compiled once a session."""
        conn = self.conn
        prompt = re.compile(rf"(?:{re.escape(conn.base_prompt)}.*$|#.*$)", re.M)
        channel = _Channel(conn, self.push_read_timeout)
        try:
            if enter_config_mode:
                conn.config_mode()
            for n, cmd in enumerate(commands, 1):
                line = cmd.strip()
                conn.write_channel(conn.normalize_cmd(cmd))
                # Named by number: a part of a line could be part of a secret, which the masker would then miss.
                out = channel.past(line, f"echo of line {n} of {len(commands)}")
                out += channel.through(prompt, f"prompt after line {n} of {len(commands)}")
                if error := self.error_re.search(out):
                    said = next((ln for ln in out.splitlines() if error.group(0) in ln), error.group(0))
                    raise Rejected(f"{line!r} refused: {said.strip()}")
            conn.exit_config_mode()
        except (ValueError, *LOST) as exc:
            raise SessionLost(f"session lost during the push ({type(exc).__name__}: {first_line(str(exc))})") from exc
        return len(commands)

    # --- the config as text (no session needed) --------------------------------------------------------

    @staticmethod
    def parse_facts(text: str) -> dict[str, str]:
        """Model, OS version and serial from the facts command's output."""
        raise NotImplementedError

    @staticmethod
    def body(text: str) -> list[str]:
        """The lines that must be equal for two configs to be the same, line for line."""
        raise NotImplementedError

    @classmethod
    def same(cls, a: str, b: str) -> bool:
        return cls.body(a) == cls.body(b)

    @classmethod
    def first_difference(cls, a: str, b: str) -> str:
        """The first line where two configs differ, for a one-line failure message."""
        x, y = cls.body(a), cls.body(b)
        for i, (p, q) in enumerate(zip(x, y, strict=False)):
            if p != q:
                return f"line {i + 1}: {p.strip()!r} != {q.strip()!r}"
        return f"{len(x)} lines != {len(y)} lines"

    @staticmethod
    def qos_attached(running: str, interface: str, policy: str) -> bool:
        raise NotImplementedError

    # --- per dialect, on the session -------------------------------------------------------------------

    def plan(self, intended: str, running: str) -> Plan:
        """The commands that make `running` hold `intended`, with whatever the device keeps out of its config text
        read over this session."""
        raise NotImplementedError

    def unsaved(self, running: str) -> str:
        """Why the config the device boots differs from the running one ("" when it does not)."""
        return ""

    def prepare(self, running: str) -> list[str]:
        """Make the device's revert usable (IOS: the config archive); returns the lines it configured."""
        return []

    def save_copy(self, name: str) -> None:
        raise NotImplementedError

    def list_copies(self) -> list[str]:
        raise NotImplementedError

    def delete_copy(self, name: str) -> None:
        raise NotImplementedError

    def pending(self) -> tuple[bool, float | None]:
        """(a revert is pending, seconds left if the device says)."""
        raise NotImplementedError

    def push(self, plan: Plan, revert: int) -> int:
        """Arm the device's revert (`NotArmed` if refused: nothing changed), then send the plan's lines;
        returns how many were sent. `revert` is in `timer_unit`s."""
        raise NotImplementedError

    def confirm(self) -> None:
        raise NotImplementedError

    def revert_now(self) -> None:
        raise NotImplementedError

    def restore(self, copy: str, wanted: str, revert: int) -> None:
        """Arm the revert and make the running config equal `wanted`, the backup whose device-side twin would be
        `copy`; a plain DeviceError (nothing changed) if the device cannot restore it."""
        raise NotImplementedError

    def save(self) -> None:
        raise NotImplementedError


class _Channel:
    """An open session read up to what is awaited; what came after it is kept for the next wait."""

    def __init__(self, conn: Any, timeout: float) -> None:
        self.conn = conn
        self.timeout = timeout
        self.rest = ""

    def past(self, literal: str, what: str) -> str:
        """Up to the end of `literal`."""
        return self.until(lambda text: at + len(literal) if (at := text.find(literal)) >= 0 else -1, what)

    def through(self, pattern: re.Pattern[str], what: str) -> str:
        """Up to the end of `pattern`'s first match."""
        return self.until(lambda text: m.end() if (m := pattern.search(text)) else -1, what)

    def until(self, end: Callable[[str], int], what: str) -> str:
        """The text up to the end of what is awaited (`end` gives it, or -1); SessionLost past the deadline."""
        text, deadline = self.rest, time.monotonic() + self.timeout
        while (at := end(text)) < 0:
            if time.monotonic() > deadline:
                raise SessionLost(f"session lost during the push (no {what} within {self.timeout:g} s)")
            chunk = self.conn.read_channel()
            if chunk:
                text += chunk
            else:
                time.sleep(0.01)
        self.rest = text[at:]
        return text[:at]
