"""The roles' molecule scenarios (podman driver, lab image): each `molecule test` must pass.

They need podman and the lab image, not the lab itself; the containers are molecule's own (wardmol-*).
"""

from __future__ import annotations

import os

import pytest
from support import ROOT, VENV_BIN, run

pytestmark = pytest.mark.lab

SCENARIOS = [
    ("endpoint_hardening", "default"),
    ("conference_client", "default"),
    ("conference_client", "negative"),
]


def molecule_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "ANSIBLE_CONFIG"}  # molecule writes its own ansible.cfg
    env.update(
        CONTAINERS_CONF=str(ROOT / "lab" / "containers.conf"),
        PATH=f"{VENV_BIN}:{env.get('PATH', '')}",
        ANSIBLE_FORCE_COLOR="0",
        PY_COLORS="0",
    )
    return env


@pytest.mark.parametrize(("role", "scenario"), SCENARIOS, ids=[f"{r}-{s}" for r, s in SCENARIOS])
def test_molecule_scenario(role: str, scenario: str) -> None:
    proc = run(
        [str(VENV_BIN / "molecule"), "test", "--scenario-name", scenario],
        cwd=ROOT / "roles" / role, env=molecule_env(), timeout=1200, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, f"molecule test -s {scenario} in roles/{role} failed:\n{proc.stdout[-6000:]}"
