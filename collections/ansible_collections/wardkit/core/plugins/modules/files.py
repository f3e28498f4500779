#!/usr/bin/python
"""Put a group of files and directories in place in one module run (the action plugin renders the templates)."""

from __future__ import annotations

DOCUMENTATION = r"""
module: files
short_description: Put a group of files and directories that belong together in place, in one module run
description:
  - "Does what one M(ansible.builtin.file) task per directory and one M(ansible.builtin.template) or
    M(ansible.builtin.copy) task per file would do, in one run on the host instead of two per file (a template
    or copy task checks, then writes or sets attributes, in two runs): each directory is made with its mode and
    owner, each file is compared with what it should hold and written atomically only when it differs, then its
    mode and owner are set."
  - Templates are rendered on the controller by the action plugin the way M(ansible.builtin.template) renders them
    (the role's C(templates/), the task's variables, C(ansible_managed)), so the files hold the same bytes.
  - A file with O(files[].validate) is written to a temporary file beside it first and checked there; when the
    check fails nothing of that file changes, the task fails naming the file, and files written before it in
    the group stay written (as separate tasks would have left them).
  - O(absent) lists files this group no longer keeps (as M(ansible.builtin.file) with C(state=absent), but a
    directory is refused rather than removed with its contents).
  - Check mode and diff supported. Directories are handled first, then the files in their order, then O(absent).
version_added: 1.2.0
author: wardkit
options:
  directories:
    description: Directories to make (parents included) and whose mode and owner to set.
    type: list
    elements: dict
    default: []
    suboptions:
      path: {description: The directory., type: path, required: true}
      mode: {description: Its mode (octal string)., type: str, default: "0755"}
      owner: {description: Its owner., type: str, default: root}
      group: {description: Its group., type: str, default: root}
  files:
    description: Files to put in place.
    type: list
    elements: dict
    default: []
    suboptions:
      dest: {description: The file., type: path, required: true}
      template:
        description: A template, found like M(ansible.builtin.template)'s C(src) (the role's C(templates/)).
        type: str
      vars:
        description: Variables for this file's template only (as a template task's own C(vars)).
        type: dict
      content: {description: The file's text as is (no template)., type: str}
      mode: {description: Its mode (octal string)., type: str, default: "0644"}
      owner: {description: Its owner., type: str, default: root}
      group: {description: Its group., type: str, default: root}
      validate:
        description: A command run on the new content before it replaces the file; C(%s) is the temporary file.
        type: str
  absent:
    description: Files (or symbolic links) to remove where they exist.
    type: list
    elements: path
    default: []
"""

EXAMPLES = r"""
- name: Keep no core dumps
  wardkit.core.files:
    directories:
      - path: /etc/systemd/coredump.conf.d
    files:
      - {dest: /etc/security/limits.d/50-wardkit-coredumps.conf, template: coredumps-limits.conf.j2}
      - {dest: /etc/systemd/coredump.conf.d/50-wardkit.conf, content: "[Coredump]\nStorage=none\n"}
"""

RETURN = r"""
changed_paths:
  description: The directories and files made, written, removed, or whose mode or owner was set (in check mode,
    would be).
  type: list
  elements: str
  returned: always
"""

# Imports after the documentation blocks, as Ansible's module layout has it.
import os  # noqa: E402
import tempfile  # noqa: E402
from typing import Any  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402

ATTRS: dict[str, Any] = {
    "mode": {"type": "str"},
    "owner": {"type": "str", "default": "root"},
    "group": {"type": "str", "default": "root"},
}
# Shared with the action plugin, which validates the same arguments, renders each template and passes its content.
SPEC: dict[str, Any] = {
    "directories": {
        "type": "list", "elements": "dict", "default": [],
        "options": {"path": {"type": "path", "required": True}, **ATTRS},
    },
    "files": {
        "type": "list", "elements": "dict", "default": [],
        "options": {"dest": {"type": "path", "required": True}, "template": {"type": "str"},
                    "vars": {"type": "dict"}, "content": {"type": "str"}, "validate": {"type": "str"},
                    **ATTRS},
        "mutually_exclusive": [("template", "content")], "required_one_of": [("template", "content")],
    },
    "absent": {"type": "list", "elements": "path", "default": []},
}  # fmt: skip


def _attrs(module: AnsibleModule, path: str, item: dict[str, Any], default_mode: str) -> dict[str, Any]:
    return module.load_file_common_arguments(
        {"path": path, "mode": item["mode"] or default_mode, "owner": item["owner"], "group": item["group"]}
    )


def _directory(module: AnsibleModule, item: dict[str, Any], diffs: list[dict[str, Any]]) -> bool:
    path = item["path"]
    if os.path.lexists(path) and not os.path.isdir(path):
        module.fail_json(msg=f"{path}: exists and is not a directory")
    made = False
    if not os.path.isdir(path):
        diffs.append({"before_header": path, "after_header": path, "before": "absent\n", "after": "directory\n"})
        if module.check_mode:
            return True
        os.makedirs(path)
        made = True
    return module.set_fs_attributes_if_different(_attrs(module, path, item, "0755"), made)


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def _file(module: AnsibleModule, item: dict[str, Any], diffs: list[dict[str, Any]]) -> bool:
    dest = item["dest"]
    if os.path.isdir(dest):
        module.fail_json(msg=f"{dest}: is a directory, not a file")
    wanted = item["content"].encode("utf-8")
    before = _read(dest)
    if before == wanted:
        return module.set_fs_attributes_if_different(_attrs(module, dest, item, "0644"), False)
    if module._diff:
        diffs.append({
            "before_header": dest if before is not None else "(absent)", "after_header": dest,
            "before": before.decode("utf-8", "replace") if before is not None else "", "after": item["content"],
        })  # fmt: skip
    if module.check_mode:
        return True
    directory = os.path.dirname(dest)
    if not os.path.isdir(directory):
        module.fail_json(msg=f"{dest}: its directory {directory} does not exist")
    # Beside the file, so the rename is atomic and a failed check leaves the file as it was.
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(dest)}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(wanted)
        module.set_fs_attributes_if_different(_attrs(module, tmp, item, "0644"), True)
        if item["validate"]:
            if "%s" not in item["validate"]:
                module.fail_json(msg=f"{dest}: validate must contain %s: {item['validate']}")
            rc, out, err = module.run_command(item["validate"] % tmp)
            if rc != 0:
                detail = " ".join((err or out).split())[:500]
                module.fail_json(msg=f"{dest}: the new content failed validation ({item['validate']}): {detail}", rc=rc)
        module.atomic_move(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    # atomic_move keeps an existing file's mode and owner: set them again
    module.set_fs_attributes_if_different(_attrs(module, dest, item, "0644"), True)
    return True


def _absent(module: AnsibleModule, path: str, diffs: list[dict[str, Any]]) -> bool:
    if not os.path.lexists(path):
        return False
    if os.path.isdir(path) and not os.path.islink(path):
        module.fail_json(msg=f"{path}: is a directory; files removes files only")
    diffs.append({"before_header": path, "after_header": path, "before": "file\n", "after": "absent\n"})
    if not module.check_mode:
        os.unlink(path)
    return True


def main() -> None:
    module = AnsibleModule(argument_spec=SPEC, supports_check_mode=True)
    changed: list[str] = []
    diffs: list[dict[str, Any]] = []
    for item in module.params["directories"]:
        if _directory(module, item, diffs):
            changed.append(item["path"])
    for item in module.params["files"]:
        if _file(module, item, diffs):
            changed.append(item["dest"])
    changed += [path for path in module.params["absent"] if _absent(module, path, diffs)]
    result: dict[str, Any] = {"changed": bool(changed), "changed_paths": changed}
    if module._diff and diffs:
        result["diff"] = diffs
    module.exit_json(**result)


if __name__ == "__main__":
    main()
