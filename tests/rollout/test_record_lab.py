"""What a real rollout leaves on disk: no secret anywhere, no router backup from a dry run, and a rollback to
"the latest" that passes over a backup it cannot restore. Two wards (one per dialect), a copy of the lab's
inventory whose router backups go to a temporary directory."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from support import ROOT, TEST_LAB, VENV_BIN, lab_env, run

from wardctl.paths import fact_cache_dir

pytestmark = pytest.mark.lab
LAB_DIR = ROOT / f".lab-{TEST_LAB}"
VAULT = LAB_DIR / "vault-password"
WARDS = "phuong_3,thang_nhat"  # Cisco IOS and MikroTik RouterOS


@pytest.fixture(scope="module")
def setup(lab: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("record")
    inventory, backups = tmp / "inv", tmp / "backups"
    run(["cp", "-r", str(lab["inventory"]), str(inventory)])
    (inventory / "group_vars" / "all" / "zz_test_backups.yml").write_text(f"---\nrouter_backup_dir: {backups}\n")
    return {"inventory": inventory, "backups": backups, "state": tmp / "state", "tmp": tmp}


def rollout(setup: dict[str, Path], *args: str) -> subprocess.CompletedProcess[str]:
    env = lab_env() | {"WARDCTL_STATE_DIR": str(setup["state"])}
    cmd = [str(VENV_BIN / "wardctl"), "rollout", "--plain", "-i", str(setup["inventory"]),
           "--vault-password-file", str(VAULT), "--wards", WARDS, "--playbook", "routers.yml", *args]  # fmt: skip
    return run(cmd, env=env, check=False, timeout=900)


def backups(setup: dict[str, Path]) -> list[Path]:
    return sorted(p for p in setup["backups"].rglob("*") if p.is_file())


def test_a_dry_run_writes_no_router_backup(setup):
    proc = rollout(setup, "--check")
    assert proc.returncode in (0, 2), proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "phuong_3 (Phường 3): done" in proc.stdout  # the router was reached and diffed
    assert backups(setup) == []


def test_no_secret_in_the_record_artifacts_reports_or_fact_cache(setup):
    proc = rollout(setup)  # routers pushed (backups taken), then the health gate (verify.yml: line checks, CSVs)
    assert "Traceback" not in proc.stderr
    secrets = {p.name: p.read_text().strip() for p in (LAB_DIR / "secrets").iterdir()}
    secrets["vault-password"] = VAULT.read_text().strip()
    assert all(len(v) >= 8 for v in secrets.values())
    env = lab_env() | {"WARDCTL_STATE_DIR": str(setup["state"])}
    out = setup["tmp"] / "out"
    for ward in WARDS.split(","):
        run([str(VENV_BIN / "wardctl"), "report", ward, "--format", "csv", "-o", str(out / f"{ward}.csv")], env=env)
    run([str(VENV_BIN / "wardctl"), "report", "--city", "--format", "csv", "-o", str(out / "city.csv")], env=env)
    scanned = [
        *(p for p in setup["state"].rglob("*") if p.is_file()),  # runs.db (+ WAL), lock, any runner artifact
        *(ROOT / "reports").glob("*.csv"),  # verify.yml's line_quality.csv and procurement.csv
        *(p for p in fact_cache_dir(setup["inventory"]).rglob("*") if p.is_file()),
        *out.glob("*.csv"),
    ]
    assert any(p.name == "runs.db" for p in scanned) and any(p.parent == out for p in scanned)
    assert not list((setup["state"] / "runner").iterdir())  # artifacts removed once read
    found = [(p, name) for p in scanned for name, value in secrets.items() if value.encode() in p.read_bytes()]
    assert found == []
    assert backups(setup), "the apply run took no backup: the next test has nothing to roll back to"


def test_rollback_to_latest_skips_a_backup_it_cannot_restore(setup):
    folder = next(p.parent for p in backups(setup) if p.parent.name == "phuong_3-router")
    # A restorable backup that differs from the running config (the run's own backups may equal it).
    good = folder / "29991231T235957Z.cfg"
    good.write_text(sorted(folder.glob("2*.cfg"))[0].read_text() + "snmp-server location rollback-test\n")
    bad = folder / "29991231T235959Z.cfg"  # the newest, but not text: a disk error, a copy cut short
    bad.write_bytes(b"\xff\xfe\x00garbage")
    empty = folder / "29991231T235958Z.cfg"
    empty.write_text("")
    env = lab_env() | {"ANSIBLE_CACHE_PLUGIN_CONNECTION": str(fact_cache_dir(setup["inventory"]))}
    cmd = [str(VENV_BIN / "ansible-playbook"), "-i", str(setup["inventory"]), "--vault-password-file", str(VAULT),
           str(ROOT / "playbooks" / "router_rollback.yml"), "--limit", "phuong_3-router", "--check", "-v"]  # fmt: skip
    proc = run(cmd, env=env, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:]
    said = " ".join((proc.stdout + proc.stderr).split())  # Ansible wraps warnings
    assert f"skipped backup {bad}: unreadable (UnicodeDecodeError)" in said
    assert f"skipped backup {empty}: empty" in said
    assert f"would restore {good}" in said
