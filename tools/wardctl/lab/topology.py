"""The lab city: the real city's wards, device types and names, on lab addresses.

Every endpoint becomes a Debian container on the lab bridge (Windows PCs included: their roles are only linted
here), every router a simulator on its own loopback address. The result is an ordinary `City`, so the lab
inventory is written by the same writer as any other and has exactly the production shape.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, replace

from wardctl.errors import WardctlError
from wardctl.inventory.model import City, CityServices, Endpoint, Router, Ward
from wardctl.lab.config import ROUTER_PORT, LabConfig

LEADER_PCS_IN_LAB = 2  # enough to run the leader-PC plays for real without a container per department
ROOM_BASE, LEADER_BASE, SERVICES_HOST = 10, 100, 2
WAN_INTERFACE = {"cisco_ios": "GigabitEthernet0/0/0", "mikrotik_routeros": "ether1"}


@dataclass(frozen=True)
class Impairment:
    """A ward's bad line, applied on the host side of its endpoint's link so the endpoint cannot undo it."""

    ward: str
    rate_kbit: int = 0  # 0: no shaping
    loss_percent: float = 0.0  # each direction: a ping round trip loses about twice this


DEFAULT_IMPAIRMENTS = (Impairment("long_son", rate_kbit=1000), Impairment("thang_tam", loss_percent=3.0))


def select_wards(city: City, count: int | None) -> list[Ward]:
    """City hall (the hub) plus the first `count` wards in registry order (None: every ward of the city)."""
    hub = [w for w in city.wards if w.kind == "city_hall"]
    others = [w for w in city.wards if w.kind != "city_hall"]
    if count is not None and not 1 <= count <= len(others):
        raise WardctlError(f"--wards: must be between 1 and {len(others)}, got {count}")
    return hub + (others if count is None else others[:count])


def lab_city(city: City, cfg: LabConfig, count: int | None = None) -> City:
    net = cfg.subnet
    services_ip = str(net.network_address + SERVICES_HOST)
    wards: list[Ward] = []
    room_no = leader_no = 0
    for index, ward in enumerate(select_wards(city, count)):
        router = None
        if ward.router is not None:
            dialect = ward.router.device_type
            router = replace(
                ward.router,
                address=str(cfg.router_net.network_address + 2 + index),
                port=ROUTER_PORT,
                wan_interface=WAN_INTERFACE.get(dialect, ward.router.wan_interface),
            )
        endpoints: list[Endpoint] = []
        for ep in ward.endpoints:
            if ep.role == "leader_pc":
                if leader_no >= LEADER_PCS_IN_LAB:
                    continue
                address = net.network_address + LEADER_BASE + leader_no
                leader_no += 1
            elif ep.role == "city_services":
                address = ipaddress.ip_address(services_ip)
            else:
                address = net.network_address + ROOM_BASE + room_no
                room_no += 1
            endpoints.append(replace(ep, address=str(address), platform="linux", port=22))
        wards.append(replace(ward, router=router, endpoints=endpoints))
    services = CityServices(
        mgmt_subnets=[f"{cfg.gateway}/32", "127.0.0.1/32"],
        mirror_url=f"http://{services_ip}/",
        ntp_servers=[services_ip],
        dns_servers=[services_ip],
        syslog_server=services_ip,
        iperf_server=services_ip,
        province_meeting_server="meet.province.test",  # answered by city hall's lab DNS (RFC 2606 name)
        conference_service=city.services.conference_service,
    )
    lab_ids = {w.id for w in wards}
    mergers = [replace(m, wards=[w for w in m.wards if w in lab_ids]) for m in city.mergers]
    return City(
        id=f"{city.id}_lab",
        display_name=f"{city.display_name} (lab)",
        services=services,
        wards=wards,
        mergers=[m for m in mergers if m.wards],
        rollout_deadline=city.rollout_deadline,  # the lab's dashboard counts down like the city's
        timezone=city.timezone,
    )


def routers(city: City) -> list[tuple[Ward, Router]]:
    return [(w, w.router) for w in city.wards if w.router is not None]


def endpoints(city: City) -> list[tuple[Ward, Endpoint]]:
    return [(w, e) for w in city.wards for e in w.endpoints]
