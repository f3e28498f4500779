"""Action plugin of wardkit.core.files: render the group's templates here, then one module run on the host."""

from __future__ import annotations

from typing import Any

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible_collections.wardkit.core.plugins.modules.files import SPEC
from ansible_collections.wardkit.core.plugins.plugin_utils.render import render


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        result = super().run(tmp, task_vars)
        task_vars = task_vars or {}
        _, args = self.validate_argument_spec(argument_spec=SPEC)
        files = []
        for item in args["files"]:
            content, name, own = item["content"], item.pop("template"), item.pop("vars")
            if name is not None:
                try:
                    content = render(self, name, {**task_vars, **(own or {})}, item["dest"])
                except Exception as exc:  # one line naming the file, as the template action fails
                    raise AnsibleActionFail(f"{item['dest']}: template {name}: {exc}") from exc
            files.append({**item, "content": content})
        module_args = {"directories": args["directories"], "files": files, "absent": args["absent"]}
        result.update(self._execute_module("wardkit.core.files", module_args=module_args, task_vars=task_vars))
        return result
