#!/usr/bin/python
# The work is done by the action plugin of the same name on the controller; this file documents it.

DOCUMENTATION = r"""
module: router_config
short_description: Push a ward router's intended config through Netmiko, commit-confirmed
description:
  - Runs on the controller (action plugin); one Netmiko session for the push and a fresh one to verify.
  - 'Sequence: log in (host key from I(known_hosts), every read with a deadline, the dialect''s error strings);
    back up the running config; diff I(config) against it; in check mode return the diff and stop; push only the
    missing or different lines (plus the C(no) forms of what the kit manages but no longer wants) under the device''s
    revert timer (IOS C(configure terminal revert timer), RouterOS a scheduled C(/import) of the pre-change export);
    close that session; verify on a fresh login (the management ACL admits the controller, nothing intended is missing,
    the QoS policy is attached, the revert is still pending); confirm; save (C(write memory) on IOS;
    RouterOS persists).'
  - Any failure before the confirm leaves the router at its backed-up config (reverted over the session if it still
    answers, else by the device's timer, awaited and checked on a fresh login) and fails the task with one line
    naming the ward, the router and the reason.
  - Secrets never appear in the result; IOS secrets are compared with the device's type-9 hashes and pushed hashed.
version_added: 0.1.0
author: wardkit contributors
extends_documentation_fragment:
  - wardkit.core.router
options:
  config:
    description: The intended config (rendered by the router role's template for the device type).
    type: str
    required: true
  wan_interface:
    description: Interface the QoS policy must be attached to.
    type: str
    default: ''
  qos_policy:
    description: 'IOS: the service-policy name; RouterOS: the queue tree root with parent=I(wan_interface).'
    type: str
    default: ''
"""

EXAMPLES = r"""
- name: Push the intended config
  wardkit.core.router_config:
    host: "{{ ansible_host }}"
    port: "{{ ansible_port }}"
    device_type: "{{ router_device_type }}"
    username: "{{ router_username }}"
    password: "{{ router_password }}"
    secret: "{{ router_enable_secret }}"
    known_hosts: "{{ router_known_hosts }}"
    name: "{{ inventory_hostname }}"
    ward: "{{ router_ward }}"
    backup_dir: "{{ router_backup_dir }}"
    config: "{{ lookup('ansible.builtin.template', router_device_type ~ '.j2') }}"
"""

RETURN = r"""
changed:
  description: The router's config was changed (or would be
  in check mode).: null
  returned: always
  type: bool
lines_pushed:
  description: Lines sent to the device (the timer and confirm commands excluded).
  returned: always
  type: int
commands:
  description: The lines pushed (or to push)
  secrets masked.: null
  returned: always
  type: list
  elements: str
diff:
  description: 'C(prepared): + and - lines, secrets masked; printed by --diff.'
  returned: when there is a difference
  type: dict
backup_path:
  description: The backup taken before anything else.
  returned: when the router answered
  type: str
router:
  description: Model
  OS version and serial.: null
  returned: when the router answered
  type: dict
ward:
  description: The ward id.
  returned: always
  type: str
verified:
  description: What the fresh-session verification checked.
  returned: after a push
  type: dict
reverted_by:
  description: C(session) or C(timer) when a failed push was undone.
  returned: on failure
  type: str
warnings:
  description: Notes
  e.g. a plain vault value found (and masked) in the backup.: null
  returned: always
  type: list
msg:
  description: 'One line: ward, router, reason and what became of the config.'
  returned: on failure
  type: str
"""
