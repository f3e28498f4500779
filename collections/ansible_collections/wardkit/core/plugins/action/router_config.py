"""Action plugin: the commit-confirmed push of a router's intended config (logic in wardctl.router.push).

One task does the router role's whole per-router work: the input checks (wardctl.router.validate, the rules of
the router_input_problems filter), the intended config rendered from its template, the safe push, and the
report fact. Everything here runs in the worker Ansible forks per host, from a main process that has already
imported this module (and so Netmiko and wardctl): nothing is imported per router.
"""

from __future__ import annotations

from typing import Any

from ansible.plugins.action import ActionBase
from ansible_collections.wardkit.core.plugins.module_utils import router_action as ra
from ansible_collections.wardkit.core.plugins.plugin_utils.render import render

from wardctl.router import validate
from wardctl.router.push import configure

ARGS = {
    **ra.COMMON,
    "config": {"type": "str", "no_log": True},
    "template": {"type": "str"},
    "inputs": {"type": "dict", "no_log": True},
    "wan_interface": {"type": "str", "default": ""},
    "qos_policy": {"type": "str", "default": ""},
}
# The checks' keys this module has as arguments of its own (check key: argument).
FROM_ARGS = {
    "device_type": "device_type", "host": "host", "port": "port", "username": "username", "password": "password",
    "password_next": "password_next", "enable_secret": "secret", "wan_interface": "wan_interface",
    "revert_minutes": "revert_minutes", "revert_seconds": "revert_seconds",
}  # fmt: skip
REPORT = "router_report"  # the fact wardctl rollout keeps for the ward's report (facts named *_report)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _supports_check_mode = True

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        result = super().run(tmp, task_vars)
        _, args = self.validate_argument_spec(
            argument_spec=ARGS, mutually_exclusive=[("config", "template")], required_one_of=[("config", "template")]
        )
        check = bool(self._task.check_mode)
        if args["inputs"] is not None:
            problems = validate.input_problems({**args["inputs"], **{k: args[a] for k, a in FROM_ARGS.items()}})
            if problems:  # before the config is rendered or the router touched
                msg = f"ward {args['ward']}, router {args['name']}: {'; '.join(problems)}"
                return {**result, "failed": True, "msg": ra.masker(args).text(msg)}
        config = args["config"] if args["template"] is None else render(self, args["template"], task_vars or {})
        res, _ = ra.run(
            result, args, check,
            lambda target, settings, masker: configure(target, config, settings, masker),
            wan_interface=args["wan_interface"], qos_policy=args["qos_policy"],
        )  # fmt: skip
        if not res.get("failed") and not res.get("unreachable"):
            res["ansible_facts"] = {REPORT: report(res, check)}
        return res


def report(res: dict[str, Any], check: bool) -> dict[str, Any]:
    """What the ward report keeps of a push: the diff is already masked."""
    router = res.get("router") or {}
    return {
        "changed": res["changed"],
        "lines_pushed": res["lines_pushed"],
        "diff": (res.get("diff") or {}).get("prepared", ""),
        "backup_path": res["backup_path"],
        "model": router.get("model", ""),
        "os_version": router.get("os_version", ""),
        "check_mode": check,
    }
