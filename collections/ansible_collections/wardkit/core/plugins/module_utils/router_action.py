"""Shared by the router_config, router_backup and router_rollback action plugins (controller side only)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ansible.plugins.loader import filter_loader, test_loader

from wardctl.masking import Masker
from wardctl.netdev import Target
from wardctl.router import drivers, validate
from wardctl.router.drivers import DIALECTS
from wardctl.router.push import Outcome, Settings

# Ansible's main process imports an action plugin (and so this module) before it forks a worker per host: what
# is loaded here is inherited by every worker instead of being loaded again per router. The drivers; and the
# Jinja filter and test plugins, which a worker otherwise loads all of (passlib included) at its first filter.
for _dialect in DIALECTS:
    drivers.driver(_dialect)
for _loader in (filter_loader, test_loader):
    for _plugin in _loader.all():
        pass

CONNECTION: dict[str, dict[str, Any]] = {
    "host": {"type": "str", "required": True},
    "port": {"type": "int", "default": 22},
    "device_type": {"type": "str", "required": True, "choices": list(DIALECTS)},
    "username": {"type": "str", "required": True},
    "password": {"type": "str", "required": True, "no_log": True},
    "password_next": {"type": "str", "default": "", "no_log": True},
    "secret": {"type": "str", "default": "", "no_log": True},
    "known_hosts": {"type": "path", "default": "~/.ssh/known_hosts"},
    "timeout": {"type": "float", "default": 20.0},
}
COMMON: dict[str, dict[str, Any]] = {
    **CONNECTION,
    "name": {"type": "str", "required": True},
    "ward": {"type": "str", "required": True},
    "backup_dir": {"type": "path", "required": True},
    "read_timeout": {"type": "float", "default": 20.0},
    "push_read_timeout": {"type": "float", "default": 5.0},
    "revert_minutes": {"type": "int", "default": 2},
    "revert_seconds": {"type": "int", "default": 120},
    "revert_wait": {"type": "float"},
    "confirm_margin": {"type": "float", "default": 3.0},
    "device_backups_keep": {"type": "int", "default": 10},
    "mask": {"type": "list", "elements": "str", "default": [], "no_log": True},
}


def target(args: dict[str, Any]) -> Target:
    return Target(**{k: args[k] for k in CONNECTION})


def settings(args: dict[str, Any], check: bool, **extra: Any) -> Settings:
    return Settings(
        ward=args["ward"],
        name=args["name"],
        backup_dir=Path(args["backup_dir"]),
        revert_minutes=args["revert_minutes"],
        revert_seconds=args["revert_seconds"],
        read_timeout=args["read_timeout"],
        push_read_timeout=args["push_read_timeout"],
        confirm_margin=args["confirm_margin"],
        revert_wait=args.get("revert_wait"),
        device_backups_keep=args["device_backups_keep"],
        check=check,
        **extra,
    )


def masker(args: dict[str, Any]) -> Masker:
    return Masker([args["password"], args["password_next"], args["secret"], *(args.get("mask") or [])])


def run(
    base: dict[str, Any],
    args: dict[str, Any],
    check: bool,
    call: Callable[[Target, Settings, Masker], Outcome],
    **extra: Any,
) -> tuple[dict[str, Any], Outcome | None]:
    """Call one push-module verb and shape its result; the Outcome too, for verb-specific fields (None on error)."""
    mask = masker(args)
    for key in ("password", "password_next", "secret"):  # the role names the variable; this guards other callers
        if args[key] and (problem := validate.secret_problem(key, args[key], args["device_type"])):
            return {**base, "failed": True, "msg": f"ward {args['ward']}, router {args['name']}: {problem}"}, None
    try:
        out = call(target(args), settings(args, check, **extra), mask)
    except Exception as exc:  # a bug must not print a traceback that could hold a secret
        return {**base, "failed": True, "msg": mask.text(f"{args['ward']}/{args['name']}: {exc!r}")}, None
    return result(base, out, args), out


def result(base: dict[str, Any], out: Outcome, args: dict[str, Any]) -> dict[str, Any]:
    """The task result for reports: changed, lines pushed, the diff, the backup, the device, or one-line failure."""
    base.update(
        changed=out.changed and (out.ok or out.lines_pushed > 0) and not out.reverted_by,
        lines_pushed=out.lines_pushed,
        commands=out.commands,
        backup_path=out.backup_path,
        router=out.router,
        ward=args["ward"],
        verified=out.verified,
        reverted_by=out.reverted_by,
        warnings=out.warnings,
    )
    if out.diff:
        base["diff"] = {"prepared": "\n".join(out.diff)}
    if out.msg:
        base["msg"] = out.msg
    if not out.ok:
        base["failed"] = True
    if out.unreachable:
        # Ansible checks `failed` before `unreachable`: only one may be set for the host to count as unreachable.
        base.pop("failed", None)
        base["unreachable"] = True
    return base
