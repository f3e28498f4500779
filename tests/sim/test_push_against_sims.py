"""The kit's safe push (wardctl.router.push) against one simulator each, over real SSH with stock Netmiko:
what the lab's playbook tests cannot stage, such as someone changing the router while a revert is pending."""

from __future__ import annotations

import threading
from dataclasses import replace

from sim_helpers import ENABLE, PASSWORD, Sim, wait_for

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
