"""The kit's safe push (wardctl.router.push) against one simulator each, over real SSH with stock Netmiko:
what the lab's playbook tests cannot stage, such as someone changing the router while a revert is pending."""

from __future__ import annotations

import tempfile
import threading
from dataclasses import replace
from pathlib import Path

from sim_helpers import ENABLE, PASSWORD, Sim, wait_for

from wardctl.masking import Masker
from wardctl.netdev import Target
from wardctl.router import push

ROS = """/ip dns set servers=10.0.0.2
/queue tree add name=wardkit-up parent=ether1 max-limit=36000000
/ip firewall address-list add list=wardkit-peers address=10.0.0.1/32
/system note set note="hi" show-at-login=yes
"""


def _target(sim: Sim) -> Target:
    return Target("127.0.0.1", sim.port, sim.dialect, "admin", PASSWORD, ENABLE, str(sim.known_hosts), timeout=5)


def test_a_revert_that_cannot_restore_says_so_and_names_the_backup(ros, tmp_path):
    """The session drops mid-push; before the device's one-shot revert fires, a technician adds an entry the
    revert knows nothing about. The revert runs (the device's own timer), but the router is not back at the
    backup: the result says so in one line and names the backup to restore, and claims no revert."""
    s = push.Settings("w", "r", tmp_path, revert_seconds=4, revert_wait=30, push_read_timeout=3)
    ros.faults(drop_after_config_lines=5)  # the revert's three entries, then two of the plan's lines

    def meddle() -> None:
        assert wait_for(lambda: "fault: dropping" in ros.text("sim.log"), timeout=30)
        ros.faults()
        conn = ros.connect()
        conn.send_command("/ip firewall address-list add list=technician address=192.0.2.7", expect_string=r">\s*$")

    helper = threading.Thread(target=meddle)
    helper.start()
    out = push.configure(_target(ros), ROS, s)
    helper.join(timeout=30)
    assert not out.ok and "\n" not in out.msg, out.msg
    assert "session lost during the push" in out.msg and "NOT back at the backup" in out.msg, out.msg
    assert f"restore {out.backup_path} with router_rollback" in out.msg, out.msg
    assert not out.reverted_by and "scheduler wardkit-revert: run 1" in ros.text("sim.log")
    assert "wardkit-up" not in ros.text("running.cfg") and "technician" in ros.text("running.cfg")


def test_a_refused_host_key_is_a_failure_and_a_closed_port_is_unreachable(ios, tmp_path):
    """Netmiko reports both as a timeout; only the closed port means "no answer" (Ansible's unreachable)."""
    s = push.Settings("w", "r", tmp_path)
    empty = tmp_path / "known_hosts"
    empty.write_text("")
    refused = push.configure(replace(_target(ios), known_hosts=str(empty)), "hostname P1-RTR\n", s)
    assert not refused.ok and not refused.unreachable and "cannot log in" in refused.msg, refused.msg
    assert "not found in known_hosts" in refused.msg, refused.msg
    ios.stop()
    silent = push.configure(_target(ios), "hostname P1-RTR\n", s)
    assert not silent.ok and silent.unreachable, silent.msg


NEW = "n3w-Passw0rd"
ROTATE = {
    "cisco_ios": f"username admin secret 0 {NEW}\nip name-server 10.0.0.2\n",
    "mikrotik_routeros": f"/ip dns set servers=10.0.0.2\n/user add name=admin group=full password={NEW}\n",
}


def _logs_in(sim: Sim, password: str) -> bool:
    from netmiko.exceptions import NetmikoAuthenticationException

    from wardctl.netdev import connect

    try:
        conn, _ = connect(replace(_target(sim), password=password))
    except NetmikoAuthenticationException:
        return False
    conn.disconnect()
    return True


def test_a_password_rotation_is_pushed_proven_by_a_fresh_login_and_then_settles(ios, ros, tmp_path):
    """router_password_next: the login uses the old password, the push sets the new one, the verification logs
    in with the new one; a second run logs in with the new one and changes nothing, and says to promote it."""
    for sim in (ios, ros):
        s = push.Settings("w", "r", tmp_path / sim.dialect, revert_minutes=1, revert_seconds=30)
        rotating = replace(_target(sim), password_next=NEW)
        out = push.configure(rotating, ROTATE[sim.dialect], s)
        assert out.ok and out.changed, (sim.dialect, out.msg)
        assert any(c.startswith(("username admin", "/user set")) for c in out.commands), out.commands
        assert any("make it router_password" in w for w in out.warnings), out.warnings
        assert _logs_in(sim, NEW) and not _logs_in(sim, PASSWORD), sim.dialect
        assert NEW not in str(out.as_dict()) and PASSWORD not in str(out.as_dict())
        again = push.configure(rotating, ROTATE[sim.dialect], s)
        assert again.ok and not again.changed, (sim.dialect, again.diff)
        assert any("make it router_password" in w for w in again.warnings), again.warnings
        # The vault promoted: the new password is router_password, no rotation any more.
        settled = push.configure(replace(_target(sim), password=NEW), ROTATE[sim.dialect], s)
        assert settled.ok and not settled.changed and not settled.warnings, (sim.dialect, settled.diff)


def test_a_failed_rotation_leaves_the_old_password(ios, ros, tmp_path):
    """The push that sets the new password fails after the password line: the device's revert (IOS: over the
    session; RouterOS: the kit's one-shot script, by the device's timer) puts the old password back."""
    ios.faults(reject=["^ip name-server"])  # the line after the user's
    ros.faults(drop_after_config_lines=5)  # the revert's three entries, the DNS line, the password line
    for sim, how in ((ios, "reverted over the session"), (ros, "reverted by the device's revert timer")):
        s = push.Settings("w", "r", tmp_path / sim.dialect, revert_seconds=4, revert_wait=30, push_read_timeout=3)
        out = push.configure(replace(_target(sim), password_next=NEW), ROTATE[sim.dialect], s)
        assert not out.ok and how in out.msg, (sim.dialect, out.msg)
        sim.faults()
        assert _logs_in(sim, PASSWORD) and not _logs_in(sim, NEW), sim.dialect


PUSH = {  # a line with the prompt's `#` in it, a line the device refuses, and a line after it
    "cisco_ios": (["interface GigabitEthernet0/0/1", "description uplink #2 to city hall", "shut foo", "exit",
                   "ip name-server 10.0.0.9"], "'shut foo' refused: % Invalid input detected at '^' marker."),
    "mikrotik_routeros": (['/system note set note="room #2"', "/ip dns sett servers=10.0.0.9",
                           "/ip dns set servers=10.0.0.8"],
                          "'/ip dns sett servers=10.0.0.9' refused: bad command name"),
}  # fmt: skip


def test_a_push_awaits_each_lines_echo_and_stops_at_the_line_the_device_refuses(ios, ros):
    """The driver's own push loop (not Netmiko's send_config_set): a `#` inside a line is not taken for the
    prompt, the refused line is named with the device's own words, and nothing after it is sent."""
    from wardctl.router import drivers
    from wardctl.router.drivers.base import Rejected

    for sim in (ios, ros):
        lines, said = PUSH[sim.dialect]
        d = drivers.driver(sim.dialect).open(_target(sim))
        try:
            try:
                d.push_lines(lines)
                raise AssertionError(f"{sim.dialect}: the refused line was not noticed")
            except Rejected as exc:
                assert str(exc).startswith(said), (sim.dialect, str(exc))
            d.conn.exit_config_mode()  # IOS stays in config mode after the refusal (the revert leaves it too)
            running = d.running()
        finally:
            d.close()
        assert "#2" in running, running  # the line before the refused one is in, whole
        assert "10.0.0.9" not in running and "10.0.0.8" not in running, running  # nothing after it was sent


def test_a_login_checks_the_host_key_among_a_citys_known_hosts(ios, tmp_path):
    """Each login hands paramiko only the lines that name the router (the file may hold a province's routers):
    a hashed line for it is found among many others, a wrong key on its own line is still refused, and a line
    for the same address on another port does not stand in for it."""
    import asyncssh
    from paramiko.hostkeys import HostKeys

    from wardctl.netdev import connect, host_keys_of

    right = ios.known_hosts.read_text().split(None, 1)[1].strip()
    wrong = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode().strip()
    name = f"[127.0.0.1]:{ios.port}"
    others = [f"[10.{i // 250}.{i % 250}.1]:22 {wrong}" for i in range(300)]
    other_port = f"[127.0.0.1]:{ios.port + 1} {right}"
    cases = {
        "hashed": ([*others, "# a comment", f"{HostKeys.hash_host(name)} {right}"], ""),
        "plain, among others": ([*others[:150], f"10.9.9.9,{name} {right}", *others[150:]], ""),
        "wrong key": ([*others, f"{name} {wrong}"], "does not match"),
        "only another port": ([*others, other_port], "not found in known_hosts"),
    }
    leftovers = set(Path(tempfile.gettempdir()).glob("wardkit-host-keys-*"))  # a killed process's, if any
    for case, (lines, refusal) in cases.items():
        known = tmp_path / "known_hosts"
        known.write_text("\n".join(lines) + "\n")
        target = replace(_target(ios), known_hosts=str(known))
        with host_keys_of(target) as path:
            kept = Path(path).read_text().splitlines()
        assert kept == [ln for ln in lines if name in ln or ln.startswith("|1|")], case
        try:
            conn, _ = connect(target)
        except Exception as exc:  # Netmiko wraps paramiko's refusal in its own types
            assert refusal and refusal in str(exc), (case, exc)
        else:
            conn.disconnect()
            assert not refusal, case
    assert set(Path(tempfile.gettempdir()).glob("wardkit-host-keys-*")) <= leftovers  # each login's file is gone


def test_a_push_that_stops_answering_names_the_line_by_number_not_by_its_text(ios):
    """A line can hold a secret, and the masker finds only whole secrets: the message names the line's number."""
    from wardctl.router import drivers
    from wardctl.router.drivers.base import SessionLost

    secret = "S3cr3t-" + "x" * 40  # longer than any cut of a line a message could show
    ios.faults(hang_after_config_lines=1)
    d = drivers.driver(ios.dialect).open(_target(ios), push_read_timeout=1)
    try:
        # the router hangs after the secret's line: its echo came, its prompt does not
        d.push_lines([f"username wardops secret 0 {secret}", "ip name-server 10.0.0.9"])
        raise AssertionError("the silent router was not noticed")
    except SessionLost as exc:
        assert str(exc) == "session lost during the push (no prompt after line 1 of 2 within 1 s)", str(exc)
        assert "S3cr3t" not in str(exc), str(exc)
        # The session stays hung: a command gets no answer either, and its message holds it whole, so the masker
        # (whole secrets only) leaves no part of a secret in it.
        command = f"show running-config | include {secret}"
        try:
            d.send(command, read_timeout=1)
            raise AssertionError("the silent router was not noticed") from None
        except SessionLost as lost:
            assert command in str(lost), str(lost)
            assert "S3cr3t" not in Masker([secret]).text(str(lost)), str(lost)
    finally:
        d.close()
