"""The router package without a lab: diffs per dialect, secrets, masking, input checks, backup files."""

from __future__ import annotations

import ast
import os
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from wardctl.router import backup, validate
from wardctl.router.drivers import DIALECTS, driver
from wardctl.router.drivers.cisco_ios import diff as iosdiff
from wardctl.router.drivers.cisco_ios.driver import IosDriver
from wardctl.router.drivers.cisco_ios.hashes import ios_type9, ios_verify
from wardctl.router.drivers.mikrotik_routeros import diff as rosdiff
from wardctl.router.drivers.mikrotik_routeros import revert
from wardctl.router.drivers.mikrotik_routeros.driver import RosDriver
from wardctl.router.secrets import MASK, Masker

IOS_RUNNING = """Building configuration...

Current configuration : 900 bytes
!
! Last configuration change at 04:57:43 UTC Sun Nov 29 2026 by console
!
version 16.9
hostname P1
enable secret 9 {enable}
username wardops secret 9 {user}
ip access-list standard WARDKIT-MGMT
 permit 127.0.0.1
 permit 10.9.9.9
class-map match-any WARDKIT-AUDIO
 match  dscp ef
policy-map WARDKIT-SHAPE
 class class-default
  shape average 30000000
interface GigabitEthernet0/0/0
 no ip address
 service-policy output WARDKIT-SHAPE
interface GigabitEthernet0/0/1
 service-policy output WARDKIT-OLD
ip route 0.0.0.0 0.0.0.0 192.0.2.1
ntp server 192.0.2.99
banner login ^CHello there^C
line vty 0 4
 login local
!
end
"""

IOS_INTENDED = """username wardops secret 0 {password}
enable secret 0 {enable_pw}
ip access-list standard WARDKIT-MGMT
 permit 127.0.0.1
class-map match-any WARDKIT-AUDIO
 match dscp ef
policy-map WARDKIT-SHAPE
 class class-default
  shape average 36000000
interface GigabitEthernet0/0/0
 service-policy output WARDKIT-SHAPE
ntp server 10.0.0.2
banner login @Hello there@
line vty 0 4
 access-class WARDKIT-MGMT in
 login local
"""


@pytest.fixture(scope="module")
def ios_pair() -> tuple[str, str]:
    password, enable_pw = "Ward-pass-1", "Enable-pass-2"
    running = IOS_RUNNING.format(user=ios_type9(password), enable=ios_type9(enable_pw))
    return IOS_INTENDED.format(password=password, enable_pw=enable_pw), running


def test_ios_plan_pushes_only_what_is_missing(ios_pair):
    intended, running = ios_pair
    plan = iosdiff.plan(intended, running)
    assert plan.commands == [
        # in the intended order, block by block; inside a block additions before removals
        "ip access-list standard WARDKIT-MGMT", "no permit 10.9.9.9", "exit",
        "policy-map WARDKIT-SHAPE", "class class-default", "shape average 36000000", "exit", "exit",
        "ntp server 10.0.0.2",
        "line vty 0 4", "access-class WARDKIT-MGMT in", "exit",
        # then what the kit manages and no longer wants: a reference to a kit policy on another interface,
        # a stale ntp server. The static route is not the kit's: it stays.
        "interface GigabitEthernet0/0/1", "no service-policy output WARDKIT-OLD", "exit",
        "no ntp server 192.0.2.99",
    ]  # fmt: skip
    # the replaced `shape average 30000000` is not also removed (that would remove the new value on IOS)
    assert not any("no shape" in c for c in plan.commands)
    assert "+   shape average 36000000" in plan.diff and "- ntp server 192.0.2.99" in plan.diff


def test_ios_secrets_compare_by_hash_and_leave_hashed(ios_pair):
    intended, running = ios_pair
    assert not any(c.startswith(("username", "enable")) for c in iosdiff.plan(intended, running).commands)
    rotated = intended.replace("Ward-pass-1", "Ward-pass-NEW")
    cmds = iosdiff.plan(rotated, running).commands
    user = [c for c in cmds if c.startswith("username")]
    assert len(user) == 1 and re.fullmatch(r"username wardops secret 9 \$9\$\S{14}\$\S{43}", user[0])
    assert ios_verify("9", user[0].split()[-1], "Ward-pass-NEW") and "Ward-pass-NEW" not in user[0]
    # Proven by the login itself: no scrypt needed, equal whatever the hash.
    proven = {("username", "wardops")}
    assert not any(c.startswith("username") for c in iosdiff.plan(rotated, running, None, proven).commands)


def test_ios_second_plan_is_empty_after_applying(ios_pair):
    """Applying the plan's lines to the parsed running config gives a config with nothing left to push."""
    intended, running = ios_pair
    applied = running.replace(" permit 10.9.9.9\n", "").replace("shape average 30000000", "shape average 36000000")
    applied = applied.replace("ntp server 192.0.2.99", "ntp server 10.0.0.2")
    applied = applied.replace(" service-policy output WARDKIT-OLD\n", "")
    applied = applied.replace("line vty 0 4\n login local", "line vty 0 4\n access-class WARDKIT-MGMT in\n login local")
    assert iosdiff.plan(intended, applied).commands == []


def test_ios_hidden_snmp_users():
    intended = (
        "snmp-server group WARDKIT-V3 v3 priv\nsnmp-server user mon WARDKIT-V3 v3 auth sha K1k1k1k1 priv aes 128 K2"
    )
    running = "snmp-server group WARDKIT-V3 v3 priv\n"
    shown = iosdiff.parse_snmp_users(
        "User name: mon\nEngine ID: 1\nGroup-name: WARDKIT-V3\n\nUser name: old\nGroup-name: WARDKIT-V3\n"
    )
    assert shown == {"mon": "WARDKIT-V3", "old": "WARDKIT-V3"}
    plan = iosdiff.plan(intended, running, iosdiff.snmp_user_present(shown))
    assert plan.commands == []
    assert iosdiff.stale_hidden(intended, shown) == ["no snmp-server user old WARDKIT-V3 v3"]


def test_ios_snmp_fingerprint_makes_a_rotated_key_a_change():
    """IOS never shows SNMPv3 keys: the template keeps a keyed fingerprint as an ACL remark; when the vault's
    key changes, the remark differs and the user counts as absent, so its keys are pushed again."""
    old = "ip access-list standard WARDKIT-SECRETS\n remark snmpv3 mon 0123456789abcdef0123\n"
    new = "ip access-list standard WARDKIT-SECRETS\n remark snmpv3 mon fedcba9876543210fedc\n"
    assert iosdiff.fingerprints_current(old, old) and iosdiff.fingerprints_current("hostname A\n", old)
    assert not iosdiff.fingerprints_current(new, old)
    plan = iosdiff.plan(new, old)
    assert plan.commands == [
        "ip access-list standard WARDKIT-SECRETS", "remark snmpv3 mon fedcba9876543210fedc",
        "no remark snmpv3 mon 0123456789abcdef0123", "exit",
    ]  # fmt: skip


def test_ios_body_ignores_comments_and_headers():
    a = "Building configuration...\n\nCurrent configuration : 10 bytes\n!\n! Last change by x\nhostname A\nend\n"
    b = "!\n! Last change by rollback\n!\nhostname A\nend\n"
    assert IosDriver.same(a, b)
    assert IosDriver.qos_attached(IOS_RUNNING, "GigabitEthernet0/0/0", "WARDKIT-SHAPE")
    assert not IosDriver.qos_attached(IOS_RUNNING, "GigabitEthernet0/0/1", "WARDKIT-SHAPE")


ROS_RUNNING = """# 2026-11-29 04:57:44 by RouterOS 7.14.3
# software id = 8D88-FDO8
#
# model = RB750Gr3
/queue tree
add max-limit=36800k name=wardkit-up parent=ether1
add max-limit=10M name=wardkit-old parent=ether1
add max-limit=1M name=mine parent=ether1
/ip firewall address-list
add address=10.0.0.1 list=wardkit-peers
/ip firewall mangle
add action=mark-packet chain=postrouting comment=wardkit-b new-packet-mark=b \\
    passthrough=no
add action=mark-packet chain=postrouting comment=wardkit-a new-packet-mark=a \\
    passthrough=no
/ip service
set telnet disabled=yes
set ssh address=127.0.0.1/32
/ip ssh
set strong-crypto=yes
/system logging action
set [ find name=remote ] remote=10.0.0.2
/system scheduler
add interval=0s name=wardkit-revert on-event=wardkit-revert start-date=2026-11-29 start-time=05:00:00
"""

ROS_INTENDED = """# comment
/queue tree add name=wardkit-up parent=ether1 max-limit=36800000
/ip firewall address-list add list=wardkit-peers address=10.0.0.1/32
/ip firewall mangle add chain=postrouting action=mark-packet new-packet-mark=a passthrough=no comment=wardkit-a
/ip firewall mangle add chain=postrouting action=mark-packet new-packet-mark=b passthrough=no comment=wardkit-b
/ip service set telnet disabled=yes
/ip service set www-ssl disabled=yes
/ip service set ssh address=127.0.0.1/32,10.0.0.1/32 disabled=no
/ip ssh set strong-crypto=yes
/ip proxy set enabled=no
/system logging action set [ find name=remote ] remote=10.0.0.2
/system note set note="Hello there; all logged." show-at-login=yes
/user add name=wardops group=full password="s3cr et"
"""


MANGLE = "chain=postrouting action=mark-packet new-packet-mark"


def test_routeros_plan_normalises_and_owns():
    plan = rosdiff.plan(ROS_INTENDED, ROS_RUNNING, users={"wardops": "full"})
    assert plan.commands == [
        '/system note set note="Hello there; all logged."',
        "/ip service set ssh address=127.0.0.1/32,10.0.0.1/32",
        # a stale queue of the kit goes; `mine` and the push's own revert entry stay
        "/queue tree remove [ find name=wardkit-old ]",
        # the kit's rules are out of order: removed (last first) and added again, in order
        "/ip firewall mangle remove [ find comment=wardkit-a ]",
        "/ip firewall mangle remove [ find comment=wardkit-b ]",
        f"/ip firewall mangle add {MANGLE}=a passthrough=no comment=wardkit-a",
        f"/ip firewall mangle add {MANGLE}=b passthrough=no comment=wardkit-b",
    ]
    users = rosdiff.plan(ROS_INTENDED, ROS_RUNNING, users={})
    assert '/user add name=wardops group=full password="s3cr et"' in users.commands
    assert RosDriver.qos_attached(ROS_RUNNING, "ether1", "wardkit-up")


def test_routeros_undo_is_the_inverse_of_the_plan():
    """Each command's undo puts back what the device had; run last first, removed rules come back in their
    first order, and nothing the push added is left."""
    plan = rosdiff.plan(ROS_INTENDED, ROS_RUNNING, users={"wardops": "full"})
    assert len(plan.undo) == len(plan.commands)
    lines = revert.undo_lines(plan)
    assert lines == [
        "/ip firewall mangle remove [ find comment=wardkit-b ]",
        "/ip firewall mangle remove [ find comment=wardkit-a ]",
        "/ip firewall mangle remove [ find comment=wardkit-b ]",
        "/ip firewall mangle add action=mark-packet chain=postrouting comment=wardkit-b new-packet-mark=b "
        "passthrough=no",
        "/ip firewall mangle remove [ find comment=wardkit-a ]",
        "/ip firewall mangle add action=mark-packet chain=postrouting comment=wardkit-a new-packet-mark=a "
        "passthrough=no",
        "/queue tree remove [ find name=wardkit-old ]",
        "/queue tree add max-limit=10M name=wardkit-old parent=ether1",
        "/ip service set ssh address=127.0.0.1/32",
        '/system note set note=""',
    ]
    assert not plan.lossy


def test_routeros_secrets_are_pushed_again_when_the_fingerprint_changes():
    running = "/snmp community\nadd addresses=10.0.0.0/24 comment=wardkit-fp-old name=wardkit-v3\n"
    intended = (
        "/snmp community add name=wardkit-v3 addresses=10.0.0.0/24 authentication-password=NEWKEY1x "
        "comment=wardkit-fp-new\n"
    )
    shown = rosdiff.secrets_of(running.replace("name=wardkit-v3", "authentication-password=OLDKEY1x name=wardkit-v3"))
    plan = rosdiff.plan(intended, running, secrets=shown)
    assert plan.commands == [
        "/snmp community set [ find name=wardkit-v3 ] comment=wardkit-fp-new authentication-password=NEWKEY1x"
    ]
    assert plan.undo == [
        ["/snmp community set [ find name=wardkit-v3 ] comment=wardkit-fp-old authentication-password=OLDKEY1x"]
    ]
    # Removing the community: its undo re-adds it with the keys it had, once they were read.
    gone = rosdiff.plan("/ip dns set servers=10.0.0.2\n", running)
    assert rosdiff.lossy_menus(gone) == {"/snmp community"}
    restored = rosdiff.plan("/ip dns set servers=10.0.0.2\n", running, secrets=shown)
    assert not restored.lossy
    assert revert.undo_lines(restored)[:2] == [
        "/snmp community remove [ find name=wardkit-v3 ]",
        "/snmp community add addresses=10.0.0.0/24 comment=wardkit-fp-old name=wardkit-v3 "
        "authentication-password=OLDKEY1x",
    ]
    # Without the device's old value the undo cannot put the key back: the plan says so.
    assert rosdiff.plan(intended, running).lossy == [
        "/snmp community [ find name=wardkit-v3 ]: its old authentication-password"
    ]


def test_routeros_exact_plan_restores_a_backup():
    """A restore removes what the backup does not have (not only the kit's), and resets properties."""
    backup_text = "/queue tree\nadd max-limit=1M name=mine parent=ether1\n/ip ssh\nset strong-crypto=yes\n"
    plan = rosdiff.plan(backup_text, ROS_RUNNING, exact=True)
    assert "/queue tree remove [ find name=wardkit-up ]" in plan.commands
    assert "/ip firewall address-list remove [ find list=wardkit-peers address=10.0.0.1 ]" in plan.commands
    assert '/ip service set ssh address=""' in plan.commands
    assert not any("wardkit-revert" in c for c in plan.commands)  # the push's own entries are not config
    assert not any(c.startswith("/queue tree") and "mine" in c for c in plan.commands)


def test_routeros_revert_script_is_one_shot_at_the_routers_time():
    plan = rosdiff.plan(ROS_INTENDED, ROS_RUNNING, users={"wardops": "full"})
    cmds = revert.arm(plan, "  time: 23:59:30\n  date: 2026-12-31\n  time-zone-name: UTC\n", 120)
    assert cmds[-1] == (
        "/system scheduler add name=wardkit-revert start-date=2027-01-01 start-time=00:01:30 interval=0s "
        "on-event=wardkit-revert"
    )
    assert revert.start_at("time: 10:00:00\ndate: dec/31/2026\n", 5) == ("dec/31/2026", "10:00:05")
    master = rosdiff.parse(cmds[-2])[0].props["source"]
    assert master.splitlines()[0] == "/system scheduler remove [ find name=wardkit-revert ]"  # never twice
    assert master.splitlines()[-1] == '/system script remove [ find name~"^wardkit-revert" ]'
    assert all(len(c) < 4000 for c in cmds)
    many = revert.parts([f"/queue tree remove [ find name=wardkit-{i:04} ]" for i in range(400)])
    assert len(many) > 1 and all(len(p) <= revert.PART_CHARS for p in many)


def test_one_registry_of_dialects():
    """The inventory model, the plugins' argument spec and the simulators all read the drivers' registry."""
    import yaml

    from wardctl.inventory.model import SUPPORTED_DEVICE_TYPES
    from wardsim.__main__ import SIMULATORS

    assert DIALECTS == ("cisco_ios", "mikrotik_routeros")
    assert SUPPORTED_DEVICE_TYPES == DIALECTS and set(SIMULATORS) == set(DIALECTS)
    with open(os.path.join(os.path.dirname(__file__), "../../roles/router/meta/argument_specs.yml")) as fh:
        spec = yaml.safe_load(fh)
    assert set(spec["argument_specs"]["main"]["options"]["router_device_type"]["choices"]) == set(DIALECTS)
    for name in DIALECTS:
        assert driver(name).dialect == name


def test_routeros_parse_quotes_and_continuations():
    cmds = rosdiff.parse('/system note set note="a \\"q\\" \\$x"\n/ip firewall mangle\nadd chain=x \\\n    comment=y\n')
    assert [(c.path, c.verb, c.props) for c in cmds] == [
        ("/system note", "set", {"note": 'a "q" $x'}),
        ("/ip firewall mangle", "add", {"chain": "x", "comment": "y"}),
    ]
    assert rosdiff.quote('a "q" $x') == '"a \\"q\\" \\$x"'
    assert rosdiff.parse_users(' 0    group=full name=wardops\n 1 X  group=read name="a b"\n') == {
        "wardops": "full",
        "a b": "read",
    }


def test_masker_hides_values_and_secret_forms():
    m = Masker(["Ward-pass-1", "x"])
    text = m.text(
        "username wardops secret 9 $9$abc$def\nenable secret Ward-pass-1\n"
        "snmp-server user mon G v3 auth sha K1k1k1k1 priv aes 128 K2k2k2k2\n"
        '/user add name=a password="p w" authentication-password=zz\nservice password-encryption\nmax x'
    )
    assert "Ward-pass-1" not in text and "$9$" not in text and "K1k1" not in text and "K2k2" not in text
    assert "p w" not in text and "zz" not in text
    assert f"username wardops secret {MASK}" in text and "service password-encryption" in text
    assert "max x" in text  # values shorter than 4 characters are not masked everywhere
    assert m.deep({"a": ["secret 0 abc"]}) == {"a": [f"secret {MASK}"]}


GOOD = {
    "device_type": "cisco_ios", "host": "127.0.0.5", "wan_interface": "GigabitEthernet0/0/0",
    "line_down_mbps": 100, "line_up_mbps": "40", "shape_percent": 92, "audio_percent": 20, "video_percent": 50,
    "audio_dscp": ["ef"], "video_dscp": ["af41"],
    "mgmt_subnets": ["127.0.0.1/32"], "controller_address": "", "allow_lockout": False,
    "ntp_servers": ["10.0.0.2"], "dns_servers": ["10.0.0.2"], "syslog_server": "10.0.0.2",
    "conference_service_subnets": [], "city_hall_subnets": ["10.0.0.0/24"], "province_meeting_subnets": [],
    "banner": "Authorised access only.", "username": "wardops", "password": "long-enough", "enable_secret": "also-long",
    "snmpv3_enabled": False, "snmpv3_user": "m", "snmpv3_auth_key": "", "snmpv3_priv_key": "",
    "revert_minutes": 2, "revert_seconds": 120,
}  # fmt: skip


def test_validate_accepts_good_inputs():
    assert validate.source_address("127.0.0.5") == "127.0.0.1"
    assert validate.input_problems(GOOD) == []


@pytest.mark.parametrize(
    ("change", "expect"),
    [
        ({"line_up_mbps": 0}, "router_line_up_mbps: must be a positive number"),
        ({"line_down_mbps": True}, "router_line_down_mbps: must be a positive number"),
        ({"wan_interface": ""}, "router_wan_interface: must be set"),
        ({"mgmt_subnets": []}, "router_mgmt_subnets: must not be empty"),
        ({"mgmt_subnets": ["10.9.9.0/24"]}, "does not contain the controller's address 127.0.0.1"),
        ({"mgmt_subnets": ["nope"]}, "'nope' is not an IPv4 address or CIDR"),
        ({"banner": "a@b"}, "router_login_banner"),
        ({"password": "short"}, "router_password: must be set (at least 8"),
        ({"snmpv3_enabled": True}, "router_snmpv3_auth_key"),
        ({"revert_minutes": 0}, "router_revert_minutes"),
        ({"video_dscp": ["af99"]}, "router_qos_video_dscp"),
        # secrets the CLI would interpret, refused before any connection
        ({"password": "long-enough?"}, "router_password: cisco_ios would interpret ?"),
        ({"enable_secret": "also-long\x07"}, "router_enable_secret: must be printable ASCII without spaces or control"),
        (
            {"snmpv3_enabled": True, "snmpv3_auth_key": "auth-key\x1bx", "snmpv3_priv_key": "priv-key-ok"},
            "router_snmpv3_auth_key: must be printable ASCII",
        ),
        (
            {"device_type": "mikrotik_routeros", "wan_interface": "ether1", "password": "long\x03enough"},
            "router_password: must be printable ASCII without spaces or control",
        ),
        (
            {"device_type": "juniper_junos"},
            "router_device_type: 'juniper_junos' is not one of cisco_ios, mikrotik_routeros",
        ),
    ],
)
def test_validate_names_each_problem(change, expect):
    problems = validate.input_problems({**GOOD, **change})
    assert any(expect in p for p in problems), problems
    assert not any("long-enough" in p for p in problems)  # never the secret itself


def test_every_input_the_checks_read_comes_from_the_role_task():
    """The role's one task gives router_config `inputs`; the action adds its own arguments (FROM_ARGS). Together
    they are exactly the keys the checks read, so no check ever sees a missing value as "not set"."""
    root = Path(__file__).resolve().parents[2]
    task = yaml.safe_load((root / "roles/router/tasks/config.yml").read_text())[0]["wardkit.core.router_config"]
    inputs = set(re.findall(r"'(\w+)':", task["inputs"]))
    action = (root / "collections/ansible_collections/wardkit/core/plugins/action/router_config.py").read_text()
    node = next(n for n in ast.parse(action).body if isinstance(n, ast.Assign) and n.targets[0].id == "FROM_ARGS")
    from_args: dict[str, str] = ast.literal_eval(node.value)
    read: set[str] = set()

    class Reading(dict[str, Any]):
        def get(self, key: str, default: Any = None) -> Any:
            read.add(key)
            return super().get(key, default)

        def __getitem__(self, key: str) -> Any:
            read.add(key)
            return super().__getitem__(key)

    every_branch = {**GOOD, "password_next": "next-long-enough", "snmpv3_enabled": True}
    validate.input_problems(Reading(every_branch))
    assert read == inputs | set(from_args) and not inputs & set(from_args)
    assert set(from_args.values()) <= set(task)  # arguments the role's task passes


def test_validate_question_mark_is_fine_on_routeros():
    ros = {**GOOD, "device_type": "mikrotik_routeros", "wan_interface": "ether1", "password": "long-enough?"}
    assert validate.input_problems(ros) == []


def test_validate_lockout_override_only_skips_the_controller_check():
    assert validate.input_problems({**GOOD, "mgmt_subnets": ["10.9.9.0/24"], "allow_lockout": True}) == []


def test_backups_are_never_overwritten(tmp_path):
    m = Masker(["plain-vault-value"])
    a, dirty_a = backup.write(tmp_path, "phuong_1", "phuong_1-router", "hostname A\n", m)
    b, dirty_b = backup.write(tmp_path, "phuong_1", "phuong_1-router", "description plain-vault-value\n", m)
    assert a != b and a.read_text() == "hostname A\n" and not dirty_a
    assert dirty_b and "plain-vault-value" not in b.read_text()
    assert re.fullmatch(r"\d{8}T\d{6}Z(-\d+)?\.cfg", b.name) and oct(os.stat(b).st_mode)[-3:] == "600"
    assert backup.latest(tmp_path, "phuong_1", "phuong_1-router") == b
    assert sorted(p.name for p in a.parent.iterdir()) == sorted([a.name, b.name])  # no temporary file left
    with pytest.raises(ValueError):
        backup.folder(tmp_path, "../x", "r")


def test_a_rotation_logs_in_with_each_password_once_likeliest_first():
    from wardctl.netdev import Target

    t = Target("h", 22, "cisco_ios", "u", "old-pass", password_next="new-pass")
    assert t.passwords() == ["old-pass", "new-pass"] and t.intended_password == "new-pass"
    assert replace(t, next_first=True).passwords() == ["new-pass", "old-pass"]
    assert replace(t, password_next="old-pass").passwords() == ["old-pass"]  # a refusal is not repeated
    assert replace(t, password_next="").intended_password == "old-pass"


def test_ios_login_proves_the_user_only_with_the_intended_password(ios_pair):
    """The session proves the password it logged in with; an intended other one (a rotation) is pushed."""
    intended, _ = ios_pair
    assert iosdiff.plain_secret(intended, ("username", "wardops")) == "Ward-pass-1"
    assert iosdiff.plain_secret(intended, ("username", "nobody")) is None


def test_routeros_rotation_sets_the_login_users_password_and_its_undo_puts_the_old_one_back():
    running = "/ip dns\nset servers=10.0.0.2\n"
    intended = '/ip dns set servers=10.0.0.2\n/user add name=wardops group=full password="new pass"\n'
    same = rosdiff.plan(intended.replace('"new pass"', "old"), running, {"wardops": "full"}, login=("wardops", "old"))
    assert not same.changed  # the login proved the intended password
    plan = rosdiff.plan(intended, running, {"wardops": "full"}, login=("wardops", "old"))
    assert plan.commands == ['/user set [ find name=wardops ] password="new pass"']
    assert plan.undo == [["/user set [ find name=wardops ] password=old"]]
    assert "new pass" not in " ".join(plan.diff)
    # Another user's password cannot be known (RouterOS never shows one): left alone.
    other = rosdiff.plan(intended, running, {"wardops": "full"}, login=("admin", "old"))
    assert not other.changed


SPEC_TYPES = {"str": {"str", "path"}, "int": {"int"}, "float": {"float"}, "bool": {"bool"}, "list": {"list"}}


def test_the_roles_one_task_checks_every_variable_of_its_argument_spec():
    """routers.yml turns Ansible's generic check of the role's argument spec off (rolespec_validate: false; it
    costs a second worker per router). So the role's one task must check each of those variables itself: each
    reaches the action as an argument the action types itself, or in `inputs`, all of which the checks read
    (test_every_input_the_checks_read_comes_from_the_role_task)."""
    root = Path(__file__).resolve().parents[2]
    play = yaml.safe_load((root / "playbooks/routers.yml").read_text())[0]
    imports = [t["ansible.builtin.import_role"] for t in play["tasks"] if "ansible.builtin.import_role" in t]
    assert imports == [{"name": "router", "rolespec_validate": False}] and "roles" not in play
    spec = yaml.safe_load((root / "roles/router/meta/argument_specs.yml").read_text())
    options = spec["argument_specs"]["main"]["options"]
    task = yaml.safe_load((root / "roles/router/tasks/config.yml").read_text())[0]["wardkit.core.router_config"]
    plugins = root / "collections/ansible_collections/wardkit/core/plugins"
    action_types = dict(
        re.findall(r'"(\w+)": \{"type": "(\w+)"', (plugins / "module_utils/router_action.py").read_text())
        + re.findall(r'"(\w+)": \{"type": "(\w+)"', (plugins / "action/router_config.py").read_text())
    )
    inputs = dict(re.findall(r"'(\w+)': (router_\w+)", task["inputs"]))
    for var, option in options.items():
        args = [a for a, v in task.items() if a != "inputs" and re.search(rf"\b{var}\b", str(v))]
        assert args or var in inputs.values(), f"{var}: not passed to the action, so never checked"
        for arg in args if var not in inputs.values() else []:
            assert action_types.get(arg) in SPEC_TYPES[option["type"]], f"{var} -> {arg}: {action_types.get(arg)}"
