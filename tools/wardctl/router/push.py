"""The one safe operation per router, and the backup and rollback built from the same parts. No dialect here:
each step is a call to the router's driver (drivers/<dialect>).

configure():
  1. log in (host key checked against known_hosts; every read has a deadline; the dialect's error strings);
  2. back up the running config (controller file, never overwritten, plus its device-side twin);
  3. diff intended against running; in check mode stop here and return the diff. With nothing to change,
     compare what the device boots with what it runs, and save (a reported change) when they differ;
  4. make the device's revert usable (IOS: the configuration archive), checked in the running config;
  5. arm the revert and push only the missing or different lines; then close that session;
  6. verify on a fresh login: the router answers, the management ACL admitted the controller (the login itself),
     nothing of the intended config is missing, the QoS policy is attached, the revert is still pending;
  7. confirm; 8. save; 9. report.
Any failure before the confirm leaves the router at exactly its pre-push config: reverted over the session if
it still answers, otherwise by the device's timer, which is then awaited (bounded) and checked on a fresh login.
The failure is one line: `ward W, router R: <reason>; <what happened to the config>`; it never claims a revert
that was not seen.
"""

from __future__ import annotations

import difflib
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from wardctl import netdev
from wardctl.router import backup, drivers
from wardctl.router.drivers.base import DeviceError, Driver, NotArmed, Rejected, SessionLost
from wardctl.router.plan import Plan
from wardctl.router.secrets import Masker

T = TypeVar("T")


@dataclass
class Settings:
    ward: str
    name: str
    backup_dir: Path | str = "backups"
    revert_minutes: int = 2  # IOS `configure terminal revert timer N`
    revert_seconds: int = 120  # RouterOS: the kit's one-shot revert (real seconds)
    read_timeout: float = 20.0  # show commands
    push_read_timeout: float = 5.0  # each pushed line: a dropped session is noticed within this
    confirm_margin: float = 3.0  # never confirm with less than this left on the timer
    revert_wait: float | None = None  # how long to await the device's own revert (default: timer + 30 s)
    device_backups_keep: int = 10
    wan_interface: str = ""
    qos_policy: str = ""
    check: bool = False

    def revert_arg(self, unit: int) -> int:
        """The timer in the driver's unit (60: minutes, 1: seconds)."""
        return self.revert_minutes if unit == 60 else self.revert_seconds

    def timer_seconds(self, unit: int) -> float:
        return float(self.revert_arg(unit) * unit)


@dataclass
class Outcome:
    ok: bool = True
    changed: bool = False
    lines_pushed: int = 0
    commands: list[str] = field(default_factory=list)
    diff: list[str] = field(default_factory=list)
    backup_path: str = ""
    router: dict[str, str] = field(default_factory=dict)
    msg: str = ""
    reverted_by: str = ""  # "session" or "timer" when a failed push was undone
    verified: dict[str, bool] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    source: str = ""  # rollback: the backup restored
    unreachable: bool = False  # the first login got no answer: nothing was touched

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class Failed(Exception):
    """Stops the sequence; its text is the reason and what became of the router's config."""


class _Run:
    """One operation on one router: its target, settings, driver, the config to come back to, the outcome."""

    def __init__(self, target: netdev.Target, s: Settings, masker: Masker | None) -> None:
        self.t = target
        self.s = s
        self.driver = drivers.driver(target.device_type)
        self.masker = masker or Masker([target.password, target.password_next, target.secret])
        self.out = Outcome()
        self.before = ""  # the running config the push starts from (what a revert must come back to)
        self.lossy: list[str] = []  # what the kit's own revert could not put back exactly

    @property
    def unit(self) -> int:
        return self.driver.timer_unit

    @property
    def timer(self) -> int:
        """The revert timer in the driver's unit."""
        return self.s.revert_arg(self.unit)

    def open(self, what: str = "") -> Driver:
        try:
            d = self.driver.open(self.t, self.s.read_timeout, self.s.push_read_timeout)
        except DeviceError as exc:
            self.out.unreachable = exc.unreachable and not self.before
            raise Failed(f"{what}{exc}") from exc
        self.expect_next(d.login_rotated)  # the next login tries first what worked (a device may count refusals)
        return d

    def expect_next(self, yes: bool = True) -> None:
        """Log in with the rotation's new password first (after the push that set it)."""
        self.t = replace(self.t, next_first=yes)

    def take_backup(self, d: Driver) -> str:
        """Backup file + the name of its device twin. Check mode reads the config but writes no file: a dry run
        leaves nothing behind (and no backup that a later rollback to "latest" could mistake for a restore point)."""
        self.out.router = d.facts()
        self.before = d.running()
        if self.s.check:
            return ""
        path, dirty = backup.write(self.s.backup_dir, self.s.ward, self.s.name, self.before, self.masker)
        self.out.backup_path = str(path)
        if dirty:
            self.out.warnings.append("the running config held a plain vault value; it is masked in the backup")
        return d.copy_name(backup.stamp_of(path))

    def keep_twin(self, d: Driver, copy: str) -> None:
        d.save_copy(copy)
        d.prune_copies(self.s.device_backups_keep)

    def under_revert(self, d: Driver, refused: str, change: Callable[[], T]) -> T:
        """Run a change that arms the device's revert first; any failure is one line saying what became of the
        config: nothing sent (the revert was not armed), reverted over the session, or by the device's timer."""
        try:
            return change()
        except NotArmed as exc:
            raise Failed(f"the router refused to arm its revert ({exc}); nothing of the change was sent") from exc
        except Rejected as exc:
            raise Failed(f"{refused}: {exc}; {self.revert_over(d)}") from exc
        except SessionLost as exc:
            d.close()
            raise Failed(f"{exc}; {self.await_timer()}") from exc

    # --- getting back to where the push started ----------------------------------------------------------

    def back(self, running: str, how: str) -> str:
        """The message when `running` is checked against the starting point after a revert by `how`."""
        if self.driver.same(running, self.before):
            self.out.reverted_by = how
            note = f"; but {', '.join(self.lossy)} could not be put back" if self.lossy else ""
            return f"reverted {_HOW[how]}: the running config equals the backup{note}"
        diff = self.driver.first_difference(running, self.before)
        return f"NOT back at the backup after the revert ({diff}); restore {self.out.backup_path} with router_rollback"

    def revert_over(self, d: Driver) -> str:
        """Explicit revert over a session that still answers; falls back to the timer if it stops answering."""
        try:
            d.revert_now()
            after = d.running()
        except DeviceError as exc:
            d.close()
            return f"explicit revert failed ({exc}); {self.await_timer()}"
        return self.back(after, "session")

    def await_timer(self) -> str:
        """Wait (bounded) for the device's own revert, then check the config on a fresh login."""
        timer = self.s.timer_seconds(self.unit)
        budget = self.s.revert_wait if self.s.revert_wait is not None else timer + 30
        deadline = time.monotonic() + budget
        probe = replace(self.t, timeout=min(self.t.timeout, 5.0))
        last, settle = "no login yet", 3  # the kit's RouterOS revert runs for a moment after its entry is gone
        while time.monotonic() < deadline:
            try:
                d = self.driver.open(probe, self.s.read_timeout, self.s.push_read_timeout)
            except DeviceError as exc:
                last = str(exc)
                time.sleep(1.0)
                continue
            try:
                pending, left = d.pending()
                after = "" if pending else d.running()
            except DeviceError as exc:
                last = str(exc)
                pending, left, after = True, None, ""
            finally:
                d.close()
            if pending:
                time.sleep(max(0.5, min((left or 1.0) + 0.5, deadline - time.monotonic())))
                continue
            if self.driver.same(after, self.before) or settle == 0:
                return self.back(after, "timer")
            settle -= 1
            time.sleep(1.0)
        where = self.out.backup_path
        return f"could not see the revert within {budget:.0f} s (last: {last}); check the router, backup {where}"


_HOW = {"session": "over the session", "timer": "by the device's revert timer (fresh login)"}


def _finish(run: _Run, label: str, body: Callable[[], None]) -> Outcome:
    try:
        body()
    except Failed as exc:
        run.out.ok = False
        run.out.msg = f"{label}: {exc}"
    except DeviceError as exc:  # before anything was pushed
        run.out.ok = False
        run.out.unreachable = exc.unreachable and not run.before
        run.out.msg = f"{label}: {exc}; nothing was changed"
    masked = run.masker.deep(run.out.as_dict())
    return Outcome(**masked)


def configure(target: netdev.Target, intended: str, s: Settings, masker: Masker | None = None) -> Outcome:
    """Make the router's running config contain `intended`, commit-confirmed. Never raises for device trouble."""
    run = _Run(target, s, masker)
    return _finish(run, f"ward {s.ward}, router {s.name}", lambda: _configure(run, intended))


def _configure(run: _Run, intended: str) -> None:
    s, out = run.s, run.out
    d = run.open()
    try:
        copy = run.take_backup(d)
        plan = d.plan(intended, run.before)
        out.changed, out.commands, out.diff = plan.changed, plan.commands, plan.diff
        if not plan.changed:
            _save_if_unsaved(run, d)
            _rotation_done(run)
            return
        if s.check:
            return
        if d.pending()[0]:
            raise Failed("a revert from an earlier push is still pending on the router; nothing was changed")
        run.keep_twin(d, copy)
        plan = _prepare(run, d, intended, plan)
        run.lossy = plan.lossy
        out.lines_pushed = run.under_revert(d, "the router rejected a line", lambda: d.push(plan, run.timer))
        armed_at = time.monotonic()
        run.expect_next()
    finally:
        d.close()  # the push session ends here: everything after must work from a fresh login

    def problem(v: Driver, now: str) -> str:
        if v.login_password != v.target.intended_password:
            return "the new password (router_password_next) was refused at a fresh login"
        left = v.plan(intended, now)
        if left.changed:
            return f"after the push the router still differs ({left.diff[0]})"
        if not v.qos_attached(now, s.wan_interface, s.qos_policy):
            return f"QoS {s.qos_policy} is not attached to {s.wan_interface}"
        return ""

    _verify_and_confirm(run, problem, armed_at)
    out.verified = {"fresh_login": True, "mgmt_acl_admits_controller": True, "config_applied": True,
                    "qos_attached": True}  # fmt: skip
    _rotation_done(run)


def _rotation_done(run: _Run) -> None:
    """The router holds router_password_next: the vault must say so, or the next rotation starts from a
    password the router no longer takes."""
    t = run.t
    if t.password_next and t.password_next != t.password and run.out.ok:
        run.out.warnings.append(
            "the router's password is now router_password_next: make it router_password in the vault and "
            "clear router_password_next"
        )


def _save_if_unsaved(run: _Run, d: Driver) -> None:
    """Nothing to push: still, the config the device boots must be the one it runs (a confirmed change whose
    save failed, or a technician's unsaved change, would be lost at the next power cut)."""
    why = d.unsaved(run.before)
    if not why:
        return
    run.out.changed = True
    run.out.diff = [f"+ write memory ({why})"]
    if run.s.check:
        return
    if d.pending()[0]:
        raise Failed(f"{why}, but a revert is pending on the router: not saving; nothing was changed")
    d.save()


def _prepare(run: _Run, d: Driver, intended: str, plan: Plan) -> Plan:
    """Make the device's revert usable before the push; if that took a change, read the running config again
    and plan from there (it is then the state a revert comes back to). No new login for it: what it configures
    (IOS: the archive path) does not touch the management plane, the device refuses to arm its revert without
    it (and then nothing of the change is sent), and the fresh login after the push checks access as always."""
    try:
        done = d.prepare(run.before)
    except DeviceError as exc:
        raise Failed(
            f"cannot set up what the device's revert needs ({exc}); set it up by hand (IOS: `archive` / "
            "`path flash:archive-`), then run again; nothing else was changed"
        ) from exc
    if not done:
        return plan
    run.before = d.running()
    if d.prepare(run.before):
        raise Failed(f"{'; '.join(done)} did not hold in the running config; nothing else was changed")
    run.out.warnings.append(f"set up what the device's revert needs first: {' / '.join(done)}")
    again = d.plan(intended, run.before)
    run.out.commands = [*done, *again.commands]
    return again


def _verify_and_confirm(run: _Run, problem: Callable[[Driver, str], str], armed_at: float) -> None:
    """From a fresh login: the change is right (`problem` says "" for the running config), the revert still
    pending with time to spare; then confirm, check nothing is pending, save."""
    s = run.s
    try:
        v = run.open()
    except Failed as exc:
        raise Failed(f"after the push the controller {exc}; {run.await_timer()}") from exc
    try:
        try:
            now = v.running()
            wrong = problem(v, now)
            if wrong:
                raise Failed(f"{wrong}; {run.revert_over(v)}")
            pending, remaining = v.pending()
            if not pending:
                back = v.same(now, run.before)
                raise Failed(
                    "the revert fired before the confirm"
                    + ("; the running config equals the backup" if back else "; the router needs checking")
                )
            if remaining is None:
                remaining = s.timer_seconds(run.unit) - (time.monotonic() - armed_at)
            if remaining < s.confirm_margin:
                v.close()
                raise Failed(f"only {remaining:.0f} s left on the revert timer, not confirming; {run.await_timer()}")
            v.confirm()
            if v.pending()[0]:
                raise Failed(f"the confirm did not cancel the revert; {run.revert_over(v)}")
            if not v.native_revert:  # the kit's revert could have run between the check and the removal
                final = v.running()
                if problem(v, final):
                    if v.same(final, run.before):
                        run.out.reverted_by = "timer"
                        raise Failed("the scheduled revert ran during the confirm; the router is back at its backup")
                    raise Failed("after the confirm the router matches neither the intended config nor the backup")
        except Rejected as exc:
            raise Failed(f"verification failed: {exc}; {run.revert_over(v)}") from exc
        except SessionLost as exc:
            v.close()
            raise Failed(f"verification session lost ({exc}); {run.await_timer()}") from exc
        try:
            v.save()
        except DeviceError as exc:
            raise Failed(f"confirmed, but saving failed ({exc}); the change is live, the next run saves it") from exc
    finally:
        v.close()


def take_backup(target: netdev.Target, s: Settings, masker: Masker | None = None) -> Outcome:
    """Back up the running config (controller file + device twin); changes nothing (check mode: writes nothing)."""
    run = _Run(target, s, masker)

    def body() -> None:
        d = run.open()
        try:
            if s.check:
                run.out.router = d.facts()
                return
            run.keep_twin(d, run.take_backup(d))
        finally:
            d.close()

    return _finish(run, f"ward {s.ward}, router {s.name}", body)


def rollback(target: netdev.Target, s: Settings, source: Path | None, masker: Masker | None = None) -> Outcome:
    """Restore a backup (`source`, or the newest of this router that differs), commit-confirmed like a push."""
    run = _Run(target, s, masker)
    return _finish(run, f"ward {s.ward}, router {s.name}", lambda: _rollback(run, source))


def _rollback(run: _Run, source: Path | None) -> None:
    s, out, drv = run.s, run.out, run.driver
    if source is not None and not Path(source).expanduser().is_file():
        raise Failed(f"no backup file {source}; nothing was changed")
    d = run.open()
    try:
        out.router = d.facts()
        running = d.running()
        path = Path(source).expanduser() if source else _newest_different(run, running)
        if path is None:
            out.msg = "no backup of this router differs from its running config: nothing to roll back"
            return
        wanted = path.read_text(encoding="utf-8")
        out.source = str(path)
        out.diff = [
            ln.rstrip("\n")
            for ln in difflib.unified_diff(drv.body(running), drv.body(wanted), "running", path.name, n=1)
        ]
        if drv.same(running, wanted):
            return
        out.changed = True
        if s.check:
            return
        if d.pending()[0]:
            raise Failed("a revert from an earlier push is still pending on the router; nothing was changed")
        pre_twin = run.take_backup(d)  # the state before the rollback is a backup too: it can be undone
        d.save_copy(pre_twin)  # not pruned here: a rollback never deletes a restore point
        twin = d.copy_name(backup.stamp_of(path))
        run.under_revert(d, "the restore failed", lambda: d.restore(twin, wanted, run.timer))
        armed_at = time.monotonic()
    finally:
        d.close()

    def problem(v: Driver, now: str) -> str:
        if v.same(now, wanted):
            return ""
        return f"the restore did not reproduce the backup ({v.first_difference(now, wanted)})"

    _verify_and_confirm(run, problem, armed_at)
    out.verified = {"fresh_login": True, "config_equals_backup": True}


def _newest_different(run: _Run, running: str) -> Path | None:
    """The newest backup whose config differs from the running one (the backup a rollback takes of the state
    it replaces is not what "roll back" means)."""
    folder = backup.folder(run.s.backup_dir, run.s.ward, run.s.name)
    for path in backup.newest_first(folder):
        if not run.driver.same(path.read_text(encoding="utf-8"), running):
            return path
    return None


__all__ = ["Failed", "Outcome", "Settings", "configure", "rollback", "take_backup"]
