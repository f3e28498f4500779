"""The inventory format of docs/inventory.md as constants: file names, fixed groups, and what each variable is.

One place for every name the reader, checker, writer and importer share, so that nothing about one city
(its wards, its merger year) is spelled out as logic elsewhere. The merger file and variable names carry a
year because they are part of the documented format that every city's inventory uses, not Vũng Tàu's data.
"""

from __future__ import annotations

HOSTS_FILE = "hosts.yml"
# The 2025 ward mergers, as extra groups: the file, its group-name prefix and the display-name variable.
MERGER_FILE = "merger_2025.yml"
MERGER_PREFIX = "merged_2025_"
MERGER_NAME_VAR = "merged_2025_display_name"
CITY_FILE = ("group_vars", "all", "city.yml")
VAULT_HEADER = "$ANSIBLE_VAULT;"

# Groups whose membership gives an endpoint its role (model.Endpoint.role).
ROLE_GROUPS = {"meeting_rooms": "meeting_room", "leader_pcs": "leader_pc", "city_services": "city_services"}
# Ports used when host_vars give none: SSH for routers and Linux, WinRM over HTTPS (windows.yml).
DEFAULT_PORTS = {"router": 22, "linux": 22, "windows": 5986}
REQUIRED_GROUP_VARS = ("routers", "linux", "windows")
ROUTER_CREDENTIALS = ("router_username", "router_password", "router_enable_secret")
DEFAULT_CONFERENCE_SERVICE = "zavi.me"

# Variables that hold data about people and places. Ansible evaluates inventory strings as Jinja, and this data
# comes from spreadsheets and technicians, so none of it may contain a template or a control character.
DATA_FIELDS = frozenset(
    {
        # group_vars/all/city.yml
        "city_id",
        "city_display_name",
        "city_wards",
        "city_mgmt_subnets",
        "city_mirror_url",
        "city_ntp_servers",
        "city_dns_servers",
        "city_syslog_server",
        "city_iperf_server",
        "city_province_meeting_server",
        "city_conference_service",
        "city_rollout_deadline",
        "city_timezone",
        # group_vars/<ward_id>.yml
        "ward_display_name",
        "ward_kind",
        "ward_technician_name",
        "ward_technician_phone",
        # host_vars/<host>.yml
        "ansible_host",
        "ansible_port",
        "router_device_type",
        "router_wan_interface",
        "router_line_down_mbps",
        "router_line_up_mbps",
        "leader_department",
        # merger_2025.yml
        MERGER_NAME_VAR,
    }
)
# Credentials the kit writes as a reference to the vault: the one place a template is part of the format.
# Every other secret-named variable (password, secret, passphrase, *_key) follows the same rule.
VAULT_REFERENCE_FIELDS = frozenset({*ROUTER_CREDENTIALS, "ansible_user", "ansible_password"})
