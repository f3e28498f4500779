"""Options shared by router_backup, router_config and router_rollback."""


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  host:
    description: Management address of the router.
    type: str
    required: true
  port:
    description: SSH port.
    type: int
    default: 22
  device_type:
    description: Netmiko device type (the inventory's dialect group).
    type: str
    required: true
    choices:
      - cisco_ios
      - mikrotik_routeros
  username:
    description: Login user.
    type: str
    required: true
  password:
    description: Login password (never shown; masked in every result).
    type: str
    required: true
    no_log: true
  password_next:
    description: >-
      A password rotation under way: the router may already hold this one, so the login tries it after
      C(password). Masked like C(password).
    type: str
    default: ''
    no_log: true
  secret:
    description: Enable secret (IOS).
    type: str
    default: ''
    no_log: true
  known_hosts:
    description: known_hosts file the router's host key must be in; an unknown or changed key is refused.
    type: path
    default: ~/.ssh/known_hosts
  timeout:
    description: Seconds allowed for connecting and authenticating.
    type: float
    default: 20
  name:
    description: The router's inventory name (backup folder, messages).
    type: str
    required: true
  ward:
    description: The router's ward id (backup folder, messages).
    type: str
    required: true
  backup_dir:
    description: Backups go to I(backup_dir)/<ward>/<router>/<UTC timestamp>.cfg, never overwritten.
    type: path
    required: true
  read_timeout:
    description: Deadline of each show command.
    type: float
    default: 20
  push_read_timeout:
    description: Deadline of each pushed line; a dropped or hung session is noticed within this.
    type: float
    default: 5
  revert_minutes:
    description: 'IOS: C(configure terminal revert timer) minutes (1-120).'
    type: int
    default: 2
  revert_seconds:
    description: 'RouterOS: seconds before the scheduled revert undoes the change.'
    type: int
    default: 120
  revert_wait:
    description: How long to wait for the device's own revert after a lost session (default the timer + 30 s).
    type: float
  confirm_margin:
    description: Never confirm with fewer seconds than this left on the timer.
    type: float
    default: 3
  device_backups_keep:
    description: Device-side twins of backups (C(wardkit-*)) kept on the router.
    type: int
    default: 10
  mask:
    description: More values to mask in every result (e.g. SNMPv3 keys).
    type: list
    elements: str
    default: []
    no_log: true
"""
