"""Action plugin: read a router's facts over Netmiko, inside the controller's worker process."""

from __future__ import annotations

from typing import Any

from ansible.plugins.action import ActionBase
from wardctl.netdev import Target, connect, facts, is_unreachable

ARGS = {
    "host": {"type": "str", "required": True},
    "port": {"type": "int", "default": 22},
    "device_type": {"type": "str", "required": True, "choices": ["cisco_ios", "mikrotik_routeros"]},
    "username": {"type": "str", "required": True},
    "password": {"type": "str", "required": True, "no_log": True},
    "secret": {"type": "str", "default": "", "no_log": True},
    "known_hosts": {"type": "path", "default": "~/.ssh/known_hosts"},
    "timeout": {"type": "float", "default": 20.0},
}


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _supports_check_mode = True

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        result = super().run(tmp, task_vars)
        _, args = self.validate_argument_spec(argument_spec=ARGS)
        target = Target(**args)
        try:
            conn = connect(target)
            try:
                found = facts(conn, target.device_type, target.timeout)
            finally:
                conn.disconnect()
        except Exception as exc:  # every Netmiko/paramiko failure becomes one line naming the router
            msg = f"{target.host}:{target.port}: {type(exc).__name__}: {exc}".splitlines()[0]
            # Ansible checks `failed` before `unreachable`: set one, so a silent router counts as unreachable.
            result.update({"unreachable" if is_unreachable(exc) else "failed": True, "msg": msg})
            return result
        result.update(changed=False, router=found)
        return result
