"""Write a City as an inventory directory in exactly the layout of docs/inventory.md.

Used for the lab's generated inventory/lab, for `wardctl inventory import`, and to (re)generate the
city's own inventory. Output is deterministic (same City -> same bytes, except the vault ciphertext)
and is built in a temporary directory that replaces the old one only once complete.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from wardctl.errors import WardctlError
from wardctl.inventory.layout import DEFAULT_PORTS, HOSTS_FILE, MERGER_FILE, MERGER_NAME_VAR, MERGER_PREFIX
from wardctl.inventory.model import (
    PLATFORMS,
    SUPPORTED_DEVICE_TYPES,
    City,
    Endpoint,
    Router,
    Ward,
)
from wardctl.inventory.rules import city_error
from wardctl.inventory.yamlout import document, number, scalar, vars_lines

# The documented password of the example vault in inventory/vungtau (docs/vault.example.yml).
EXAMPLE_VAULT_PASSWORD = "vungtau-example-change-me"

# Every secret the playbooks use; docs/vault.example.yml describes each one for the city's sysadmin.
VAULT_VARIABLES = {
    "vault_router_username": "login name on every ward router",
    "vault_router_password": "password of that login",
    "vault_router_enable_secret": "Cisco IOS enable secret (MikroTik routers ignore it)",
    "vault_windows_admin_user": "local administrator account that Ansible uses over WinRM",
    "vault_windows_admin_password": "password of that account",
    "vault_snmpv3_auth_key": "SNMPv3 authentication key (SHA) of the routers",
    "vault_snmpv3_priv_key": "SNMPv3 privacy key (AES) of the routers",
    "vault_report_site_passwords": "the report portal's password of each ward, by ward id (roles/report_site)",
    "vault_report_site_city_password": "the report portal's password of the city staff",
}
# Vault variables that hold one value per ward.
PER_WARD_VAULT_VARIABLES = ("vault_report_site_passwords",)

_ROLE_NAMES = {
    "meeting_room": "meeting room",
    "leader_pc": "leader's PC",
    "city_services": "city services host",
}


def placeholder_vault_vars(city: City) -> dict[str, Any]:
    """`CHANGE-ME` for every vault variable (for each ward where it is per ward): what an inventory gets before
    the real secrets exist."""
    out: dict[str, Any] = dict.fromkeys(VAULT_VARIABLES, "CHANGE-ME")
    for name in PER_WARD_VAULT_VARIABLES:
        out[name] = {w.id: "CHANGE-ME" for w in city.wards}
    return out


# --- the files ----------------------------------------------------------------------------------------


def render_files(city: City, *, header: str = "", extra_all_vars: dict[str, object] | None = None) -> dict[str, str]:
    """Every plain file of the inventory (relative path -> text), vault.yml excepted."""
    problem = city_error(city)
    if problem:
        raise WardctlError(problem)
    files = {
        HOSTS_FILE: _hosts_yml(city, header),
        MERGER_FILE: _merger_yml(city, header),
        "group_vars/all/city.yml": _city_yml(city, header),
        "group_vars/routers.yml": document(
            header,
            "Credentials of every ward router, by reference to group_vars/all/vault.yml.",
            vars_lines(
                (
                    "",
                    {
                        "router_username": "{{ vault_router_username }}",
                        "router_password": "{{ vault_router_password }}",
                        "router_enable_secret": "{{ vault_router_enable_secret }}",
                    },
                )
            ),
        ),
        "group_vars/linux.yml": document(
            header,
            "Linux endpoints and the city services host: SSH with the kit's admin account.",
            vars_lines(("", {"ansible_user": "wardadmin", "ansible_become": True, "endpoint_platform": "linux"})),
        ),
        "group_vars/windows.yml": document(
            header,
            "Windows endpoints: WinRM over HTTPS (5986) with NTLM, account from the vault.",
            vars_lines(
                (
                    "",
                    {
                        "ansible_connection": "winrm",
                        "ansible_winrm_transport": "ntlm",
                        "ansible_port": DEFAULT_PORTS["windows"],
                        "ansible_user": "{{ vault_windows_admin_user }}",
                        "ansible_password": "{{ vault_windows_admin_password }}",
                        "endpoint_platform": "windows",
                    },
                )
            ),
        ),
    }
    for device_type in SUPPORTED_DEVICE_TYPES:
        files[f"group_vars/{device_type}.yml"] = document(
            header,
            f"Routers in group {device_type}: the Netmiko device_type is the group name.",
            vars_lines(("", {"router_device_type": device_type})),
        )
    if extra_all_vars:
        files["group_vars/all/extra.yml"] = document(
            header, "Extra settings for every host.", vars_lines(("", dict(extra_all_vars)))
        )
    for ward in city.wards:
        files[f"group_vars/{ward.id}.yml"] = _ward_yml(ward, header)
        if ward.router:
            files[f"host_vars/{ward.router.name}.yml"] = _router_yml(ward, ward.router, header)
        for endpoint in ward.endpoints:
            files[f"host_vars/{endpoint.name}.yml"] = _endpoint_yml(ward, endpoint, header)
    return files


def _hosts_yml(city: City, header: str) -> str:
    def group(indent: int, name: str, hosts: list[str], comment: str = "") -> list[str]:
        pad = " " * indent
        lines = [f"{pad}{scalar(name)}:" + (f"  # {comment}" if comment else "")]
        if hosts:
            lines.append(f"{pad}  hosts:")
            lines += [f"{pad}    {scalar(host)}:" for host in hosts]
        return lines

    routers = [w.router for w in city.wards if w.router]
    endpoints = [e for w in city.wards for e in w.endpoints]

    def role(name: str) -> list[str]:
        return [e.name for e in endpoints if e.role == name]

    body = [
        "all:",
        "  children:",
        "    # One group per ward, named by its ward id (city_wards in group_vars/all/city.yml).",
        "    wards:",
        "      children:",
    ]
    for ward in city.wards:
        body += group(8, ward.id, ward.hosts, ward.display_name)
    body += [
        "    # The Netmiko device_type of a router is the name of its group here.",
        "    routers:",
        "      children:",
    ]
    for device_type in SUPPORTED_DEVICE_TYPES:
        body += group(8, device_type, [r.name for r in routers if r.device_type == device_type])
    body += ["    endpoints:", "      children:"]
    body += group(8, "meeting_rooms", role("meeting_room"))
    body += group(8, "leader_pcs", role("leader_pc"))
    body += group(4, "city_services", role("city_services"))
    body.append("    # Every endpoint and the services host is in exactly one of linux and windows.")
    for platform in PLATFORMS:
        body += group(4, platform, [e.name for e in endpoints if e.platform == platform])
    about = "Groups and host names only: variables live in group_vars/ and host_vars/."
    return document(header, about, body)


def _merger_yml(city: City, header: str) -> str:
    body = ["all:"]
    if not city.mergers:
        body.append("  children: {}")
    else:
        body.append("  children:")
    for merger in city.mergers:
        body += [
            f"    {scalar(merger.id)}:",
            "      vars:",
            f"        {MERGER_NAME_VAR}: {scalar(merger.display_name)}",
            "      children:",
        ]
        body += [f"        {scalar(ward)}:" for ward in merger.wards]
    about = (
        "The wards merged in 2025, as groups of the old ward groups: no hosts of their own.\n"
        f"Run a playbook for one new ward with e.g. `--limit {MERGER_PREFIX}<id>`."
    )
    return document(header, about, body)


def _city_yml(city: City, header: str) -> str:
    s = city.services
    body = vars_lines(
        ("", {"city_id": city.id, "city_display_name": city.display_name}),
        (
            "The ward registry: every ward group in hosts.yml is listed here, and only those.",
            {"city_wards": [w.id for w in city.wards]},
        ),
        (
            "Networks from which city hall manages the routers and endpoints (its LAN, its VPN pool).",
            {"city_mgmt_subnets": list(s.mgmt_subnets)},
        ),
        ("Base URL of the software mirror on the city services host.", {"city_mirror_url": s.mirror_url}),
        ("", {"city_ntp_servers": list(s.ntp_servers), "city_dns_servers": list(s.dns_servers)}),
        ("", {"city_syslog_server": s.syslog_server, "city_iperf_server": s.iperf_server}),
        (
            "The province's meeting server, and the conference service's domain.",
            {
                "city_province_meeting_server": s.province_meeting_server,
                "city_conference_service": s.conference_service,
            },
        ),
        *(
            [("The city's schedule: every ward online by this date, in this time zone (the reports show it).",
              {k: v for k, v in (("city_rollout_deadline", city.rollout_deadline),
                                 ("city_timezone", city.timezone)) if v})]
            if city.rollout_deadline or city.timezone else []
        ),
    )  # fmt: skip
    return document(header, f"{city.display_name}: city-wide services and the ward registry.", body)


def _ward_yml(ward: Ward, header: str) -> str:
    body = vars_lines(
        ("", {"ward_display_name": ward.display_name, "ward_kind": ward.kind}),
        (
            "Who to call at the ward office.",
            {"ward_technician_name": ward.technician_name, "ward_technician_phone": ward.technician_phone},
        ),
    )
    return document(header, f"Ward {ward.id}.", body)


def _router_yml(ward: Ward, router: Router, header: str) -> str:
    body = vars_lines(
        ("", {"ansible_host": router.address, "ansible_port": router.port}),
        ("", {"router_wan_interface": router.wan_interface}),
        (
            "Contracted line rates in Mbit/s.",
            {
                "router_line_down_mbps": number(router.line_down_mbps),
                "router_line_up_mbps": number(router.line_up_mbps),
            },
        ),
    )
    return document(header, f"Router of {ward.display_name} ({router.device_type}).", body)


def _endpoint_yml(ward: Ward, endpoint: Endpoint, header: str) -> str:
    values: dict[str, Any] = {"ansible_host": endpoint.address}
    if endpoint.port != DEFAULT_PORTS[endpoint.platform]:
        values["ansible_port"] = endpoint.port
    if endpoint.role == "leader_pc" or endpoint.department:
        values["leader_department"] = endpoint.department
    of = f"{endpoint.department}, {ward.display_name}" if endpoint.department else ward.display_name
    about = f"The {_ROLE_NAMES[endpoint.role]} of {of} ({endpoint.platform})."
    return document(header, about, vars_lines(("", values)))


# --- vault and the atomic write ---------------------------------------------------------------------


def encrypt_vault(vault_vars: dict[str, Any], password: str, header: str = "") -> bytes:
    """group_vars/all/vault.yml as ansible-vault writes it (AES256; a fresh salt every time)."""
    bad = [name for name in vault_vars if not name.startswith("vault_")]
    if bad:
        raise WardctlError(f"vault variables must be named vault_*: {', '.join(bad)}")
    if not password:
        raise WardctlError("empty vault password")
    about = 'Secrets, referred to as "{{ vault_... }}" by the plain files. Edit: ansible-vault edit <this file>.'
    plain = document(header, about, vars_lines(("", dict(vault_vars))))
    # Imported here: ansible takes a quarter of a second to import, which `wardctl` should not always pay.
    from ansible.constants import DEFAULT_VAULT_ID_MATCH
    from ansible.parsing.vault import VaultLib, VaultSecret

    vault = VaultLib([(DEFAULT_VAULT_ID_MATCH, VaultSecret(password.encode()))])
    return vault.encrypt(plain.encode())


def write_inventory(
    city: City,
    out: Path,
    *,
    vault_vars: dict[str, Any],
    vault_password: str,
    extra_all_vars: dict[str, object] | None = None,
    header: str = "",
    vault_ciphertext: bytes | None = None,
) -> None:
    """Write `city` as the inventory directory `out`, replacing it only once complete.

    `vault_vars` are encrypted with `vault_password` into group_vars/all/vault.yml, unless
    `vault_ciphertext` (an existing encrypted vault.yml, copied verbatim) is given. `extra_all_vars`
    go to group_vars/all/extra.yml. `header` starts every plain file as a comment.
    """
    files = render_files(city, header=header, extra_all_vars=extra_all_vars)
    vault = vault_ciphertext if vault_ciphertext is not None else encrypt_vault(vault_vars, vault_password, header)
    out = Path(out).absolute()
    if out.exists() and not out.is_dir():
        raise WardctlError(f"{out} exists and is not a directory")
    if out.is_dir() and any(out.iterdir()) and not (out / "hosts.yml").exists():
        raise WardctlError(f"refusing to replace {out}: not empty and not an inventory (no hosts.yml)")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        staging.chmod(0o755)
        for relative, text in sorted(files.items()):
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        (staging / "group_vars" / "all").mkdir(parents=True, exist_ok=True)
        (staging / "group_vars" / "all" / "vault.yml").write_bytes(vault)
        _swap_into_place(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _swap_into_place(staging: Path, out: Path) -> None:
    if not out.exists():
        os.replace(staging, out)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    retired.rmdir()  # only the unique name is wanted
    os.replace(out, retired)
    try:
        os.replace(staging, out)
    except OSError:
        os.replace(retired, out)  # put the old inventory back
        raise
    shutil.rmtree(retired, ignore_errors=True)
