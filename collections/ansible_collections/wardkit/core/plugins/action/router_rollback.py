"""Action plugin: restore a router's backup (named, or the latest) line for line, with a revert safety net."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ansible.plugins.action import ActionBase
from ansible_collections.wardkit.core.plugins.module_utils import router_action as ra

from wardctl.router import backup
from wardctl.router.push import rollback

ARGS = {**ra.COMMON, "backup": {"type": "path", "default": ""}}


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _supports_check_mode = True

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        result = super().run(tmp, task_vars)
        _, args = self.validate_argument_spec(argument_spec=ARGS)
        source = Path(args["backup"]) if args["backup"] else None
        res, out = ra.run(
            result, args, bool(self._task.check_mode),
            lambda target, settings, masker: rollback(target, settings, source, masker),
        )  # fmt: skip
        if out is not None:
            res["restored"] = out.source
            if source is None:
                res["warnings"] = [*res.get("warnings", []), *_skipped(args)]
            if out.source and not res.get("msg"):
                res["msg"] = f"{'would restore' if self._task.check_mode else 'restored'} {out.source}"
        return res


def _skipped(args: dict[str, Any]) -> list[str]:
    """A rollback to the latest passes over backups it cannot restore: say which, so nobody counts on them."""
    where = backup.folder(args["backup_dir"], args["ward"], args["name"])
    return [f"skipped backup {p}: {why}" for p in backup.newest_first(where, restorable=False)
            if (why := backup.unrestorable(p))]  # fmt: skip
