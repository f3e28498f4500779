#!/usr/bin/python
# The work is done by the action plugin of the same name on the controller; this file documents it.

DOCUMENTATION = r"""
module: router_rollback
short_description: Restore a ward router's backup line for line (named, or the latest)
description:
  - Backs up the current state first (so a rollback can be rolled back), then restores I(backup) from its device-side
    twin, which must exist and match the controller file.
  - 'IOS: revert timer armed, C(configure replace flash:wardkit-<stamp>.cfg force), the running config compared
    line for line with the backup, a fresh login, C(configure confirm), C(write memory).'
  - 'RouterOS: safe mode, C(/import) of C(wardkit-<stamp>.rsc), compared line for line, a fresh login, safe mode
    released (if anything fails first, ending the session makes the device undo the import).'
version_added: 0.1.0
author: wardkit contributors
extends_documentation_fragment:
  - wardkit.core.router
options:
  backup:
    description: Backup file to restore; empty for the newest in I(backup_dir)/<ward>/<router>/.
    type: path
    default: ''
"""

EXAMPLES = r"""
- name: Restore the newest backup
  wardkit.core.router_rollback:
    host: "{{ ansible_host }}"
    device_type: "{{ router_device_type }}"
    username: "{{ router_username }}"
    password: "{{ router_password }}"
    name: "{{ inventory_hostname }}"
    ward: "{{ router_ward }}"
    backup_dir: "{{ router_backup_dir }}"
"""

RETURN = r"""
restored:
  description: The backup file restored.
  returned: always
  type: str
backup_path:
  description: The backup of the state before the rollback.
  returned: when the router answered
  type: str
diff:
  description: 'C(prepared): unified diff running -> backup (secrets masked).'
  returned: when they differ
  type: dict
"""
