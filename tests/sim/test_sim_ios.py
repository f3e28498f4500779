"""The Cisco IOS simulator, driven by stock Netmiko (`cisco_ios`) over real SSH."""

from __future__ import annotations

import re
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


# Real IOS refuses every Rollback Confirmed Change until an archive path exists (Cisco, "Configuration
# Rollback Confirmed Change": "You must configure a configuration archive before performing this procedure").
ARCHIVE = ["archive", "path flash:archive-"]
NO_ARCHIVE = "%Turn config archive on before using Rollback Confirmed Change"
NOT_PENDING = "%No Rollback Confirmed Change pending"
EXPIRED = "rollback timer expired: reverted to the config archived at "


def expiries(ios: Sim) -> list[str]:
    """The simulator's one sim.log line per rollback-timer expiry (tests wait on it instead of sleeping)."""
    log = ios.dir / "sim.log"
    return [ln for ln in log.read_text().splitlines() if EXPIRED in ln] if log.exists() else []


def backup_url(out: str) -> str:
    m = re.search(r"Rollback Confirmed Change: Backing up current running config to (flash:archive-\S+)", out)
    assert m, out
    return m.group(1)


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


def test_revert_timer_refused_without_archive(ios: Sim) -> None:
    c = ios.connect()
    c.enable()
    assert c.send_command("show archive config rollback timer").strip() == NOT_PENDING
    for cmd in ("configure terminal revert timer 1", "configure terminal revert timer idle 1"):
        assert c.send_command(cmd, expect_string=r"P1-RTR#").strip() == NO_ARCHIVE
        assert c.find_prompt() == "P1-RTR#" and not c.check_config_mode()  # still privileged exec
    with pytest.raises(ValueError, match="Failed to enter configuration mode"):  # what Netmiko makes of it
        c.send_config_set(["hostname TEMP"], config_mode_command="configure terminal revert timer 1")
    c.send_config_set(["file prompt quiet"], error_pattern=ERRORS)
    c.send_command("copy running-config flash:base.cfg")
    out = c.send_command("configure replace flash:base.cfg force time 1", expect_string=r"P1-RTR#")
    assert out.strip() == NO_ARCHIVE
    c.send_config_set(["archive", "maximum 5"], error_pattern=ERRORS)  # an archive without a path is no archive
    assert c.send_command("configure terminal revert timer 1", expect_string=r"P1-RTR#").strip() == NO_ARCHIVE
    assert c.send_command("configure revert now").strip() == NOT_PENDING
    assert c.send_command("show archive config rollback timer").strip() == NOT_PENDING
    assert "hostname TEMP" not in ios.text("running.cfg") and not list((ios.dir / "files").glob("archive-*"))

    c.send_config_set(ARCHIVE, error_pattern=ERRORS)
    out = c.send_config_set(["hostname TEMP"], config_mode_command="configure terminal revert timer 5")
    url = backup_url(out)
    assert "TEMP(config)#" in out and (ios.dir / "files" / url.removeprefix("flash:")).is_file()
    c.set_base_prompt()
    timer = c.send_command("show archive config rollback timer")
    assert "Timer type: absolute timer\nTimer value: 5 min\nUser: admin" in timer
    c.send_command("configure confirm")
    assert c.send_command("show archive config rollback timer").strip() == NOT_PENDING
    assert "hostname TEMP" in ios.text("running.cfg") and expiries(ios) == []


def test_revert_timer_reverts_unless_confirmed(ios: Sim) -> None:
    c = ios.connect()
    c.enable()
    c.send_config_set(ARCHIVE, error_pattern=ERRORS)
    before = body(ios.text("running.cfg"))
    out = c.send_config_set(["hostname TEMP"], config_mode_command="configure terminal revert timer 1")
    assert "TEMP(config)#" in out
    url = backup_url(out)
    assert "hostname TEMP" in ios.text("running.cfg")
    c.disconnect()  # the session that started the timer is gone: the revert still happens
    assert wait_for(lambda: len(expiries(ios)) == 1, timeout=3)
    assert expiries(ios)[0].endswith(EXPIRED + url)
    assert body(ios.text("running.cfg")) == before

    c = ios.connect()
    c.enable()
    c.send_config_set(["hostname KEEP"], config_mode_command="configure terminal revert timer 1")
    c.send_command("configure confirm", expect_string=r"#")
    assert not wait_for(lambda: len(expiries(ios)) > 1, timeout=1.5)  # confirmed: the timer never fires
    assert "hostname KEEP" in ios.text("running.cfg")


def test_idle_revert_timer_fires_after_no_input(ios: Sim) -> None:
    c = ios.connect()
    c.enable()
    c.send_config_set(ARCHIVE, error_pattern=ERRORS)
    out = c.send_config_set(["hostname IDLE"], config_mode_command="configure terminal revert timer idle 2")
    url = backup_url(out)
    c.set_base_prompt()
    assert "Timer type: idle timer\nTimer value: 2 min" in c.send_command("show archive config rollback timer")
    assert wait_for(lambda: len(expiries(ios)) == 1, timeout=4)
    assert expiries(ios)[0].endswith(EXPIRED + url) and "hostname IDLE" not in ios.text("running.cfg")


def test_configure_replace_with_time_reverts_to_the_backup(ios: Sim) -> None:
    c = ios.connect()
    c.enable()
    c.send_config_set([*ARCHIVE, "file prompt quiet"], error_pattern=ERRORS)
    before = body(ios.text("running.cfg"))
    c.send_config_set(["logging host 192.0.2.77"], error_pattern=ERRORS)
    c.send_command("copy running-config flash:other.cfg")
    c.send_config_set(["no logging host 192.0.2.77"], error_pattern=ERRORS)
    assert body(ios.text("running.cfg")) == before
    out = c.send_command("configure replace flash:other.cfg force time 1", read_timeout=10)
    url = backup_url(out)
    assert out.rstrip().endswith("Rollback Done") and "logging host 192.0.2.77" in ios.text("running.cfg")
    assert wait_for(lambda: len(expiries(ios)) == 1, timeout=3)
    assert expiries(ios)[0].endswith(EXPIRED + url)
    assert body(ios.text("running.cfg")) == before


def test_show_startup_config_before_and_after_write_memory(ios: Sim) -> None:
    c = ios.connect()
    c.enable()
    assert c.send_command("show startup-config").strip() == "startup-config is not present"
    c.send_config_set(["logging host 192.0.2.50"], error_pattern=ERRORS)
    assert "[OK]" in c.save_config()
    start = c.send_command("show startup-config")
    first, rest = start.split("\n", 1)
    # IOS XE 16.9: "Using 1997 out of 33554432 bytes", then the file; 32768K of NVRAM as `show version` says.
    m = re.fullmatch(r"Using (\d+) out of 33554432 bytes", first)
    assert m and int(m.group(1)) == len(ios.text("startup.cfg").encode())
    assert rest.startswith("!\n! Last configuration change at ") and "! NVRAM config last updated at " in rest
    assert body(rest) == body(c.send_command("show running-config")) and "logging host 192.0.2.50" in rest
    assert c.send_command("more nvram:startup-config").strip() == rest.strip()  # the file, no "Using" line
    c.send_config_set(["ntp server 192.0.2.1"], error_pattern=ERRORS)  # running changes, startup does not
    assert "ntp server" not in c.send_command("show startup-config")
    assert "ntp server 192.0.2.1" in c.send_command("show running-config")


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
    c.send_config_set(ARCHIVE, error_pattern=ERRORS)
    lockout = ["ip access-list standard MGMT", "permit 10.9.9.0 0.0.0.255", "line vty 0 15", "access-class MGMT in"]
    c.send_config_set(lockout, config_mode_command="configure terminal revert timer 2", error_pattern=ERRORS)
    assert " access-class MGMT in\n" in ios.text("running.cfg")
    with pytest.raises(NetmikoTimeoutException):
        ios.connect()
    assert "vty 0  admin" in c.send_command("show users")  # the existing session keeps working
    assert wait_for(lambda: len(expiries(ios)) == 1, timeout=4)
    assert "access-class" not in ios.text("running.cfg")
    ios.connect().disconnect()  # reverted by the timer: the controller (127.0.0.1) is let in again
    c.send_config_set(
        ["ip access-list standard MGMT", "permit host 127.0.0.1", "line vty 0 15", "access-class MGMT in"]
    )
    ios.connect().disconnect()
