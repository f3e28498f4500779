"""The Cisco IOS simulator, driven by stock Netmiko (`cisco_ios`) over real SSH."""

from __future__ import annotations

import time

import pytest
from netmiko.exceptions import ConfigInvalidException, NetmikoTimeoutException, ReadTimeout
from sim_helpers import ERRORS, Sim, wait_for

WARD_QOS = [
    "ip access-list extended CONF-MEDIA",
    "permit udp any any range 16384 32767",
    "permit tcp any any eq 443",
    "class-map match-any CONF-AUDIO",
    "match dscp ef",
    "match access-group name CONF-MEDIA",
    "class-map match-any CONF-VIDEO",
    "match dscp af41",
    "policy-map WAN-QUEUE",
    "class CONF-AUDIO",
    "priority percent 30",
    "class CONF-VIDEO",
    "bandwidth percent 40",
    "class class-default",
    "fair-queue",
    "policy-map WAN-SHAPE",
    "class class-default",
    "shape average 50000000",
    "service-policy WAN-QUEUE",
    "interface GigabitEthernet0/0/0",
    "description WAN uplink",
    "ip address 192.0.2.2 255.255.255.252",
    "service-policy output WAN-SHAPE",
]


def body(text: str) -> list[str]:
    """Config lines without IOS's comments/headers, for comparing configs."""
    skip = ("!", "Building configuration", "Current configuration")
    return [ln for ln in text.splitlines() if ln.strip() and not ln.startswith(skip)]


def test_accepts_ward_config(ios: Sim) -> None:
    c = ios.connect()
    assert c.find_prompt() == "P1-RTR>"
    c.enable()
    assert c.find_prompt() == "P1-RTR#"
    extra = ["username ops privilege 15 secret Opspass1", "ntp server 192.0.2.123", "ip ssh version 2"]
    out = c.send_config_set(WARD_QOS + extra, error_pattern=ERRORS, read_timeout=10)
    assert "P1-RTR(config-pmap-c)#" in out and "P1-RTR(config-if)#" in out
    run = ios.text("running.cfg")
    assert run.startswith("Building configuration...\n\nCurrent configuration : ")
    assert (
        "interface GigabitEthernet0/0/0\n description WAN uplink\n ip address 192.0.2.2 255.255.255.252\n"
        " negotiation auto\n service-policy output WAN-SHAPE\n" in run
    )
    assert "policy-map WAN-SHAPE\n class class-default\n  shape average 50000000\n  service-policy WAN-QUEUE\n" in run
    assert "class-map match-any CONF-AUDIO\n match  dscp ef\n match access-group name CONF-MEDIA\n" in run
    assert (
        "ip access-list extended CONF-MEDIA\n permit udp any any range 16384 32767\n permit tcp any any eq 443\n" in run
    )
    assert "Opspass1" not in run and "username ops privilege 15 secret 9 $9$" in run
    assert c.send_command("show running-config | section policy-map WAN-QUEUE").startswith("policy-map WAN-QUEUE")
    version = c.send_command("show version")
    assert "Cisco IOS XE Software, Version 16.9.4" in version and "cisco ISR4321/K9" in version
    assert "Processor board ID FDO1234X0AB" in version


def test_measure_30_line_push(ios: Sim) -> None:
    c = ios.connect()
    c.enable()
    lines = [
        f"ip access-list extended BULK-{n}" if n % 3 == 0 else f"permit tcp any any eq {1000 + n}" for n in range(30)
    ]
    start = time.monotonic()
    c.send_config_set(lines, error_pattern=ERRORS, read_timeout=10)
    print(f"\nIOS send_config_set of 30 lines: {time.monotonic() - start:.2f}s")


def test_rejects_wrong_commands_with_ios_text(ios: Sim) -> None:
    c = ios.connect()
    c.enable()
    with pytest.raises(ConfigInvalidException):
        c.send_config_set(["hostnme P1"], error_pattern=ERRORS, read_timeout=10)
    c.exit_config_mode()
    out = c.send_config_set(["ntp server", "interface Gi0/0/0", "shut foo"], read_timeout=10)
    assert "% Incomplete command." in out
    assert "P1-RTR(config-if)#shut foo\n" + " " * 23 + "^\n% Invalid input detected at '^' marker." in out
    assert c.send_command("sh").strip() == "% Incomplete command."
    assert '% Ambiguous command:  "c"' in c.send_command("c")
    assert c.send_command("show foo").rstrip() == "            ^\n% Invalid input detected at '^' marker."
    assert "policy-map" not in ios.text("running.cfg")


def test_saved_config_survives_restart(ios: Sim) -> None:
    c = ios.connect()
    c.enable()
    c.send_config_set(["hostname WARD-7", "logging host 192.0.2.50"], error_pattern=ERRORS)
    c.set_base_prompt()  # as on a real device, Netmiko must relearn the prompt after a hostname change
    assert "[OK]" in c.save_config()
    c.send_config_set(["ntp server 192.0.2.1"], error_pattern=ERRORS)  # not saved: lost on reboot
    ios.restart()
    c = ios.connect()
    assert c.find_prompt() == "WARD-7>"
    run = ios.text("running.cfg")
    assert "logging host 192.0.2.50" in run and "ntp server" not in run
    assert body(ios.text("startup.cfg")) == body(run)


def test_revert_timer_reverts_unless_confirmed(ios: Sim) -> None:
    c = ios.connect()
    c.enable()
    before = body(ios.text("running.cfg"))
    out = c.send_config_set(["hostname TEMP"], config_mode_command="configure terminal revert timer 1")
    assert "TEMP(config)#" in out
    assert "hostname TEMP" in ios.text("running.cfg")
    c.disconnect()  # the session that started the timer is gone: the revert still happens
    assert wait_for(lambda: body(ios.text("running.cfg")) == before, timeout=3)

    c = ios.connect()
    c.enable()
    c.send_config_set(["hostname KEEP"], config_mode_command="configure terminal revert timer 1")
    c.send_command("configure confirm", expect_string=r"#")
    time.sleep(1.5)
    assert "hostname KEEP" in ios.text("running.cfg")


def test_configure_replace_restores_archive(ios: Sim) -> None:
    c = ios.connect()
    c.enable()
    c.send_config_set(["archive", "path flash:archive-", "maximum 14", "file prompt quiet"], error_pattern=ERRORS)
    c.send_command("archive config")
    saved = body(ios.text("running.cfg"))
    name = c.send_command("show archive").split("flash:")[2].split()[0]
    assert (ios.dir / "files" / name).is_file() and name.startswith("archive-")
    c.send_config_set([*WARD_QOS, "no ip http server", "hostname CHANGED"], error_pattern=ERRORS)
    assert body(ios.text("running.cfg")) != saved
    out = c.send_command(f"configure replace flash:{name} list force", expect_string=r"#", read_timeout=10)
    assert out.rstrip().endswith("Rollback Done")
    assert "no hostname CHANGED" in out or "hostname P1-RTR" in out
    assert body(ios.text("running.cfg")) == saved
    assert body((ios.dir / "files" / name).read_text()) == saved


def test_drop_after_k_config_lines(ios: Sim) -> None:
    ios.faults(drop_after_config_lines=3)
    c = ios.connect()
    c.enable()
    lines = ["ntp server 192.0.2.1", "ntp server 192.0.2.2", "ntp server 192.0.2.3", "ntp server 192.0.2.4"]
    with pytest.raises((OSError, EOFError, ReadTimeout)):
        c.send_config_set(lines, error_pattern=ERRORS, read_timeout=1)
    run = ios.text("running.cfg")
    assert [ln for ln in run.splitlines() if ln.startswith("ntp server")] == lines[:3]


def test_reject_and_hang_faults(ios: Sim) -> None:
    ios.faults(reject=[r"^snmp-server"], hang_after_config_lines=1)
    c = ios.connect()
    c.enable()
    with pytest.raises(ConfigInvalidException):
        c.send_config_set(["snmp-server location X"], error_pattern=ERRORS, read_timeout=5)
    with pytest.raises(ReadTimeout):
        c.send_config_set(["ntp server 192.0.2.9"], error_pattern=ERRORS, read_timeout=1.5)


def test_vty_acl_lockout_refuses_new_sessions_and_timer_recovers(ios: Sim) -> None:
    c = ios.connect()
    c.enable()
    lockout = ["ip access-list standard MGMT", "permit 10.9.9.0 0.0.0.255", "line vty 0 15", "access-class MGMT in"]
    c.send_config_set(lockout, config_mode_command="configure terminal revert timer 2", error_pattern=ERRORS)
    assert " access-class MGMT in\n" in ios.text("running.cfg")
    with pytest.raises(NetmikoTimeoutException):
        ios.connect()
    assert "vty 0  admin" in c.send_command("show users")  # the existing session keeps working
    assert wait_for(lambda: "access-class" not in ios.text("running.cfg"), timeout=4)
    ios.connect().disconnect()  # reverted by the timer: the controller (127.0.0.1) is let in again
    c.send_config_set(
        ["ip access-list standard MGMT", "permit host 127.0.0.1", "line vty 0 15", "access-class MGMT in"]
    )
    ios.connect().disconnect()
