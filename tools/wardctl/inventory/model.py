"""The city as data: what an inventory directory describes (see docs/inventory.md)."""

from __future__ import annotations

from dataclasses import dataclass, field

from wardctl.inventory.layout import DEFAULT_CONFERENCE_SERVICE
from wardctl.router.drivers import DIALECTS

# Netmiko device types the router role and the lab simulators speak.
SUPPORTED_DEVICE_TYPES = DIALECTS  # the router drivers' registry
PLATFORMS = ("linux", "windows")
WARD_KINDS = ("city_hall", "phuong", "xa")


@dataclass
class Router:
    name: str
    device_type: str
    address: str
    port: int = 22
    wan_interface: str = ""
    line_down_mbps: float = 0.0
    line_up_mbps: float = 0.0


@dataclass
class Endpoint:
    name: str
    address: str
    platform: str
    role: str  # "meeting_room" | "leader_pc" | "city_services"
    port: int = 22
    department: str = ""


@dataclass
class Ward:
    id: str
    display_name: str
    kind: str
    technician_name: str = ""
    technician_phone: str = ""
    router: Router | None = None
    endpoints: list[Endpoint] = field(default_factory=list)

    @property
    def hosts(self) -> list[str]:
        names = [self.router.name] if self.router else []
        return names + [e.name for e in self.endpoints]


@dataclass
class CityServices:
    mgmt_subnets: list[str]
    mirror_url: str
    ntp_servers: list[str]
    dns_servers: list[str]
    syslog_server: str
    iperf_server: str
    province_meeting_server: str
    conference_service: str = DEFAULT_CONFERENCE_SERVICE


@dataclass
class Merger:
    id: str
    display_name: str
    wards: list[str]


@dataclass
class City:
    id: str
    display_name: str
    services: CityServices
    wards: list[Ward]
    mergers: list[Merger] = field(default_factory=list)
    # The city's own schedule, optional: the date every ward should be online (YYYY-MM-DD) and its time zone
    # (an IANA name); the reports read them, the kit assumes none of its own.
    rollout_deadline: str = ""
    timezone: str = ""

    def ward(self, ward_id: str) -> Ward:
        for w in self.wards:
            if w.id == ward_id:
                return w
        raise KeyError(ward_id)
