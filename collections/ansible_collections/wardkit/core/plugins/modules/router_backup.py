#!/usr/bin/python
# The work is done by the action plugin of the same name on the controller; this file documents it.

DOCUMENTATION = r"""
module: router_backup
short_description: Back up a ward router's running config (controller file and device-side twin)
description:
  - Writes the running config (C(show running-config), C(/export)) to I(backup_dir)/<ward>/<router>/<UTC timestamp>.cfg,
    never overwriting a file, and a twin on the router (C(flash:wardkit-<stamp>.cfg), C(wardkit-<stamp>.rsc)) that
    M(wardkit.core.router_rollback) restores from.
  - Keeps the newest I(device_backups_keep) twins on the router. Changes nothing in the router's config.
  - In check mode only the controller file is written.
version_added: 0.1.0
author: wardkit contributors
extends_documentation_fragment:
  - wardkit.core.router
"""

EXAMPLES = r"""
- name: Back up the router
  wardkit.core.router_backup:
    host: "{{ ansible_host }}"
    device_type: "{{ router_device_type }}"
    username: "{{ router_username }}"
    password: "{{ router_password }}"
    name: "{{ inventory_hostname }}"
    ward: "{{ router_ward }}"
    backup_dir: "{{ router_backup_dir }}"
"""

RETURN = r"""
backup_path:
  description: The new backup file.
  returned: success
  type: str
router:
  description: Model
  OS version and serial.: null
  returned: success
  type: dict
"""
