"""Host checks: each host's ward, role, platform, address and port; routers' dialect and line; stray vars files."""

from __future__ import annotations

from wardctl.inventory.checks.base import CheckerBase, Host, Where
from wardctl.inventory.layout import DEFAULT_PORTS, MERGER_FILE, ROLE_GROUPS
from wardctl.inventory.model import PLATFORMS, SUPPORTED_DEVICE_TYPES
from wardctl.inventory.reader import display_path
from wardctl.inventory.rules import address_error, port_error, positive_number_error, shown, text_error


class HostChecks(CheckerBase):
    def check_hosts(self) -> None:
        seen: dict[tuple[str, int], Host] = {}
        for name in self.raw.hosts:
            host = Host(name, self.raw.host_vars_of(name), self.root / "host_vars" / f"{name}.yml")
            self.check_host(host, self.raw.host_where[name], seen)

    def required(self, host: Host, var: str) -> object:
        value = host.vars.get(var)
        if value is None and not host.vars.opaque:
            self.err(host.name, var, "missing", host.at(var))
        return value

    def check_host(self, host: Host, where: Where, seen: dict[tuple[str, int], Host]) -> None:
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

    def check_router(self, host: Host, where: Where, platforms: list[str]) -> None:
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

    # vars files nobody uses

    def check_stray_vars(self) -> None:
        for group, gv in self.raw.group_vars.items():
            if group != "all" and group not in self.raw.groups and gv.files:
                msg = f"no group {group!r} in hosts.yml or {MERGER_FILE}; Ansible ignores this file"
                self.err(group, "group_vars", msg, (gv.files[0], None))
        for host, hv in self.raw.host_vars.items():
            if host not in self.raw.host_where and hv.files:
                self.err(
                    host,
                    "host_vars",
                    f"no host {host!r} in hosts.yml; Ansible ignores this file",
                    (hv.files[0], None),
                )
