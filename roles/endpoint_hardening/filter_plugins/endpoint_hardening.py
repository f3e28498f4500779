"""Address filters for the no-lockout checks and the nftables sets, with the standard library only, the
control areas' outcomes for the ward report, and the machine's one package transaction.

ansible.utils' ipaddr filters need netaddr on the controller; these few need nothing but `ipaddress`.
"""

from __future__ import annotations

import ipaddress
import re
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
        if area in failed:
            out[area] = {"state": "failed", "reason": str(failed[area])}
        elif not _true(on):
            out[area] = {"state": "off"}
        elif not _tag_selected(area, run, skip):
            out[area] = {"state": "not_run"}
        elif area in changed:
            out[area] = {"state": "would_apply" if check_mode else "applied"}
        else:
            out[area] = {"state": "compliant"}
    return out


def _tag_selected(area: str, run: set[str], skip: set[str]) -> bool:
    """Whether --tags/--skip-tags let the area's tasks run (tasks/linux.yml tags each area with these two)."""
    tags = {"endpoint_hardening", f"endpoint_hardening_{area}"}
    return bool(run & (tags | {"all"})) and not skip & tags


def endpoint_hardening_package_batch(
    packages: dict[str, list[str]],
    areas: list[str],
    enabled: list[Any],
    run_tags: Iterable[str] = ("all",),
    skip_tags: Iterable[str] = (),
    own_transaction: Iterable[str] = (),
) -> dict[str, list[str]]:
    """The packages of each area that runs now (switch on, selected by the tags) and has packages in
    `packages`, for the machine's one apt transaction; areas in `own_transaction` install theirs themselves."""
    if len(enabled) != len(areas):
        raise AnsibleFilterError(f"endpoint_hardening_package_batch: {len(areas)} areas, {len(enabled)} switches")
    run, skip, own = set(run_tags), set(skip_tags), set(own_transaction)
    return {
        area: list(packages[area])
        for area, on in zip(areas, enabled, strict=True)
        if area in packages and area not in own and _true(on) and _tag_selected(area, run, skip)
    }


# apt-get's lines for a package it installs or upgrades: "Setting up NAME[:ARCH] (VERSION) ..." when it does,
# "Inst NAME [OLD] (VERSION ...)" when it simulates (check mode).
_APT_INSTALLED = re.compile(r"^(?:Setting up|Inst) ([a-z0-9][a-z0-9+.-]+)(?::[a-z0-9]+)? ", re.MULTILINE)


def endpoint_hardening_installed_areas(batch: dict[str, list[str]], apt_stdout: str) -> list[str]:
    """The areas of `batch` one of whose packages the apt transaction installed (or would install)."""
    installed = set(_APT_INSTALLED.findall(apt_stdout or ""))
    return [area for area, names in batch.items() if installed & set(names)]


def endpoint_hardening_package_failures(results: list[dict[str, Any]]) -> dict[str, str]:
    """area -> one-line reason, for the per-area installs (a loop over the batch's `dict2items`) that failed."""
    failures = {}
    for result in results:
        if result.get("failed"):
            reason = " ".join(str(result.get("msg") or "failed").split())
            failures[str(result["item"]["key"])] = f"its packages: {reason}"[:300]
    return failures


def endpoint_hardening_units_to_change(show_stdout: str, units: list[str], goal: str) -> list[str]:
    """The units of `units` (in the order given to `systemctl show --property=LoadState,ActiveState,
    UnitFileState`, which prints one block each, in that order) that exist here and are not yet at `goal`:
    `masked` (masked and not running) or `disabled` (not enabled and not running). Units are matched by
    position: `show` prints an alias's target unit (ctrl-alt-del.target shows as reboot.target)."""
    if goal not in ("masked", "disabled"):
        raise AnsibleFilterError(f"endpoint_hardening_units_to_change: unknown goal {goal!r}")
    blocks = [dict(line.split("=", 1) for line in b.splitlines() if "=" in line) for b in show_stdout.split("\n\n")]
    blocks = [b for b in blocks if b]
    if len(blocks) != len(units):
        raise AnsibleFilterError(f"systemctl show answered for {len(blocks)} units, asked for {len(units)}")
    out = []
    for unit, props in zip(units, blocks, strict=True):
        load, file_state = props.get("LoadState", ""), props.get("UnitFileState", "")
        if load == "not-found":
            continue
        running = props.get("ActiveState", "") not in ("inactive", "failed")
        at_goal = load == "masked" if goal == "masked" else file_state in ("disabled", "masked")
        if running or not at_goal:
            out.append(unit)
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
            "endpoint_hardening_package_batch": endpoint_hardening_package_batch,
            "endpoint_hardening_installed_areas": endpoint_hardening_installed_areas,
            "endpoint_hardening_package_failures": endpoint_hardening_package_failures,
            "endpoint_hardening_units_to_change": endpoint_hardening_units_to_change,
        }
