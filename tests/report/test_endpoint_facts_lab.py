"""A real rollout of a meeting room fills the report's endpoint columns: the client the room got and each
hardening area's outcome, from the facts the roles publish (roles/*/tasks/report.yml) through the run record."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from support import VENV_BIN, lab_env, run

pytestmark = pytest.mark.lab

WARD = "phuong_2"
# The client, and two hardening areas; the other areas are left out by the tags and must say so.
TAGS = "conference_client,endpoint_hardening_banner,endpoint_hardening_coredumps"


@pytest.fixture(scope="module")
def state(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("endpoint-facts-state")


def wardctl(state: Path, *args: str) -> str:
    return run([str(VENV_BIN / "wardctl"), *args], env=lab_env() | {"WARDCTL_STATE_DIR": str(state)}).stdout


def test_a_rollout_of_a_room_reports_its_client_and_hardening(lab, lab_inventory, vault_password_file, state):
    vault = str(vault_password_file)
    wardctl(state, "rollout", "-i", str(lab_inventory), "--vault-password-file", vault, "--wards", WARD,
            "--playbook", "endpoints.yml", "--gate-playbook", "", "--tags", TAGS, "--plain")  # fmt: skip
    doc = json.loads(wardctl(state, "report", WARD, "--format", "json"))
    rooms = [ep for ep in doc["endpoints"] if ep["name"] == f"{WARD}-room"]
    assert len(rooms) == 1, doc["endpoints"]
    client, hardening = rooms[0]["client"], rooms[0]["hardening"]
    assert client["state"] == "installed" and client["version"] == client["pinned_version"] != "", client
    assert client["checksum_verified"] and re.fullmatch(r"sha256:[0-9a-f]{64}", client["checksum"]), client
    areas = hardening["areas"]  # area -> state
    assert areas["banner"] in ("applied", "compliant") and areas["coredumps"] in ("applied", "compliant"), areas
    assert areas["ssh"] == "not_run" and areas["usb_storage"] == "off", areas
    # The city dashboard counts the room's client as installed.
    city = json.loads(wardctl(state, "report", "--city", "--format", "json"))
    ward = next(w for w in city["wards"] if w["ward"] == WARD)
    assert ward["clients"] == {"installed": 1, "machines": 1}, ward
