#!/usr/bin/python
"""Set several `key <separator> value` lines of one configuration file in one module run."""

from __future__ import annotations

DOCUMENTATION = r"""
module: settings_file
short_description: Set several key/value lines of a configuration file at once
description:
  - "Sets every key of O(settings) in O(path) the way one M(ansible.builtin.lineinfile) task per key with a
    regexp like C(^#?\\s*KEY\\s) or C(^KEY\\s*=) would, but in one module run. The last line setting the key
    (with O(match_commented), also a commented one) is replaced; a key found nowhere is appended at the end."
  - Written atomically, only when something differs; check mode and diff supported.
version_added: 1.1.0
author: wardkit
options:
  path:
    description: The file; it must exist (as with lineinfile's default, nothing is created).
    type: path
    required: true
  settings:
    description: Keys and their values; a value is written as its string form.
    type: dict
    required: true
  separator:
    description: What goes between key and value in a written line (C(\t) for login.defs, C( = ) for auditd.conf).
    type: str
    default: " "
  match_commented:
    description: A commented line (C(#KEY value)) counts as the key's line, so the default is set in place.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Set account defaults in login.defs
  wardkit.core.settings_file:
    path: /etc/login.defs
    settings: {PASS_MAX_DAYS: 365, UMASK: "027"}
    separator: "\t"
    match_commented: true
"""

RETURN = r"""
changed_keys:
  description: The keys whose line was replaced or appended.
  type: list
  elements: str
  returned: always
"""

# Imports after the documentation blocks, as Ansible's module layout has it.
import os  # noqa: E402
import re  # noqa: E402
import tempfile  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402


def _key_pattern(key: str, separator: str, commented: bool) -> re.Pattern[str]:
    # The key, then whitespace or the separator's own first character ("=" for auditd.conf).
    follow = r"\s" if not separator.strip() else rf"(\s|{re.escape(separator.strip()[0])})"
    return re.compile(rf"^{'#?' if commented else ''}\s*{re.escape(key)}{follow}")


def apply(lines: list[str], settings: dict[str, str], separator: str, commented: bool) -> tuple[list[str], list[str]]:
    """The file's lines with every setting in place, and the keys that changed (pure: tested without a host)."""
    out = list(lines)
    changed: list[str] = []
    for key, value in settings.items():
        wanted = f"{key}{separator}{value}"
        pattern = _key_pattern(key, separator, commented)
        hits = [i for i, line in enumerate(out) if pattern.match(line)]
        if hits:
            if out[hits[-1]] != wanted:
                out[hits[-1]] = wanted
                changed.append(key)
        else:
            out.append(wanted)
            changed.append(key)
    return out, changed


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "path": {"type": "path", "required": True},
            "settings": {"type": "dict", "required": True},
            "separator": {"type": "str", "default": " "},
            "match_commented": {"type": "bool", "default": False},
        },
        supports_check_mode=True,
    )
    path = module.params["path"]
    settings = {str(k): str(v) for k, v in module.params["settings"].items()}
    bad = [k for k, v in settings.items() if not k or re.search(r"[\s#]", k) or "\n" in v or "\r" in v]
    if bad:
        module.fail_json(msg=f"{path}: refusing keys/values with whitespace, '#' or line breaks: {', '.join(bad)}")
    if not os.path.isfile(path):
        module.fail_json(msg=f"{path} does not exist (settings_file never creates it)")
    with open(path, encoding="utf-8") as handle:
        before = handle.read()
    lines, changed = apply(before.splitlines(), settings, module.params["separator"], module.params["match_commented"])
    after = "\n".join(lines) + "\n"
    result = {"changed": bool(changed), "changed_keys": changed}
    if module._diff:
        result["diff"] = {"before_header": path, "after_header": path, "before": before, "after": after}
    if changed and not module.check_mode:
        # Same directory, so the rename is atomic; the file keeps its mode, owner and SELinux context.
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".settings_file.")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(after)
        module.atomic_move(tmp, path)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
