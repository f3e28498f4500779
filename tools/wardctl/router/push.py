"""The one safe operation per router, and the backup and rollback built from the same parts.

configure():
  1. log in (host key checked against known_hosts; every read has a deadline; the dialect's error strings);
  2. back up the running config (controller file, never overwritten, plus its device-side twin);
  3. diff intended against running; in check mode stop here and return the diff;
  4. push only the missing or different lines (and the `no` forms of what the kit no longer wants) under the
     device's revert timer; then close that session;
  5. verify on a fresh login: the router answers, the management ACL admitted the controller (the login itself),
     nothing of the intended config is missing, the QoS policy is attached, the revert is still pending;
  6. confirm; 7. save (`write memory`; RouterOS persists); 8. report.
Any failure before the confirm leaves the router at exactly its backed-up config: reverted over the session if
it still answers, otherwise by the device's timer, which is then awaited (bounded) and checked on a fresh login.
The failure is one line: `ward W, router R: <reason>; <what happened to the config>`.
"""

from __future__ import annotations

import difflib
import re
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from wardctl import netdev
from wardctl.router import backup, configdiff
from wardctl.router.device import DeviceError, Ops, Rejected, RosOps, SessionLost, connect, ops_for
from wardctl.router.secrets import Masker


@dataclass
class Settings:
    ward: str
    name: str
    backup_dir: Path | str = "backups"
    revert_minutes: int = 2  # IOS `configure terminal revert timer N`
    revert_seconds: int = 120  # RouterOS scheduled revert (real seconds)
    read_timeout: float = 20.0  # show commands
    push_read_timeout: float = 5.0  # each pushed line: a dropped session is noticed within this
    confirm_margin: float = 3.0  # never confirm with less than this left on the timer
    revert_wait: float | None = None  # how long to await the device's own revert (default: timer + 30 s)
    device_backups_keep: int = 10
    wan_interface: str = ""
    qos_policy: str = ""
    check: bool = False

    def timer_seconds(self, dialect: str) -> float:
        return self.revert_minutes * 60.0 if dialect == "cisco_ios" else float(self.revert_seconds)

    def revert_arg(self, dialect: str) -> int:
        return self.revert_minutes if dialect == "cisco_ios" else self.revert_seconds


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
    """One operation on one router: its target, settings, the backup to come back to, and the outcome."""

    def __init__(self, target: netdev.Target, s: Settings, masker: Masker | None) -> None:
        self.t = target
        self.s = s
        self.dialect = target.device_type
        self.masker = masker or Masker([target.password, target.secret])
        self.out = Outcome()
        self.before = ""  # the running config at the backup

    def open(self, what: str = "") -> Ops:
        try:
            conn = connect(self.t)
        except DeviceError as exc:
            self.out.unreachable = exc.unreachable and not self.before
            raise Failed(f"{what}{exc}") from exc
        return ops_for(self.dialect, conn, self.s.read_timeout, self.s.push_read_timeout)

    def hidden(self, ops: Ops, intended: str, running: str) -> configdiff.Hidden:
        from wardctl.router import iosdiff, rosdiff

        snmp, users = configdiff.needs_hidden(self.dialect, intended, running)
        proven: set[tuple[str, ...]] = set()
        if self.dialect == "cisco_ios" and not re.search(r"^aaa new-model", running, re.M):
            proven.add(("username", self.t.username))  # `login local`: this login proved the password
            if getattr(ops.conn, "wardkit_enable_proven", False):
                proven.add(("enable", "secret"))
        return configdiff.Hidden(
            snmp_users=iosdiff.parse_snmp_users(ops.hidden_snmp_users()) if snmp else None,
            users=rosdiff.parse_users(ops.users()) if users else None,
            proven=proven,
        )

    def take_backup(self, ops: Ops) -> str:
        """Backup file + device twin; returns the twin's name."""
        self.out.router = ops.facts()
        self.before = ops.running()
        path, dirty = backup.write(self.s.backup_dir, self.s.ward, self.s.name, self.before, self.masker)
        self.out.backup_path = str(path)
        if dirty:
            self.out.warnings.append("the running config held a plain vault value; it is masked in the backup")
        return ops.copy_name(backup.stamp_of(path))

    def keep_twin(self, ops: Ops, copy: str) -> None:
        ops.save_copy(copy)
        ops.prune_copies(self.s.device_backups_keep)

    # --- getting back to the backup ---------------------------------------------------------------------

    def same_as_before(self, running: str) -> bool:
        return configdiff.same_config(self.dialect, running, self.before)

    def revert_over(self, ops: Ops, copy: str) -> str:
        """Explicit revert over a session that still answers; falls back to the timer if it stops answering."""
        try:
            ops.revert_now(copy)
            after = ops.running()
        except DeviceError as exc:
            ops.close()
            return f"explicit revert failed ({exc}); {self.await_timer()}"
        if self.same_as_before(after):
            self.out.reverted_by = "session"
            return "reverted over the session: the running config equals the backup"
        diff = configdiff.first_difference(self.dialect, after, self.before)
        return f"NOT back at the backup after the revert ({diff}); restore {self.out.backup_path} with router_rollback"

    def await_timer(self) -> str:
        """Wait (bounded) for the device's own revert, then check the config on a fresh login."""
        budget = self.s.revert_wait if self.s.revert_wait is not None else self.s.timer_seconds(self.dialect) + 30
        deadline = time.monotonic() + budget
        probe = replace(self.t, timeout=min(self.t.timeout, 5.0))
        last = "no login yet"
        while time.monotonic() < deadline:
            try:
                conn = connect(probe)
            except DeviceError as exc:
                last = str(exc)
                time.sleep(1.0)
                continue
            ops = ops_for(self.dialect, conn, self.s.read_timeout, self.s.push_read_timeout)
            try:
                pending, left = ops.pending()
                after = "" if pending else ops.running()
            except DeviceError as exc:
                last = str(exc)
                pending, left, after = True, None, ""
            finally:
                ops.close()
            if pending:
                time.sleep(max(0.5, min((left or 1.0) + 0.5, deadline - time.monotonic())))
                continue
            if self.same_as_before(after):
                self.out.reverted_by = "timer"
                return "reverted by the device's revert timer: the running config equals the backup (fresh login)"
            diff = configdiff.first_difference(self.dialect, after, self.before)
            return f"NOT back at the backup after the revert timer ({diff}); restore {self.out.backup_path}"
        where = self.out.backup_path
        return f"could not see the revert within {budget:.0f} s (last: {last}); check the router, backup {where}"


def _finish(run: _Run, label: str, body: Any) -> Outcome:
    try:
        body()
    except Failed as exc:
        run.out.ok = False
        run.out.msg = f"{label}: {exc}"
    except DeviceError as exc:  # before anything was pushed
        run.out.ok = False
        run.out.unreachable = exc.unreachable and not run.before
        run.out.msg = f"{label}: {exc}; nothing was changed"
    out = run.out
    masked = run.masker.deep(out.as_dict())
    return Outcome(**masked)


def configure(target: netdev.Target, intended: str, s: Settings, masker: Masker | None = None) -> Outcome:
    """Make the router's running config contain `intended`, commit-confirmed. Never raises for device trouble."""
    run = _Run(target, s, masker)
    return _finish(run, f"ward {s.ward}, router {s.name}", lambda: _configure(run, intended))


def _configure(run: _Run, intended: str) -> None:
    s, out, dialect = run.s, run.out, run.dialect
    ops = run.open()
    try:
        copy = run.take_backup(ops)
        plan = configdiff.plan(dialect, intended, run.before, run.hidden(ops, intended, run.before))
        out.changed, out.commands, out.diff = plan.changed, plan.commands, plan.diff
        if s.check or not plan.changed:
            return  # no twin for an unchanged router: its state gets one before it next changes
        run.keep_twin(ops, copy)
        pending, _ = ops.pending()
        if pending:
            raise Failed("a revert from an earlier push is still pending on the router; nothing was changed")
        try:
            out.lines_pushed = ops.push(plan.commands, s.revert_arg(dialect), copy)
        except Rejected as exc:
            raise Failed(f"the router rejected a line: {exc}; {run.revert_over(ops, copy)}") from exc
        except SessionLost as exc:
            ops.close()
            raise Failed(f"{exc}; {run.await_timer()}") from exc
        armed_at = time.monotonic()
    finally:
        ops.close()  # the push session ends here: everything after must work from a fresh login
    _verify_and_confirm(run, intended, copy, armed_at)


def _verify_and_confirm(run: _Run, intended: str, copy: str, armed_at: float) -> None:
    s, out, dialect = run.s, run.out, run.dialect
    try:
        v = run.open()
    except Failed as exc:
        raise Failed(f"after the push the controller {exc}; {run.await_timer()}") from exc
    try:
        try:
            now = v.running()
            hidden = run.hidden(v, intended, now)
            left = configdiff.plan(dialect, intended, now, hidden)
            if left.changed:
                raise Failed(f"after the push the router still differs ({left.diff[0]}); {run.revert_over(v, copy)}")
            if not configdiff.qos_attached(dialect, now, s.wan_interface, s.qos_policy):
                raise Failed(f"QoS {s.qos_policy} is not attached to {s.wan_interface}; {run.revert_over(v, copy)}")
            pending, remaining = v.pending()
            if not pending:
                back = run.same_as_before(now)
                raise Failed(
                    "the revert fired before the confirm"
                    + ("; the running config equals the backup" if back else "; the router needs checking")
                )
            if remaining is None:
                remaining = s.timer_seconds(dialect) - (time.monotonic() - armed_at)
            if remaining < s.confirm_margin:
                v.close()
                raise Failed(f"only {remaining:.0f} s left on the revert timer, not confirming; {run.await_timer()}")
            out.verified = {"fresh_login": True, "mgmt_acl_admits_controller": True, "config_applied": True,
                            "qos_attached": True}  # fmt: skip
            v.confirm()
            still, _ = v.pending()
            if still:
                raise Failed(f"the confirm did not cancel the revert; {run.revert_over(v, copy)}")
            if isinstance(v, RosOps):  # the scheduler could have fired between the check and the removal
                final = v.running()
                if configdiff.plan(dialect, intended, final, hidden).changed:
                    if run.same_as_before(final):
                        run.out.reverted_by = "timer"
                        raise Failed("the scheduled revert ran during the confirm; the router is back at its backup")
                    raise Failed("after the confirm the router matches neither the intended config nor the backup")
        except Rejected as exc:
            raise Failed(f"verification failed: {exc}; {run.revert_over(v, copy)}") from exc
        except SessionLost as exc:
            v.close()
            raise Failed(f"verification session lost ({exc}); {run.await_timer()}") from exc
        try:
            v.save()
        except DeviceError as exc:
            raise Failed(f"confirmed, but saving failed ({exc}); the change is live but not saved") from exc
    finally:
        v.close()


def take_backup(target: netdev.Target, s: Settings, masker: Masker | None = None) -> Outcome:
    """Back up the running config (controller file + device twin); changes nothing."""
    run = _Run(target, s, masker)

    def body() -> None:
        ops = run.open()
        try:
            copy = run.take_backup(ops)
            if not s.check:
                run.keep_twin(ops, copy)
        finally:
            ops.close()

    return _finish(run, f"ward {s.ward}, router {s.name}", body)


def rollback(target: netdev.Target, s: Settings, source: Path | None, masker: Masker | None = None) -> Outcome:
    """Restore a backup (`source`, or the newest of this router) line for line, from its device-side twin."""
    run = _Run(target, s, masker)
    return _finish(run, f"ward {s.ward}, router {s.name}", lambda: _rollback(run, source))


def _rollback(run: _Run, source: Path | None) -> None:
    s, out, dialect = run.s, run.out, run.dialect
    if source is not None and not Path(source).expanduser().is_file():
        raise Failed(f"no backup file {source}; nothing was changed")
    ops = run.open()
    try:
        out.router = ops.facts()
        running = ops.running()
        path = Path(source).expanduser() if source else _newest_different(run, running)
        if path is None:
            out.msg = "no backup of this router differs from its running config: nothing to roll back"
            return
        wanted = path.read_text(encoding="utf-8")
        out.source = str(path)
        out.diff = [
            ln.rstrip("\n")
            for ln in difflib.unified_diff(
                configdiff.body(dialect, running), configdiff.body(dialect, wanted), "running", path.name, n=1
            )
        ]
        if configdiff.same_config(dialect, running, wanted):
            return
        out.changed = True
        if s.check:
            return
        pre_twin = run.take_backup(ops)  # the state before the rollback is a backup too: it can be undone
        ops.save_copy(pre_twin)  # not pruned here: a rollback never deletes a restore point
        twin = _find_twin(ops, ops.copy_name(backup.stamp_of(path)), wanted, path)
        if isinstance(ops, RosOps):
            _rollback_routeros(run, ops, twin, wanted)
        else:
            _rollback_ios(run, ops, twin, wanted)
    finally:
        ops.close()


def _newest_different(run: _Run, running: str) -> Path | None:
    """The newest backup whose config differs from the running one (a check-mode run's backup of the current
    state, or the backup a rollback takes of the state it replaces, is not what "roll back" means)."""
    folder = backup.folder(run.s.backup_dir, run.s.ward, run.s.name)
    for path in backup.newest_first(folder):
        if not configdiff.same_config(run.dialect, path.read_text(encoding="utf-8"), running):
            return path
    return None


def _find_twin(ops: Ops, preferred: str, wanted: str, path: Path) -> str:
    """The device file to restore `path` from: its own twin, else any twin with the same content (IOS: read and
    compared; RouterOS: same size, and the result is compared after the import, undone by safe mode if not)."""
    names = [preferred, *(n for n in sorted(ops.list_copies(), reverse=True) if n != preferred)]
    if isinstance(ops, RosOps):
        sizes = ops.copy_sizes()
        for name in names:
            if sizes.get(name) == len(wanted.encode()):
                return name
    else:
        from wardctl.router.device import IosOps

        assert isinstance(ops, IosOps)
        for name in names:
            text = ops.read_copy(name)
            if text is not None and configdiff.same_config(ops.dialect, text, wanted):
                return name
    raise Failed(f"the router has no copy of {path.name} (wardkit-* files); nothing was changed")


def _rollback_ios(run: _Run, ops: Ops, twin: str, wanted: str) -> None:
    from wardctl.router.device import IosOps

    assert isinstance(ops, IosOps)
    if ops.pending()[0]:
        raise Failed("a revert from an earlier push is still pending on the router; nothing was changed")
    ops.start_timer(run.s.revert_minutes)
    armed_at = time.monotonic()
    try:
        ops.replace(twin)
        after = ops.running()
    except Rejected as exc:
        raise Failed(f"configure replace failed: {exc}; {run.revert_over(ops, twin)}") from exc
    except SessionLost as exc:
        ops.close()
        raise Failed(f"{exc}; {run.await_timer()}") from exc
    if not configdiff.same_config("cisco_ios", after, wanted):
        diff = configdiff.first_difference("cisco_ios", after, wanted)
        raise Failed(f"configure replace did not reproduce the backup ({diff}); {run.revert_over(ops, twin)}")
    ops.close()
    try:
        v = run.open()
    except Failed as exc:
        raise Failed(f"after the rollback the controller {exc}; {run.await_timer()}") from exc
    try:
        pending, left = v.pending()
        if (
            not pending
            or (left if left is not None else run.s.timer_seconds("cisco_ios") - (time.monotonic() - armed_at))
            < run.s.confirm_margin
        ):
            v.close()
            raise Failed(f"too little time left on the revert timer to confirm; {run.await_timer()}")
        v.confirm()
        if v.pending()[0]:
            raise Failed(f"the confirm did not cancel the revert; {run.revert_over(v, twin)}")
        v.save()
    except DeviceError as exc:  # before the confirm the timer still guards the router
        v.close()
        raise Failed(f"verification failed ({exc}); {run.await_timer()}") from exc
    finally:
        v.close()
    run.out.verified = {"fresh_login": True, "config_equals_backup": True}


def _rollback_routeros(run: _Run, ops: RosOps, twin: str, wanted: str) -> None:
    ops.safe_mode(True)  # a DeviceError here changed nothing yet
    try:
        ops.revert_now(twin)  # /import of the backup's twin replaces the configuration
        after = ops.running()
    except DeviceError as exc:
        ops.close()  # ending the safe-mode session undoes the import
        raise Failed(f"/import failed ({exc}); safe mode undid it: {_after_safe_mode(run)}") from exc
    if not configdiff.same_config("mikrotik_routeros", after, wanted):
        ops.close()
        diff = configdiff.first_difference("mikrotik_routeros", after, wanted)
        raise Failed(f"the import did not reproduce the backup ({diff}); safe mode undid it: {_after_safe_mode(run)}")
    try:
        v = run.open()
        v.close()
    except Failed as exc:
        ops.close()
        raise Failed(f"after the rollback the controller {exc}; {_after_safe_mode(run)}") from exc
    try:
        ops.safe_mode(False)  # keep the imported configuration
        final = ops.running()
    except DeviceError as exc:
        ops.close()
        raise Failed(f"releasing safe mode failed ({exc}); {_after_safe_mode(run)}") from exc
    if not configdiff.same_config("mikrotik_routeros", final, wanted):
        raise Failed("the configuration changed while safe mode was released; check the router")
    run.out.verified = {"fresh_login": True, "config_equals_backup": True}


def _after_safe_mode(run: _Run) -> str:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            ops = run.open()
        except Failed:
            time.sleep(1.0)
            continue
        try:
            now = ops.running()
        finally:
            ops.close()
        if run.same_as_before(now):
            run.out.reverted_by = "safe mode"
            return "the running config equals the pre-rollback backup"
        time.sleep(0.5)
    return f"the router is not back at {run.out.backup_path}; check it"


__all__ = ["Failed", "Outcome", "Settings", "configure", "rollback", "take_backup"]
