"""Router configuration over Netmiko: intended-vs-running diffs, commit-confirmed pushes, backups, rollback.

The Ansible action plugins of `wardkit.core` (router_config, router_backup, router_rollback) are thin wrappers
around this package, so tests and benchmarks drive exactly the same code without Ansible.

- `configdiff`: parse and compare intended and running configs (IOS hierarchy, RouterOS export), with the
  normalisation that makes a second run report no change.
- `secrets`: IOS secret hashes (type 8/9, verified on the controller) and masking of every secret in output.
- `device`: per-dialect operations on an open session (revert timer, confirm, save, device-side copies).
- `push`: the safe sequence: back up, diff, push under a revert timer, verify on a fresh session, confirm, save.
- `backup`: backups on the controller (never overwritten) and rollback to a named or the latest one.
- `validate`: the role's input checks (run before any device is touched).
"""
