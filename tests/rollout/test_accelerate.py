"""`wardctl rollout --accelerate`: Mitogen for the Linux endpoint plays, the plain path everywhere else."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import yaml
from support import ROOT, VENV_BIN, lab_env, run

from wardctl.rollout import accelerate


def test_the_accelerator_is_installed_with_the_kit():
    folder = accelerate.strategy_plugins()
    assert (folder / f"{accelerate.STRATEGY}.py").is_file()
    assert accelerate.envvars() == {"ANSIBLE_STRATEGY_PLUGINS": str(folder), "ANSIBLE_STRATEGY": "mitogen_linear"}


def test_plays_mitogen_cannot_run_pin_their_strategy():
    """Netmiko plays (connection: local) and Windows plays (WinRM) name `strategy` themselves, so the
    accelerator's default strategy never reaches them; Linux endpoint plays leave it open."""
    open_plays = []
    for path in sorted((ROOT / "playbooks").glob("*.yml")):
        for play in yaml.safe_load(path.read_text()) or []:
            if "hosts" not in play:
                continue  # import_playbook
            pinned = "strategy" in play
            if play.get("connection") == "local" or "windows" in str(play["hosts"]):
                assert pinned, f"{path.name}: play {play.get('name')!r} must pin its strategy"
            elif not pinned:
                open_plays.append(f"{path.name}: {play['name']}")
    assert any("endpoints.yml" in p for p in open_plays), open_plays  # the accelerator has something to do


@pytest.mark.lab
def test_an_accelerated_rollout_runs_modules_under_mitogen_and_the_plain_one_does_not(lab, lab_inventory, tmp_path):
    probe = str(ROOT / "tests" / "rollout" / "playbooks" / "strategy_probe.yml")
    parents = {}
    for name, extra in (("plain", []), ("accelerated", ["--accelerate"])):
        state = tmp_path / name
        env = lab_env() | {"WARDCTL_STATE_DIR": str(state)}
        run([str(VENV_BIN / "wardctl"), "rollout", "-i", str(lab_inventory), "--wards", "phuong_4", "--playbook",
             probe, "--gate-playbook", "", "--plain", *extra], env=env)  # fmt: skip
        with sqlite3.connect(Path(state) / "runs.db") as db:
            rows = db.execute("SELECT data FROM reports WHERE host = 'phuong_4-room' AND kind LIKE 'strategy%'")
            parents[name] = [r[0] for r in rows]
    assert len(parents["plain"]) == len(parents["accelerated"]) == 1, parents
    assert "mitogen:" in parents["accelerated"][0] and "mitogen" not in parents["plain"][0], parents
