#!/usr/bin/python
# The work is done by the action plugin of the same name on the controller; this file documents it.

DOCUMENTATION = r"""
module: router_config
short_description: Push a ward router's intended config through Netmiko, commit-confirmed
description:
  - Runs on the controller (action plugin); one Netmiko session for the push and a fresh one to verify.
  - 'Sequence: check I(inputs) (if given; on the controller, before anything is rendered or the router touched:
    any problem fails the task in one line naming the ward, the router and each problem); render I(template)
    (if given); log in (host key from I(known_hosts), every read with a deadline, the dialect''s error strings);
    back up the running config; diff the intended config against it; in check mode return the diff and stop;
    make the device''s revert usable (IOS: the configuration archive path, checked in the running config);
    push only the missing or different lines (plus the C(no) forms of what the kit manages but no longer wants)
    under the device''s revert (IOS C(configure terminal revert timer), RouterOS a one-shot scheduled script
    that undoes the push); close that session; verify on a fresh login (the management ACL admits the
    controller, nothing intended is missing, the QoS policy is attached, the revert is still pending); confirm;
    save (C(write memory) on IOS; RouterOS persists).'
  - Any failure before the confirm leaves the router at its backed-up config (reverted over the session if it still
    answers, else by the device's timer, awaited and checked on a fresh login) and fails the task with one line
    naming the ward, the router and the reason.
  - Secrets never appear in the result; IOS secrets are compared with the device's type-9 hashes and pushed hashed.
  - Returns the fact C(router_report) (what C(wardctl rollout) keeps for the ward report) unless it failed.
version_added: 0.1.0
author: wardkit contributors
extends_documentation_fragment:
  - wardkit.core.router
options:
  config:
    description: The intended config, rendered. One of I(config) and I(template) is required.
    type: str
  template:
    description:
      - A Jinja template of the intended config (a file in the role's C(templates/), or a path), rendered on the
        controller with the task's variables as the C(template) lookup renders it, after the I(inputs) checks.
      - The router role passes C(templates/<device_type>.j2).
    type: str
  inputs:
    description:
      - The inputs the filter C(wardkit.core.router_input_problems) checks (the same rules), except those this module
        has as arguments of its own (C(device_type), C(host), C(port), C(username), C(password), C(password_next),
        C(secret) as C(enable_secret), C(wan_interface), C(revert_minutes), C(revert_seconds)), which are taken
        from them.
      - 'Keys: C(line_down_mbps), C(line_up_mbps), C(shape_percent), C(audio_percent), C(video_percent),
        C(audio_dscp), C(video_dscp), C(mgmt_subnets), C(controller_address), C(allow_lockout), C(ntp_servers),
        C(dns_servers), C(syslog_server), C(conference_service_subnets), C(city_hall_subnets),
        C(province_meeting_subnets), C(banner), C(snmpv3_enabled), C(snmpv3_user), C(snmpv3_auth_key),
        C(snmpv3_priv_key).'
      - Omitted, nothing is checked beyond the secrets (printable, nothing the CLI would interpret).
    type: dict
    no_log: true
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
    template: "{{ router_device_type }}.j2"
    inputs:
      line_down_mbps: "{{ router_line_down_mbps }}"
      line_up_mbps: "{{ router_line_up_mbps }}"
      mgmt_subnets: "{{ router_mgmt_subnets }}"
      # ... every key listed under inputs (roles/router/tasks/main.yml passes them all)

- name: Push a config rendered elsewhere, without the role's input checks
  wardkit.core.router_config:
    host: "{{ ansible_host }}"
    device_type: cisco_ios
    username: "{{ router_username }}"
    password: "{{ router_password }}"
    secret: "{{ router_enable_secret }}"
    name: "{{ inventory_hostname }}"
    ward: "{{ router_ward }}"
    backup_dir: backups
    config: "{{ lookup('ansible.builtin.template', 'cisco_ios.j2') }}"
"""

RETURN = r"""
changed:
  description: The router's config was changed (or would be, in check mode).
  returned: always
  type: bool
lines_pushed:
  description: Lines sent to the device (the timer and confirm commands excluded).
  returned: always
  type: int
commands:
  description: The lines pushed (or to push), secrets masked.
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
  description: Model, OS version and serial.
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
  description: Notes, e.g. a plain vault value found (and masked) in the backup.
  returned: always
  type: list
msg:
  description: 'One line: ward, router, reason and what became of the config.'
  returned: on failure
  type: str
ansible_facts:
  description: C(router_report) for the ward report.
  returned: unless the task failed or the router was unreachable
  type: dict
  contains:
    router_report:
      description: >-
        C(changed), C(lines_pushed), C(diff) (the masked C(diff.prepared), or empty), C(backup_path), C(model),
        C(os_version), C(check_mode).
      type: dict
"""
