"""Read an inventory directory (docs/inventory.md) into the City model.

The files are read by wardctl.inventory.raw (and each YAML file by wardctl.inventory.yamlfile); the names of
both are re-exported here, where the rest of wardctl has always imported them from.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from wardctl.errors import WardctlError
from wardctl.inventory.layout import (
    DEFAULT_CONFERENCE_SERVICE,
    DEFAULT_PORTS,
    MERGER_NAME_VAR,
    ROLE_GROUPS,
)
from wardctl.inventory.layout import (
    MERGER_PREFIX as MERGER_PREFIX,  # format constants live in layout; kept importable here
)
from wardctl.inventory.layout import (
    VAULT_HEADER as VAULT_HEADER,
)
from wardctl.inventory.model import (
    PLATFORMS,
    City,
    CityServices,
    Endpoint,
    Merger,
    Router,
    Ward,
)
from wardctl.inventory.raw import Group as Group
from wardctl.inventory.raw import RawInventory, load_raw
from wardctl.inventory.raw import Vars as Vars
from wardctl.inventory.yamlfile import LineDict as LineDict
from wardctl.inventory.yamlfile import LineList as LineList
from wardctl.inventory.yamlfile import Problem as Problem
from wardctl.inventory.yamlfile import UnsafeText as UnsafeText
from wardctl.inventory.yamlfile import VaultValue, display_path
from wardctl.inventory.yamlfile import YamlFile as YamlFile
from wardctl.inventory.yamlfile import error as error
from wardctl.inventory.yamlfile import kind_of as kind_of
from wardctl.inventory.yamlfile import load_yaml as load_yaml
from wardctl.inventory.yamlfile import warning as warning


def read_inventory(root: Path) -> City:
    """The City an inventory describes. Raises WardctlError if its files cannot be parsed.

    Lenient about content (missing values become empty): validate with check.check_inventory()
    or check.read_checked() when correctness matters.
    """
    raw = load_raw(root)
    fatal = [p for p in raw.problems if p.is_error and p.field in ("inventory", "file", "yaml")]
    if fatal:
        raise WardctlError(f"cannot read inventory {display_path(root)}: {str(fatal[0]).removeprefix('ERROR ')}")
    return build_city(raw)


def build_city(raw: RawInventory) -> City:
    city = raw.group_vars_of("all")
    wards_group = set(raw.children("wards"))
    registry = [w for w in _as_list(city.get("city_wards")) if isinstance(w, str)]
    ward_ids = list(dict.fromkeys([w for w in registry if w in wards_group] + raw.children("wards")))
    routers = set(raw.members("routers"))
    wards = [_build_ward(raw, ward_id, routers) for ward_id in ward_ids]
    services = CityServices(
        mgmt_subnets=[_text(v) for v in _as_list(city.get("city_mgmt_subnets"))],
        mirror_url=_text(city.get("city_mirror_url")),
        ntp_servers=[_text(v) for v in _as_list(city.get("city_ntp_servers"))],
        dns_servers=[_text(v) for v in _as_list(city.get("city_dns_servers"))],
        syslog_server=_text(city.get("city_syslog_server")),
        iperf_server=_text(city.get("city_iperf_server")),
        province_meeting_server=_text(city.get("city_province_meeting_server")),
        conference_service=_text(city.get("city_conference_service")) or DEFAULT_CONFERENCE_SERVICE,
    )
    mergers = [
        Merger(name, _text(raw.group_vars_of(name).get(MERGER_NAME_VAR)), raw.children(name))
        for name in raw.merger_groups
    ]
    return City(
        id=_text(city.get("city_id")),
        display_name=_text(city.get("city_display_name")),
        services=services,
        wards=wards,
        mergers=mergers,
        rollout_deadline=_text(city.get("city_rollout_deadline")),
        timezone=_text(city.get("city_timezone")),
    )


def _build_ward(raw: RawInventory, ward_id: str, routers: set[str]) -> Ward:
    gv = raw.group_vars_of(ward_id)
    ward = Ward(
        id=ward_id,
        display_name=_text(gv.get("ward_display_name")),
        kind=_text(gv.get("ward_kind")),
        technician_name=_text(gv.get("ward_technician_name")),
        technician_phone=_text(gv.get("ward_technician_phone")),
    )
    for host in raw.members(ward_id):
        hv = raw.host_vars_of(host)
        groups = raw.groups_of(host)
        if host in routers and ward.router is None:
            dialects = [g for g in raw.children("routers") if g in groups]
            ward.router = Router(
                name=host,
                device_type=dialects[0] if dialects else _text(hv.get("router_device_type")),
                address=_text(hv.get("ansible_host")),
                port=_port(hv.get("ansible_port"), DEFAULT_PORTS["router"]),
                wan_interface=_text(hv.get("router_wan_interface")),
                line_down_mbps=_number(hv.get("router_line_down_mbps")),
                line_up_mbps=_number(hv.get("router_line_up_mbps")),
            )
            continue
        roles = [role for group, role in ROLE_GROUPS.items() if group in groups]
        if not roles:
            continue
        platform = next((p for p in PLATFORMS if p in groups), "")
        ward.endpoints.append(
            Endpoint(
                name=host,
                address=_text(hv.get("ansible_host")),
                platform=platform,
                role=roles[0],
                port=_port(hv.get("ansible_port"), DEFAULT_PORTS.get(platform, 22)),
                department=_text(hv.get("leader_department")),
            )
        )
    return ward


def _text(value: object) -> str:
    if value is None or isinstance(value, VaultValue | dict | list):
        return ""
    return str(value)


def _as_list(value: object) -> list[Any]:
    return list(value) if isinstance(value, list) else []


def _number(value: object) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return 0.0


def _port(value: object, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default
