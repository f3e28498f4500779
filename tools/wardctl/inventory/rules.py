"""The value rules: what a valid ward id, address, port, phone, name... is. Pure functions, no I/O.

Shared by the checker (values read from YAML) and the spreadsheet importer (cells), so a value is judged the
same way wherever it comes from. Each `*_error` returns why a value is wrong, or None when it is fine.
"""

from __future__ import annotations

import datetime
import ipaddress
import math
import re
import unicodedata
import zoneinfo
from collections.abc import Iterator

from wardctl.inventory.layout import MERGER_NAME_VAR, MERGER_PREFIX, ROLE_GROUPS
from wardctl.inventory.model import PLATFORMS, SUPPORTED_DEVICE_TYPES, WARD_KINDS, City
from wardctl.inventory.yamlfile import UnsafeText, VaultValue, kind_of

# RFC 5737 documentation ranges and reserved names: what the kit uses until real addresses exist.
PLACEHOLDER_NETS = tuple(ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"))
PLACEHOLDER_SUFFIXES = (".invalid", ".example")
GROUP_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# What starts a Jinja expression, statement or comment: Ansible evaluates any inventory string holding one.
TEMPLATE_MARKERS = ("{{", "{%", "{#")
_HOST_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
_SECRET_NAME = re.compile(r"password|secret|passphrase|_key$", re.IGNORECASE)
_SECRET_EXEMPT = {"ansible_ssh_private_key_file"}
# The only template the format allows: one vault variable and nothing else (no filters, no lookups).
_EXACT_VAULT_REF = re.compile(r"^\{\{ *vault_\w+ *\}\}$")
# Unicode line and paragraph separators count: YAML and str.splitlines() both break lines on them.
_CONTROL_CATEGORIES = {"Cc", "Zl", "Zp"}
_CONTROL_NAMES = {"\t": "tab", "\n": "newline", "\r": "carriage return", "\x7f": "DEL"}


def shown(value: object) -> str:
    """A value as the user wrote it, for `got ...` in messages."""
    if isinstance(value, bool):
        return str(value).lower()
    if value is None:
        return "nothing"
    if isinstance(value, str):
        return repr(str(value))
    if isinstance(value, VaultValue | list | dict):
        return kind_of(value)
    return str(value)


def is_group_name(value: object) -> bool:
    return isinstance(value, str) and bool(GROUP_NAME.match(value))


def is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text.strip())
    except ValueError:
        return False
    return True


def address_error(value: object) -> str | None:
    """Why `value` is not an IP address or DNS host name, or None if it is one."""
    if not isinstance(value, str):
        return f"must be an IP address or host name, got {shown(value)}"
    text = value.strip()
    if not text:
        return "must be an IP address or host name, got an empty value"
    if is_ip(text):
        return None
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


def rollout_deadline_error(value: object) -> str | None:
    """A YAML date (unquoted 2021-06-30) or its ISO text."""
    if isinstance(value, datetime.date):
        return None
    try:
        datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        return f"not a date: {shown(value)}"
    return None


def timezone_error(value: object) -> str | None:
    """An IANA time zone name the controller knows (the reports show times in it)."""
    try:
        zoneinfo.ZoneInfo(str(value))
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        return f"not a time zone: {shown(value)}"
    return None


def is_secret_name(name: str) -> bool:
    return name not in _SECRET_EXEMPT and bool(_SECRET_NAME.search(name))


def is_exact_vault_reference(value: str) -> bool:
    """`{{ vault_router_password }}` and nothing else: the one template the inventory format allows."""
    return bool(_EXACT_VAULT_REF.match(value.strip()))


def template_marker(text: str) -> str | None:
    """The first Jinja marker in `text`, if any."""
    found = [(text.index(m), m) for m in TEMPLATE_MARKERS if m in text]
    return min(found)[1] if found else None


def control_character(text: str) -> str | None:
    """How to name the first control character (C0, DEL, C1, line/paragraph separator) in `text`, if any."""
    for ch in text:
        if unicodedata.category(ch) in _CONTROL_CATEGORIES:
            code = f"U+{ord(ch):04X}"
            return f"{_CONTROL_NAMES[ch]} ({code})" if ch in _CONTROL_NAMES else code
    return None


def data_text_error(value: str) -> str | None:
    """Why a piece of data (a name, an address, a phone...) must not be used as it is, or None.

    A template marker would make Ansible run the text as code on the controller; a control character breaks
    the one-line files (.desktop, configs, reports) the data ends up in. `!unsafe` text is never evaluated, so
    only its control characters count.
    """
    marker = None if isinstance(value, UnsafeText) else template_marker(value)
    if marker:
        return f"contains the template marker {marker!r}, which Ansible would run as code; remove it"
    control = control_character(value)
    if control:
        return f"contains a control character, {control}; data must be one line of plain text"
    return None


def city_data(city: City) -> Iterator[tuple[str, str, str]]:
    """(subject, variable, text) for every piece of data about people and places the files will hold."""
    s = city.services
    yield "city", "city_id", city.id
    yield "city", "city_display_name", city.display_name
    for name, values in (
        ("city_mgmt_subnets", s.mgmt_subnets),
        ("city_mirror_url", [s.mirror_url]),
        ("city_ntp_servers", s.ntp_servers),
        ("city_dns_servers", s.dns_servers),
        ("city_syslog_server", [s.syslog_server]),
        ("city_iperf_server", [s.iperf_server]),
        ("city_province_meeting_server", [s.province_meeting_server]),
        ("city_conference_service", [s.conference_service]),
    ):
        for value in values:
            yield "city", name, value
    for ward in city.wards:
        yield ward.id, "ward_display_name", ward.display_name
        yield ward.id, "ward_technician_name", ward.technician_name
        yield ward.id, "ward_technician_phone", ward.technician_phone
        if ward.router:
            yield ward.router.name, "ansible_host", ward.router.address
            yield ward.router.name, "router_wan_interface", ward.router.wan_interface
        for endpoint in ward.endpoints:
            yield endpoint.name, "ansible_host", endpoint.address
            yield endpoint.name, "leader_department", endpoint.department
    for merger in city.mergers:
        yield merger.id, MERGER_NAME_VAR, merger.display_name


def city_error(city: City) -> str | None:
    """Why the layout cannot express `city` (the first reason), or None; the checker catches finer points."""
    # Whoever built the City (importer, lab, a script): data that Ansible would run, or that would break out of
    # the YAML comments it is also written into, never reaches a file.
    for subject, name, text in city_data(city):
        problem = data_text_error(text)
        if problem:
            return f"{subject}: {name}: {problem}"
    seen: set[str] = set()
    ward_ids: set[str] = set()
    for ward in city.wards:
        if not ward.id.isidentifier() or ward.id in ward_ids:
            return f"ward id {ward.id!r} is not a valid, unique Ansible group name"
        ward_ids.add(ward.id)
        if ward.kind not in WARD_KINDS:
            return f"ward {ward.id}: kind {ward.kind!r} is not one of {', '.join(WARD_KINDS)}"
        if ward.router and ward.router.device_type not in SUPPORTED_DEVICE_TYPES:
            return f"ward {ward.id}: router device type {ward.router.device_type!r} is not supported"
        for endpoint in ward.endpoints:
            if endpoint.platform not in PLATFORMS or endpoint.role not in ROLE_GROUPS.values():
                return f"host {endpoint.name}: platform {endpoint.platform!r} / role {endpoint.role!r} unknown"
        for host in ward.hosts:
            if host in seen or not host or any(ch.isspace() or ch in "/\\" for ch in host):
                return f"host name {host!r} is empty, repeated or not usable as a file name"
            seen.add(host)
    if city.rollout_deadline and (problem := rollout_deadline_error(city.rollout_deadline)):
        return f"city_rollout_deadline: {problem}"
    if city.timezone and (problem := timezone_error(city.timezone)):
        return f"city_timezone: {problem}"
    for merger in city.mergers:
        if not merger.id.startswith(MERGER_PREFIX) or not merger.id.isidentifier():
            return f"merger {merger.id!r}: merger groups are named {MERGER_PREFIX}<id>"
    return None
