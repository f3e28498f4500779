"""City-wide checks: group_vars/all/city.yml (services, the ward registry), the vault, the fixed groups."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from urllib.parse import urlsplit

from wardctl.inventory.checks.base import CheckerBase, Where
from wardctl.inventory.layout import CITY_FILE, REQUIRED_GROUP_VARS, ROUTER_CREDENTIALS
from wardctl.inventory.raw import Vars
from wardctl.inventory.rules import (
    PLACEHOLDER_NETS,
    address_error,
    data_text_error,
    is_group_name,
    is_ip,
    rollout_deadline_error,
    shown,
    text_error,
    timezone_error,
)
from wardctl.inventory.yamlfile import LineList


class CityChecks(CheckerBase):
    def check_city(self) -> None:
        city_file = self.root.joinpath(*CITY_FILE)
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
            self.err("city", "city_id", f"must be a short id like 'mycity', got {shown(city_id)}", at("city_id"))
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
        if address_error(service) or not isinstance(service, str) or is_ip(service):
            self.err(
                "city",
                "city_conference_service",
                f"must be a domain name, got {shown(service)}",
                at("city_conference_service"),
            )
        self.check_schedule(cv.get("city_rollout_deadline"), cv.get("city_timezone"), at)

    def check_schedule(self, deadline: object, zone: object, at: Callable[[str], Where]) -> None:
        """Both optional; when set, a date the reports can count down to and a zone they can show times in."""
        if deadline is not None and rollout_deadline_error(deadline):
            self.err("city", "city_rollout_deadline", f"must be a date like 2030-06-30, got {shown(deadline)}",
                     at("city_rollout_deadline"))  # fmt: skip
        if zone is not None and timezone_error(zone):
            self.err("city", "city_timezone", f"must be a time zone name like Asia/Ho_Chi_Minh, got {shown(zone)}",
                     at("city_timezone"))  # fmt: skip

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
                # Named by itself when printable; text that is unsafe data was reported (as the city's) already.
                printable = isinstance(ward, str) and not data_text_error(ward)
                self.err(str(ward) if printable else "city", "city_wards", msg, here)
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
