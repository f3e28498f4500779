"""The roles' molecule scenarios (podman driver, lab image): each `molecule test` must pass.

They need podman and the lab image, not the lab itself; the containers are molecule's own (wardmol-*).
They run side by side with the Lynis benchmark (tests/endpoint_jobs.py).
"""

from __future__ import annotations

import pytest
from endpoint_jobs import SCENARIOS, Job

pytestmark = pytest.mark.lab


@pytest.mark.parametrize(("role", "scenario"), SCENARIOS, ids=[f"{r}-{s}" for r, s in SCENARIOS])
def test_molecule_scenario(endpoint_jobs: dict[str, Job], role: str, scenario: str) -> None:
    rc, out = endpoint_jobs[f"{role}-{scenario}"].wait()
    assert rc == 0, f"molecule test -s {scenario} in roles/{role} exited {rc}:\n{out[-6000:]}"
