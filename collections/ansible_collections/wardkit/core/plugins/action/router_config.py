"""Action plugin: the commit-confirmed push of a router's intended config (logic in wardctl.router.push)."""

from __future__ import annotations

from typing import Any

from ansible.plugins.action import ActionBase
from ansible_collections.wardkit.core.plugins.module_utils import router_action as ra

from wardctl.router.push import configure

ARGS = {
    **ra.COMMON,
    "config": {"type": "str", "required": True, "no_log": True},
    "wan_interface": {"type": "str", "default": ""},
    "qos_policy": {"type": "str", "default": ""},
}


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _supports_check_mode = True

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        result = super().run(tmp, task_vars)
        _, args = self.validate_argument_spec(argument_spec=ARGS)
        res, _ = ra.run(
            result, args, bool(self._task.check_mode),
            lambda target, settings, masker: configure(target, args["config"], settings, masker),
            wan_interface=args["wan_interface"], qos_policy=args["qos_policy"],
        )  # fmt: skip
        return res
