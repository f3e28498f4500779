"""Filters for the router role's templates and input checks (controller-side, no network access)."""

from __future__ import annotations

import ipaddress
from typing import Any

from wardctl.router import validate
from wardctl.router.drivers.mikrotik_routeros import diff as rosdiff
from wardctl.router.secrets import fingerprint


def router_input_problems(inputs: dict[str, Any]) -> list[str]:
    """Every problem with a router's inputs, one string each; empty when the push may go ahead."""
    return validate.input_problems(inputs)


def ios_acl_address(cidr: str, kind: str = "extended") -> str:
    """`203.0.113.0/25` -> `203.0.113.0 0.0.0.127`; a /32 -> `host A` (standard ACL: `A`); /0 -> `any`.

    The forms IOS prints back in its running config, so the intended config compares equal.
    """
    net = ipaddress.IPv4Network(str(cidr), strict=False)
    if net.prefixlen == 0:
        return "any"
    if net.prefixlen == 32:
        return str(net.network_address) if kind == "standard" else f"host {net.network_address}"
    return f"{net.network_address} {net.hostmask}"


def cidr(value: str) -> str:
    """An address or CIDR as a canonical CIDR (`10.0.0.1` -> `10.0.0.1/32`)."""
    return str(ipaddress.IPv4Network(str(value), strict=False))


def ros_rate(bits_per_second: Any) -> str:
    """A rate as RouterOS prints it: 36000000 -> `36M`, 1500000 -> `1500k`."""
    n = int(float(bits_per_second))
    for suffix, mult in (("G", 10**9), ("M", 10**6), ("k", 1000)):
        if n and n % mult == 0:
            return f"{n // mult}{suffix}"
    return str(n)


def ros_quote(value: Any) -> str:
    """A value quoted the way RouterOS writes it in an export."""
    return rosdiff.quote(str(value))


def secret_fingerprint(value: Any, key: Any, label: str) -> str:
    """A keyed fingerprint of a secret the device never shows back, for the template to keep beside it."""
    return fingerprint(str(value), str(key), label)


class FilterModule:
    def filters(self) -> dict[str, Any]:
        return {
            "router_input_problems": router_input_problems,
            "ios_acl_address": ios_acl_address,
            "cidr": cidr,
            "ros_rate": ros_rate,
            "ros_quote": ros_quote,
            "secret_fingerprint": secret_fingerprint,
        }
