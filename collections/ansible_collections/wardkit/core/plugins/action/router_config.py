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
        masker = ra.masker(args)
        settings = ra.settings(
            args, bool(self._task.check_mode), wan_interface=args["wan_interface"], qos_policy=args["qos_policy"]
        )
        try:
            out = configure(ra.target(args), args["config"], settings, masker)
        except Exception as exc:  # a bug must not print a traceback that could hold a secret
            return {**result, "failed": True, "msg": masker.text(f"{args['ward']}/{args['name']}: {exc!r}")}
        return ra.result(result, out, args)
