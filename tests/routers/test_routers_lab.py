"""The router role and its plugins against the lab's simulators: real SSH, stock Netmiko drivers.

Order matters and is kept by the fixtures: every router is reset to its first boot, check mode runs, the first
run configures all of them, the second changes nothing; then faults, lockout, SNMPv3 and rollback on a few
routers of each dialect (every test removes its faults again), and last, no secret in anything written.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from router_helpers import OUTPUTS, Run, Sim, lab_secrets, playbook, reset, sims
from support import ROOT, TEST_LAB, VENV_BIN, lab_env

from wardctl.masking import MASK
from wardctl.router import drivers

pytestmark = pytest.mark.lab

# What each simulator logs when its own revert fires (the device's event, not the kit's).
REVERT_EVENT = {
    "cisco_ios": "ROLLBK_CNFMD_CHG_ROLLBACK_START",
    "mikrotik_routeros": "scheduler wardkit-revert: run ",
}
SHORT_TIMERS = ("-e", "router_revert_minutes=1", "-e", "router_revert_seconds=8")  # 1 lab "minute" = 5 s


def expected_lines(lab: dict[str, Any], dialect: str) -> list[str]:
    """Lines every configured router of a dialect shows (addresses from this lab instance's subnet)."""
    net = ipaddress.IPv4Network(lab["subnet"])
    gw, svc = net.network_address + 1, net.network_address + 2
    if dialect == "cisco_ios":
        return [
            "ip access-list standard WARDKIT-MGMT", f" permit {gw}", " permit 127.0.0.1",
            " access-class WARDKIT-MGMT in", " transport input ssh", "ip ssh version 2", "no ip http server",
            "class-map match-any WARDKIT-AUDIO", " match  dscp ef", "policy-map WARDKIT-SHAPE",
            " service-policy output WARDKIT-SHAPE", f"ntp server {svc}", f"logging host {svc}",
            f"ip name-server {svc}", "banner login ^CAuthorised access only.",
        ]  # fmt: skip
    return [
        "set telnet disabled=yes", f"set ssh address={gw}/32,127.0.0.1/32", "set strong-crypto=yes",
        "name=wardkit-up parent=ether1", "/ip firewall mangle", "comment=wardkit-up-audio-ef dscp=46",
        f"/system ntp client\nset enabled=yes servers={svc}", f"/ip dns\nset servers={svc}",
        f"set [ find name=remote ] remote={svc}",
    ]  # fmt: skip


@pytest.fixture(scope="module")
def backups(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("router-backups")


@pytest.fixture(scope="module")
def routers(lab: dict[str, Any]) -> list[Sim]:
    found = sims(lab)
    assert len(found) == 18 and {r.dialect for r in found} == {"cisco_ios", "mikrotik_routeros"}
    return found


def pick(routers: list[Sim], dialect: str, n: int) -> Sim:
    """The n-th router of a dialect (city hall's router is left alone)."""
    return [r for r in routers if r.dialect == dialect and r.ward != "city_hall"][n]


@pytest.fixture(scope="module")
def pb(lab_inventory: Path, vault_password_file: Path, backups: Path):
    def run(name: str, *extra: str, as_json: bool = True) -> Run:
        return playbook(lab_inventory, vault_password_file, name, *extra, backups=backups, as_json=as_json)

    return run


@pytest.fixture(scope="module")
def first_runs(routers: list[Sim], pb, backups: Path) -> dict[str, Any]:
    """Fresh routers; a check-mode run (running configs snapshotted around it); the first real run."""
    reset(routers)

    def snapshot() -> dict[str, dict[str, str]]:
        """A hash of every file each simulator keeps (running and startup config, users, flash:, /file)."""
        skip = {"sim.log", "stderr.log", "pid", "ready"}
        return {
            r.host: {
                str(p.relative_to(r.dir)): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(r.dir.rglob("*"))
                if p.is_file() and p.name not in skip
            }
            for r in routers
        }

    before = snapshot()
    check = pb("routers.yml", "--check", "--diff", as_json=False)
    after = snapshot()
    dry_backups = sorted(p for p in backups.rglob("*") if p.is_file())
    first = pb("routers.yml")
    return {"before": before, "check": check, "after": after, "first": first, "dry_backups": dry_backups}


def test_check_mode_changes_nothing_and_prints_the_diff(routers, first_runs):
    check: Run = first_runs["check"]
    assert check.proc.returncode == 0, check.output[-3000:]
    assert first_runs["after"] == first_runs["before"]  # byte for byte, every router; no file written either
    assert first_runs["dry_backups"] == []  # nor on the controller: a dry run leaves no backup behind
    recap = check.recap()
    assert {h: v["changed"] for h, v in recap.items()} == {r.host: 1 for r in routers}
    assert (
        "+ policy-map WARDKIT-SHAPE" in check.proc.stdout
        and "+  service-policy output WARDKIT-SHAPE" in check.proc.stdout
    )
    assert "+ /queue tree add name=wardkit-up parent=ether1" in check.proc.stdout
    assert "+ username" not in check.proc.stdout  # the login proved the vault's password: no change


def test_first_run_configures_every_router(lab, routers, first_runs, backups):
    first: Run = first_runs["first"]
    assert first.proc.returncode == 0, first.output[-3000:]
    assert {h: (s["changed"], s["failures"]) for h, s in first.stats().items()} == {r.host: (1, 0) for r in routers}
    assert set(first.results) == {r.host for r in routers}
    for r in routers:
        res = first.results[r.host]
        if r.dialect == "cisco_ios":
            # a factory IOS router has no config archive, which its revert timer needs: set up first
            assert "set up what the device's revert needs first: archive / path flash:archive-" in res["warnings"]
            assert "path flash:archive-" in r.text(), r.host
        run = r.text()
        assert [line for line in expected_lines(lab, r.dialect) if line not in run] == [], r.host
        # saved: IOS by `write memory`, RouterOS by itself
        assert r.body("startup.cfg") == r.body(), r.host
        # the results for reports
        assert res["changed"] and res["lines_pushed"] > 10 and res["verified"]["qos_attached"], r.host
        assert res["router"]["model"] in ("ISR4321/K9", "RB750Gr3") and res["router"]["os_version"], r.host
        backup = Path(res["backup_path"])
        assert backup.parent == backups / r.ward / r.host and backup.is_file(), r.host
        assert res["diff"]["prepared"].count("\n") > 10, r.host


def test_second_run_changes_nothing(routers, first_runs, pb):
    second = pb("routers.yml")
    assert second.proc.returncode == 0, second.output[-3000:]
    assert set(second.results) == {r.host for r in routers}
    assert {h: (s["changed"], s["failures"]) for h, s in second.stats().items()} == {r.host: (0, 0) for r in routers}
    assert all(res["lines_pushed"] == 0 and "diff" not in res for res in second.results.values())


def _one_line_failure(run: Run, r: Sim, *wanted: str) -> str:
    res = run.results[r.host]
    msg = res["msg"]
    assert res.get("failed") and "\n" not in msg, (r.host, res)
    assert msg.startswith(f"ward {r.ward}, router {r.host}: "), msg
    for w in wanted:
        assert w in msg, msg
    return msg


def test_dropped_session_ends_with_exactly_the_pre_change_config(routers, first_runs, pb):
    targets = [pick(routers, "cisco_ios", 0), pick(routers, "mikrotik_routeros", 0)]
    before = {r.host: r.body() for r in targets}
    limit = ",".join(r.host for r in targets)
    with targets[0].faults(drop_after_config_lines=3), targets[1].faults(drop_after_config_lines=3):
        run = pb("routers.yml", "--limit", limit, "-e", "router_qos_shape_percent=90", *SHORT_TIMERS)
    assert run.proc.returncode != 0
    for r in targets:
        _one_line_failure(run, r, "session lost during the push", "reverted by the device's revert timer")
        assert r.body() == before[r.host], r.host
        assert run.results[r.host]["reverted_by"] == "timer" and not run.results[r.host]["changed"]


def test_rejected_line_ends_with_exactly_the_pre_change_config(routers, first_runs, pb):
    targets = [pick(routers, "cisco_ios", 1), pick(routers, "mikrotik_routeros", 1)]
    before = {r.host: r.body() for r in targets}
    reject = ["^shape average", "^/queue tree set"]
    with targets[0].faults(reject=reject), targets[1].faults(reject=reject):
        run = pb("routers.yml", "--limit", ",".join(r.host for r in targets), "-e", "router_qos_shape_percent=90")
    assert run.proc.returncode != 0
    for r in targets:
        _one_line_failure(run, r, "the router rejected a line", "reverted over the session")
        assert r.body() == before[r.host], r.host


def test_a_lockout_is_refused_before_any_router_is_touched(routers, first_runs, pb):
    r = pick(routers, "cisco_ios", 2)
    log_at = r.log_size()
    run = pb("routers.yml", "--limit", r.host, "-e", json.dumps({"router_mgmt_subnets": ["10.9.9.0/24"]}))
    assert run.proc.returncode != 0
    msg = run.results[r.host]["msg"]
    assert "does not contain the controller's address 127.0.0.1" in msg and r.host in msg
    assert "login accepted" not in r.log_since(log_at)  # never connected


def test_a_lockout_push_is_reverted_by_the_timer(routers, first_runs, pb):
    targets = [pick(routers, "cisco_ios", 3), pick(routers, "mikrotik_routeros", 2)]
    before = {r.host: r.body() for r in targets}
    logs = {r.host: r.log_size() for r in targets}
    lockout = json.dumps({"router_mgmt_subnets": ["10.9.9.0/24"], "router_test_only_allow_mgmt_lockout": True})
    run = pb("routers.yml", "--limit", ",".join(r.host for r in targets), "-e", lockout, *SHORT_TIMERS)
    assert run.proc.returncode != 0
    for r in targets:
        _one_line_failure(
            run, r, "after the push the controller cannot log in", "reverted by the device's revert timer"
        )
        log = r.log_since(logs[r.host])
        # the controller was locked out, and the device's own timer (not the kit) put the config back
        assert "refused connection from 127.0.0.1" in log, r.host
        fired = REVERT_EVENT[r.dialect]
        assert fired in log, r.host
        assert log.index("refused connection") < log.index(fired) < log.rindex("login accepted"), r.host
        assert r.body() == before[r.host], r.host
    again = pb("routers.yml", "--limit", ",".join(r.host for r in targets))  # the controller logs in again
    assert {h: (s["changed"], s["failures"]) for h, s in again.stats().items()} == {r.host: (0, 0) for r in targets}


def test_snmpv3_when_configured_and_removed_when_not(lab, routers, first_runs, pb):
    targets = [pick(routers, "cisco_ios", 4), pick(routers, "mikrotik_routeros", 0)]
    limit = ",".join(r.host for r in targets)
    on = pb("routers.yml", "--limit", limit, "--diff", "-e", "router_snmpv3_enabled=true")
    assert on.proc.returncode == 0, on.output[-3000:]
    assert "snmp-server group WARDKIT-V3 v3 priv access WARDKIT-MGMT" in targets[0].text()
    gw = ipaddress.IPv4Network(lab["subnet"]).network_address + 1
    assert f"add addresses={gw}/32,127.0.0.1/32" in targets[1].text() and "name=wardkit-v3" in targets[1].text()
    assert any(
        f"snmp-server user wardkit-snmp WARDKIT-V3 v3 auth sha {MASK}" in c
        for c in on.results[targets[0].host]["commands"]
    )
    still = pb("routers.yml", "--limit", limit, "-e", "router_snmpv3_enabled=true")  # the hidden user counts too
    assert {h: s["changed"] for h, s in still.stats().items()} == {r.host: 0 for r in targets}
    # A rotated key: neither device shows keys back, their fingerprints differ, so the keys are pushed again.
    rotated = json.dumps({"router_snmpv3_enabled": True, "router_snmpv3_auth_key": "Rotated-auth-key-2026"})
    rot = pb("routers.yml", "--limit", limit, "-e", rotated)
    assert rot.proc.returncode == 0, rot.output[-3000:]
    assert set(rot.results) == {r.host for r in targets} and all(res["changed"] for res in rot.results.values())
    ios_cmds, ros_cmds = (rot.results[r.host]["commands"] for r in targets)
    assert any(c.startswith(f"snmp-server user wardkit-snmp WARDKIT-V3 v3 auth sha {MASK}") for c in ios_cmds)
    assert any(c.startswith("/snmp community set [ find name=wardkit-v3 ]") and f"authentication-password={MASK}"
               in c for c in ros_cmds), ros_cmds  # fmt: skip
    assert "Rotated-auth-key-2026" in targets[1].text("config.dat")  # RouterOS keeps it beside the export
    assert "Rotated-auth-key-2026" not in rot.output
    settled = pb("routers.yml", "--limit", limit, "-e", rotated)
    assert {h: s["changed"] for h, s in settled.stats().items()} == {r.host: 0 for r in targets}
    off = pb("routers.yml", "--limit", limit)
    assert set(off.results) == {r.host for r in targets}
    assert off.proc.returncode == 0 and all(res["changed"] for res in off.results.values())
    assert "no snmp-server user wardkit-snmp WARDKIT-V3 v3" in off.results[targets[0].host]["commands"]
    assert "snmp-server group" not in targets[0].text() and "wardkit-v3" not in targets[1].text()


def test_rollback_restores_a_backup_line_for_line(routers, first_runs, pb):
    ios, ros = pick(routers, "cisco_ios", 5), pick(routers, "mikrotik_routeros", 2)
    limit = f"{ios.host},{ros.host}"
    saved = pb("router_backup.yml", "--limit", limit)
    assert saved.proc.returncode == 0, saved.output[-3000:]
    b0 = {h: Path(res["backup_path"]) for h, res in saved.results.items()}
    changed = pb("routers.yml", "--limit", limit, "-e", "router_qos_shape_percent=90")
    assert set(changed.results) == {ios.host, ros.host}
    assert all(res["changed"] for res in changed.results.values()), changed.output[-3000:]
    assert ios.body() != body(ios, b0[ios.host]) and ros.body() != body(ros, b0[ros.host])

    named = pb("router_rollback.yml", "--limit", ios.host, "-e", f"router_rollback_backup={b0[ios.host]}")
    assert named.proc.returncode == 0, named.output[-3000:]
    assert named.results[ios.host]["changed"] and named.results[ios.host]["restored"] == str(b0[ios.host])
    assert ios.body() == body(ios, b0[ios.host])  # line for line
    assert ios.body("startup.cfg") == ios.body()  # saved

    latest = pb("router_rollback.yml", "--limit", ros.host)  # the newest backup: taken just before the change
    assert latest.proc.returncode == 0, latest.output[-3000:]
    restored = Path(latest.results[ros.host]["restored"])
    assert restored != b0[ros.host] and ros.body() == ros.body("startup.cfg")
    assert ros.body() == body(ros, restored) == body(ros, b0[ros.host])

    again = pb("routers.yml", "--limit", limit)  # both back at the intended config
    assert {h: s["changed"] for h, s in again.stats().items()} == {ios.host: 0, ros.host: 0}


def test_a_confirmed_change_that_was_not_saved_is_saved_by_the_next_run(routers, first_runs, pb):
    r = pick(routers, "cisco_ios", 6)
    with r.faults(reject=["^write memory"]):
        failed = pb("routers.yml", "--limit", r.host, "-e", "router_qos_shape_percent=91")
    _one_line_failure(failed, r, "confirmed, but saving failed", "the next run saves it")
    assert "shape average" in r.text() and r.body("startup.cfg") != r.body()
    fixed = pb("routers.yml", "--limit", r.host, "-e", "router_qos_shape_percent=91")
    res = fixed.results[r.host]
    assert fixed.proc.returncode == 0 and res["changed"] and res["lines_pushed"] == 0, fixed.output[-3000:]
    assert res["diff"]["prepared"].startswith("+ write memory (the saved startup-config differs")
    assert r.body("startup.cfg") == r.body()
    again = pb("routers.yml", "--limit", r.host, "-e", "router_qos_shape_percent=91")
    assert again.stats()[r.host]["changed"] == 0


def test_a_secret_the_cli_would_interpret_is_refused_before_connecting(routers, first_runs, pb):
    r = pick(routers, "cisco_ios", 7)
    log_at = r.log_size()
    run = pb("routers.yml", "--limit", r.host, "-e", json.dumps({"router_password": "Lab-pass-with?mark"}))
    msg = _one_line_failure(run, r, "router_password: cisco_ios would interpret ?")
    assert "Lab-pass-with?mark" not in msg
    assert "login accepted" not in r.log_since(log_at) and "connection from" not in r.log_since(log_at)


def test_controller_killed_mid_push_the_device_reverts_by_itself(routers, first_runs, pb, lab_inventory,
                                                                 vault_password_file, backups):  # fmt: skip
    """kill -9 of the playbook while the push hangs: nobody is left to revert but the device's own timer."""
    targets = [pick(routers, "mikrotik_routeros", 1), pick(routers, "cisco_ios", 8)]
    before = {r.host: r.body() for r in targets}
    logs = {r.host: r.log_size() for r in targets}
    cmd = [
        str(VENV_BIN / "ansible-playbook"), "-i", str(lab_inventory), "--vault-password-file",
        str(vault_password_file), str(ROOT / "playbooks" / "routers.yml"), "--limit",
        ",".join(r.host for r in targets), "-e", f"router_backup_dir={backups}", "-e", "router_qos_shape_percent=89",
        *SHORT_TIMERS,
    ]  # fmt: skip
    with targets[0].faults(hang_after_config_lines=7), targets[1].faults(hang_after_config_lines=3):
        proc = subprocess.Popen(cmd, cwd=ROOT, env=lab_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)  # fmt: skip
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                if all("fault: hanging after config line" in r.log_since(logs[r.host]) for r in targets):
                    break
                time.sleep(0.2)
            else:
                raise AssertionError("the push never reached the hanging line")
        finally:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
        for r in targets:
            fired = REVERT_EVENT[r.dialect]
            deadline = time.monotonic() + 60
            while fired not in r.log_since(logs[r.host]) and time.monotonic() < deadline:
                time.sleep(0.5)
            assert fired in r.log_since(logs[r.host]), r.host  # the device's own timer, nobody else
    for r in targets:
        deadline = time.monotonic() + 10
        while r.body() != before[r.host] and time.monotonic() < deadline:
            time.sleep(0.2)
        assert r.body() == before[r.host], r.host  # exactly the pre-change config
    later = pb("routers.yml", "--limit", ",".join(r.host for r in targets), "-e", "router_qos_shape_percent=89")
    assert later.proc.returncode == 0, later.output[-3000:]  # a later push is accepted (no revert left pending)
    assert set(later.results) == {r.host for r in targets} and all(res["changed"] for res in later.results.values())


@pytest.mark.parametrize("case", ["unknown", "changed"])
def test_an_unknown_or_changed_host_key_is_refused(routers, first_runs, pb, lab, tmp_path, case):
    """Both dialects: no trust on first use, no login past a changed key; the router is never touched."""
    targets = [pick(routers, "cisco_ios", 9), pick(routers, "mikrotik_routeros", 2)]
    pinned = (ROOT / f".lab-{TEST_LAB}" / "known_hosts").read_text().splitlines()
    known = tmp_path / "known_hosts"
    names = {r.host for r in targets}
    hosts = {"[{}]:{}".format(*h["ssh"].rsplit(":", 1)) for h in lab["hosts"] if h["host"] in names}
    if case == "unknown":  # every other host's key, none for these routers
        known.write_text("\n".join(ln for ln in pinned if ln.split()[0] not in hosts) + "\n")
    else:  # another host's key under these routers' names
        other = next(ln for ln in pinned if "ssh-ed25519" in ln).split(None, 1)[1]
        known.write_text("".join(f"{h} {other}\n" for h in sorted(hosts)) + "\n".join(pinned) + "\n")
    before = {r.host: r.body() for r in targets}
    logs = {r.host: r.log_size() for r in targets}
    run = pb("routers.yml", "--limit", ",".join(r.host for r in targets), "-e", f"router_known_hosts={known}")
    assert run.proc.returncode != 0 and set(run.results) == {r.host for r in targets}
    for r in targets:
        msg = _one_line_failure(run, r, "cannot log in")
        assert not run.results[r.host].get("unreachable"), msg  # refused, not "no answer"
        assert "login accepted" not in r.log_since(logs[r.host]) and r.body() == before[r.host], r.host


def body(r: Sim, backup: Path) -> list[str]:
    return drivers.driver(r.dialect).body(backup.read_text())


ROTATED = "Rotated-Router-Pass-2026"


def test_a_router_password_rotation_through_the_role(routers, first_runs, pb):
    """vault_router_password_next set: the role pushes it (verified by a fresh login with it) and says to promote
    it; the old password no longer logs in; promoted, nothing changes; rotating back restores the lab."""
    targets = [pick(routers, "cisco_ios", 6), pick(routers, "mikrotik_routeros", 1)]
    limit = ",".join(r.host for r in targets)
    old = (ROOT / f".lab-{TEST_LAB}" / "secrets" / "router_password").read_text().strip()
    rot = pb("routers.yml", "--limit", limit, "-e", json.dumps({"router_password_next": ROTATED}))
    assert rot.proc.returncode == 0, rot.output[-3000:]
    assert set(rot.results) == {r.host for r in targets}
    for res in rot.results.values():
        assert res["changed"] and res["verified"]["fresh_login"], res
        assert any("make it router_password in the vault" in w for w in res["warnings"]), res["warnings"]
    stale = pb("router_backup.yml", "--limit", limit)  # the old password alone is refused now
    assert {h: s["failures"] for h, s in stale.stats().items()} == {r.host: 1 for r in targets}
    promoted = pb("routers.yml", "--limit", limit, "-e", json.dumps({"router_password": ROTATED}))
    assert {h: (s["changed"], s["failures"]) for h, s in promoted.stats().items()} == {r.host: (0, 0) for r in targets}
    back = pb("routers.yml", "--limit", limit, "-e", json.dumps({"router_password": ROTATED,
                                                                   "router_password_next": old}))  # fmt: skip
    assert back.proc.returncode == 0 and all(res["changed"] for res in back.results.values()), back.output[-3000:]
    final = pb("routers.yml", "--limit", limit)
    assert {h: (s["changed"], s["failures"]) for h, s in final.stats().items()} == {r.host: (0, 0) for r in targets}
    for run in (rot, stale, promoted, back, final):
        assert ROTATED not in run.output


def test_no_secret_in_any_output_or_backup(routers, first_runs, backups):
    secrets = lab_secrets()
    assert OUTPUTS and all(len(s) >= 16 for s in secrets)
    for i, out in enumerate(OUTPUTS):
        for s in secrets:
            assert s not in out, f"a lab secret in playbook output #{i}"
        assert "$9$" not in out, f"an IOS secret hash in playbook output #{i}"
    files = [p for p in backups.rglob("*") if p.is_file()]
    assert len(files) > len(routers)
    for path in files:
        text = path.read_text()
        for s in secrets:
            assert s not in text, path
