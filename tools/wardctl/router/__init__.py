"""Router configuration over Netmiko: commit-confirmed pushes, backups, rollback.

The Ansible action plugins of `wardkit.core` (router_config, router_backup, router_rollback, router_facts) are
thin wrappers around this package, so tests and benchmarks drive exactly the same code without Ansible.

- `drivers`: one package per dialect (its diff, revert, save, device-side copies) behind `drivers.base.Driver`,
  and the registry of dialects (`drivers.DIALECTS`).
- `push`: the safe sequence, dialect-free: back up, diff, push under the device's revert, verify on a fresh
  session, confirm, save.
- `plan`: what a diff produces (commands, readable diff, undo).
- `secrets`: masking of every secret in output, and the fingerprints of secrets a device never shows back.
- `backup`: backups on the controller (never overwritten).
- `validate`: the role's input checks (run before any device is touched).
"""
