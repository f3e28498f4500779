"""Address filters for the no-lockout checks and the nftables sets, with the standard library only.

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


class FilterModule:
    def filters(self) -> dict[str, Any]:
        return {
            "endpoint_hardening_cidrs": endpoint_hardening_cidrs,
            "endpoint_hardening_ip_in": endpoint_hardening_ip_in,
        }
