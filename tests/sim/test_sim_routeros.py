"""The MikroTik RouterOS simulator, driven by stock Netmiko (`mikrotik_routeros`) over real SSH."""

from __future__ import annotations

import time

import pytest
from netmiko.exceptions import ConfigInvalidException, NetmikoTimeoutException, ReadTimeout
from sim_helpers import ERRORS, Sim, wait_for

WARD = [
    "/ip firewall mangle",
    "add chain=prerouting dscp=46 action=mark-packet new-packet-mark=conf-audio passthrough=no comment=audio",
    "/ip firewall mangle add chain=prerouting dscp=34 action=mark-packet new-packet-mark=conf-video passthrough=no",
    "/queue tree add name=wan-up parent=ether1 max-limit=50M",
    "/queue tree add name=conf-audio parent=wan-up packet-mark=conf-audio priority=1 limit-at=2M max-limit=50M",
    "/queue tree add name=conf-video parent=wan-up packet-mark=conf-video priority=2 limit-at=10M max-limit=50M",
    "/ip service set telnet,ftp,www,api,api-ssl disabled=yes",
    "/ip service set ssh address=127.0.0.0/8,10.0.0.0/8",
    "/ip ssh set strong-crypto=yes",
    "/user add name=ops group=full password=Opspass1",
]


def body(text: str) -> list[str]:
    """Export lines without the `#` header (its date is the time of the last change)."""
    return [ln for ln in text.splitlines() if ln and not ln.startswith("#")]


def test_accepts_ward_config(ros: Sim) -> None:
    c = ros.connect()
    assert c.find_prompt() == "[admin@P1-RTR] >"
    out = c.send_config_set(WARD, error_pattern=ERRORS, read_timeout=10)
    assert "[admin@P1-RTR] /ip firewall mangle> add chain=prerouting dscp=46" in out
    run = ros.text("running.cfg")
    assert run.splitlines()[0].endswith("by RouterOS 7.12.1")
    assert (
        "/ip firewall mangle\n"
        "add action=mark-packet chain=prerouting comment=audio dscp=46 \\\n"
        "    new-packet-mark=conf-audio passthrough=no\n" in run
    )
    assert "/queue tree\nadd max-limit=50M name=wan-up parent=ether1\n" in run
    assert "/ip service\nset telnet disabled=yes\nset ftp disabled=yes\nset www disabled=yes\n" in run
    assert "set ssh address=127.0.0.0/8,10.0.0.0/8\n" in run
    assert "Opspass1" not in run and "Opspass1" not in ros.text("user.dat")
    assert ros.text("startup.cfg") == run  # RouterOS keeps every change
    assert c.send_command("/export") == run.rstrip("\n")
    assert "board-name: RB5009UG+S+" in c.send_command("/system resource print")
    assert "serial-number: HE408K1234" in c.send_command("/system routerboard print")
    printed = c.send_command("/ip firewall mangle print")
    assert " 0    ;;; audio\n" in printed and " 1    action=mark-packet" in printed
    c.send_config_set(["/ip firewall mangle remove [find new-packet-mark=conf-video]", "/queue tree remove 2"])
    assert "conf-video" not in ros.text("running.cfg")


def test_measure_30_line_push(ros: Sim) -> None:
    c = ros.connect()
    lines = [f"/ip firewall address-list add list=ward address=10.0.{n}.0/24" for n in range(30)]
    start = time.monotonic()
    c.send_config_set(lines, error_pattern=ERRORS, read_timeout=10)
    print(f"\nRouterOS send_config_set of 30 lines: {time.monotonic() - start:.2f}s")


REJECTED = [
    ("/ip firewal mangle prnt", "bad command name prnt (line 1 column 20)"),
    ("/ip firewall mangle add chain=forward colour=red", "expected end of command (line 1 column 39)"),
    ('/system identity set name="P1', "syntax error (line 1 column 27)"),
    ("/queue tree add name=x parent=nowhere", "input does not match any value of parent"),
    ("/queue tree add parent=ether1", "failure: name not specified"),
]


def test_rejects_wrong_commands_with_routeros_text(ros: Sim) -> None:
    c = ros.connect()
    for line, error in REJECTED:
        assert c.send_command(line) == error
        if "input does not match" not in error:  # not in the suggested error_pattern
            with pytest.raises(ConfigInvalidException):
                c.send_config_set([line], error_pattern=ERRORS, read_timeout=5)
    assert "/queue tree" not in ros.text("running.cfg")


def test_config_survives_restart(ros: Sim) -> None:
    c = ros.connect()
    c.send_config_set(WARD, error_pattern=ERRORS)
    before = ros.text("running.cfg")
    ros.restart()
    assert ros.text("running.cfg") == before
    ros.connect(username="ops", password="Opspass1").disconnect()  # users persist (user.dat)


def test_scheduled_import_reverts_unless_removed(ros: Sim) -> None:
    c = ros.connect()
    c.send_config_set(["/export file=pre-push"], error_pattern=ERRORS)
    saved = body((ros.dir / "files" / "pre-push.rsc").read_text())
    revert = '/system scheduler add name=revert interval=1s on-event="/import file-name=pre-push.rsc"'
    c.send_config_set([revert, *WARD], error_pattern=ERRORS)
    assert "conf-audio" in ros.text("running.cfg")
    c.disconnect()
    assert wait_for(lambda: body(ros.text("running.cfg")) == saved, timeout=3)  # ...line for line
    time.sleep(0.3)
    assert body(ros.text("running.cfg")) == saved  # the imported config has no scheduler: it ran once

    c = ros.connect()
    c.send_config_set([revert, *WARD[:3], "/system scheduler remove [find name=revert]"], error_pattern=ERRORS)
    time.sleep(1.5)
    assert "conf-audio" in ros.text("running.cfg")


def test_import_restores_export_file(ros: Sim) -> None:
    c = ros.connect()
    c.send_config_set(WARD[:6], error_pattern=ERRORS)
    c.send_command("/export file=good")
    good = body(ros.text("running.cfg"))
    c.send_config_set(["/queue tree remove [find]", "/ip firewall mangle set 0 dscp=10", "/system note set note=X"])
    out = c.send_command("/import file-name=good.rsc")
    assert out.strip() == "Script file loaded and executed successfully"
    assert body(ros.text("running.cfg")) == good


def test_safe_mode_undone_when_session_drops(ros: Sim) -> None:
    c = ros.connect()
    c.write_channel("\x18")
    assert "[Safe Mode taken]" in c.read_until_pattern(r"<SAFE> ")
    c.send_config_set(["/ip service set ssh address=10.9.9.0/24"], error_pattern=ERRORS)
    assert "address=10.9.9.0/24" in ros.text("running.cfg")
    c.remote_conn.get_transport().close()  # the link drops: no /quit, no Ctrl-X
    assert wait_for(lambda: "10.9.9.0" not in ros.text("running.cfg"))

    c = ros.connect()
    c.write_channel("\x18")
    c.read_until_pattern(r"<SAFE> ")
    c.send_config_set(["/system note set note=kept"], error_pattern=ERRORS)
    c.write_channel("\x18")
    assert "[Safe Mode released]" in c.read_until_pattern(r"\] > ")
    c.disconnect()
    time.sleep(0.3)
    assert "/system note\nset note=kept\n" in ros.text("running.cfg")


def test_drop_after_k_config_lines(ros: Sim) -> None:
    ros.faults(drop_after_config_lines=2)
    c = ros.connect()
    lines = [f"/ip firewall address-list add list=mgmt address=10.0.0.{n}" for n in range(1, 5)]
    with pytest.raises((OSError, EOFError, ReadTimeout)):
        c.send_config_set(lines, error_pattern=ERRORS, read_timeout=1)
    run = ros.text("running.cfg")
    assert [ln for ln in run.splitlines() if ln.startswith("add address=")] == [
        "add address=10.0.0.1 list=mgmt",
        "add address=10.0.0.2 list=mgmt",
    ]


def test_reject_fault(ros: Sim) -> None:
    ros.faults(reject=[r"^/snmp"])
    c = ros.connect()
    with pytest.raises(ConfigInvalidException):
        c.send_config_set(["/snmp set enabled=yes"], error_pattern=ERRORS, read_timeout=5)


def test_ssh_service_address_locks_out_new_sessions_only(ros: Sim) -> None:
    c = ros.connect()
    c.send_config_set(["/ip service set ssh address=10.9.9.0/24"], error_pattern=ERRORS)
    with pytest.raises(NetmikoTimeoutException):
        ros.connect()
    assert "address=10.9.9.0/24" in c.send_command("/ip service print where name=ssh")
    c.send_config_set(["/ip service set ssh address=10.9.9.0/24,127.0.0.1"], error_pattern=ERRORS)
    ros.connect().disconnect()
