"""The built-in lab, exercised over real SSH and real podman."""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from support import ROOT, TEST_LAB, admin_ssh, ansible_playbook, lab_env, run, wardctl

pytestmark = pytest.mark.lab
STATE = ROOT / f".lab-{TEST_LAB}"


def containers(lab: dict[str, Any]) -> list[dict[str, Any]]:
    return [h for h in lab["hosts"] if h["kind"] == "container"]


def simulators(lab: dict[str, Any]) -> list[dict[str, Any]]:
    return [h for h in lab["hosts"] if h["kind"] == "simulator"]


def in_container(lab: dict[str, Any], host: str, *cmd: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    name = next(h["container"] for h in containers(lab) if h["host"] == host)
    return run(["podman", "exec", name, *cmd], env=lab_env(), timeout=timeout, check=False)


def room_of(lab: dict[str, Any], ward: str) -> str:
    return next(h["host"] for h in containers(lab) if h["ward"] == ward and h["role"] == "meeting_room")


def services_ip(lab: dict[str, Any]) -> str:
    return next(h["address"] for h in containers(lab) if h["role"] == "city_services")


def test_status_lists_every_host_running(lab):
    wards = {h["ward"] for h in lab["hosts"]}
    assert len(wards) == 18  # 17 wards + city hall
    rooms = [h for h in containers(lab) if h["role"] == "meeting_room"]
    assert sorted(h["ward"] for h in rooms) == sorted(wards)
    assert {h["role"] for h in containers(lab)} == {"meeting_room", "city_services", "leader_pc"}
    for h in containers(lab):
        assert h["state"] == "running" and h["pid"] > 0, h
        assert h["container"].startswith(f"{TEST_LAB}-")
    sims = simulators(lab)
    assert len(sims) == 18
    assert {s["dialect"] for s in sims} == {"cisco_ios", "mikrotik_routeros"}
    for s in sims:
        assert s["state"] == "running" and s["pid"] > 0, s
        assert re.fullmatch(r"127\.21\.0\.\d+:2222", s["ssh"]), s
    assert lab["podman"]["CONTAINERS_CONF"].endswith("lab/containers.conf")
    addresses = [h["address"] for h in lab["hosts"]]
    assert len(addresses) == len(set(addresses))


def test_every_endpoint_answers_ssh_as_admin_with_pinned_host_key(lab):
    known = STATE / "known_hosts"
    keys = [line.split()[2] for line in known.read_text().splitlines()]
    assert len(keys) == len(set(keys)) == len(lab["hosts"]), "each host has its own host key"
    for h in containers(lab):
        proc = admin_ssh(STATE, h["address"], "hostname && sudo -n id -u && systemctl is-active ssh")
        assert proc.stdout.split() == [h["host"], "0", "active"], (h, proc.stderr)


def test_a_changed_host_key_is_refused(lab, tmp_path):
    h = containers(lab)[0]
    other = next(x for x in containers(lab) if x["host"] != h["host"])
    pub = (STATE / "hostkeys" / other["host"] / "ssh_host_ed25519_key.pub").read_text().split()
    (tmp_path / "kh").write_text(f"{h['address']} {pub[0]} {pub[1]}\n")
    proc = admin_ssh(STATE, h["address"], "true", known_hosts=tmp_path / "kh")
    assert proc.returncode == 255 and "HOST IDENTIFICATION HAS CHANGED" in proc.stderr


def test_city_hall_serves_mirror_iperf_and_syslog(lab):
    svc, room = services_ip(lab), room_of(lab, "phuong_1")
    page = in_container(
        lab, room, "python3", "-c", f"import urllib.request as u; print(u.urlopen('http://{svc}/').read().decode())"
    )
    assert "software mirror" in page.stdout
    proc = in_container(lab, room, "iperf3", "-c", svc, "-t", "1", "-J")
    assert json.loads(proc.stdout)["end"]["sum_received"]["bits_per_second"] > 50e6
    in_container(lab, room, "logger", "-n", svc, "-P", "514", "-d", "lab-syslog-probe")
    for _ in range(20):
        got = in_container(lab, "city_hall-services", "sh", "-c", "cat /var/log/wards/*.log 2>/dev/null")
        if "lab-syslog-probe" in got.stdout:
            break
        subprocess.run(["sleep", "0.2"], check=True)
    assert "lab-syslog-probe" in got.stdout


def test_slow_ward_is_shaped_to_about_one_megabit(lab):
    imp = next(i for i in lab["impairments"] if i["rate_kbit"])
    for reverse in ([], ["-R"]):  # upload, then download
        proc = in_container(lab, room_of(lab, imp["ward"]), "iperf3", "-c", services_ip(lab), "-t", "3", "-J", *reverse)
        bps = json.loads(proc.stdout)["end"]["sum_received"]["bits_per_second"]
        assert 0.3e6 < bps < 1.5e6, (reverse, bps)


def test_lossy_ward_loses_packets_and_others_do_not(lab):
    def loss(ward: str) -> float:
        out = in_container(lab, room_of(lab, ward), "ping", "-q", "-c", "500", "-i", "0.005", services_ip(lab)).stdout
        return float(re.search(r"([\d.]+)% packet loss", out).group(1))

    imp = next(i for i in lab["impairments"] if i["loss_percent"])
    lossy = loss(imp["ward"])
    # 3% each way: about 6% of round trips; 500 samples keep it well inside these bounds.
    assert 2.0 < lossy < 13.0, lossy
    assert loss("phuong_1") == 0.0


def _tree_digest(path: Path) -> dict[str, str]:
    return {
        str(p.relative_to(path)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(path.rglob("*"))
        if p.is_file()
    }


def test_lab_up_again_changes_nothing(lab):
    inventory = Path(lab["inventory"])
    before = _tree_digest(inventory), (STATE / "known_hosts").read_text()
    wardctl("lab", "up", timeout=300)
    again = json.loads(wardctl("lab", "status", "--json").stdout)
    assert {h["host"]: h["pid"] for h in again["hosts"]} == {h["host"]: h["pid"] for h in lab["hosts"]}
    assert (_tree_digest(inventory), (STATE / "known_hosts").read_text()) == before
    # Impairments were re-applied, not broken: the slow and lossy wards still reach city hall.
    for imp in lab["impairments"]:
        assert in_container(lab, imp["host"], "ping", "-c", "3", "-W", "2", services_ip(lab)).returncode == 0


def test_inventory_check_passes_on_the_lab_inventory(lab):
    proc = wardctl("inventory", "check", "-i", lab["inventory"])
    assert "ERROR" not in proc.stdout


def test_apt_reaches_the_debian_archive_through_the_proxy_only(lab):
    room = room_of(lab, "phuong_3")
    assert lab["apt_proxy"]["pid"]
    conf = in_container(lab, room, "cat", "/etc/apt/apt.conf.d/01wardlab-proxy").stdout
    assert f"http://{lab['apt_proxy']['address']}/" in conf
    got = in_container(lab, room, "sh", "-c", "cd /tmp && apt-get download -q hello && ls hello_*.deb", timeout=120)
    assert got.returncode == 0 and "hello_" in got.stdout, got.stderr
    assert any(Path(lab["apt_proxy"]["cache"]).iterdir()), "package files are cached on the controller"
    # Anything but the archive is refused by the proxy itself, before it connects anywhere.
    probe = (
        "import socket; s = socket.create_connection(('{}', {})); "
        "s.sendall(b'GET http://example.invalid/ HTTP/1.1\\r\\nHost: example.invalid\\r\\n\\r\\n'); "
        "print(s.recv(100).decode().splitlines()[0])"
    ).format(*lab["apt_proxy"]["address"].split(":"))
    assert "403" in in_container(lab, room, "python3", "-c", probe).stdout


def test_lab_hosts_cannot_reach_outside_the_lab(lab, tmp_path):
    """An 'outside' host of our own (a network namespace on the controller) answers the controller, not the lab."""
    ns, host_if, ns_if = "wardlab-outside", "wlout0", "wlout1"
    run(["ip", "netns", "add", ns])
    try:
        run(["ip", "link", "add", host_if, "type", "veth", "peer", "name", ns_if, "netns", ns])
        run(["ip", "addr", "add", "10.250.99.1/30", "dev", host_if])
        run(["ip", "link", "set", host_if, "up"])
        for cmd in (["ip", "addr", "add", "10.250.99.2/30", "dev", ns_if], ["ip", "link", "set", ns_if, "up"],
                    ["ip", "link", "set", "lo", "up"]):  # fmt: skip
            run(["ip", "netns", "exec", ns, *cmd])
        serve = ["timeout", "60", "python3", "-m", "http.server", "8080", "--bind", "10.250.99.2"]
        server = subprocess.Popen(
            ["ip", "netns", "exec", ns, *serve],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            fetch = "import urllib.request as u; print(u.urlopen('http://10.250.99.2:8080/', timeout=3).status)"
            for _ in range(50):  # the controller reaches it...
                if run(["python3", "-c", fetch], check=False).stdout.strip() == "200":
                    break
                subprocess.run(["sleep", "0.1"], check=True)
            else:
                raise AssertionError("outside test host did not come up")
            # ...a lab host does not: its forwarded packets are dropped.
            got = in_container(lab, room_of(lab, "phuong_1"), "python3", "-c", fetch, timeout=30)
            assert got.returncode != 0 and "200" not in got.stdout
        finally:
            server.terminate()
            server.wait(timeout=10)
    finally:
        run(["ip", "netns", "del", ns], check=False)
        run(["ip", "link", "del", host_if], check=False)


def test_city_hall_dns_answers_for_the_conference_service_only(lab):
    room = room_of(lab, "phuong_5")
    resolve = "import socket, sys; print(socket.gethostbyname(sys.argv[1]))"
    assert in_container(lab, room, "python3", "-c", resolve, "zavi.me").stdout.strip() == services_ip(lab)
    assert in_container(lab, room, "python3", "-c", resolve, "meet.province.test").stdout.strip() == services_ip(lab)
    # No upstream: names outside the lab do not resolve (and no query leaves the lab).
    assert in_container(lab, room, "python3", "-c", resolve, "debian.org").returncode != 0


def test_rooms_log_to_city_hall_and_the_log_server_does_not_forward_to_itself(lab, lab_inventory, vault_password_file):
    """The logging area on a room and on city hall's log server: the room's messages arrive in the server's
    per-host files; the server's own messages are not sent to itself (which once looped rsyslog at full CPU)."""
    room, server = room_of(lab, "phuong_2"), "city_hall-services"
    proc = ansible_playbook(lab_inventory, "endpoints.yml", "--tags", "endpoint_hardening_logging",
                            "--limit", f"{room},{server}", vault=vault_password_file)  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert in_container(lab, server, "test", "-e", "/etc/rsyslog.d/90-wardkit-remote.conf").returncode == 1
    assert in_container(lab, room, "test", "-e", "/etc/rsyslog.d/90-wardkit-remote.conf").returncode == 0

    mine, theirs = f"wardtest-server-{secrets.token_hex(4)}", f"wardtest-room-{secrets.token_hex(4)}"
    in_container(lab, server, "logger", "-t", "wardtest", mine)
    in_container(lab, room, "logger", "-t", "wardtest", theirs)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        got = in_container(lab, server, "sh", "-c", "cat /var/log/wards/*.log 2>/dev/null").stdout
        if theirs in got:
            break
        time.sleep(0.5)
    assert got.count(theirs) == 1, f"the room's message reached city hall {got.count(theirs)} times"
    assert mine not in got, "the log server forwarded its own message to itself"
