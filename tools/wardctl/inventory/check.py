"""`wardctl inventory check`: validate an inventory directory against docs/inventory.md.

Every finding is one line, `ERROR <file>:<line> <ward or host>: <field>: <what is wrong>`, so a
sysadmin can fix them all in one pass; placeholders (documentation addresses) are WARNINGs.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from wardctl.errors import WardctlError
from wardctl.inventory.model import PLATFORMS, SUPPORTED_DEVICE_TYPES, WARD_KINDS, City
from wardctl.inventory.reader import (
    DEFAULT_PORTS,
    MERGER_PREFIX,
    ROLE_GROUPS,
    LineList,
    Problem,
    RawInventory,
    Vars,
    VaultValue,
    build_city,
    display_path,
    error,
    kind_of,
    load_raw,
    warning,
)
from wardctl.paths import repo_root

DEFAULT_INVENTORY = Path("inventory") / "vungtau"
# RFC 5737 documentation ranges and reserved names: what the kit uses until real addresses exist.
PLACEHOLDER_NETS = tuple(ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"))
PLACEHOLDER_SUFFIXES = (".invalid", ".example")
GROUP_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_HOST_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
_SECRET_NAME = re.compile(r"password|secret|passphrase|_key$", re.IGNORECASE)
_SECRET_EXEMPT = {"ansible_ssh_private_key_file"}
_VAULT_REF = re.compile(r"^\s*\{\{.*\bvault_\w+.*\}\}\s*$", re.DOTALL)
ROUTER_CREDENTIALS = ("router_username", "router_password", "router_enable_secret")
REQUIRED_GROUP_VARS = ("routers", "linux", "windows")


# --- value rules, shared with the CSV importer -------------------------------------------------------


def shown(value: object) -> str:
    """A value as the user wrote it, for `got ...` in messages."""
    if isinstance(value, bool):
        return str(value).lower()
    if value is None:
        return "nothing"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, VaultValue | list | dict):
        return kind_of(value)
    return str(value)


def is_group_name(value: object) -> bool:
    return isinstance(value, str) and bool(GROUP_NAME.match(value))


def address_error(value: object) -> str | None:
    """Why `value` is not an IP address or DNS host name, or None if it is one."""
    if not isinstance(value, str):
        return f"must be an IP address or host name, got {shown(value)}"
    text = value.strip()
    if not text:
        return "must be an IP address or host name, got an empty value"
    try:
        ipaddress.ip_address(text)
        return None
    except ValueError:
        pass
    labels = text.removesuffix(".").split(".")
    if len(text) > 253 or not all(_HOST_LABEL.match(label) for label in labels):
        return f"not an IP address or host name: {text!r}"
    if labels[-1].isdigit():
        return f"not a valid IP address: {text!r}"
    return None


def is_placeholder(address: str) -> bool:
    text = address.strip().lower().removesuffix(".")
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return text.endswith(PLACEHOLDER_SUFFIXES) or text in ("invalid", "example")
    return any(ip in net for net in PLACEHOLDER_NETS)


def positive_number_error(value: object) -> str | None:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) and value > 0
    return None if ok else f"must be a positive number, got {shown(value)}"


def port_error(value: object) -> str | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and 0 < value < 65536
    return None if ok else f"must be a port number 1-65535, got {shown(value)}"


def text_error(value: object) -> str | None:
    if isinstance(value, str) and value.strip():
        return None
    if value is None or value == "":
        return "missing or empty"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"must be text: YAML read it as the number {value}; put it in quotes"
    return f"must be text, got {shown(value)}"


def phone_error(value: object) -> str | None:
    problem = text_error(value)
    if problem:
        return problem
    if sum(ch.isdigit() for ch in str(value)) < 8:
        return f"not a phone number: {shown(value)}"
    return None


def is_placeholder_phone(value: str) -> bool:
    return "00000" in "".join(ch for ch in value if ch.isdigit())  # e.g. 0254 000 0000


def is_secret_name(name: str) -> bool:
    return name not in _SECRET_EXEMPT and bool(_SECRET_NAME.search(name))


def is_vault_reference(value: object) -> bool:
    return value is None or isinstance(value, VaultValue) or (isinstance(value, str) and bool(_VAULT_REF.match(value)))


# --- the checker -----------------------------------------------------------------------------------


def check_inventory(path: Path | str) -> list[Problem]:
    """Every problem of the inventory at `path`, errors first. Never raises for bad content."""
    return _check(load_raw(Path(path)))


def _check(raw: RawInventory) -> list[Problem]:
    problems = list(raw.problems)
    if raw.readable:
        problems += _Checker(raw).run()
    return sorted(problems, key=lambda p: not p.is_error)  # stable: file order within each severity


def read_checked(path: Path | str) -> City:
    """The City of a valid inventory; raises WardctlError naming the first errors otherwise."""
    raw = load_raw(Path(path))
    problems = [p for p in _check(raw) if p.is_error]
    if problems:
        shown_lines = "\n  ".join(str(p) for p in problems[:10])
        more = f"\n  ... and {len(problems) - 10} more" if len(problems) > 10 else ""
        raise WardctlError(f"inventory {display_path(Path(path))} is not valid:\n  {shown_lines}{more}")
    return build_city(raw)


Where = tuple[Path | None, int | None]  # file and line, each when known


@dataclass
class _Host:
    name: str
    vars: Vars
    file: Path  # host_vars/<name>.yml, where a missing variable belongs

    def at(self, var: str) -> Where:
        return self.vars.where.get(var, (self.file, None))


class _Checker:
    def __init__(self, raw: RawInventory) -> None:
        self.raw = raw
        self.out: list[Problem] = []
        self.root = raw.root
        self.ward_groups = raw.children("wards")
        self.members = {name: set(raw.members(name)) for name in raw.groups}
        self.registry: list[str] = []

    def run(self) -> list[Problem]:
        self.check_city()
        self.check_vault()
        self.check_secrets()
        if self.raw.hosts_readable:  # otherwise every group and host would be reported missing
            self.check_layout()
            self.check_wards()
            self.check_hosts()
            self.check_mergers()
            self.check_stray_vars()
        return self.out

    # helpers

    def err(self, subject: str, fld: str, msg: str, where: Where = (None, None)) -> None:
        self.out.append(error(subject, fld, msg, *where))

    def warn(self, subject: str, fld: str, msg: str, where: Where = (None, None)) -> None:
        self.out.append(warning(subject, fld, msg, *where))

    def in_group(self, host: str, group: str) -> bool:
        return host in self.members.get(group, set())

    def group_where(self, group: str) -> Where:
        g = self.raw.groups.get(group)
        return (g.file, g.line) if g else (self.root / "hosts.yml", None)

    def address(self, subject: str, fld: str, value: object, where: Where) -> None:
        problem = address_error(value)
        if problem:
            self.err(subject, fld, problem, where)
        elif isinstance(value, str) and is_placeholder(value):
            why = "documentation range" if _is_ip(value) else "reserved name"
            self.warn(subject, fld, f"placeholder address {value} ({why}); set the real one", where)

    # city.yml

    def check_city(self) -> None:
        city_file = self.root / "group_vars" / "all" / "city.yml"
        if not city_file.exists():
            self.err("city", "file", "missing; it holds the ward registry and city services", (city_file, None))
            return
        if any(p.file == city_file for p in self.raw.problems):
            return  # unreadable: already reported, and its variables are unknown rather than missing
        cv = self.raw.group_vars_of("all")

        def at(name: str) -> Where:
            return cv.where.get(name, (city_file, None))

        city_id = cv.get("city_id")
        if not is_group_name(city_id):
            self.err("city", "city_id", f"must be a short id like 'vungtau', got {shown(city_id)}", at("city_id"))
        if text_error(cv.get("city_display_name")):
            self.err(
                "city",
                "city_display_name",
                text_error(cv.get("city_display_name")) or "",
                at("city_display_name"),
            )
        self.check_registry(cv, at("city_wards"))
        self.check_subnets(cv.get("city_mgmt_subnets"), at("city_mgmt_subnets"))
        url = cv.get("city_mirror_url")
        try:
            parts = urlsplit(url) if isinstance(url, str) else None
            host = parts.hostname if parts else None
        except ValueError:  # e.g. an unclosed [IPv6 bracket
            parts = host = None
        if parts is None or parts.scheme not in ("http", "https") or not host:
            self.err(
                "city",
                "city_mirror_url",
                f"must be an http(s):// URL, got {shown(url)}",
                at("city_mirror_url"),
            )
        else:
            self.address("city", "city_mirror_url", host, at("city_mirror_url"))
        for name in ("city_ntp_servers", "city_dns_servers"):
            servers = cv.get(name)
            if not isinstance(servers, list) or not servers:
                self.err("city", name, f"must be a list of one or more addresses, got {shown(servers)}", at(name))
                continue
            for index, server in enumerate(servers):
                line = servers.lines[index] if isinstance(servers, LineList) else at(name)[1]
                self.address("city", name, server, (at(name)[0], line))
        for name in ("city_syslog_server", "city_iperf_server", "city_province_meeting_server"):
            self.address("city", name, cv.get(name), at(name))
        service = cv.get("city_conference_service")
        if address_error(service) or not isinstance(service, str) or _is_ip(service):
            self.err(
                "city",
                "city_conference_service",
                f"must be a domain name, got {shown(service)}",
                at("city_conference_service"),
            )

    def check_subnets(self, subnets: object, where: Where) -> None:
        name = "city_mgmt_subnets"
        if not isinstance(subnets, list) or not subnets:
            msg = f"must be a list of one or more networks like 10.20.0.0/24, got {shown(subnets)}"
            self.err("city", name, msg, where)
            return
        for index, subnet in enumerate(subnets):
            here = (where[0], subnets.lines[index] if isinstance(subnets, LineList) else where[1])
            try:
                if not isinstance(subnet, str) or "/" not in subnet:
                    raise ValueError
                net = ipaddress.ip_network(subnet.strip())  # strict: host bits set is a typo
            except ValueError:
                self.err(
                    "city",
                    name,
                    f"must be a network in CIDR form like 10.20.0.0/24, got {shown(subnet)}",
                    here,
                )
                continue
            if any(net.overlaps(p) for p in PLACEHOLDER_NETS if p.version == net.version):
                self.warn("city", name, f"placeholder subnet {subnet} (documentation range)", here)

    def check_registry(self, cv: Vars, where: Where) -> None:
        wards = cv.get("city_wards")
        if not isinstance(wards, list) or not wards:
            self.err("city", "city_wards", f"must be the list of ward ids, got {shown(wards)}", where)
            return
        first: dict[str, int | None] = {}
        for index, ward in enumerate(wards):
            line = wards.lines[index] if isinstance(wards, LineList) else where[1]
            here = (where[0], line)
            if not is_group_name(ward):
                msg = f"{shown(ward)} is not a valid Ansible group name (letters, digits, _; no leading digit)"
                self.err(str(ward), "city_wards", msg, here)
                continue
            if ward in first:
                self.err(ward, "city_wards", f"listed twice (first at line {first[ward]})", here)
                continue
            first[ward] = line
            self.registry.append(ward)

    # the fixed groups and files

    def check_vault(self) -> None:
        raw = self.raw
        vault = self.root / "group_vars" / "all" / "vault.yml"
        if raw.vault_file is None:
            self.err(
                "city",
                "vault",
                "group_vars/all/vault.yml is missing; secrets belong there, encrypted",
                (vault, None),
            )
        elif not raw.vault_encrypted:
            msg = "not encrypted: run `ansible-vault encrypt` on it (it must start with $ANSIBLE_VAULT;)"
            self.err("city", "vault", msg, (raw.vault_file, 1))

    def check_layout(self) -> None:
        raw = self.raw
        if "wards" not in raw.groups:
            self.err(
                "wards",
                "hosts.yml",
                "no 'wards' group: every ward group must be a child of wards",
                (self.root / "hosts.yml", None),
            )
        for name in REQUIRED_GROUP_VARS:
            if name not in raw.group_vars:
                self.err(
                    name,
                    "group_vars",
                    f"group_vars/{name}.yml is missing",
                    (self.root / "group_vars" / f"{name}.yml", None),
                )
        routers = raw.group_vars.get("routers")
        if routers and not routers.opaque:
            for var in ROUTER_CREDENTIALS:
                if var not in routers.values:
                    ref = "{{ vault_" + var + " }}"
                    self.err("routers", var, f'missing (set it to "{ref}")', routers.locate(var))
        for dialect in raw.children("routers"):
            value = raw.group_vars_of(dialect).get("router_device_type")
            if value is not None and value != dialect:
                msg = f"{shown(value)} contradicts its group {dialect} (the group name is the device_type)"
                self.err(
                    dialect,
                    "router_device_type",
                    msg,
                    raw.group_vars_of(dialect).locate("router_device_type"),
                )
        endpoints = raw.children("endpoints")
        for child in ("meeting_rooms", "leader_pcs"):
            if child in raw.groups and child not in endpoints:
                self.err(child, "endpoints", f"{child} must be a child group of endpoints", self.group_where(child))

    # wards

    def check_wards(self) -> None:
        raw = self.raw
        registry = self.registry
        for ward in self.ward_groups:
            if registry and ward not in registry:
                self.err(
                    ward,
                    "city_wards",
                    "ward group is not in the ward registry city_wards (group_vars/all/city.yml)",
                    self.group_where(ward),
                )
            if not is_group_name(ward):
                self.err(
                    ward,
                    "group",
                    "not a valid Ansible group name (letters, digits and _)",
                    self.group_where(ward),
                )
        city_file = self.root / "group_vars" / "all" / "city.yml"
        for ward in registry:
            if ward in self.ward_groups:
                continue
            where = self.raw.group_vars_of("all").where.get("city_wards", (city_file, None))
            if ward in raw.groups:
                self.err(
                    ward,
                    "group",
                    "is in city_wards but its group is not a child of wards in hosts.yml",
                    self.group_where(ward),
                )
            else:
                self.err(ward, "group", "is in city_wards but hosts.yml has no such ward group under wards", where)

        names: dict[str, str] = {}
        for ward in self.ward_groups:
            gv = raw.group_vars_of(ward)
            gv_file = self.root / "group_vars" / f"{ward}.yml"

            def at(var: str, gv: Vars = gv, gv_file: Path = gv_file) -> Where:
                return gv.where.get(var, (gv_file, None))

            if not gv.opaque or gv.values:
                for var in ("ward_display_name", "ward_technician_name"):
                    problem = text_error(gv.get(var))
                    if problem:
                        self.err(ward, var, problem, at(var))
                phone = gv.get("ward_technician_phone")
                problem = phone_error(phone)
                if problem:
                    self.err(ward, "ward_technician_phone", problem, at("ward_technician_phone"))
                elif is_placeholder_phone(str(phone)):
                    self.warn(
                        ward,
                        "ward_technician_phone",
                        f"placeholder phone number {phone}",
                        at("ward_technician_phone"),
                    )
                kind = gv.get("ward_kind")
                if kind not in WARD_KINDS:
                    self.err(
                        ward,
                        "ward_kind",
                        f"must be one of {', '.join(WARD_KINDS)}, got {shown(kind)}",
                        at("ward_kind"),
                    )
            display = gv.get("ward_display_name")
            if isinstance(display, str) and display.strip():
                key = display.strip().casefold()
                if key in names:
                    msg = f"{display!r} is also the name of ward {names[key]}: the same ward twice?"
                    self.err(ward, "ward_display_name", msg, at("ward_display_name"))
                else:
                    names[key] = ward

            hosts = self.members.get(ward, set())
            routers = [h for h in raw.members(ward) if self.in_group(h, "routers")]
            if not routers:
                self.err(
                    ward,
                    "router",
                    "ward has no router (a host in both this ward and routers)",
                    self.group_where(ward),
                )
            elif len(routers) > 1:
                self.err(
                    ward,
                    "router",
                    f"ward has {len(routers)} routers ({', '.join(routers)}); one per ward",
                    self.group_where(ward),
                )
            if not any(self.in_group(h, "meeting_rooms") for h in hosts):
                self.err(
                    ward,
                    "meeting_room",
                    "ward has no meeting-room endpoint (a host in both this ward and meeting_rooms)",
                    self.group_where(ward),
                )

    # hosts

    def check_hosts(self) -> None:
        seen: dict[tuple[str, int], _Host] = {}
        for name in self.raw.hosts:
            host = _Host(name, self.raw.host_vars_of(name), self.root / "host_vars" / f"{name}.yml")
            self.check_host(host, self.raw.host_where[name], seen)

    def required(self, host: _Host, var: str) -> object:
        value = host.vars.get(var)
        if value is None and not host.vars.opaque:
            self.err(host.name, var, "missing", host.at(var))
        return value

    def check_host(self, host: _Host, where: Where, seen: dict[tuple[str, int], _Host]) -> None:
        name = host.name
        wards = [w for w in self.ward_groups if self.in_group(name, w)]
        if not wards:
            self.err(name, "ward", "host is in no ward group (add it under its ward in hosts.yml)", where)
        elif len(wards) > 1:
            self.err(name, "ward", f"host is in {len(wards)} wards: {', '.join(wards)}", where)

        is_router = self.in_group(name, "routers")
        roles = [g for g in ROLE_GROUPS if self.in_group(name, g)]
        platforms = [p for p in PLATFORMS if self.in_group(name, p)]
        if is_router and roles:
            self.err(name, "role", f"is a router and also in {', '.join(roles)}", where)
        elif not is_router and not roles:
            msg = "neither router nor endpoint: put it in routers, meeting_rooms, leader_pcs or city_services"
            self.err(name, "role", msg, where)
        elif len(roles) > 1:
            self.err(name, "role", f"in {' and '.join(roles)}; one role per host", where)

        address = self.required(host, "ansible_host")
        if address is not None:
            self.address(name, "ansible_host", address, host.at("ansible_host"))
        port = host.vars.get("ansible_port")
        if port is not None and port_error(port):
            self.err(name, "ansible_port", port_error(port) or "", host.at("ansible_port"))

        if is_router:
            self.check_router(host, where, platforms)
            default_port = DEFAULT_PORTS["router"]
        else:
            if roles and not platforms:
                self.err(name, "platform", "endpoint is in neither linux nor windows", where)
            elif len(platforms) > 1:
                self.err(name, "platform", "endpoint is in both linux and windows; pick one", where)
            if "leader_pcs" in roles and not host.vars.opaque:
                problem = text_error(host.vars.get("leader_department"))
                if problem:
                    self.err(name, "leader_department", problem, host.at("leader_department"))
            default_port = DEFAULT_PORTS.get(platforms[0], 22) if platforms else 22

        if isinstance(address, str) and not address_error(address):
            key = (address.strip().lower(), port if isinstance(port, int) else default_port)
            other = seen.setdefault(key, host)
            if other is not host:
                file, line = other.at("ansible_host")
                there = f" ({display_path(file)}{f':{line}' if line else ''})" if file else ""
                msg = f"{key[0]} port {key[1]} is also the address of {other.name}{there}"
                self.err(name, "ansible_host", msg, host.at("ansible_host"))

    def check_router(self, host: _Host, where: Where, platforms: list[str]) -> None:
        name = host.name
        dialects = [g for g in self.raw.children("routers") if self.in_group(name, g)]
        supported = ", ".join(SUPPORTED_DEVICE_TYPES)
        for dialect in dialects:
            if dialect not in SUPPORTED_DEVICE_TYPES:
                msg = f"unknown device type {dialect!r} (its group under routers); supported: {supported}"
                self.err(name, "device_type", msg, self.group_where(dialect))
        if not dialects:
            msg = f"router is in none of the device-type groups under routers ({supported})"
            self.err(name, "device_type", msg, where)
        elif len(dialects) > 1:
            msg = f"router is in {len(dialects)} device-type groups: {', '.join(dialects)}"
            self.err(name, "device_type", msg, where)
        declared = host.vars.get("router_device_type")
        if declared is not None:
            if declared not in SUPPORTED_DEVICE_TYPES:
                msg = f"unknown device type {shown(declared)}; supported: {supported}"
                self.err(name, "router_device_type", msg, host.at("router_device_type"))
            elif len(dialects) == 1 and declared != dialects[0]:
                msg = f"{declared!r} contradicts its group {dialects[0]} (the group name is the device_type)"
                self.err(name, "router_device_type", msg, host.at("router_device_type"))
        if platforms:
            msg = f"a router must not be in {', '.join(platforms)} (endpoint settings would apply)"
            self.err(name, "platform", msg, where)
        wan = self.required(host, "router_wan_interface")
        if wan is not None and text_error(wan):
            self.err(name, "router_wan_interface", text_error(wan) or "", host.at("router_wan_interface"))
        for var in ("router_line_down_mbps", "router_line_up_mbps"):
            value = self.required(host, var)
            if value is not None and positive_number_error(value):
                self.err(name, var, positive_number_error(value) or "", host.at(var))

    # merger_2025.yml

    def check_mergers(self) -> None:
        raw = self.raw
        if not (self.root / "merger_2025.yml").is_file():
            return  # reported by the reader (`all: {children: {}}` is the file for a city without mergers)
        owner: dict[str, str] = {}
        for group in raw.merger_groups:
            where = self.group_where(group)
            if not group.startswith(MERGER_PREFIX) or not is_group_name(group):
                self.err(group, "group", f"merger groups are named {MERGER_PREFIX}<id>", where)
            gv = raw.group_vars_of(group)
            problem = text_error(gv.get("merged_2025_display_name"))
            if problem:
                self.err(
                    group,
                    "merged_2025_display_name",
                    problem,
                    gv.where.get("merged_2025_display_name", where),
                )
            if raw.groups[group].hosts:
                self.err(group, "hosts", "a merger group lists wards as children, not hosts", where)
            if not raw.children(group):
                self.err(group, "children", "merger group names no wards", where)
            for ward in raw.children(group):
                here = (where[0], raw.groups[group].child_lines.get(ward, where[1]))
                if ward not in self.ward_groups:
                    msg = f"unknown ward {ward!r} (not a ward group under wards)"
                    self.err(group, "children", msg, here)
                elif ward in owner:
                    msg = f"ward is in two mergers: {owner[ward]} and {group}"
                    self.err(ward, MERGER_PREFIX.rstrip("_"), msg, here)
                else:
                    owner[ward] = group

    # secrets

    def check_secrets(self) -> None:
        for doc in self.raw.var_files:
            self._scan_secrets(doc.owner, doc.path, doc.data, ())

    def _scan_secrets(self, owner: str, path: Path, data: object, trail: tuple[str, ...]) -> None:
        if isinstance(data, dict):
            lines = getattr(data, "lines", {})
            for key, value in data.items():
                name = str(key)
                if is_secret_name(name) and not isinstance(value, dict | list) and not is_vault_reference(value):
                    ref = "{{ vault_" + name.removeprefix("vault_") + " }}"
                    msg = (
                        "secret in plain text: move it to group_vars/all/vault.yml"
                        f' and write "{ref}" here (or use !vault)'
                    )
                    self.err(owner, ".".join((*trail, name)), msg, (path, lines.get(key)))
                self._scan_secrets(owner, path, value, (*trail, name))
        elif isinstance(data, list):
            for item in data:
                self._scan_secrets(owner, path, item, trail)

    # vars files nobody uses

    def check_stray_vars(self) -> None:
        for group, gv in self.raw.group_vars.items():
            if group != "all" and group not in self.raw.groups and gv.files:
                msg = f"no group {group!r} in hosts.yml or merger_2025.yml; Ansible ignores this file"
                self.err(group, "group_vars", msg, (gv.files[0], None))
        for host, hv in self.raw.host_vars.items():
            if host not in self.raw.host_where and hv.files:
                self.err(
                    host,
                    "host_vars",
                    f"no host {host!r} in hosts.yml; Ansible ignores this file",
                    (hv.files[0], None),
                )


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text.strip())
    except ValueError:
        return False
    return True


# --- command line ----------------------------------------------------------------------------------


def summary(path: Path, problems: Iterable[Problem]) -> str:
    problems = list(problems)
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors
    verdict = "OK" if not errors else "FAILED"
    return f"{display_path(path)}: {verdict}: {errors} error(s), {warnings} warning(s)"


def add_parser(verbs: Any) -> None:
    parser = verbs.add_parser("check", help="validate an inventory directory (docs/inventory.md)")
    parser.add_argument(
        "-i",
        "--inventory",
        type=Path,
        metavar="DIR",
        help=f"inventory directory (default: {DEFAULT_INVENTORY})",
    )
    parser.add_argument("--json", action="store_true", help="print the problems as JSON")
    parser.add_argument("--strict", action="store_true", help="fail on warnings (placeholders) too")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    path: Path = args.inventory if args.inventory else repo_root() / DEFAULT_INVENTORY
    problems = check_inventory(path)
    failed = any(p.is_error for p in problems) or (args.strict and bool(problems))
    if args.json:
        report: dict[str, Any] = {
            "inventory": display_path(path),
            "ok": not failed,
            "errors": sum(p.is_error for p in problems),
            "warnings": sum(not p.is_error for p in problems),
            "problems": [p.as_dict() for p in problems],
        }
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        for problem in problems:
            print(problem)
        print(summary(path, problems) + (" (--strict: warnings fail)" if args.strict and problems and failed else ""))
    return 1 if failed else 0
