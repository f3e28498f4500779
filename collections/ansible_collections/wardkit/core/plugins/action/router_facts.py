"""Action plugin: read a router's facts over Netmiko, inside the controller's worker process."""

from __future__ import annotations

from typing import Any

from ansible.plugins.action import ActionBase
from ansible_collections.wardkit.core.plugins.module_utils import router_action as ra

from wardctl.netdev import Target, is_unreachable
from wardctl.router import drivers

ARGS = ra.CONNECTION  # the same connection options as every router action


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _supports_check_mode = True

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        result = super().run(tmp, task_vars)
        _, args = self.validate_argument_spec(argument_spec=ARGS)
        target = Target(**args)
        try:
            d = drivers.driver(target.device_type).open(target, target.timeout)
            try:
                found = d.facts()
            finally:
                d.close()
        except Exception as exc:  # every Netmiko/paramiko failure becomes one line naming the router
            msg = f"{target.host}:{target.port}: {type(exc).__name__}: {exc}".splitlines()[0]
            silent = getattr(exc, "unreachable", False) or is_unreachable(exc)
            # Ansible checks `failed` before `unreachable`: set one, so a silent router counts as unreachable.
            result.update({"unreachable" if silent else "failed": True, "msg": msg})
            return result
        result.update(changed=False, router=found)
        return result
