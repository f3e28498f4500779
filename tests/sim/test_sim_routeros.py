"""The MikroTik RouterOS simulator, driven by stock Netmiko (`mikrotik_routeros`) over real SSH."""

from __future__ import annotations

import time

import pytest
from netmiko import BaseConnection
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
    assert "Opspass1" not in run and "Opspass1" not in ros.text("config.dat")  # only its salted hash
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
    ros.connect(username="ops", password="Opspass1").disconnect()  # users persist (the device's own database)


def sim_log_lines(ros: Sim, needle: str) -> list[str]:
    """DIR/sim.log lines holding needle (the scheduler writes one per run: `scheduler NAME: run N ...`)."""
    return [ln for ln in ros.text("sim.log").splitlines() if needle in ln]


def device_log(c: BaseConnection, needle: str) -> list[str]:
    return [ln for ln in c.send_command("/log print").splitlines() if needle in ln]


def at(seconds: float) -> str:
    """start-date/start-time arguments for a moment `seconds` from now (the device clock is UTC)."""
    t = time.gmtime(time.time() + seconds)
    return f"start-date={time.strftime('%Y-%m-%d', t)} start-time={time.strftime('%H:%M:%S', t)}"


def test_scheduled_reset_reverts_unless_removed(ros: Sim) -> None:
    # Replacing a configuration takes /system reset-configuration (plus run-after-reset), not /import.
    c = ros.connect()
    c.send_config_set(["/export file=pre-push"], error_pattern=ERRORS)
    saved = body((ros.dir / "files" / "pre-push.rsc").read_text())
    reset = "/system reset-configuration no-defaults=yes keep-users=yes skip-backup=yes run-after-reset=pre-push.rsc"
    revert = f'/system scheduler add name=revert interval=0 {at(3)} on-event="{reset}"'
    c.send_config_set([revert, *WARD], error_pattern=ERRORS)
    assert "conf-audio" in ros.text("running.cfg")
    assert wait_for(lambda: bool(sim_log_lines(ros, "scheduler revert: run 1")), timeout=6)
    assert wait_for(lambda: body(ros.text("running.cfg")) == saved)  # ...line for line, no scheduler left
    ros.connect(username="ops", password="Opspass1").disconnect()  # keep-users

    c = ros.connect()
    c.send_config_set(
        [f'/system scheduler add name=revert2 interval=0 {at(2)} on-event="{reset}"', *WARD[:3]],
        error_pattern=ERRORS,
    )
    c.send_config_set(["/system scheduler remove [find name=revert2]"], error_pattern=ERRORS)
    time.sleep(3)
    assert not sim_log_lines(ros, "scheduler revert2")
    assert "conf-audio" in ros.text("running.cfg")


def put_file(ros: Sim, name: str, lines: list[str]) -> None:
    """As if uploaded over SFTP."""
    (ros.dir / "files" / name).write_text("\n".join(lines) + "\n")


def address_lists(ros: Sim) -> list[str]:
    return [ln for ln in body(ros.text("running.cfg")) if ln.startswith("add address=")]


def test_import_runs_on_top_and_stops_at_the_first_error(ros: Sim) -> None:
    c = ros.connect()
    c.send_config_set(WARD[:6], error_pattern=ERRORS)
    put_file(
        ros,
        "more.rsc",
        [
            "# a comment",
            "/ip firewall address-list add list=a address=10.1.0.0/16",
            "/ip firewall address-list add list=b address=10.2.0.0/16",
            "/queue tree add name=wan-up parent=ether1",
            "/ip firewall address-list add list=c address=10.3.0.0/16",
        ],
    )
    before = ros.text("running.cfg")
    out = c.send_command("/import file-name=more.rsc")
    assert out == "Script Error: failure: already have such name (/queue/tree/add; line 4)"
    assert address_lists(ros) == ["add address=10.1.0.0/16 list=a", "add address=10.2.0.0/16 list=b"]
    assert [ln for ln in body(before) if not ln.startswith("/ip firewall address-list")] == [
        ln for ln in body(ros.text("running.cfg")) if not ln.startswith(("/ip firewall address-list", "add address="))
    ]  # the rest is as it was: nothing replaced, nothing removed
    out = c.send_command("/import more.rsc")  # again: now line 2 is the first duplicate
    assert out == "Script Error: failure: already have such entry (/ip/firewall/address-list/add; line 2)"

    put_file(ros, "ok.rsc", [":put hello", "/ip firewall address-list add list=d address=10.4.0.0/16"])
    assert c.send_command("/import file-name=ok.rsc") == "hello\nScript file loaded and executed successfully"
    assert "add address=10.4.0.0/16 list=d" in address_lists(ros)
    assert c.send_command("/import nothing.rsc") == "Cannot open import file, file does not exist"


def test_import_with_a_syntax_error_runs_nothing_unless_verbose(ros: Sim) -> None:
    # A script is parsed whole before it runs; `verbose=yes` runs the file line by line.
    c = ros.connect()
    put_file(ros, "typo.rsc", ["/ip firewall address-list add list=a address=10.1.0.0/16", "/ip firewal mangle prnt"])
    out = c.send_command("/import file-name=typo.rsc")
    assert out == "Script Error: bad command name prnt (line 2 column 20)"
    assert address_lists(ros) == []
    assert c.send_command("/import file-name=typo.rsc verbose=yes") == out
    assert address_lists(ros) == ["add address=10.1.0.0/16 list=a"]


def test_whole_export_import_onto_a_configured_router_fails_at_its_first_duplicate_add(ros: Sim) -> None:
    c = ros.connect()
    c.send_config_set(WARD[:6], error_pattern=ERRORS)
    c.send_command("/export file=good")
    good = (ros.dir / "files" / "good.rsc").read_text().splitlines()
    first_add = next(n for n, ln in enumerate(good, start=1) if ln.startswith("add "))
    assert good[first_add - 2] == "/queue tree"
    c.send_config_set(["/ip firewall mangle set 0 dscp=10", "/system note set note=X"], error_pattern=ERRORS)
    changed = body(ros.text("running.cfg"))
    out = c.send_command("/import file-name=good.rsc")
    assert out == f"Script Error: failure: already have such name (/queue/tree/add; line {first_add})"
    assert body(ros.text("running.cfg")) == changed  # not replaced: the later changes stay, nothing doubled


def test_export_hides_sensitive_values_unless_show_sensitive(ros: Sim) -> None:
    c = ros.connect()
    snmp = (
        "/snmp community add name=ward addresses=10.0.0.0/8 security=private authentication-protocol=SHA1 "
        "authentication-password=AuthPass1 encryption-protocol=AES encryption-password=EncPass1"
    )
    c.send_config_set([snmp, "/user add name=ops group=full password=Opspass1"], error_pattern=ERRORS)
    secrets = ("AuthPass1", "EncPass1", "authentication-password", "encryption-password", "Opspass1")
    for command in ("/export", "/snmp community export", "/snmp community print detail"):
        out = c.send_command(command)
        assert "name=ward" in out and not any(s in out for s in secrets), command
    assert not any(s in ros.text("running.cfg") for s in secrets)
    for command in ("/snmp community export show-sensitive", "/export show-sensitive"):
        out = c.send_command(command)
        assert "authentication-password=AuthPass1" in out and "encryption-password=EncPass1" in out, command
        assert "Opspass1" not in out and "/user\n" not in out, command  # users are never exported
    ros.restart()  # the device keeps them (its database, not the export)
    c = ros.connect()
    assert "encryption-password=EncPass1" in c.send_command("/snmp community export show-sensitive")


def test_scheduler_one_shot_runs_once_at_its_start_time(ros: Sim) -> None:
    c = ros.connect()
    clock = c.send_command("/system clock print")
    assert f"date: {time.strftime('%Y-%m-%d', time.gmtime())}" in clock and "time: " in clock  # 7.10+ dates
    c.send_config_set(
        [
            f'/system scheduler add name=once interval=0 {at(2)} on-event=":log info once-fired"',
            f'/system scheduler add name=oops {at(2)} on-event="/queue tree add name=x parent=nowhere"',
            '/system scheduler add name=tick interval=1s on-event=":log info tick"',
        ],
        error_pattern=ERRORS,
    )
    assert not device_log(c, "once-fired")
    assert wait_for(lambda: bool(sim_log_lines(ros, "scheduler once: run 1 (on-event): ok")), timeout=5)
    assert wait_for(lambda: len(sim_log_lines(ros, "scheduler tick: run")) >= 2, timeout=5)  # repeats
    time.sleep(1)
    assert len(device_log(c, "script,info once-fired")) == 1
    assert not sim_log_lines(ros, "scheduler once: run 2")
    errors = device_log(c, "script,error")  # as RouterOS logs a failed scheduler run (Scripting manual)
    assert len(errors) == 2
    assert errors[0].endswith("script,error executing script from scheduler (oops) failed, please check it manually")
    assert errors[1].endswith(
        "script,error,debug (scheduler:oops) input does not match any value of parent (/queue/tree/add; line 1)"
    )


def test_scheduler_startup_entry_runs_once_3s_after_boot(ros: Sim) -> None:
    c = ros.connect()
    entry = '/system scheduler add name=boot start-time=startup on-event=":log info booted"'
    c.send_config_set([entry], error_pattern=ERRORS)
    ros.restart()
    started = time.monotonic()
    assert wait_for(lambda: bool(sim_log_lines(ros, "scheduler boot: run 1")), timeout=8)
    assert time.monotonic() - started >= 2  # not at once: 3 s after the (re)start
    c = ros.connect()
    time.sleep(0.5)
    assert len(device_log(c, "script,info booted")) == 1 and not sim_log_lines(ros, "scheduler boot: run 2")


def test_self_removing_script_runs_to_its_end(ros: Sim) -> None:
    c = ros.connect()
    source = (
        "/system scheduler remove [find name=cleanup]\\r\\n/system script remove [find name=cleanup]\\r\\n"
        "/ip firewall address-list add list=after address=10.9.9.9\\r\\n:log info cleanup-done"
    )
    c.send_config_set(
        [
            f'/system script add name=cleanup source="{source}"',
            f"/system scheduler add name=cleanup {at(2)} on-event=cleanup",
        ],
        error_pattern=ERRORS,
    )
    assert wait_for(lambda: bool(sim_log_lines(ros, "scheduler cleanup: run 1 (script cleanup): ok")), timeout=5)
    assert len(device_log(c, "script,info cleanup-done")) == 1
    run = ros.text("running.cfg")
    assert "/system scheduler" not in run and "/system script" not in run and "list=after" in run


def test_do_on_error_carries_a_script_past_a_failed_command(ros: Sim) -> None:
    c = ros.connect()
    c.send_config_set(WARD[3:4], error_pattern=ERRORS)  # /queue tree wan-up
    put_file(
        ros,
        "idem.rsc",
        [
            ":do {",
            "    /queue tree add name=wan-up parent=ether1",
            "} on-error={",
            "    :log warning wan-up-exists",
            "}",
            "/ip firewall address-list add list=after address=10.9.9.8",
        ],
    )
    assert c.send_command("/import file-name=idem.rsc") == "Script file loaded and executed successfully"
    assert len(device_log(c, "script,warning wan-up-exists")) == 1 and "list=after" in ros.text("running.cfg")
    out = c.send_command(':do { /queue tree add name=wan-up parent=ether1 } on-error={ :put "caught" }; :put next')
    assert out == "caught\nnext"
    assert c.send_command("/queue tree add name=wan-up parent=ether1") == "failure: already have such name"


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
