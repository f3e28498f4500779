"""The router_config action as the router role calls it (one task: input checks, template, safe push, report
fact), run by ansible-playbook against one simulator: what the role's single task must keep doing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from sim_helpers import ENABLE, PASSWORD, Sim

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
TEMPLATE = "hostname P1-RTR\nntp server {{ wardtest_ntp }}\nlogging host {{ wardtest_ntp }}\n"
GOOD_INPUTS = {
    "line_down_mbps": 100, "line_up_mbps": 40, "shape_percent": 92, "audio_percent": 20, "video_percent": 50,
    "audio_dscp": ["ef"], "video_dscp": ["af41"], "mgmt_subnets": ["127.0.0.1/32"], "controller_address": "",
    "allow_lockout": False, "ntp_servers": ["10.0.0.2"], "dns_servers": ["10.0.0.2"], "syslog_server": "10.0.0.2",
    "conference_service_subnets": [], "city_hall_subnets": [], "province_meeting_subnets": [],
    "banner": "Authorised access only.", "snmpv3_enabled": False, "snmpv3_user": "m", "snmpv3_auth_key": "",
    "snmpv3_priv_key": "",
}  # fmt: skip


@pytest.fixture
def ios(make_sim) -> Sim:
    return make_sim("cisco_ios", revert_timer_unit_seconds=60)  # real minutes: the verification has time


def run(tmp_path: Path, sim: Sim, inputs: dict[str, Any], *extra: str, template: str = TEMPLATE) -> dict[str, Any]:
    """One router_config task through ansible-playbook; its result for the host."""
    (tmp_path / "intended.j2").write_text(template)
    task = {
        "name": "Push",
        "wardkit.core.router_config": {
            "host": "127.0.0.1", "port": sim.port, "device_type": sim.dialect, "username": "admin",
            "password": PASSWORD, "secret": ENABLE, "known_hosts": str(sim.known_hosts), "timeout": 5,
            "name": "p1-router", "ward": "phuong_1", "backup_dir": str(tmp_path / "backups"),
            "template": str(tmp_path / "intended.j2"), "inputs": inputs, "wan_interface": "GigabitEthernet0/0/0",
        },
        "vars": {"wardtest_ntp": "10.0.0.2"},
    }  # fmt: skip
    play = [{"hosts": "localhost", "connection": "local", "gather_facts": False, "tasks": [task]}]
    (tmp_path / "play.yml").write_text(yaml.safe_dump(play))
    env = {**os.environ, "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"), "ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json",
           "ANSIBLE_CACHE_PLUGIN_CONNECTION": str(tmp_path / "facts")}  # fmt: skip
    proc = subprocess.run(
        [str(BIN / "ansible-playbook"), "-i", "localhost,", str(tmp_path / "play.yml"), *extra],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert PASSWORD not in proc.stdout + proc.stderr and ENABLE not in proc.stdout + proc.stderr
    result: dict[str, Any] = json.loads(proc.stdout)["plays"][0]["tasks"][0]["hosts"]["localhost"]
    return result


def test_bad_inputs_fail_in_one_line_before_rendering_or_connecting(tmp_path, ios):
    log_at = (ios.dir / "sim.log").stat().st_size
    bad = {**GOOD_INPUTS, "line_up_mbps": 0, "mgmt_subnets": ["10.9.9.0/24"]}
    res = run(tmp_path, ios, bad, template="{{ undefined_on_purpose }}")  # rendering it would fail otherwise
    assert res["failed"] and "ansible_facts" not in res
    assert res["msg"] == (
        "ward phuong_1, router p1-router: router_line_up_mbps: must be a positive number, got 0; "
        "router_mgmt_subnets: 10.9.9.0/24 does not contain the controller's address 127.0.0.1: the push would "
        "lock the controller out"
    )
    log = (ios.dir / "sim.log").read_text()[log_at:]
    assert "connection from" not in log and "login accepted" not in log  # the router was never touched


def test_check_mode_then_push_then_nothing_with_the_report_fact(tmp_path, ios):
    before = ios.text("running.cfg")
    check = run(tmp_path, ios, GOOD_INPUTS, "--check")
    assert check["changed"] and not check.get("failed"), check
    assert "+ ntp server 10.0.0.2" in check["diff"]["prepared"]  # the template was rendered with the task's vars
    report = check["ansible_facts"]["router_report"]
    assert report["check_mode"] is True and report["changed"] is True and report["backup_path"] == ""
    assert ios.text("running.cfg") == before and not (tmp_path / "backups").exists()

    first = run(tmp_path, ios, GOOD_INPUTS)
    assert first["changed"] and first["verified"]["fresh_login"], first
    assert "ntp server 10.0.0.2" in ios.text("running.cfg") and "path flash:archive-" in ios.text("running.cfg")
    report = first["ansible_facts"]["router_report"]
    assert report == {
        "changed": True, "lines_pushed": first["lines_pushed"], "diff": first["diff"]["prepared"],
        "backup_path": first["backup_path"], "model": "ISR4321/K9", "os_version": "16.9.4", "check_mode": False,
    }  # fmt: skip
    assert Path(report["backup_path"]).is_file()

    second = run(tmp_path, ios, GOOD_INPUTS)
    assert not second["changed"] and second["lines_pushed"] == 0 and "diff" not in second, second
    assert second["ansible_facts"]["router_report"]["changed"] is False
