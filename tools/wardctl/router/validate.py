"""The router role's input checks, run on the controller before any device is touched.

One problem per string, naming the variable. The most important one: the management subnets must contain the
controller's own address (as seen from the router), so a push can never lock the controller out by design.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Mapping
from typing import Any

from wardctl.router import drivers
from wardctl.router.drivers import DIALECTS

_USER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
_BANNER_FORBIDDEN = set('@^"\\$?')
# DSCP names both templates know (RouterOS needs the numbers: roles/router/vars/main.yml).
DSCP_NAMES = ("ef", "af41", "af42", "af43", "cs4", "cs5", "af31")


def source_address(host: str, port: int = 22) -> str:
    """The controller's address towards `host` (a UDP connect picks the route; no packet is sent)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect((host, int(port)))
            return str(s.getsockname()[0])
    except (OSError, ValueError):
        return ""


def _number(v: Any) -> float | None:
    if isinstance(v, bool):
        return None
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def _networks(name: str, value: Any, problems: list[str], required: bool = False) -> list[ipaddress.IPv4Network]:
    if value is None or value == "":
        value = []
    if not isinstance(value, (list, tuple)):
        problems.append(f"{name}: must be a list of IPv4 CIDRs, got {value!r}")
        return []
    if required and not value:
        problems.append(f"{name}: must not be empty")
    out = []
    for item in value:
        try:
            out.append(ipaddress.IPv4Network(str(item), strict=False))
        except ValueError:
            problems.append(f"{name}: {item!r} is not an IPv4 address or CIDR")
    return out


def _addresses(name: str, value: Any, problems: list[str], required: bool = True) -> None:
    items = value if isinstance(value, (list, tuple)) else [value]
    if required and not [i for i in items if i not in (None, "")]:
        problems.append(f"{name}: must not be empty")
    for item in items:
        if item in (None, ""):
            continue
        try:
            ipaddress.IPv4Address(str(item))
        except ValueError:
            problems.append(f"{name}: {item!r} is not an IPv4 address")


def secret_problem(name: str, value: Any, dialect: str, min_len: int = 1) -> str:
    """Why a secret cannot be typed into this dialect's CLI ("" when it can). Control characters end or edit
    the line on every CLI; a dialect adds its own (IOS: `?` asks the parser for help)."""
    if not isinstance(value, str) or len(value) < min_len:
        return f"{name}: must be set (at least {min_len} characters)"
    if any(ch.isspace() or not ch.isprintable() for ch in value) or not value.isascii():
        return f"{name}: must be printable ASCII without spaces or control characters"
    forbidden = sorted(set(value) & set(drivers.driver(dialect).secret_forbidden)) if dialect in DIALECTS else []
    if forbidden:
        return f"{name}: {dialect} would interpret {' '.join(forbidden)} typed in its CLI; choose another value"
    return ""


def _secret(name: str, value: Any, problems: list[str], dialect: str, min_len: int = 1) -> None:
    if problem := secret_problem(name, value, dialect, min_len):
        problems.append(problem)


def input_problems(v: Mapping[str, Any]) -> list[str]:
    p: list[str] = []
    dtype = v.get("device_type")
    if dtype not in DIALECTS:
        p.append(f"router_device_type: {dtype!r} is not one of {', '.join(DIALECTS)}")
        return p
    wan = str(v.get("wan_interface") or "")
    driver = drivers.driver(str(dtype))
    pattern = driver.interface_pattern
    if not wan:
        p.append("router_wan_interface: must be set")
    elif not pattern.match(wan):
        p.append(f"router_wan_interface: {wan!r} is not an interface name of {dtype}")
    for key in ("line_down_mbps", "line_up_mbps"):
        n = _number(v.get(key))
        if n is None or n <= 0:
            p.append(f"router_{key}: must be a positive number, got {v.get(key)!r}")
    shape = _number(v.get("shape_percent"))
    if shape is None or not 50 <= shape <= 100:
        p.append(f"router_qos_shape_percent: must be 50-100 (90-95 recommended), got {v.get('shape_percent')!r}")
    audio, video = _number(v.get("audio_percent")), _number(v.get("video_percent"))
    if audio is None or video is None or audio <= 0 or video <= 0 or audio + video > 90:
        p.append("router_qos_audio_percent + router_qos_video_percent: each positive, together at most 90")

    for key in ("audio_dscp", "video_dscp"):
        names = v.get(key)
        if not isinstance(names, (list, tuple)) or not names or any(n not in DSCP_NAMES for n in names):
            p.append(f"router_qos_{key}: a non-empty list of {', '.join(DSCP_NAMES)}, got {names!r}")

    mgmt = _networks("router_mgmt_subnets", v.get("mgmt_subnets"), p, required=True)
    controller = str(v.get("controller_address") or "") or source_address(str(v.get("host") or ""), v.get("port") or 22)
    if not v.get("allow_lockout"):
        if not controller:
            p.append(
                f"router_controller_address: cannot tell the controller's address towards {v.get('host')!r}; "
                "set it (the address the router sees the controller connect from)"
            )
        elif mgmt and not any(ipaddress.IPv4Address(controller) in n for n in mgmt if _is_v4(controller)):
            p.append(
                f"router_mgmt_subnets: {', '.join(str(n) for n in mgmt)} does not contain the controller's address "
                f"{controller}: the push would lock the controller out"
            )
    _addresses("router_ntp_servers", v.get("ntp_servers"), p)
    _addresses("router_dns_servers", v.get("dns_servers"), p)
    _addresses("router_syslog_server", v.get("syslog_server"), p)
    for key in ("conference_service_subnets", "city_hall_subnets", "province_meeting_subnets"):
        _networks(f"router_{key}", v.get(key), p)

    banner = v.get("banner")
    if not isinstance(banner, str) or not banner.strip():
        p.append("router_login_banner: must be set")
    elif "\n" in banner or not banner.isascii() or _BANNER_FORBIDDEN & set(banner) or len(banner) > 200:
        p.append('router_login_banner: one line of at most 200 ASCII characters, without @ ^ " \\ $ ?')

    user = v.get("username")
    if not isinstance(user, str) or not _USER.match(user):
        p.append("router_username: must be a plain user name (letters, digits, . _ -)")
    _secret("router_password", v.get("password"), p, dtype, 8)
    if v.get("password_next"):  # a rotation under way (roles/router/README.md)
        _secret("router_password_next", v.get("password_next"), p, dtype, 8)
    if driver.uses_enable_secret:
        _secret("router_enable_secret", v.get("enable_secret"), p, dtype, 8)
    if v.get("snmpv3_enabled"):
        if not isinstance(v.get("snmpv3_user"), str) or not _USER.match(v["snmpv3_user"]):
            p.append("router_snmpv3_user: must be a plain user name")
        _secret("router_snmpv3_auth_key", v.get("snmpv3_auth_key"), p, dtype, 8)
        _secret("router_snmpv3_priv_key", v.get("snmpv3_priv_key"), p, dtype, 8)
    minutes, seconds = _number(v.get("revert_minutes")), _number(v.get("revert_seconds"))
    if minutes is None or not 1 <= minutes <= 120 or minutes != int(minutes):
        p.append("router_revert_minutes: a whole number of minutes, 1-120")
    if seconds is None or not 5 <= seconds <= 7200:
        p.append("router_revert_seconds: 5-7200")
    return p


def _is_v4(addr: str) -> bool:
    try:
        ipaddress.IPv4Address(addr)
    except ValueError:
        return False
    return True
