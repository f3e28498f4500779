"""Address filters for the no-lockout checks and the nftables sets, with the standard library only, and the
control areas' outcomes for the ward report.

ansible.utils' ipaddr filters need netaddr on the controller; these few need nothing but `ipaddress`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

from ansible.errors import AnsibleFilterError


def _networks(cidrs: Iterable[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    try:
        return [ipaddress.ip_network(str(c).strip(), strict=False) for c in cidrs]
    except ValueError as exc:
        raise AnsibleFilterError(f"not a CIDR: {exc}") from exc


def endpoint_hardening_cidrs(cidrs: Iterable[str], version: int) -> list[str]:
    """The CIDRs of one IP version (4 or 6), normalised (host bits cleared)."""
    return [str(n) for n in _networks(cidrs) if n.version == int(version)]


def endpoint_hardening_ip_in(address: Any, cidrs: Iterable[str]) -> bool:
    """True when `address` lies in one of `cidrs`."""
    try:
        ip = ipaddress.ip_address(str(address).strip())
    except ValueError:
        return False
    return any(ip in n for n in _networks(cidrs) if n.version == ip.version)


def endpoint_hardening_outcomes(
    areas: list[str],
    enabled: list[Any],
    changed: Iterable[str],
    failed: dict[str, str],
    check_mode: bool,
    run_tags: Iterable[str] = ("all",),
    skip_tags: Iterable[str] = (),
) -> dict[str, dict[str, str]]:
    """Each area's outcome: failed (with its reason) > off (its switch) > not run (left out by --tags or
    --skip-tags) > applied now (`would_apply` in check mode) > compliant (nothing to change). `enabled` holds
    the areas' switches in the order of `areas`."""
    if len(enabled) != len(areas):
        raise AnsibleFilterError(f"endpoint_hardening_outcomes: {len(areas)} areas, {len(enabled)} switches")
    changed, run, skip = set(changed), set(run_tags), set(skip_tags)
    out: dict[str, dict[str, str]] = {}
    for area, on in zip(areas, enabled, strict=True):
        tags = {"endpoint_hardening", f"endpoint_hardening_{area}"}
        if area in failed:
            out[area] = {"state": "failed", "reason": str(failed[area])}
        elif not _true(on):
            out[area] = {"state": "off"}
        elif not (run & (tags | {"all"})) or skip & tags:
            out[area] = {"state": "not_run"}
        elif area in changed:
            out[area] = {"state": "would_apply" if check_mode else "applied"}
        else:
            out[area] = {"state": "compliant"}
    return out


def _true(value: Any) -> bool:
    """Ansible's `| bool` for a switch that may arrive as a string from an inventory."""
    return str(value).strip().lower() in ("1", "true", "yes", "on", "y", "t")


class FilterModule:
    def filters(self) -> dict[str, Any]:
        return {
            "endpoint_hardening_cidrs": endpoint_hardening_cidrs,
            "endpoint_hardening_ip_in": endpoint_hardening_ip_in,
            "endpoint_hardening_outcomes": endpoint_hardening_outcomes,
        }
