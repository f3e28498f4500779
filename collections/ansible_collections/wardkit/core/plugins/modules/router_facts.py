#!/usr/bin/python
# The work is done by the action plugin of the same name on the controller; this file documents it.

DOCUMENTATION = r"""
module: router_facts
short_description: Read a ward router's model, OS version and serial through Netmiko
description:
  - Opens one SSH session with Netmiko from the controller, checking the host key against I(known_hosts),
    and reads C(show version) (Cisco IOS) or C(/system resource print) (MikroTik RouterOS).
version_added: 0.1.0
author: wardkit contributors
options:
  host: {description: Management address., type: str, required: true}
  port: {description: SSH port., type: int, default: 22}
  device_type:
    description: Netmiko device type.
    type: str
    required: true
    choices: [cisco_ios, mikrotik_routeros]
  username: {description: Login user., type: str, required: true}
  password: {description: Login password., type: str, required: true, no_log: true}
  secret: {description: Enable secret (IOS)., type: str, default: "", no_log: true}
  known_hosts: {description: known_hosts file the host key must be in., type: path, default: ~/.ssh/known_hosts}
  timeout: {description: Seconds allowed for connecting and for each read., type: float, default: 20}
"""

EXAMPLES = r"""
- name: Read router facts
  wardkit.core.router_facts:
    host: "{{ ansible_host }}"
    port: "{{ ansible_port | default(22) }}"
    device_type: "{{ router_device_type }}"
    username: "{{ router_username }}"
    password: "{{ router_password }}"
    secret: "{{ router_enable_secret }}"
"""

RETURN = r"""
router:
  description: What the router says about itself.
  returned: success
  type: dict
  sample: {model: ISR4321/K9, os_version: 16.9.4, serial: FDO1234567}
"""
