"""Action plugin: back up a router's running config on the controller and on the device (changes nothing)."""

from __future__ import annotations

from typing import Any

from ansible.plugins.action import ActionBase
from ansible_collections.wardkit.core.plugins.module_utils import router_action as ra

from wardctl.router.push import take_backup


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _supports_check_mode = True

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        result = super().run(tmp, task_vars)
        _, args = self.validate_argument_spec(argument_spec=ra.COMMON)
        check = bool(self._task.check_mode)
        res, out = ra.run(result, args, check, take_backup)
        if check and out is not None and out.ok:
            res["msg"] = "check mode: the router was reached; no backup written (a dry run leaves no files)"
        return res
