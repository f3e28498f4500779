"""Render a role's template on the controller, inside an action plugin, the way ansible.builtin.template does."""

from __future__ import annotations

import os
from typing import Any

from ansible._internal._templating import _template_vars
from ansible.plugins.action import ActionBase
from ansible.template import trust_as_template


def render(action: ActionBase, name: str, task_vars: dict[str, Any], dest: str = "") -> str:
    """The template `name` (the role's templates/, or a path) rendered with the task's variables and the template
    action's own (`ansible_managed`, `template_path`, ...) with its defaults (trim_blocks), so a file written from
    it holds the same bytes as one written by ansible.builtin.template."""
    path = action._find_needle("templates", name)
    text = trust_as_template(action._loader.get_text_file_contents(path))
    variables = dict(task_vars)  # shallow, as the template action's own copy
    # The template action's variables (internal in ansible-core 2.19, deprecated for other callers in 2.23).
    variables.update(
        _template_vars.generate_ansible_template_vars(
            path=name, fullpath=path, dest_path=dest, include_ansible_managed="ansible_managed" not in variables
        )
    )
    templar = action._templar.copy_with_new_env(searchpath=[os.path.dirname(path)], available_variables=variables)
    return str(templar.template(text, escape_backslashes=False) or "")
